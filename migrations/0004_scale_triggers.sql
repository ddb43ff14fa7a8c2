-- Counters and versions the hot paths read instead of scanning (issue 6), kept by the database
-- itself so every writer (services, admin CLI, D1 console) keeps them right.

-- members.open_leads: open leads per assignee (routing picks the least loaded without counting).
CREATE TRIGGER `leads_open_count_insert` AFTER INSERT ON `leads`
WHEN NEW.assignee_id IS NOT NULL AND NEW.state IN ('new', 'acknowledged', 'accepted', 'investigating')
BEGIN
  UPDATE `members` SET `open_leads` = `open_leads` + 1 WHERE `id` = NEW.assignee_id;
END;
--> statement-breakpoint
CREATE TRIGGER `leads_open_count_update` AFTER UPDATE OF `state`, `assignee_id` ON `leads`
BEGIN
  UPDATE `members` SET `open_leads` = `open_leads` - 1
    WHERE `id` = OLD.assignee_id AND OLD.state IN ('new', 'acknowledged', 'accepted', 'investigating');
  UPDATE `members` SET `open_leads` = `open_leads` + 1
    WHERE `id` = NEW.assignee_id AND NEW.state IN ('new', 'acknowledged', 'accepted', 'investigating');
END;
--> statement-breakpoint
UPDATE `members` SET `open_leads` = (
  SELECT count(*) FROM `leads`
  WHERE `leads`.`assignee_id` = `members`.`id` AND `leads`.`state` IN ('new', 'acknowledged', 'accepted', 'investigating')
);
--> statement-breakpoint

-- app_state.org_version: bumped whenever what routing, cards and the calendar read changes, so
-- caches held in memory (Node process, Worker isolates) reload on the next request that notices.
INSERT INTO `app_state` (`key`, `value`, `updated_at`) VALUES ('org_version', '1', 0) ON CONFLICT (`key`) DO NOTHING;
--> statement-breakpoint
CREATE TRIGGER `teams_bump_org_insert` AFTER INSERT ON `teams` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint
CREATE TRIGGER `teams_bump_org_update` AFTER UPDATE ON `teams` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint
CREATE TRIGGER `teams_bump_org_delete` AFTER DELETE ON `teams` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint
CREATE TRIGGER `members_bump_org_insert` AFTER INSERT ON `members` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint
-- Not on open_leads: that changes with every lead and is read fresh, never cached.
CREATE TRIGGER `members_bump_org_update` AFTER UPDATE OF `display_name`, `role`, `team_id`, `telegram_user_id`, `slack_user_id`, `locale`, `active` ON `members` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint
CREATE TRIGGER `members_bump_org_delete` AFTER DELETE ON `members` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint
CREATE TRIGGER `calendar_days_bump_org_insert` AFTER INSERT ON `calendar_days` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint
CREATE TRIGGER `calendar_days_bump_org_update` AFTER UPDATE ON `calendar_days` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint
CREATE TRIGGER `calendar_days_bump_org_delete` AFTER DELETE ON `calendar_days` BEGIN
  UPDATE `app_state` SET `value` = CAST(`value` AS INTEGER) + 1, `updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE `key` = 'org_version';
END;
--> statement-breakpoint

-- The open lead new tips join: the most recent open lead per institution, violation type and province.
UPDATE `leads` SET `cluster_slot` = `institution_key` || '|' || `violation_type` || '|' || substr(`region_code`, 1, 2)
WHERE `id` IN (
  SELECT `id` FROM (
    SELECT `id`, row_number() OVER (
      PARTITION BY `institution_key`, `violation_type`, substr(`region_code`, 1, 2)
      ORDER BY `last_report_at` DESC, `id` DESC
    ) AS `rn`
    FROM `leads` WHERE `state` IN ('new', 'acknowledged', 'accepted', 'investigating')
  ) WHERE `rn` = 1
);
--> statement-breakpoint
-- Every open lead is looked at by the next escalation run, which then sets its real next time.
UPDATE `leads` SET `next_escalation_at` = CASE `state` WHEN 'new' THEN `ack_by` WHEN 'acknowledged' THEN `accept_by` ELSE `finish_by` END
WHERE `state` IN ('new', 'acknowledged', 'accepted', 'investigating');
--> statement-breakpoint
UPDATE `outbox` SET `seq` = rowid;
