-- Tipster replies reach the team as digests rendered at delivery; a reply is marked when relayed.
ALTER TABLE `report_messages` ADD `relayed_at` integer;
--> statement-breakpoint
-- Replies stored before this migration were relayed one by one already.
UPDATE `report_messages` SET `relayed_at` = `created_at` WHERE `author_type` = 'reporter';
