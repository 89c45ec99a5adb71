CREATE TABLE `account_limits` (
	`account_id` text PRIMARY KEY NOT NULL,
	`outbound_per_second` integer,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `allowed_domains` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` text NOT NULL,
	`domain` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `allowed_domains_account_domain` ON `allowed_domains` (`account_id`,`domain`);--> statement-breakpoint
ALTER TABLE `invocations` ADD `outbound` text DEFAULT '[]' NOT NULL;