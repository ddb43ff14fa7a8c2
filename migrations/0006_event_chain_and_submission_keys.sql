-- Submit-once keys for page forms and the API's Idempotency-Key; the tamper-evident event log:
-- each row gets an HMAC chained to the previous row's, set once by the sealer
-- (src/services/audit/event-chain.ts). The append-only trigger now allows exactly that one change.
CREATE TABLE `submission_keys` (
	`key_hash` text PRIMARY KEY NOT NULL,
	`scope` text NOT NULL,
	`report_id` text NOT NULL,
	`result_ref` text,
	`request_hash` text,
	`replay_enc` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `submission_keys_expires_idx` ON `submission_keys` (`expires_at`);--> statement-breakpoint
ALTER TABLE `events` ADD `chain_hash` text;
--> statement-breakpoint
DROP TRIGGER `events_no_update`;
--> statement-breakpoint
CREATE TRIGGER `events_no_update` BEFORE UPDATE ON `events`
WHEN NOT (
  OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL
  AND NEW.id IS OLD.id AND NEW.occurred_at IS OLD.occurred_at AND NEW.entity_type IS OLD.entity_type
  AND NEW.entity_id IS OLD.entity_id AND NEW.action IS OLD.action AND NEW.actor_type IS OLD.actor_type
  AND NEW.actor_id IS OLD.actor_id AND NEW.actor_role IS OLD.actor_role AND NEW.platform IS OLD.platform
  AND NEW.platform_ref IS OLD.platform_ref AND NEW.from_state IS OLD.from_state AND NEW.to_state IS OLD.to_state
  AND NEW.data IS OLD.data AND NEW.dedupe_key IS OLD.dedupe_key
)
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
