-- Statistics (issue 18): each lead's elapsed working time to acknowledge (hours), to decide and to close
-- (working days), kept at write time so a year's percentiles are one sorted read instead of walking the
-- work calendar for every lead; and covering indexes so a year's figures over 100,000 leads read only
-- index entries, never the rows (src/services/statistics/lead-queries.ts names each index it reads).
ALTER TABLE `leads` ADD `ack_work_hours` real;--> statement-breakpoint
ALTER TABLE `leads` ADD `decide_work_days` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `close_work_days` integer;--> statement-breakpoint
-- Received-in-period figures: the scope filters, the states and event times the timeliness rules read, the
-- elapsed figures, the focus areas and the id (the join to the lead's tips), by receipt time.
CREATE INDEX `leads_stats_received_idx` ON `leads` (`received_at`,`region_code`,`team_id`,`source`,`violation_type`,`state`,`corroboration_count`,`ack_by`,`accept_by`,`finish_by`,`acknowledged_at`,`accepted_at`,`closed_at`,`ack_work_hours`,`decide_work_days`,`close_work_days`,`focus_areas`,`id`);--> statement-breakpoint
-- Concluded-in-period figures: outcome, amounts and measures of concluded leads by conclusion time.
CREATE INDEX `leads_concluded_idx` ON `leads` (`closed_at`,`region_code`,`team_id`,`source`,`outcome`,`substantiated_amount_fen`,`recovered_fen`,`fine_fen`,`measures`) WHERE state = 'concluded';--> statement-breakpoint
-- Open and overdue now in any scope: the open leads' deadline index (0017) gains the scope columns at its
-- end, so its prefix (and every overview query on it) is unchanged and a region's open count reads it alone.
DROP INDEX `leads_open_due_idx`;--> statement-breakpoint
CREATE INDEX `leads_open_due_idx` ON `leads` ((CASE state WHEN 'new' THEN ack_by WHEN 'acknowledged' THEN accept_by ELSE finish_by END),`state`,`ack_by`,`accept_by`,`finish_by`,`region_code`,`team_id`,`source`) WHERE state IN ('new','acknowledged','accepted','investigating');
