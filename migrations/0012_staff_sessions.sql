-- Sign-in without passwords for the staff workspace (issue 17): a one-time link (10 minutes) opens a
-- server-side session (30 minutes idle, 8 hours at most). Only keyed hashes of the link's and the
-- session's tokens are stored, so a copy of the database signs nobody in.
CREATE TABLE `staff_sign_in_links` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`member_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`issued_via` text NOT NULL,
	`session_id` text,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_sign_in_links_token_uq` ON `staff_sign_in_links` (`token_hash`);
--> statement-breakpoint
-- Deactivation voids a member's unused links: found by member, only the still-usable ones.
CREATE INDEX `staff_sign_in_links_member_idx` ON `staff_sign_in_links` (`member_id`,`expires_at`) WHERE `used_at` IS NULL;
--> statement-breakpoint
CREATE TABLE `staff_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`member_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`ended_at` integer,
	`ended_reason` text,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_sessions_token_uq` ON `staff_sessions` (`token_hash`);
--> statement-breakpoint
-- A member's sessions: ending them all (deactivation) and their last activity (the people page).
CREATE INDEX `staff_sessions_member_idx` ON `staff_sessions` (`member_id`,`last_seen_at`);
--> statement-breakpoint
-- The people page shows whether a member has an invite waiting: found by member, not by scanning invites.
CREATE INDEX `invites_member_idx` ON `invites` (`member_id`,`expires_at`) WHERE `redeemed_at` IS NULL;
