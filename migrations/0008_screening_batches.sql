CREATE TABLE `batch_rows` (
	`batch_id` text NOT NULL,
	`row_no` integer NOT NULL,
	`ref` text NOT NULL,
	`rule` text NOT NULL,
	`institution` text NOT NULL,
	`lead_id` text NOT NULL,
	PRIMARY KEY(`batch_id`, `row_no`)
);
--> statement-breakpoint
CREATE INDEX `batch_rows_lead_idx` ON `batch_rows` (`lead_id`);--> statement-breakpoint
CREATE TABLE `screening_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`reference` text,
	`row_count` integer NOT NULL,
	`imported_at` integer NOT NULL,
	`feedback_due_on` text
);
