CREATE TABLE `reward_claim_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`claim_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`author_type` text NOT NULL,
	`author_ref` text,
	`kind` text NOT NULL,
	`body_enc` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reward_claim_notes_claim_idx` ON `reward_claim_notes` (`claim_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `reward_claims` (
	`id` text PRIMARY KEY NOT NULL,
	`lead_id` text NOT NULL,
	`report_id` text NOT NULL,
	`status` text NOT NULL,
	`policy_id` text NOT NULL,
	`verified_amount_fen` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	`computation` text NOT NULL,
	`level` integer DEFAULT 3 NOT NULL,
	`insider` integer DEFAULT false NOT NULL,
	`notice_at` integer NOT NULL,
	`claim_deadline` integer NOT NULL,
	`claimed_at` integer,
	`identity_enc` text,
	`payout_method` text,
	`payout_enc` text,
	`coordinator_approved_by` text,
	`coordinator_approved_at` integer,
	`finance_approved_by` text,
	`finance_approved_at` integer,
	`paid_by` text,
	`paid_at` integer,
	`rejected_at` integer,
	`reconsideration_used` integer DEFAULT false NOT NULL,
	`exclusion_reason` text,
	`added_by` text,
	`next_check_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reward_claims_lead_report_uq` ON `reward_claims` (`lead_id`,`report_id`);--> statement-breakpoint
CREATE INDEX `reward_claims_report_idx` ON `reward_claims` (`report_id`);--> statement-breakpoint
CREATE INDEX `reward_claims_status_idx` ON `reward_claims` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `reward_claims_next_check_idx` ON `reward_claims` (`next_check_at`) WHERE next_check_at IS NOT NULL;