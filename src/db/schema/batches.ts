// Screening-batch tables: imported batches, their rows, and the triage cards shown in chat.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * A screening batch (big-data screening results passed down as a CSV) as imported: the record the
 * feedback file (逐条反馈) is produced from. id = first 16 hex digits of the file's sha256, so the same
 * file imported again is recognised.
 */
export const screeningBatches = sqliteTable(
  "screening_batches",
  {
    id: text("id").primaryKey(),
    /** Where it came from (file name or source label). */
    source: text("source").notNull(),
    /** The issuing document's reference (文号), if given. */
    reference: text("reference"),
    rowCount: integer("row_count").notNull(),
    importedAt: integer("imported_at").notNull(),
    /** When feedback is due (YYYY-MM-DD), if the issuer set a date. */
    feedbackDueOn: text("feedback_due_on"),
  },
  // The overview reads the newest batches first (migration 0017).
  (t) => [index("screening_batches_imported_idx").on(t.importedAt)],
);

/** One row of a screening batch and the lead it went to (several rows may share one lead). */
export const batchRows = sqliteTable(
  "batch_rows",
  {
    batchId: text("batch_id").notNull(),
    /** Data row number in the file, 1-based (the header is not counted). */
    rowNo: integer("row_no").notNull(),
    /** The row's own reference from the file ("" when it had none). */
    ref: text("ref").notNull(),
    /** Screening rule and institution as given in the row, echoed in the feedback file. */
    rule: text("rule").notNull(),
    institution: text("institution").notNull(),
    leadId: text("lead_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.rowNo] }), index("batch_rows_lead_idx").on(t.leadId)],
);

/**
 * A screening batch's card in one team's chat (one per batch and team reached): where it sits, so it can
 * be edited in place, and who acknowledged the batch for the team.
 */
export const batchCards = sqliteTable(
  "batch_cards",
  {
    batchId: text("batch_id").notNull(),
    teamId: text("team_id").notNull(),
    platform: text("platform").notNull(),
    chatId: text("chat_id").notNull(),
    /** Set once the card has been posted. */
    messageId: text("message_id"),
    /** Leads of the batch routed to this team when the card was (last) rendered. */
    leadCount: integer("lead_count").notNull(),
    acknowledgedBy: text("acknowledged_by"),
    acknowledgedAt: integer("acknowledged_at"),
    /** Bumped on every change; card edits carry it so stale edits are skipped. */
    version: integer("version").notNull().default(1),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.teamId] }), index("batch_cards_message_idx").on(t.platform, t.chatId, t.messageId)],
);

export type BatchCardRow = typeof batchCards.$inferSelect;
