// One delivery round for one platform: claim the due head of each chat's lane, pace it against the
// lane state in the database, send it, then settle (sent, retry with a hold, or failed) and make the
// next row of that chat due. Only lane heads are ever due, so a backlog costs nothing until its turn.
//
// How rows wait: a row enqueued behind a live row of its chat is stored "parked" (next_attempt_at
// + PARKED), outside the due range of outbox_due_idx; settling the head un-parks the next one in the
// same batch. Both steps are single statements, so the lane stays consistent under concurrent
// deliverers (Worker isolates, the tick, the Node loop).
import { and, asc, eq, inArray, lte, or, sql } from "drizzle-orm";
import type { Platform } from "../../chat/types";
import { asBatch } from "../../db/client";
import { deliveryLanes, outbox, type OutboxRow } from "../../db/schema";
import { GLOBAL_LANE } from "./lanes";
import { methodLaneKeys } from "./method-holds";
import { resolveTuning, type LaneState } from "./pacing";
import { laneOpensAt } from "./wake-plan";
import { emptyReport, errorText, type DeliveryDeps, type DeliveryReport, type RoundContext, type RoundOptions } from "./round-context";
import { EARLIER_LIVE_IN_LANE, moveDueTime, nextDueAt, parkStatement } from "./lane-queue";
import { sendClaimed } from "./send-head";

/** Delivers what is due now on one platform; returns counts and when its next row is due. */
export async function deliverPlatformRound(deps: DeliveryDeps, platform: Platform, options: RoundOptions = {}): Promise<DeliveryReport> {
  const report = emptyReport();
  const adapter = deps.adapters[platform];
  if (!adapter) return report;
  const tuning = resolveTuning(deps.tuning);
  const lookaheadMs = options.lookaheadMs ?? 0;
  const now = deps.now().getTime();
  // Due heads (and expired claims) of this platform only: parked rows lie far beyond `now` in the index.
  const isDue = and(inArray(outbox.status, ["pending", "sending"]), lte(outbox.nextAttemptAt, now + lookaheadMs), eq(outbox.platform, platform));
  const dueQuery = deps.db.select().from(outbox).where(isDue).orderBy(asc(outbox.nextAttemptAt), asc(outbox.seq)).limit(tuning.batchSize);
  // Their lanes (and the platform's and its methods') in the same read: one request per round, not two.
  const dueChats = deps.db.select({ chatId: outbox.chatId }).from(outbox).where(isDue).orderBy(asc(outbox.nextAttemptAt), asc(outbox.seq)).limit(tuning.batchSize);
  const lanesQuery = deps.db
    .select()
    .from(deliveryLanes)
    .where(and(eq(deliveryLanes.platform, platform), or(inArray(deliveryLanes.laneKey, [GLOBAL_LANE, ...methodLaneKeys(adapter)]), inArray(deliveryLanes.laneKey, dueChats))));
  const [due, laneRows] = await deps.db.batch([dueQuery, lanesQuery]);

  const heads = new Map<string, OutboxRow>();
  const stray: string[] = [];
  const laterClaims: OutboxRow[] = [];
  for (const row of due.sort((a, b) => a.seq - b.seq)) {
    if (row.status === "sending" && (row.claimedUntil ?? 0) > now) {
      laterClaims.push(row);
      continue;
    }
    if (heads.has(row.chatId)) {
      if (row.status === "pending") stray.push(row.id);
    } else heads.set(row.chatId, row);
  }
  if (stray.length) await deps.db.batch(asBatch(stray.map((id) => parkStatement(deps, id))));
  // A claim still running elsewhere (rows claimed before next_attempt_at tracked the lease): look again when it lapses.
  for (const row of laterClaims) await moveDueTime(deps, row, row.claimedUntil!);

  if (heads.size) {
    const ctx: RoundContext = { deps, tuning, platform, adapter, report, lookaheadMs, lanes: new Map(laneRows.map((r) => [r.laneKey, r])) };
    const queue = [...heads.values()].sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
    const workers = Array.from({ length: Math.min(tuning.concurrency, queue.length) }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        try {
          await deliverHead(ctx, row);
        } catch (err) {
          // A database error: the claim lapses and the row is retried after its lease.
          deps.log.error("chat delivery step failed", { outboxId: row.id, platform, error: errorText(err) });
        }
      }
    });
    await Promise.all(workers);
    if (options.laneMemory) for (const [key, lane] of ctx.lanes) options.laneMemory.set(key, lane);
  }
  report.nextDueAt = await nextDueAt(deps, platform);
  return report;
}

/** The head may not go yet: it becomes due exactly when its lane allows, so nobody polls it meanwhile. */
async function deferTo(ctx: RoundContext, row: OutboxRow, at: number) {
  await moveDueTime(ctx.deps, row, at);
  ctx.report.deferred++;
}

/** When the chat lane and the platform lane both allow a send. */
const allowedAt = (ctx: RoundContext, chatId: string) => laneOpensAt(ctx.tuning, ctx.platform, ctx.adapter, ctx.lanes, chatId);

/** One lane head: defer it to its lane's time, or claim it and send it on its slot. */
async function deliverHead(ctx: RoundContext, row: OutboxRow): Promise<void> {
  const { deps, tuning } = ctx;
  const now = deps.now().getTime();
  const at = Math.max(allowedAt(ctx, row.chatId), row.status === "pending" ? row.nextAttemptAt : 0);
  if (at > now + ctx.lookaheadMs) {
    await deferTo(ctx, row, at);
    return;
  }
  // Claim the head: only if it is still due and nothing earlier in its chat is live.
  const [claimed] = await deps.db
    .update(outbox)
    .set({
      status: "sending",
      claimedUntil: now + tuning.claimLeaseMs,
      nextAttemptAt: now + tuning.claimLeaseMs,
      // An earlier attempt whose outcome is unknown keeps its start: the reconciliation searches from it.
      attemptStartedAt: sql`coalesce(${outbox.attemptStartedAt}, ${now})`,
      attempts: sql`${outbox.attempts} + 1`,
    })
    .where(
      and(
        eq(outbox.id, row.id),
        or(and(eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, now + ctx.lookaheadMs)), and(eq(outbox.status, "sending"), lte(outbox.claimedUntil, now))),
        sql`NOT ${EARLIER_LIVE_IN_LANE}`,
      ),
    )
    .returning();
  if (!claimed) {
    if (row.status === "pending") await deps.db.batch(asBatch([parkStatement(deps, row.id)]));
    return;
  }
  await sendClaimed(ctx, claimed, row, at);
}

/** Lane state as the engine sees it, for tests and diagnostics. */
export type { LaneState };

// Kept importable from here (outbox.ts, loop.ts, the tick and tests import them from the engine).
export { addReports, emptyReport, PARKED, type DeliveryDeps, type DeliveryReport, type OutboxRenderer, type RoundOptions } from "./round-context";
export { nextDueAt, promoteNextStatement, unparkStrandedHeads } from "./lane-queue";
