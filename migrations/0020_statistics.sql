-- Statistics (issue 18): each lead's elapsed working time to acknowledge (hours), to decide and to close
-- (working days), kept at write time so a year's percentiles are one sorted read instead of walking the
-- work calendar for every lead; and the concluded leads by conclusion time (concluded-in-period figures).
ALTER TABLE `leads` ADD `ack_work_hours` real;--> statement-breakpoint
ALTER TABLE `leads` ADD `decide_work_days` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `close_work_days` integer;--> statement-breakpoint
CREATE INDEX `leads_concluded_idx` ON `leads` (`closed_at`) WHERE state = 'concluded';
