CREATE TABLE `login_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`attempt` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_attempts_key` ON `login_attempts` (`key`,`at`);--> statement-breakpoint
CREATE INDEX `login_attempts_at` ON `login_attempts` (`at`);--> statement-breakpoint
CREATE INDEX `login_attempts_attempt` ON `login_attempts` (`attempt`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`user_id` text NOT NULL,
	`bearer_hash` text NOT NULL,
	`session_hash` text NOT NULL,
	`csrf_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`client_address` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_bearer` ON `sessions` (`bearer_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_session` ON `sessions` (`session_hash`);--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`account_id`,`user_id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `sessions_expiry` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`login_name` text NOT NULL,
	`login_key` text NOT NULL,
	`roles` text NOT NULL,
	`password_hash` text,
	`password_changed_at` integer,
	`invitation_hash` text,
	`invitation_expires_at` integer,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_account_login` ON `users` (`account_id`,`login_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_invitation` ON `users` (`invitation_hash`);--> statement-breakpoint
ALTER TABLE `api_keys` ADD `roles` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
-- Keys made before keys held several roles: their one role becomes their list (hand-written after drizzle-kit's output).
UPDATE `api_keys` SET `roles` = json_array(`role`) WHERE `roles` = '[]';
