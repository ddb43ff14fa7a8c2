// Chat delivery tables: the cards shown in chats, the outbox and its lanes, pending chat prompts, and
// the sent messages whose readers are being watched.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { leads } from "./leads";
import { members } from "./org";

/** Where a lead's card sits in a chat, so it can be edited in place. */
export const chatCards = sqliteTable(
  "chat_cards",
  {
    leadId: text("lead_id")
      .notNull()
      .references(() => leads.id),
    platform: text("platform").notNull(),
    chatId: text("chat_id").notNull(),
    messageId: text("message_id").notNull(),
    /** Lead version the card currently shows. */
    version: integer("version").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.leadId, t.platform, t.chatId] }), index("chat_cards_message_idx").on(t.platform, t.chatId, t.messageId)],
);

/**
 * Durable outbox of chat messages: enqueued in the same batch as the change that causes them,
 * claimed with UPDATE … RETURNING, sent, then marked sent or rescheduled with backoff.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    dedupeKey: text("dedupe_key").notNull(),
    platform: text("platform").notNull(),
    chatId: text("chat_id").notNull(),
    /** card (send or refresh a lead card) | text | prompt */
    kind: text("kind").notNull(),
    leadId: text("lead_id"),
    /** JSON: what to render; bodies that name people are never stored here. */
    payload: text("payload").notNull(),
    /** pending | sending | sent | failed */
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    claimedUntil: integer("claimed_until"),
    lastError: text("last_error"),
    sentMessageId: text("sent_message_id"),
    createdAt: integer("created_at").notNull(),
    sentAt: integer("sent_at"),
    /** Order within a chat (monotonic over the table); a chat's rows go out strictly in this order. */
    seq: integer("seq").notNull().default(0),
    /** Rows sharing it while pending collapse into one (e.g. one pending edit per card and chat). */
    coalesceKey: text("coalesce_key"),
    /** Set just before the platform call; a row found `sending` with this set after a crash may have been delivered. */
    attemptStartedAt: integer("attempt_started_at"),
  },
  (t) => [
    uniqueIndex("outbox_dedupe_uq").on(t.dedupeKey),
    index("outbox_due_idx").on(t.status, t.nextAttemptAt),
    index("outbox_chat_sent_idx").on(t.platform, t.chatId, t.sentAt),
    index("outbox_lane_idx").on(t.platform, t.chatId, t.status, t.seq),
    uniqueIndex("outbox_pending_coalesce_uq").on(t.coalesceKey).where(sql`coalesce_key IS NOT NULL AND status = 'pending'`),
  ],
);

/**
 * Per chat (lane) delivery state: when the next message may go, a hold after a failure or a
 * platform's retry_after, and the recent send times a per-minute cap needs. Small: one row per chat.
 */
export const deliveryLanes = sqliteTable(
  "delivery_lanes",
  {
    platform: text("platform").notNull(),
    /** A chat id, or `*` for the platform-wide limit. */
    laneKey: text("lane_key").notNull(),
    nextAllowedAt: integer("next_allowed_at").notNull().default(0),
    heldUntil: integer("held_until"),
    holdReason: text("hold_reason"),
    /** JSON array of recent send times (ms), newest last, at most the per-minute cap. */
    recentSends: text("recent_sends").notNull().default("[]"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.laneKey] })],
);

/** A question the bot asked in chat (reason, amount, question for the tipster) awaiting a reply. */
export const chatPrompts = sqliteTable(
  "chat_prompts",
  {
    id: text("id").primaryKey(),
    platform: text("platform").notNull(),
    chatId: text("chat_id").notNull(),
    /** The prompt's own message id once sent (Telegram replies point at it). */
    messageId: text("message_id"),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id),
    /** The lead it is about (lead prompts); null for campaign prompts. */
    leadId: text("lead_id").references(() => leads.id),
    /** The campaign assignment it is about (submission note, return reason); null for lead prompts. */
    assignmentId: text("assignment_id"),
    /** decline_reason | conclude_amount | ask_tipster | reassign | submission_note | return_reason | … */
    purpose: text("purpose").notNull(),
    /** JSON of the pending command (e.g. the outcome chosen before the amount). */
    context: text("context").notNull().default("{}"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    answeredAt: integer("answered_at"),
  },
  (t) => [
    index("chat_prompts_lookup_idx").on(t.platform, t.chatId, t.messageId),
    // The open prompts of a private chat (Feishu, DingTalk, WeCom answer the newest one with the next text).
    index("chat_prompts_open_idx").on(t.platform, t.chatId, t.memberId, t.createdAt).where(sql`${t.answeredAt} IS NULL`),
  ],
);

/**
 * A sent lead card or campaign reminder whose readers the platform can report (Feishu, DingTalk): asked
 * on a backoff schedule until the lead is acknowledged or the assignment received, or three days pass.
 * Each reader becomes a `chat.read` event (see src/services/read-receipts/).
 */
export const readWatches = sqliteTable(
  "read_watches",
  {
    id: text("id").primaryKey(),
    platform: text("platform").notNull(),
    chatId: text("chat_id").notNull(),
    messageId: text("message_id").notNull(),
    /** lead | assignment */
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    sentAt: integer("sent_at").notNull(),
    nextCheckAt: integer("next_check_at").notNull(),
    checks: integer("checks").notNull().default(0),
    /** Set when the watch ends (acknowledged, received, three days, or the platform lost its readers). */
    doneAt: integer("done_at"),
    lastError: text("last_error"),
  },
  (t) => [
    uniqueIndex("read_watches_message_uq").on(t.platform, t.chatId, t.messageId),
    // The tick's due watches: open ones only, by next check.
    index("read_watches_due_idx").on(t.nextCheckAt).where(sql`${t.doneAt} IS NULL`),
    // Finished watches are purged a month after their send.
    index("read_watches_sent_idx").on(t.sentAt),
  ],
);

export type OutboxRow = typeof outbox.$inferSelect;
export type DeliveryLaneRow = typeof deliveryLanes.$inferSelect;
export type ReadWatchRow = typeof readWatches.$inferSelect;
