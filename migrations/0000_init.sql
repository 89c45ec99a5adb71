CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`key_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_account` ON `api_keys` (`account_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_account_time` ON `audit_log` (`account_id`,`at`);--> statement-breakpoint
CREATE TABLE `deployments` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`lambda_uuid` text NOT NULL,
	`lambda_version` integer NOT NULL,
	`code` text NOT NULL,
	`environment_variables` text NOT NULL,
	`code_hash` text NOT NULL,
	`deployed_at` integer NOT NULL,
	`deployed_by` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `deployments_lambda` ON `deployments` (`account_id`,`lambda_uuid`,`deployed_at`);--> statement-breakpoint
CREATE TABLE `invocation_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` text NOT NULL,
	`invocation_id` text NOT NULL,
	`lambda_uuid` text NOT NULL,
	`seq` integer NOT NULL,
	`level` text NOT NULL,
	`message` text NOT NULL,
	`extras` text NOT NULL,
	`timestamp` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `invocation_logs_invocation` ON `invocation_logs` (`account_id`,`invocation_id`,`seq`);--> statement-breakpoint
CREATE TABLE `invocations` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`lambda_uuid` text NOT NULL,
	`deployment_id` text,
	`version` integer,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`error_code` text,
	`started_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`request_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `invocations_account_time` ON `invocations` (`account_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `invocations_lambda_time` ON `invocations` (`account_id`,`lambda_uuid`,`started_at`);--> statement-breakpoint
CREATE TABLE `lambdas` (
	`uuid` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text NOT NULL,
	`event_id` text,
	`runtime_uuid` text NOT NULL,
	`code` text NOT NULL,
	`dependencies` text NOT NULL,
	`environment_variables` text NOT NULL,
	`sample_payload` text NOT NULL,
	`state` text NOT NULL,
	`version` integer NOT NULL,
	`deployment_id` text,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lambdas_account_name` ON `lambdas` (`account_id`,`name`);