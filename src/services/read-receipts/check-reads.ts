// The tick's read-receipt step: due watches (partial index, bounded pages, a time budget) are asked
// who read them; each reader who is a member is recorded once as a `chat.read` event on the lead or
// assignment. A watch ends when its lead is acknowledged or its assignment received or submitted, after
// three days, or when its platform no longer reports readers; otherwise it is asked again later,
// ever more rarely. A platform error is logged (ids only) and the watch asked again after a backoff.
import { and, asc, eq, inArray, isNotNull, isNull, lt, lte } from "drizzle-orm";
import { nextReadCheckAt } from "../../core/read-watch";
import { ChatDeliveryError, type ChatAdapters } from "../../chat/types";
import { asBatch } from "../../db/client";
import { inJsonArray } from "../../db/chunk";
import { assignments, events, leads, readWatches, type ReadWatchRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { eventRow } from "../events";
import { errorText } from "../delivery/round-context";
import { CHAT_READ_ACTION, membersByChatUsers, readDedupeKey } from "./readers";

/** Watches taken per read. */
export const READ_CHECK_BATCH = 50;
/** Pages per tick at most; what is left stays due for the next tick. */
const MAX_PAGES = 4;
/** A tick stops asking after this long (each ask is one platform call, bounded by the call timeout). */
export const READ_CHECK_BUDGET_MS = 15_000;
/** Finished watches are deleted this long after their send (the reads themselves stay in the event log). */
export const READ_WATCH_RETENTION_MS = 30 * 24 * 3_600_000;
/** Rows one tick deletes at most. */
const PURGE_MAX = 1_000;

export interface ReadCheckReport {
  /** Finished watches deleted (a month after their send). */
  purged: number;
  checked: number;
  /** Readers seen that are members (each recorded once per lead or assignment, however often seen). */
  readers: number;
  finished: number;
  errors: number;
}

/** Open watches due at `now`, soonest first: a range read of read_watches_due_idx. */
export const dueReadWatchesQuery = (deps: ServiceDeps, now: number, limit: number) =>
  deps.db
    .select()
    .from(readWatches)
    .where(and(isNull(readWatches.doneAt), lte(readWatches.nextCheckAt, now)))
    .orderBy(asc(readWatches.nextCheckAt))
    .limit(limit);

/** Ids of the page's leads and assignments that still wait for an acknowledgement (by primary key). */
async function stillWaiting(deps: ServiceDeps, page: ReadWatchRow[]): Promise<Set<string>> {
  const leadIds = [...new Set(page.filter((w) => w.entityType === "lead").map((w) => w.entityId))];
  const assignmentIds = [...new Set(page.filter((w) => w.entityType === "assignment").map((w) => w.entityId))];
  const [leadRows, assignmentRows] = await Promise.all([
    leadIds.length ? deps.db.select({ id: leads.id, state: leads.state }).from(leads).where(inJsonArray(leads.id, leadIds)) : [],
    assignmentIds.length
      ? deps.db
          .select({ id: assignments.id, state: assignments.state, receivedVersion: assignments.receivedVersion, dueVersion: assignments.dueVersion })
          .from(assignments)
          .where(inJsonArray(assignments.id, assignmentIds))
      : [],
  ]);
  const waiting = new Set<string>();
  for (const l of leadRows) if (l.state === "new") waiting.add(`lead:${l.id}`);
  for (const a of assignmentRows) if ((a.state === "open" || a.state === "returned") && a.receivedVersion !== a.dueVersion) waiting.add(`assignment:${a.id}`);
  return waiting;
}

/**
 * One tick's read-receipt checks at deps.now(). `adapters`: the chat runtime's (only platforms whose
 * adapter has `readers` are asked).
 */
export async function checkReadReceipts(deps: ServiceDeps & { adapters: ChatAdapters }, options: { batchSize?: number; budgetMs?: number } = {}): Promise<ReadCheckReport> {
  const now = deps.now().getTime();
  const batchSize = options.batchSize ?? READ_CHECK_BATCH;
  const budget = options.budgetMs ?? READ_CHECK_BUDGET_MS;
  const started = Date.now();
  const report: ReadCheckReport = { purged: await purgeFinishedReadWatches(deps, now), checked: 0, readers: 0, finished: 0, errors: 0 };
  for (let page = 0; page < MAX_PAGES; page++) {
    const due = await dueReadWatchesQuery(deps, now, batchSize);
    if (due.length === 0) break;
    const waiting = await stillWaiting(deps, due);
    let outOfTime = false;
    for (const w of due) {
      if (Date.now() - started >= budget) {
        outOfTime = true;
        break;
      }
      await checkOne(deps, w, waiting.has(`${w.entityType}:${w.entityId}`), now, report);
    }
    if (outOfTime || due.length < batchSize) break;
  }
  return report;
}

/** Finished watches past their retention: a range read of read_watches_sent_idx. */
export const purgeableReadWatchesQuery = (deps: ServiceDeps, now: number) =>
  deps.db
    .select({ id: readWatches.id })
    .from(readWatches)
    .where(and(lt(readWatches.sentAt, now - READ_WATCH_RETENTION_MS), isNotNull(readWatches.doneAt)))
    .limit(PURGE_MAX);

/** Deletes finished watches sent more than READ_WATCH_RETENTION_MS before `now`, a bounded number per call (by read_watches_sent_idx). */
export async function purgeFinishedReadWatches(deps: ServiceDeps, now: number): Promise<number> {
  const deleted = await deps.db.delete(readWatches).where(inArray(readWatches.id, purgeableReadWatchesQuery(deps, now))).returning({ id: readWatches.id });
  return deleted.length;
}

async function checkOne(deps: ServiceDeps & { adapters: ChatAdapters }, w: ReadWatchRow, waiting: boolean, now: number, report: ReadCheckReport): Promise<void> {
  const db = deps.db;
  const finish = async () => {
    report.finished++;
    await db.update(readWatches).set({ doneAt: now, nextCheckAt: now }).where(eq(readWatches.id, w.id));
  };
  const adapter = deps.adapters[w.platform as keyof ChatAdapters];
  // Acknowledged (or gone), or nobody can tell any more: nothing left to watch.
  if (!waiting || !adapter?.readers) return finish();
  report.checked++;
  let userIds: string[];
  try {
    userIds = await adapter.readers({ chatId: w.chatId }, w.messageId);
  } catch (err) {
    report.errors++;
    const retryAfterMs = err instanceof ChatDeliveryError && err.retryAfterSeconds ? err.retryAfterSeconds * 1000 : 0;
    const next = nextReadCheckAt(w.sentAt, w.checks + 1, now, retryAfterMs);
    deps.log.warn("read receipts not available", { watchId: w.id, platform: w.platform, error: errorText(err) });
    await db
      .update(readWatches)
      .set({ checks: w.checks + 1, nextCheckAt: next ?? now, doneAt: next === null ? now : null, lastError: errorText(err) })
      .where(eq(readWatches.id, w.id));
    if (next === null) report.finished++;
    return;
  }
  const readers = await membersByChatUsers(deps, w.platform, userIds);
  report.readers += readers.length;
  const next = nextReadCheckAt(w.sentAt, w.checks + 1, now);
  const statements: unknown[] = readers.map((m) =>
    db
      .insert(events)
      .values(
        eventRow(
          { type: "member", id: m.id, role: m.role, platform: w.platform, platformRef: w.messageId },
          { occurredAt: now, entityType: w.entityType, entityId: w.entityId, action: CHAT_READ_ACTION, data: null, dedupeKey: readDedupeKey(w.entityType, w.entityId, m.id) },
        ),
      )
      // Seen before (an earlier check, or another message about the same lead or assignment): once is enough.
      .onConflictDoNothing(),
  );
  statements.push(db.update(readWatches).set({ checks: w.checks + 1, nextCheckAt: next ?? now, doneAt: next === null ? now : null, lastError: null }).where(eq(readWatches.id, w.id)));
  await db.batch(asBatch(statements));
  if (next === null) report.finished++;
}
