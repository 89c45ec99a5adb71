CREATE INDEX `email_report_sends_age` ON `email_report_sends` (`period_start`);--> statement-breakpoint
CREATE INDEX `schedule_runs_running` ON `schedule_runs` (`started_at`) WHERE status = 'running';