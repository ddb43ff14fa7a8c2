// Intake tables: citizens' reports, their attachments (and stripped chunks), messages, timeline,
// rate limits and submit-once keys.
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** A citizen's tip (举报). One row per accepted submission; never deleted. */
export const reports = sqliteTable(
  "reports",
  {
    id: text("id").primaryKey(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** Where it came in: web form, JSON API; later hotline, batch screening, referral. */
    channel: text("channel").notNull(),
    /** Language the tipster used; status pages and messages default to it. */
    locale: text("locale").notNull(),
    /** Public status shown to the tipster (see src/core/report-status.ts). */
    status: text("status").notNull(),
    /** Outcome once concluded (substantiated, partly, ...); null while open. */
    outcome: text("outcome"),
    subject: text("subject").notNull(),
    violationType: text("violation_type").notNull(),
    provinceCode: text("province_code").notNull(),
    cityCode: text("city_code"),
    districtCode: text("district_code"),
    /** Most specific GB/T 2260 code known; routing (leads) matches on its prefixes. */
    regionCode: text("region_code").notNull(),
    /** The reported institution or person (被举报单位/个人), kept readable for clustering and routing. */
    targetName: text("target_name").notNull(),
    targetAddress: text("target_address"),
    occurredFrom: text("occurred_from").notNull(),
    occurredTo: text("occurred_to"),
    amountEstimateFen: integer("amount_estimate_fen"),
    /** Free text may name the tipster or patients, so it is encrypted like identity. */
    descriptionEnc: text("description_enc").notNull(),
    isAnonymous: integer("is_anonymous", { mode: "boolean" }).notNull(),
    /** JSON {name, phone, idNumber, email?} encrypted; null for anonymous tips. */
    reporterEnc: text("reporter_enc"),
    isInsider: integer("is_insider", { mode: "boolean" }).notNull(),
    wantsReward: integer("wants_reward", { mode: "boolean" }).notNull(),
    /** HMAC of the normalised receipt code; the code itself is never stored. */
    receiptHash: text("receipt_hash").notNull(),
    /** SHA-256 over the canonical submitted content (see src/services/proof.ts). */
    contentHash: text("content_hash").notNull(),
    proofKeyId: text("proof_key_id").notNull(),
    proofSignature: text("proof_signature").notNull(),
  },
  (t) => [
    uniqueIndex("reports_receipt_hash_uq").on(t.receiptHash),
    index("reports_created_at_idx").on(t.createdAt),
    index("reports_target_type_idx").on(t.targetName, t.violationType),
    index("reports_region_idx").on(t.regionCode),
  ],
);

/** Evidence files. Content lives encrypted in attachment_chunks (D1 caps a row at ~2 MB). */
export const reportAttachments = sqliteTable(
  "report_attachments",
  {
    id: text("id").primaryKey(),
    reportId: text("report_id")
      .notNull()
      .references(() => reports.id),
    /** Set when the file came with a follow-up message. */
    messageId: text("message_id"),
    createdAt: integer("created_at").notNull(),
    /** reporter | investigator */
    uploadedBy: text("uploaded_by").notNull(),
    /** Original file name, encrypted: names like "my-payslip-zhang-san.pdf" identify people. */
    fileNameEnc: text("file_name_enc").notNull(),
    /** Media type detected from the content, not from the name or the client's claim. */
    mediaType: text("media_type").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    sha256: text("sha256").notNull(),
    keyId: text("key_id").notNull(),
    chunkCount: integer("chunk_count").notNull(),
    /**
     * The copy inspectors are served, with EXIF/XMP/IPTC/document info removed at intake (chunks in
     * attachment_stripped_chunks). Null when the format could not be stripped: then only the audited
     * release of the original shows the file.
     */
    strippedSizeBytes: integer("stripped_size_bytes"),
    strippedChunkCount: integer("stripped_chunk_count"),
  },
  (t) => [index("report_attachments_report_idx").on(t.reportId)],
);

/** Encrypted chunks of an attachment's metadata-stripped copy; same layout as attachment_chunks. */
export const attachmentStrippedChunks = sqliteTable(
  "attachment_stripped_chunks",
  {
    attachmentId: text("attachment_id")
      .notNull()
      .references(() => reportAttachments.id),
    seq: integer("seq").notNull(),
    data: blob("data", { mode: "buffer" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.attachmentId, t.seq] })],
);

export const attachmentChunks = sqliteTable(
  "attachment_chunks",
  {
    attachmentId: text("attachment_id")
      .notNull()
      .references(() => reportAttachments.id),
    seq: integer("seq").notNull(),
    /** 12-byte IV followed by AES-256-GCM ciphertext and tag. */
    data: blob("data", { mode: "buffer" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.attachmentId, t.seq] })],
);

/** Two-way messages between the tipster and investigators. */
export const reportMessages = sqliteTable(
  "report_messages",
  {
    id: text("id").primaryKey(),
    reportId: text("report_id")
      .notNull()
      .references(() => reports.id),
    createdAt: integer("created_at").notNull(),
    /** reporter | investigator */
    authorType: text("author_type").notNull(),
    /** Staff member id for investigator messages (members arrive with the chat issue). */
    authorRef: text("author_ref"),
    /** When an investigator's message is a question, the tipster's answer points back to it. */
    inReplyTo: text("in_reply_to"),
    bodyEnc: text("body_enc").notNull(),
    /**
     * When a tipster's message was relayed to the team's chat. Replies arriving close together go as
     * one digest; null until then (only reporter messages are relayed).
     */
    relayedAt: integer("relayed_at"),
  },
  (t) => [index("report_messages_report_idx").on(t.reportId, t.createdAt)],
);

/** The public timeline the tipster sees: status changes and message/evidence markers, no internals. */
export const reportTimeline = sqliteTable(
  "report_timeline",
  {
    id: text("id").primaryKey(),
    reportId: text("report_id")
      .notNull()
      .references(() => reports.id),
    createdAt: integer("created_at").notNull(),
    /** submitted | status_changed | investigator_message | reporter_message | evidence_added */
    kind: text("kind").notNull(),
    status: text("status"),
    outcome: text("outcome"),
  },
  (t) => [index("report_timeline_report_idx").on(t.reportId, t.createdAt)],
);

/** Fixed-window counters keyed by a short-lived HMAC of the client address; rows expire. */
export const rateLimits = sqliteTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("rate_limits_expires_idx").on(t.expiresAt)],
);

/**
 * Submit-once keys: the one-time token of a page form, or an API client's Idempotency-Key, stored
 * (as an HMAC) in the same batch as what it created. A repeat finds it and creates nothing.
 */
export const submissionKeys = sqliteTable(
  "submission_keys",
  {
    keyHash: text("key_hash").primaryKey(),
    /** web-report | web-reply | web-evidence | api-report | api-message | api-attachments */
    scope: text("scope").notNull(),
    reportId: text("report_id").notNull(),
    /** Message or attachment ids the first request created. */
    resultRef: text("result_ref"),
    /** SHA-256 of the API request body, to tell a true repeat from a reused key. */
    requestHash: text("request_hash"),
    /** Web form only: the receipt page, encrypted, so a repeat whose first answer was lost can show it. */
    replayEnc: text("replay_enc"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("submission_keys_expires_idx").on(t.expiresAt)],
);

export type ReportRow = typeof reports.$inferSelect;
export type NewReportRow = typeof reports.$inferInsert;
