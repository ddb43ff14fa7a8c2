CREATE TABLE `attachment_stripped_chunks` (
	`attachment_id` text NOT NULL,
	`seq` integer NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`attachment_id`, `seq`),
	FOREIGN KEY (`attachment_id`) REFERENCES `report_attachments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `report_attachments` ADD `stripped_size_bytes` integer;--> statement-breakpoint
ALTER TABLE `report_attachments` ADD `stripped_chunk_count` integer;