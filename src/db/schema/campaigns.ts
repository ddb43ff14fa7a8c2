// Campaign tables (专项行动, issue 8): units that receive reminders, deliverables, one assignment per unit
// (and period), reminder slots claimed exactly once, submissions with their files.
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * A recipient of campaign reminders: a district bureau, an agency, a designated institution or a team.
 * Loaded with the organisation file (`units:`); contacts are members with role `contact` and this unit_id.
 */
export const units = sqliteTable(
  "units",
  {
    /** Stable id from the organisation file (e.g. `chengdu-jinniu-bureau`). */
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** bureau | agency | institution | team */
    kind: text("kind").notNull(),
    regionCode: text("region_code").notNull(),
    /** The unit that supervises this one (escalations after 3 working days overdue go there too). */
    supervisorUnitId: text("supervisor_unit_id"),
    /** telegram | slack | feishu | dingtalk | wecom | console */
    platform: text("platform").notNull(),
    chatId: text("chat_id").notNull(),
    locale: text("locale").notNull().default("zh-CN"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("units_name_uq").on(t.name), index("units_kind_region_idx").on(t.kind, t.regionCode)],
);

/** A campaign started from a template (or imported from a campaign file). */
export const campaigns = sqliteTable(
  "campaigns",
  {
    id: text("id").primaryKey(),
    /** Template id it was started from (e.g. `jilin-2020`), null for an imported file. */
    templateId: text("template_id"),
    name: text("name").notNull(),
    year: integer("year").notNull(),
    /** GB/T 2260 code of the jurisdiction: the units it reaches are in this region. */
    regionCode: text("region_code").notNull(),
    /** The issuing body as written in the notice. */
    issuer: text("issuer").notNull(),
    /** The coordinators' team whose chat gets escalations and warnings (null = the org's coordinators team). */
    coordinatorTeamId: text("coordinator_team_id"),
    /** JSON array of { key, name, nameEn?, startsOn, endsOn }. */
    phases: text("phases").notNull().default("[]"),
    /** JSON ReminderPolicy overriding the defaults for every deliverable of this campaign; null = defaults. */
    reminderPolicy: text("reminder_policy"),
    /** The campaign file as started (JSON), for the record. */
    definition: text("definition").notNull(),
    /** active | closed */
    status: text("status").notNull().default("active"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("campaigns_status_idx").on(t.status)],
);

/** What units must deliver, by when: one-off (due date or date-time) or recurring (monthly / quarterly). */
export const deliverables = sqliteTable(
  "deliverables",
  {
    id: text("id").primaryKey(),
    campaignId: text("campaign_id").notNull(),
    /** Key within the campaign file (e.g. `self-inspection`); `/board <key>` accepts it. */
    key: text("key").notNull(),
    title: text("title").notNull(),
    titleEn: text("title_en"),
    phaseKey: text("phase_key"),
    /** JSON array of unit kinds that must deliver. */
    unitKinds: text("unit_kinds").notNull(),
    /** One-off: due date (YYYY-MM-DD, due at the end of that day unless due_time is set). */
    dueOn: text("due_on"),
    /** One-off: HH:MM Asia/Shanghai, when the deliverable is due at a time rather than end of day. */
    dueTime: text("due_time"),
    /** Recurring: JSON { every: "month" | "quarter" | "year", day: N } (due by day N of the next period). */
    recurrence: text("recurrence"),
    /** A recurring statistics table: JSON { cadence: "monthly" | "quarterly" | "yearly" } (migration 0022); null otherwise. */
    statistics: text("statistics"),
    /** JSON ReminderPolicy for this deliverable; null = the campaign's (or the defaults). */
    reminderPolicy: text("reminder_policy"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("deliverables_key_uq").on(t.campaignId, t.key)],
);

/** One unit's duty for one deliverable (and period): its deadline, acknowledgement and submission state. */
export const assignments = sqliteTable(
  "assignments",
  {
    id: text("id").primaryKey(),
    campaignId: text("campaign_id").notNull(),
    deliverableId: text("deliverable_id").notNull(),
    unitId: text("unit_id").notNull(),
    /** "" for a one-off deliverable, `2026-10` (month), `2026-Q3` (quarter) or `2026` (year) for a recurring one. */
    period: text("period").notNull().default(""),
    /** The effective deadline (ms): the deliverable's, or a move / this unit's extension. */
    dueAt: integer("due_at").notNull(),
    /** Bumped when the deadline moves (for everyone or by extension): acknowledgements must be given again. */
    dueVersion: integer("due_version").notNull().default(1),
    /** open | submitted | accepted | returned (see src/core/campaigns) */
    state: text("state").notNull().default("open"),
    receivedAt: integer("received_at"),
    receivedBy: text("received_by"),
    /** The due_version the unit acknowledged; "received" only while it equals due_version. */
    receivedVersion: integer("received_version"),
    submittedAt: integer("submitted_at"),
    submittedBy: text("submitted_by"),
    reviewedAt: integer("reviewed_at"),
    reviewedBy: text("reviewed_by"),
    lastNudgedAt: integer("last_nudged_at"),
    escalatedAt: integer("escalated_at"),
    /** When the campaign's start message told the unit of this duty (dates already past at the start), else null. */
    notifiedAt: integer("notified_at"),
    /** When the tick must next look at this assignment; null when nothing more can be sent. */
    nextReminderAt: integer("next_reminder_at"),
    /** Bumped on every change (optimistic concurrency, like leads). */
    version: integer("version").notNull().default(1),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("assignments_unit_uq").on(t.deliverableId, t.unitId, t.period),
    index("assignments_next_reminder_idx").on(t.nextReminderAt).where(sql`next_reminder_at IS NOT NULL`),
    index("assignments_campaign_unit_idx").on(t.campaignId, t.unitId),
    index("assignments_deliverable_state_idx").on(t.deliverableId, t.state),
    // The overview: what is due this week and which units are late (migration 0017).
    index("assignments_pending_due_idx").on(t.dueAt).where(sql`state IN ('open','returned')`),
  ],
);

/**
 * Exactly-once reminders: one row per (assignment, slot), inserted in the same batch as its outbox
 * message, so a repeated, late or concurrent tick cannot send the same reminder twice. Slot keys carry
 * the due_version (`v2:before:7`, `v2:due`, `v2:overdue:2026-10-21`, `v2:escalation`, `nudge:<ms>`).
 */
export const reminderSlots = sqliteTable(
  "reminder_slots",
  {
    assignmentId: text("assignment_id").notNull(),
    slot: text("slot").notNull(),
    /** before | due | overdue | escalation | nudge | moved */
    kind: text("kind").notNull(),
    /** When the slot was meant to go out. */
    sendAt: integer("send_at").notNull(),
    /** The deadline it reminded of. */
    dueAt: integer("due_at").notNull(),
    claimedAt: integer("claimed_at").notNull(),
    outboxId: text("outbox_id"),
  },
  (t) => [primaryKey({ columns: [t.assignmentId, t.slot] })],
);

/** A unit's submission for an assignment (each resubmission after a return is a new row). */
export const submissions = sqliteTable(
  "submissions",
  {
    id: text("id").primaryKey(),
    assignmentId: text("assignment_id").notNull(),
    /** 1, 2, … per assignment. */
    attempt: integer("attempt").notNull(),
    /** The contact's note or link, encrypted. */
    noteEnc: text("note_enc"),
    submittedBy: text("submitted_by").notNull(),
    /** telegram | slack | feishu | dingtalk | wecom | web | cli */
    platform: text("platform").notNull(),
    submittedAt: integer("submitted_at").notNull(),
    /** submitted | accepted | returned */
    status: text("status").notNull().default("submitted"),
    reviewReasonEnc: text("review_reason_enc"),
    reviewedBy: text("reviewed_by"),
    reviewedAt: integer("reviewed_at"),
  },
  (t) => [uniqueIndex("submissions_attempt_uq").on(t.assignmentId, t.attempt)],
);

/** A document a unit uploaded with a submission (report, statistics table); content encrypted in chunks. */
export const submissionFiles = sqliteTable(
  "submission_files",
  {
    id: text("id").primaryKey(),
    submissionId: text("submission_id").notNull(),
    assignmentId: text("assignment_id").notNull(),
    uploadedBy: text("uploaded_by").notNull(),
    fileNameEnc: text("file_name_enc").notNull(),
    /** Detected from the content. */
    mediaType: text("media_type").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    sha256: text("sha256").notNull(),
    keyId: text("key_id").notNull(),
    chunkCount: integer("chunk_count").notNull(),
    /**
     * For a statistics table: the submitted figures against the computed ones when it was handed in
     * (JSON FigureCheck: same | differs with the figures | not_comparable with the reason); null otherwise
     * (migration 0022).
     */
    figureCheck: text("figure_check"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("submission_files_submission_idx").on(t.submissionId), index("submission_files_assignment_idx").on(t.assignmentId)],
);

/** Encrypted chunks of a submission file; same layout as attachment_chunks. */
export const submissionFileChunks = sqliteTable(
  "submission_file_chunks",
  {
    fileId: text("file_id").notNull(),
    seq: integer("seq").notNull(),
    /** 12-byte IV followed by AES-256-GCM ciphertext and tag. */
    data: blob("data", { mode: "buffer" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.seq] })],
);

export type UnitRow = typeof units.$inferSelect;
export type CampaignRow = typeof campaigns.$inferSelect;
export type DeliverableRow = typeof deliverables.$inferSelect;
export type AssignmentRow = typeof assignments.$inferSelect;
export type SubmissionRow = typeof submissions.$inferSelect;
