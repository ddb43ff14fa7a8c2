CREATE TABLE `assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`deliverable_id` text NOT NULL,
	`unit_id` text NOT NULL,
	`period` text DEFAULT '' NOT NULL,
	`due_at` integer NOT NULL,
	`due_version` integer DEFAULT 1 NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`received_at` integer,
	`received_by` text,
	`received_version` integer,
	`submitted_at` integer,
	`submitted_by` text,
	`reviewed_at` integer,
	`reviewed_by` text,
	`last_nudged_at` integer,
	`escalated_at` integer,
	`next_reminder_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assignments_unit_uq` ON `assignments` (`deliverable_id`,`unit_id`,`period`);--> statement-breakpoint
CREATE INDEX `assignments_next_reminder_idx` ON `assignments` (`next_reminder_at`) WHERE next_reminder_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `assignments_campaign_unit_idx` ON `assignments` (`campaign_id`,`unit_id`);--> statement-breakpoint
CREATE INDEX `assignments_deliverable_state_idx` ON `assignments` (`deliverable_id`,`state`);--> statement-breakpoint
CREATE TABLE `batch_cards` (
	`batch_id` text NOT NULL,
	`team_id` text NOT NULL,
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	`message_id` text,
	`lead_count` integer NOT NULL,
	`acknowledged_by` text,
	`acknowledged_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`batch_id`, `team_id`)
);
--> statement-breakpoint
CREATE INDEX `batch_cards_message_idx` ON `batch_cards` (`platform`,`chat_id`,`message_id`);--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`template_id` text,
	`name` text NOT NULL,
	`year` integer NOT NULL,
	`region_code` text NOT NULL,
	`issuer` text NOT NULL,
	`coordinator_team_id` text,
	`phases` text DEFAULT '[]' NOT NULL,
	`reminder_policy` text,
	`definition` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `campaigns_status_idx` ON `campaigns` (`status`);--> statement-breakpoint
CREATE TABLE `deliverables` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`key` text NOT NULL,
	`title` text NOT NULL,
	`title_en` text,
	`phase_key` text,
	`unit_kinds` text NOT NULL,
	`due_on` text,
	`due_time` text,
	`recurrence` text,
	`reminder_policy` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliverables_key_uq` ON `deliverables` (`campaign_id`,`key`);--> statement-breakpoint
CREATE TABLE `reminder_slots` (
	`assignment_id` text NOT NULL,
	`slot` text NOT NULL,
	`kind` text NOT NULL,
	`send_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`claimed_at` integer NOT NULL,
	`outbox_id` text,
	PRIMARY KEY(`assignment_id`, `slot`)
);
--> statement-breakpoint
CREATE TABLE `submission_file_chunks` (
	`file_id` text NOT NULL,
	`seq` integer NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`file_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `submission_files` (
	`id` text PRIMARY KEY NOT NULL,
	`submission_id` text NOT NULL,
	`assignment_id` text NOT NULL,
	`uploaded_by` text NOT NULL,
	`file_name_enc` text NOT NULL,
	`media_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`key_id` text NOT NULL,
	`chunk_count` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `submission_files_submission_idx` ON `submission_files` (`submission_id`);--> statement-breakpoint
CREATE INDEX `submission_files_assignment_idx` ON `submission_files` (`assignment_id`);--> statement-breakpoint
CREATE TABLE `submissions` (
	`id` text PRIMARY KEY NOT NULL,
	`assignment_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`note_enc` text,
	`submitted_by` text NOT NULL,
	`platform` text NOT NULL,
	`submitted_at` integer NOT NULL,
	`status` text DEFAULT 'submitted' NOT NULL,
	`review_reason_enc` text,
	`reviewed_by` text,
	`reviewed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `submissions_attempt_uq` ON `submissions` (`assignment_id`,`attempt`);--> statement-breakpoint
CREATE TABLE `units` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`region_code` text NOT NULL,
	`supervisor_unit_id` text,
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	`locale` text DEFAULT 'zh-CN' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `units_name_uq` ON `units` (`name`);--> statement-breakpoint
CREATE INDEX `units_kind_region_idx` ON `units` (`kind`,`region_code`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_chat_prompts` (
	`id` text PRIMARY KEY NOT NULL,
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	`message_id` text,
	`member_id` text NOT NULL,
	`lead_id` text,
	`assignment_id` text,
	`purpose` text NOT NULL,
	`context` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`answered_at` integer,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`lead_id`) REFERENCES `leads`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_chat_prompts`("id", "platform", "chat_id", "message_id", "member_id", "lead_id", "assignment_id", "purpose", "context", "created_at", "expires_at", "answered_at") SELECT "id", "platform", "chat_id", "message_id", "member_id", "lead_id", NULL, "purpose", "context", "created_at", "expires_at", "answered_at" FROM `chat_prompts`;--> statement-breakpoint
DROP TABLE `chat_prompts`;--> statement-breakpoint
ALTER TABLE `__new_chat_prompts` RENAME TO `chat_prompts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `chat_prompts_lookup_idx` ON `chat_prompts` (`platform`,`chat_id`,`message_id`);--> statement-breakpoint
ALTER TABLE `members` ADD `unit_id` text;--> statement-breakpoint
CREATE INDEX `members_unit_idx` ON `members` (`unit_id`) WHERE unit_id IS NOT NULL;
--> statement-breakpoint
-- Units are part of the organisation: caches reload when they (or a member's unit) change.
DROP TRIGGER IF EXISTS `members_bump_org_update`;--> statement-breakpoint
CREATE TRIGGER `members_bump_org_update` AFTER UPDATE OF `display_name`, `role`, `team_id`, `telegram_user_id`, `slack_user_id`, `locale`, `active`, `unit_id` ON `members` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint
CREATE TRIGGER `units_bump_org_insert` AFTER INSERT ON `units` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint
CREATE TRIGGER `units_bump_org_update` AFTER UPDATE ON `units` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint
CREATE TRIGGER `units_bump_org_delete` AFTER DELETE ON `units` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
