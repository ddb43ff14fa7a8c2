-- Indexes for the staff workspace's overview and rewards queue (issue 17). An open lead's current
-- deadline (acknowledge while new, decide while acknowledged, finish while accepted or investigating)
-- is indexed as an expression over the open leads only, for everyone, per team and per assignee, so
-- "open", "overdue" and "due first" are index ranges, never a scan of all leads; the trailing columns
-- let the counts read the index alone. Queries repeat the
-- expression and the WHERE word for word (src/db/schema/leads.ts: LEAD_DUE_AT_SQL, OPEN_LEAD_STATES_SQL).
CREATE INDEX `leads_open_due_idx` ON `leads` ((CASE state WHEN 'new' THEN ack_by WHEN 'acknowledged' THEN accept_by ELSE finish_by END),`state`,`ack_by`,`accept_by`,`finish_by`) WHERE state IN ('new','acknowledged','accepted','investigating');
--> statement-breakpoint
CREATE INDEX `leads_team_open_due_idx` ON `leads` (`team_id`,(CASE state WHEN 'new' THEN ack_by WHEN 'acknowledged' THEN accept_by ELSE finish_by END),`state`,`ack_by`,`accept_by`,`finish_by`) WHERE state IN ('new','acknowledged','accepted','investigating');
--> statement-breakpoint
CREATE INDEX `leads_assignee_open_due_idx` ON `leads` (`assignee_id`,(CASE state WHEN 'new' THEN ack_by WHEN 'acknowledged' THEN accept_by ELSE finish_by END),`state`,`ack_by`,`accept_by`,`finish_by`) WHERE state IN ('new','acknowledged','accepted','investigating');
--> statement-breakpoint
-- A screening batch's open leads: their source_ref starts with `<source>:<batch id>:`, a range of this index.
CREATE INDEX `leads_batch_open_idx` ON `leads` (`source_ref`,`team_id`,`source`,`state`) WHERE source = 'batch' AND state IN ('new','acknowledged','accepted','investigating');
--> statement-breakpoint
CREATE INDEX `screening_batches_imported_idx` ON `screening_batches` (`imported_at`);
--> statement-breakpoint
-- Campaign assignments still owed by their unit, by deadline: due this week, and late.
CREATE INDEX `assignments_pending_due_idx` ON `assignments` (`due_at`) WHERE state IN ('open','returned');
