CREATE TABLE `deploy_failures` (
	`account_id` text NOT NULL,
	`lambda_uuid` text NOT NULL,
	`lambda_version` integer NOT NULL,
	`error_code` text NOT NULL,
	`message` text NOT NULL,
	`failed_at` integer NOT NULL,
	`failed_by` text NOT NULL,
	PRIMARY KEY(`account_id`, `lambda_uuid`)
);
--> statement-breakpoint
CREATE TABLE `lambda_versions` (
	`account_id` text NOT NULL,
	`lambda_uuid` text NOT NULL,
	`version` integer NOT NULL,
	`code` text NOT NULL,
	`environment_variables` text NOT NULL,
	`saved_at` integer NOT NULL,
	`saved_by` text NOT NULL,
	PRIMARY KEY(`account_id`, `lambda_uuid`, `version`)
);
--> statement-breakpoint
-- Functions saved before versions were kept: their current code is their first kept version (hand-written after drizzle-kit's output).
INSERT INTO `lambda_versions` SELECT `account_id`, `uuid`, `version`, `code`, `environment_variables`, `updated_at`, `updated_by` FROM `lambdas`;
