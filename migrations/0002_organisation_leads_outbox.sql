CREATE TABLE `calendar_days` (
	`date` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`note` text
);
--> statement-breakpoint
CREATE TABLE `chat_cards` (
	`lead_id` text NOT NULL,
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	`message_id` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`lead_id`, `platform`, `chat_id`),
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `chat_cards_message_idx` ON `chat_cards` (`platform`,`chat_id`,`message_id`);--> statement-breakpoint
CREATE TABLE `chat_prompts` (
	`id` text PRIMARY KEY NOT NULL,
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	`message_id` text,
	`member_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`purpose` text NOT NULL,
	`context` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`answered_at` integer,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `chat_prompts_lookup_idx` ON `chat_prompts` (`platform`,`chat_id`,`message_id`);--> statement-breakpoint
CREATE TABLE `invites` (
	`id` text PRIMARY KEY NOT NULL,
	`code_hash` text NOT NULL,
	`member_id` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`redeemed_at` integer,
	`redeemed_on` text,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invites_code_uq` ON `invites` (`code_hash`);--> statement-breakpoint
CREATE TABLE `lead_reports` (
	`lead_id` text NOT NULL,
	`report_id` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`lead_id`, `report_id`),
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`report_id`) REFERENCES `reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lead_reports_report_uq` ON `lead_reports` (`report_id`);--> statement-breakpoint
CREATE TABLE `leads` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`source_ref` text,
	`subject` text NOT NULL,
	`violation_type` text NOT NULL,
	`region_code` text NOT NULL,
	`target_name` text NOT NULL,
	`institution_key` text NOT NULL,
	`focus_areas` text DEFAULT '[]' NOT NULL,
	`focus_items` text DEFAULT '[]' NOT NULL,
	`occurred_from` text,
	`occurred_to` text,
	`amount_estimate_fen` integer,
	`summary_enc` text NOT NULL,
	`corroboration_count` integer DEFAULT 1 NOT NULL,
	`team_id` text,
	`assignee_id` text,
	`state` text NOT NULL,
	`outcome` text,
	`substantiated_amount_fen` integer,
	`decline_reason_enc` text,
	`received_at` integer NOT NULL,
	`last_report_at` integer NOT NULL,
	`ack_by` integer NOT NULL,
	`accept_by` integer NOT NULL,
	`finish_by` integer NOT NULL,
	`acknowledged_at` integer,
	`accepted_at` integer,
	`closed_at` integer,
	`escalations` text DEFAULT '{"ack":0,"accept":0,"finish":0}' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assignee_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `leads_cluster_idx` ON `leads` (`institution_key`,`violation_type`,`last_report_at`);--> statement-breakpoint
CREATE INDEX `leads_assignee_idx` ON `leads` (`assignee_id`,`state`);--> statement-breakpoint
CREATE INDEX `leads_team_idx` ON `leads` (`team_id`,`state`);--> statement-breakpoint
CREATE INDEX `leads_state_idx` ON `leads` (`state`);--> statement-breakpoint
CREATE TABLE `members` (
	`id` text PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL,
	`role` text NOT NULL,
	`team_id` text,
	`telegram_user_id` text,
	`slack_user_id` text,
	`locale` text DEFAULT 'zh-CN' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `members_telegram_uq` ON `members` (`telegram_user_id`) WHERE telegram_user_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `members_slack_uq` ON `members` (`slack_user_id`) WHERE slack_user_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `members_team_idx` ON `members` (`team_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`dedupe_key` text NOT NULL,
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	`kind` text NOT NULL,
	`lead_id` text,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`claimed_until` integer,
	`last_error` text,
	`sent_message_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_dedupe_uq` ON `outbox` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_chat_sent_idx` ON `outbox` (`platform`,`chat_id`,`sent_at`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`region_code` text NOT NULL,
	`focus_areas` text DEFAULT '[]' NOT NULL,
	`violation_types` text DEFAULT '[]' NOT NULL,
	`is_coordinators` integer DEFAULT false NOT NULL,
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	`locale` text DEFAULT 'zh-CN' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_name_uq` ON `teams` (`name`);--> statement-breakpoint
CREATE INDEX `teams_region_idx` ON `teams` (`region_code`);