-- Members' accounts on Feishu (open_id), DingTalk (userId) and WeCom (UserID), bound by invites like the
-- Telegram and Slack ones: one member per account, so each is unique where set.
ALTER TABLE `members` ADD `feishu_user_id` text;--> statement-breakpoint
ALTER TABLE `members` ADD `dingtalk_user_id` text;--> statement-breakpoint
ALTER TABLE `members` ADD `wecom_user_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `members_feishu_uq` ON `members` (`feishu_user_id`) WHERE feishu_user_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `members_dingtalk_uq` ON `members` (`dingtalk_user_id`) WHERE dingtalk_user_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `members_wecom_uq` ON `members` (`wecom_user_id`) WHERE wecom_user_id IS NOT NULL;
--> statement-breakpoint
-- A binding made or released on the new platforms changes the organisation as seen by the caches too.
DROP TRIGGER IF EXISTS `members_bump_org_update`;--> statement-breakpoint
CREATE TRIGGER `members_bump_org_update` AFTER UPDATE OF `display_name`, `role`, `team_id`, `telegram_user_id`, `slack_user_id`, `feishu_user_id`, `dingtalk_user_id`, `wecom_user_id`, `locale`, `active`, `unit_id` ON `members` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
