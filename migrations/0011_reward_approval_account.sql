-- The chat account (platform:user id, or platform:member:<id> for web/CLI) that gave a reward claim's
-- first approval: the second approval must come from a different account, not only a different member.
ALTER TABLE `reward_claims` ADD `coordinator_approved_via` text;
