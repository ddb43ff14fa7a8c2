CREATE TABLE `app_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `delivery_lanes` (
	`platform` text NOT NULL,
	`lane_key` text NOT NULL,
	`next_allowed_at` integer DEFAULT 0 NOT NULL,
	`held_until` integer,
	`hold_reason` text,
	`recent_sends` text DEFAULT '[]' NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`platform`, `lane_key`)
);
--> statement-breakpoint
CREATE TABLE `lead_versions` (
	`lead_id` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`lead_id`, `version`)
);
--> statement-breakpoint
ALTER TABLE `leads` ADD `cluster_slot` text;--> statement-breakpoint
ALTER TABLE `leads` ADD `next_escalation_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `leads_cluster_slot_uq` ON `leads` (`cluster_slot`) WHERE cluster_slot IS NOT NULL;--> statement-breakpoint
CREATE INDEX `leads_next_escalation_idx` ON `leads` (`next_escalation_at`) WHERE next_escalation_at IS NOT NULL;--> statement-breakpoint
ALTER TABLE `members` ADD `open_leads` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `coalesce_key` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `attempt_started_at` integer;--> statement-breakpoint
CREATE INDEX `outbox_lane_idx` ON `outbox` (`platform`,`chat_id`,`status`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_pending_coalesce_uq` ON `outbox` (`coalesce_key`) WHERE coalesce_key IS NOT NULL AND status = 'pending';