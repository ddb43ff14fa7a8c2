-- When a unit was told of an assignment by its campaign's start message (a campaign started with dates
-- already past): overdue reminders and the escalation count from that day, never from a deadline the
-- unit could not have known about. NULL: no start message (the schedule counts from the deadline).
ALTER TABLE `assignments` ADD `notified_at` integer;
