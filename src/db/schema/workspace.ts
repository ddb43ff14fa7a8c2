// The staff workspace's sign-in (issue 17): one-time sign-in links and the server-side sessions they
// open. Only keyed hashes (HMAC under HASH_KEY) of either token are stored.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { members } from "./org";

/** A sign-in link: valid 10 minutes, used once (used_at), then it names the session it opened. */
export const staffSignInLinks = sqliteTable(
  "staff_sign_in_links",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    /** telegram | slack | cli | console */
    issuedVia: text("issued_via").notNull(),
    sessionId: text("session_id"),
  },
  (t) => [
    uniqueIndex("staff_sign_in_links_token_uq").on(t.tokenHash),
    index("staff_sign_in_links_member_idx").on(t.memberId, t.expiresAt).where(sql`used_at IS NULL`),
  ],
);

/** A workspace session: 30 minutes idle (last_seen_at), 8 hours at most (expires_at), ended on sign-out or deactivation. */
export const staffSessions = sqliteTable(
  "staff_sessions",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    /** The absolute end: created_at + 8 h. */
    expiresAt: integer("expires_at").notNull(),
    endedAt: integer("ended_at"),
    /** signed_out | member_deactivated | idle | expired | replaced | ended_by_operator */
    endedReason: text("ended_reason"),
  },
  (t) => [uniqueIndex("staff_sessions_token_uq").on(t.tokenHash), index("staff_sessions_member_idx").on(t.memberId, t.lastSeenAt)],
);

export type StaffSessionRow = typeof staffSessions.$inferSelect;
export type StaffSignInLinkRow = typeof staffSignInLinks.$inferSelect;
