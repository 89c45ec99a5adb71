ALTER TABLE `lambdas` ADD `skills` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
CREATE INDEX `lambdas_account_event` ON `lambdas` (`account_id`,`event_id`);