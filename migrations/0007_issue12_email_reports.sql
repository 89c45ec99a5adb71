CREATE TABLE `email_report_recipients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` text NOT NULL,
	`email` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_report_recipients_account_email` ON `email_report_recipients` (`account_id`,`email`);--> statement-breakpoint
CREATE TABLE `email_report_sends` (
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`period_start` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`claimed_at` integer NOT NULL,
	`retry_at` integer,
	`sent_at` integer,
	`error` text,
	`snapshot` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_report_sends_period` ON `email_report_sends` (`account_id`,`kind`,`period_start`);--> statement-breakpoint
CREATE TABLE `email_report_settings` (
	`account_id` text PRIMARY KEY NOT NULL,
	`frequency` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `email_report_settings_frequency` ON `email_report_settings` (`frequency`,`account_id`);