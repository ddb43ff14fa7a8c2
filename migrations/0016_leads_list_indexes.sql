-- The workspace's lead list (issue 17): newest first, 100 a page by keyset on (received_at, id). Each
-- filter the list offers leads one index whose equality columns come first and (received_at, id)
-- after, so a page is one index range read in order and stops after 101 rows (no sort, no count).
-- The three older indexes gain (received_at, id) at their end: every query that used them still can.
DROP INDEX IF EXISTS `leads_assignee_idx`;--> statement-breakpoint
CREATE INDEX `leads_assignee_idx` ON `leads` (`assignee_id`,`state`,`received_at`,`id`);--> statement-breakpoint
DROP INDEX IF EXISTS `leads_team_idx`;--> statement-breakpoint
CREATE INDEX `leads_team_idx` ON `leads` (`team_id`,`state`,`received_at`,`id`);--> statement-breakpoint
DROP INDEX IF EXISTS `leads_state_idx`;--> statement-breakpoint
CREATE INDEX `leads_state_idx` ON `leads` (`state`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `leads_list_received_idx` ON `leads` (`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `leads_list_assignee_idx` ON `leads` (`assignee_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `leads_list_team_idx` ON `leads` (`team_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `leads_list_region_idx` ON `leads` (`region_code`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `leads_list_type_idx` ON `leads` (`violation_type`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `leads_list_source_idx` ON `leads` (`source`,`received_at`,`id`);--> statement-breakpoint
-- Open leads only ("open" and "overdue" without a narrower filter): closed leads pile up over the years.
CREATE INDEX `leads_list_open_idx` ON `leads` (`received_at`,`id`) WHERE state IN ('new', 'acknowledged', 'accepted', 'investigating');
