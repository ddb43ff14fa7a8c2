-- Read receipts (issue 19): a lead card or campaign reminder sent to a platform that reports who read a
-- message (Feishu read_users, DingTalk read status) is watched until it is acknowledged or three days
-- pass. The tick takes due watches through the partial index (open ones only, by next check); each
-- reader is recorded once as a `chat.read` event, found again per lead or assignment through its own
-- partial index (the board reads a campaign's reads without touching its other events). Finished
-- watches are deleted a month after their send (by sent_at); the reads stay in the event log.
CREATE TABLE `read_watches` (
	`id` text PRIMARY KEY NOT NULL,
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	`message_id` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`sent_at` integer NOT NULL,
	`next_check_at` integer NOT NULL,
	`checks` integer DEFAULT 0 NOT NULL,
	`done_at` integer,
	`last_error` text
);--> statement-breakpoint
CREATE UNIQUE INDEX `read_watches_message_uq` ON `read_watches` (`platform`,`chat_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `read_watches_due_idx` ON `read_watches` (`next_check_at`) WHERE "read_watches"."done_at" IS NULL;--> statement-breakpoint
CREATE INDEX `read_watches_sent_idx` ON `read_watches` (`sent_at`);--> statement-breakpoint
CREATE INDEX `events_chat_read_idx` ON `events` (`entity_type`,`entity_id`,`actor_id`) WHERE "events"."action" = 'chat.read';
