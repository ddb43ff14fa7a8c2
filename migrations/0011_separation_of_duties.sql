-- The chat account (platform:user id, or platform:member:<id> for web/CLI) that gave a reward claim's
-- first approval: the second approval must come from a different account, not only a different member.
ALTER TABLE `reward_claims` ADD `coordinator_approved_via` text;
--> statement-breakpoint
-- An invite an operator issued on purpose for a second chat account (the other platform) of a member who
-- already has one; any other invite for a bound member is refused, so no binding is ever moved.
ALTER TABLE `invites` ADD `additional_account` integer DEFAULT false NOT NULL;
