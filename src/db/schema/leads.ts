// Lead tables (issue 3): leads, the reports each lead groups, and lead versions.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { reports } from "./intake";
import { members, teams } from "./org";

/** Open states as literal SQL: a partial index is used only when the query repeats its WHERE word for word (bound parameters would not match). */
export const OPEN_LEAD_STATES_SQL = sql.raw(`state IN ('new','acknowledged','accepted','investigating')`);

/**
 * An open lead's current deadline: acknowledge (new), decide to accept (acknowledged), finish (accepted,
 * investigating) — the earliest deadline not yet met, since ack_by < accept_by < finish_by. Indexed as
 * an expression (migration 0017): a query must use this same expression to reach the index.
 */
export const LEAD_DUE_AT_SQL = sql.raw(`(CASE state WHEN 'new' THEN ack_by WHEN 'acknowledged' THEN accept_by ELSE finish_by END)`);

/** A lead (线索): what an inspector works on. One or more reports, or a batch/hotline record. */
export const leads = sqliteTable(
  "leads",
  {
    id: text("id").primaryKey(),
    /** tip | batch | hotline */
    source: text("source").notNull(),
    /** Batch id or hotline call reference for non-tip leads. */
    sourceRef: text("source_ref"),
    subject: text("subject").notNull(),
    violationType: text("violation_type").notNull(),
    regionCode: text("region_code").notNull(),
    targetName: text("target_name").notNull(),
    /** Normalised target name: clustering key. */
    institutionKey: text("institution_key").notNull(),
    focusAreas: text("focus_areas").notNull().default("[]"),
    /** JSON array of focus-list drug/consumable names mentioned. */
    focusItems: text("focus_items").notNull().default("[]"),
    occurredFrom: text("occurred_from"),
    occurredTo: text("occurred_to"),
    amountEstimateFen: integer("amount_estimate_fen"),
    /** Scrubbed excerpt for chat cards, encrypted like every free text. */
    summaryEnc: text("summary_enc").notNull(),
    corroborationCount: integer("corroboration_count").notNull().default(1),
    teamId: text("team_id").references(() => teams.id),
    assigneeId: text("assignee_id").references(() => members.id),
    /** see src/core/lead-lifecycle.ts */
    state: text("state").notNull(),
    outcome: text("outcome"),
    substantiatedAmountFen: integer("substantiated_amount_fen"),
    /** Funds recovered (追回) and the fine (罚款) at conclusion, in fen (migration 0019). */
    recoveredFen: integer("recovered_fen"),
    fineFen: integer("fine_fen"),
    /** JSON array of measure codes (src/core/measures.ts); null until concluded. */
    measures: text("measures"),
    declineReasonEnc: text("decline_reason_enc"),
    receivedAt: integer("received_at").notNull(),
    lastReportAt: integer("last_report_at").notNull(),
    ackBy: integer("ack_by").notNull(),
    acceptBy: integer("accept_by").notNull(),
    finishBy: integer("finish_by").notNull(),
    acknowledgedAt: integer("acknowledged_at"),
    acceptedAt: integer("accepted_at"),
    closedAt: integer("closed_at"),
    /**
     * Working hours from receipt to acknowledgement, working days to the decision and to closing, as
     * core/statistics/timeliness.ts counts them: set when the event happens (migration 0020) so the
     * statistics' percentiles are SQL; null before the event (and on leads closed before 0020).
     */
    ackWorkHours: real("ack_work_hours"),
    decideWorkDays: integer("decide_work_days"),
    closeWorkDays: integer("close_work_days"),
    /** JSON EscalationState: steps already sent per deadline. */
    escalations: text("escalations").notNull().default('{"ack":0,"accept":0,"finish":0}'),
    /** Bumped on every change; card refreshes carry it so stale edits are skipped. */
    version: integer("version").notNull().default(1),
    /**
     * `institution_key|violation_type|province` while this lead is the one new tips about that
     * institution join; null once closed or superseded. Unique, so concurrent tips cannot open two.
     */
    clusterSlot: text("cluster_slot"),
    /** When the escalation job must next look at this lead; null when nothing can fall due. */
    nextEscalationAt: integer("next_escalation_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("leads_cluster_idx").on(t.institutionKey, t.violationType, t.lastReportAt),
    uniqueIndex("leads_cluster_slot_uq").on(t.clusterSlot).where(sql`cluster_slot IS NOT NULL`),
    index("leads_next_escalation_idx").on(t.nextEscalationAt).where(sql`next_escalation_at IS NOT NULL`),
    // (received_at, id) last: the workspace's lead list pages by keyset on each (migration 0016).
    index("leads_assignee_idx").on(t.assigneeId, t.state, t.receivedAt, t.id),
    index("leads_team_idx").on(t.teamId, t.state, t.receivedAt, t.id),
    index("leads_state_idx").on(t.state, t.receivedAt, t.id),
    index("leads_list_received_idx").on(t.receivedAt, t.id),
    index("leads_list_assignee_idx").on(t.assigneeId, t.receivedAt, t.id),
    index("leads_list_team_idx").on(t.teamId, t.receivedAt, t.id),
    index("leads_list_region_idx").on(t.regionCode, t.receivedAt, t.id),
    index("leads_list_type_idx").on(t.violationType, t.receivedAt, t.id),
    index("leads_list_source_idx").on(t.source, t.receivedAt, t.id),
    index("leads_list_open_idx").on(t.receivedAt, t.id).where(sql`state IN ('new', 'acknowledged', 'accepted', 'investigating')`),
    // The workspace overview (migration 0017): open leads by current deadline — all, a team's, a member's.
    // The trailing columns make the open and overdue counts covering (no row is read to count it).
    // The scope columns at its end (migration 0020): the statistics' open and overdue counts in any scope read it alone.
    index("leads_open_due_idx").on(LEAD_DUE_AT_SQL, t.state, t.ackBy, t.acceptBy, t.finishBy, t.regionCode, t.teamId, t.source).where(OPEN_LEAD_STATES_SQL),
    index("leads_team_open_due_idx").on(t.teamId, LEAD_DUE_AT_SQL, t.state, t.ackBy, t.acceptBy, t.finishBy).where(OPEN_LEAD_STATES_SQL),
    index("leads_assignee_open_due_idx").on(t.assigneeId, LEAD_DUE_AT_SQL, t.state, t.ackBy, t.acceptBy, t.finishBy).where(OPEN_LEAD_STATES_SQL),
    // The statistics (migration 0020), covering: received-in-period figures by receipt time, and the
    // concluded leads' outcome, amounts and measures by conclusion time.
    index("leads_stats_received_idx").on(
      t.receivedAt,
      t.regionCode,
      t.teamId,
      t.source,
      t.violationType,
      t.state,
      t.corroborationCount,
      t.ackBy,
      t.acceptBy,
      t.finishBy,
      t.acknowledgedAt,
      t.acceptedAt,
      t.closedAt,
      t.ackWorkHours,
      t.decideWorkDays,
      t.closeWorkDays,
      t.focusAreas,
      t.id,
    ),
    index("leads_concluded_idx")
      .on(t.closedAt, t.regionCode, t.teamId, t.source, t.outcome, t.substantiatedAmountFen, t.recoveredFen, t.fineFen, t.measures)
      .where(sql`state = 'concluded'`),
    // A screening batch's open leads (their source_ref starts with `<source>:<batch id>:`), by team; covering.
    index("leads_batch_open_idx").on(t.sourceRef, t.teamId, t.source, t.state).where(sql`source = 'batch' AND ${OPEN_LEAD_STATES_SQL}`),
  ],
);

/** Which reports feed a lead (clustering keeps one lead per institution and violation type). */
export const leadReports = sqliteTable(
  "lead_reports",
  {
    leadId: text("lead_id")
      .notNull()
      .references(() => leads.id),
    reportId: text("report_id")
      .notNull()
      .references(() => reports.id),
    addedAt: integer("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.leadId, t.reportId] }), uniqueIndex("lead_reports_report_uq").on(t.reportId)],
);

/**
 * One row per lead version: every versioned change of a lead inserts (lead, new version) in its
 * batch, so of two concurrent changes from the same version the second fails as a whole and none
 * of its dependent rows (events, tip status, messages to the tipster) are written.
 */
export const leadVersions = sqliteTable(
  "lead_versions",
  {
    leadId: text("lead_id").notNull(),
    version: integer("version").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.leadId, t.version] })],
);

export type LeadRow = typeof leads.$inferSelect;
