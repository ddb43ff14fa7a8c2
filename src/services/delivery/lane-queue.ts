// The outbox as per-chat lanes: parking a row behind its chat's live head, making the next row due,
// the next due time, un-parking stranded heads.
import { and, eq, inArray, lt, min, sql } from "drizzle-orm";
import type { Platform } from "../../chat/types";
import { outbox, type OutboxRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { PARKED } from "./round-context";

/** A live row of the same chat with a smaller seq exists (correlated on the outer `outbox` row). */
export const EARLIER_LIVE_IN_LANE = sql`EXISTS (SELECT 1 FROM outbox o WHERE o.platform = outbox.platform AND o.chat_id = outbox.chat_id AND o.status IN ('pending', 'sending') AND o.seq < outbox.seq)`;

/** Parks a row found due although an earlier row of its chat is still live (rows from before lanes). */
export function parkStatement(deps: ServiceDeps, id: string) {
  return deps.db
    .update(outbox)
    .set({ nextAttemptAt: sql`${outbox.nextAttemptAt} + ${PARKED}` })
    .where(and(eq(outbox.id, id), eq(outbox.status, "pending"), lt(outbox.nextAttemptAt, PARKED), EARLIER_LIVE_IN_LANE));
}

/** Makes the next row of a chat due (not before `at`, nor before its own requested time). */
export function promoteNextStatement(deps: ServiceDeps, platform: string, chatId: string, at: number) {
  return deps.db
    .update(outbox)
    .set({ nextAttemptAt: sql`max(${at}, ${outbox.nextAttemptAt} - ${PARKED})` })
    .where(
      and(
        eq(outbox.platform, platform),
        eq(outbox.chatId, chatId),
        eq(outbox.status, "pending"),
        sql`${outbox.nextAttemptAt} >= ${PARKED}`,
        sql`${outbox.seq} = (SELECT min(o.seq) FROM outbox o WHERE o.platform = ${platform} AND o.chat_id = ${chatId} AND o.status = 'pending')`,
        sql`NOT EXISTS (SELECT 1 FROM outbox o WHERE o.platform = ${platform} AND o.chat_id = ${chatId} AND o.status = 'sending')`,
      ),
    );
}

/** Earliest due time of a head or an expiring claim on this platform (parked rows excluded). */
export async function nextDueAt(deps: ServiceDeps, platform: Platform): Promise<number | null> {
  const [row] = await deps.db
    .select({ at: min(outbox.nextAttemptAt) })
    .from(outbox)
    .where(and(inArray(outbox.status, ["pending", "sending"]), lt(outbox.nextAttemptAt, PARKED), eq(outbox.platform, platform)));
  return row?.at ?? null;
}

export async function moveDueTime(deps: ServiceDeps, row: OutboxRow, at: number) {
  await deps.db
    .update(outbox)
    .set({ nextAttemptAt: at })
    .where(and(eq(outbox.id, row.id), eq(outbox.status, row.status), eq(outbox.nextAttemptAt, row.nextAttemptAt)));
}

/**
 * Safety net for the tick: a chat whose first pending row is parked although nothing of that chat is
 * in flight (its head was deleted or marked failed by hand) gets that row back in the due range. One
 * statement; per lane an index seek, and lanes are one per chat.
 */
export async function unparkStrandedHeads(deps: ServiceDeps): Promise<number> {
  const res = await deps.db.run(sql`
    UPDATE outbox SET next_attempt_at = next_attempt_at - ${PARKED}
    WHERE status = 'pending' AND next_attempt_at >= ${PARKED}
      AND id IN (
        SELECT (SELECT o.id FROM outbox o WHERE o.platform = l.platform AND o.chat_id = l.lane_key AND o.status = 'pending' ORDER BY o.seq LIMIT 1)
        FROM delivery_lanes l WHERE l.lane_key <> '*' AND l.lane_key NOT LIKE 'method:%'
      )
      AND NOT EXISTS (SELECT 1 FROM outbox s WHERE s.platform = outbox.platform AND s.chat_id = outbox.chat_id AND s.status = 'sending')`);
  return res.rowsAffected ?? 0;
}
