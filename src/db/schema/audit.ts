// Audit tables: the append-only event log and small shared state (org version, platform facts, chain heads).
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Append-only log of everything that happened: who did what to which entity, from where, and the
 * state before and after. UPDATE and DELETE are refused by triggers (see migrations). `dedupe_key`
 * makes a redelivered webhook or retried command take effect once.
 */
export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    occurredAt: integer("occurred_at").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    action: text("action").notNull(),
    /** public | member | system */
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id"),
    actorRole: text("actor_role"),
    /** web | api | telegram | slack | cli | scheduler | service */
    platform: text("platform").notNull(),
    /** Chat message id, update id or similar reference on that platform. */
    platformRef: text("platform_ref"),
    fromState: text("from_state"),
    toState: text("to_state"),
    /** JSON details; never identity, contact or receipt data. */
    data: text("data"),
    dedupeKey: text("dedupe_key"),
    /**
     * HMAC chained to the previous row's (see src/services/audit/event-chain.ts), set once by the
     * sealer shortly after the row is written; the only column an UPDATE may touch, and only from null.
     */
    chainHash: text("chain_hash"),
  },
  (t) => [
    index("events_entity_idx").on(t.entityType, t.entityId, t.id),
    uniqueIndex("events_dedupe_uq").on(t.dedupeKey).where(sql`dedupe_key IS NOT NULL`),
    // A member's latest action (the workspace's People page), migration 0018.
    index("events_actor_idx").on(t.actorId, t.id).where(sql`actor_id IS NOT NULL`),
    // Who read a lead card or campaign reminder (`chat.read`, migration 0024): the board and lead page.
    index("events_chat_read_idx").on(t.entityType, t.entityId, t.actorId).where(sql`action = 'chat.read'`),
  ],
);

/**
 * Small shared state: `org_version` (bumped by triggers whenever teams, members' routing fields or
 * calendar days change, so in-memory caches know when to reload), cached platform facts (the
 * Telegram bot's identity), chain heads.
 */
export const appState = sqliteTable("app_state", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type EventRow = typeof events.$inferSelect;
export type NewEventRow = typeof events.$inferInsert;
