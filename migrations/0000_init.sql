CREATE TABLE `attachment_chunks` (
	`attachment_id` text NOT NULL,
	`seq` integer NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`attachment_id`, `seq`),
	FOREIGN KEY (`attachment_id`) REFERENCES `report_attachments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`occurred_at` integer NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`action` text NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` text,
	`actor_role` text,
	`platform` text NOT NULL,
	`platform_ref` text,
	`from_state` text,
	`to_state` text,
	`data` text,
	`dedupe_key` text
);
--> statement-breakpoint
CREATE INDEX `events_entity_idx` ON `events` (`entity_type`,`entity_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `events_dedupe_uq` ON `events` (`dedupe_key`) WHERE dedupe_key IS NOT NULL;--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rate_limits_expires_idx` ON `rate_limits` (`expires_at`);--> statement-breakpoint
CREATE TABLE `report_attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`report_id` text NOT NULL,
	`message_id` text,
	`created_at` integer NOT NULL,
	`uploaded_by` text NOT NULL,
	`file_name_enc` text NOT NULL,
	`media_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`key_id` text NOT NULL,
	`chunk_count` integer NOT NULL,
	FOREIGN KEY (`report_id`) REFERENCES `reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `report_attachments_report_idx` ON `report_attachments` (`report_id`);--> statement-breakpoint
CREATE TABLE `report_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`report_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`author_type` text NOT NULL,
	`author_ref` text,
	`in_reply_to` text,
	`body_enc` text NOT NULL,
	FOREIGN KEY (`report_id`) REFERENCES `reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `report_messages_report_idx` ON `report_messages` (`report_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `report_timeline` (
	`id` text PRIMARY KEY NOT NULL,
	`report_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`kind` text NOT NULL,
	`status` text,
	`outcome` text,
	FOREIGN KEY (`report_id`) REFERENCES `reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `report_timeline_report_idx` ON `report_timeline` (`report_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`channel` text NOT NULL,
	`locale` text NOT NULL,
	`status` text NOT NULL,
	`outcome` text,
	`subject` text NOT NULL,
	`violation_type` text NOT NULL,
	`province_code` text NOT NULL,
	`city_code` text,
	`district_code` text,
	`region_code` text NOT NULL,
	`target_name` text NOT NULL,
	`target_address` text,
	`occurred_from` text NOT NULL,
	`occurred_to` text,
	`amount_estimate_fen` integer,
	`description_enc` text NOT NULL,
	`is_anonymous` integer NOT NULL,
	`reporter_enc` text,
	`is_insider` integer NOT NULL,
	`wants_reward` integer NOT NULL,
	`receipt_hash` text NOT NULL,
	`content_hash` text NOT NULL,
	`proof_key_id` text NOT NULL,
	`proof_signature` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reports_receipt_hash_uq` ON `reports` (`receipt_hash`);--> statement-breakpoint
CREATE INDEX `reports_created_at_idx` ON `reports` (`created_at`);--> statement-breakpoint
CREATE INDEX `reports_target_type_idx` ON `reports` (`target_name`,`violation_type`);--> statement-breakpoint
CREATE INDEX `reports_region_idx` ON `reports` (`region_code`);