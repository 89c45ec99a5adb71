CREATE TABLE `schedule_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`schedule_id` text NOT NULL,
	`scheduled_for` integer NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`missed` integer DEFAULT 0 NOT NULL,
	`invocation_id` text,
	`error_code` text,
	`started_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `schedule_runs_schedule` ON `schedule_runs` (`account_id`,`schedule_id`,`scheduled_for`);--> statement-breakpoint
CREATE TABLE `schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`lambda_uuid` text NOT NULL,
	`cron_expression` text NOT NULL,
	`time_zone` text DEFAULT 'UTC' NOT NULL,
	`is_active` integer NOT NULL,
	`paused_reason` text,
	`description` text DEFAULT '' NOT NULL,
	`invocation_body` text NOT NULL,
	`next_execution` integer,
	`last_execution` integer,
	`did_last_execution_fail` integer,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `schedules_account` ON `schedules` (`account_id`,`lambda_uuid`);--> statement-breakpoint
CREATE INDEX `schedules_due` ON `schedules` (`is_active`,`next_execution`);--> statement-breakpoint
ALTER TABLE `account_limits` ADD `concurrent_invocations` integer;--> statement-breakpoint
ALTER TABLE `account_limits` ADD `functions` integer;--> statement-breakpoint
ALTER TABLE `account_limits` ADD `schedules` integer;--> statement-breakpoint
ALTER TABLE `account_limits` ADD `invocations_per_month` integer;--> statement-breakpoint
ALTER TABLE `account_limits` ADD `enforce_monthly_quota` integer;--> statement-breakpoint
ALTER TABLE `account_limits` ADD `timeout_ms` integer;--> statement-breakpoint
ALTER TABLE `invocations` ADD `schedule_id` text;