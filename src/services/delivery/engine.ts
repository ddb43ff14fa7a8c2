// One delivery round for one platform: claim the due head of each chat's lane, pace it against the
// lane state in the database, send it, then settle (sent, retry with a hold, or failed) and make the
// next row of that chat due. Only lane heads are ever due, so a backlog costs nothing until its turn.
//
// How rows wait: a row enqueued behind a live row of its chat is stored "parked" (next_attempt_at
// + PARKED), outside the due range of outbox_due_idx; settling the head un-parks the next one in the
// same batch. Both steps are single statements, so the lane stays consistent under concurrent
// deliverers (Worker isolates, the tick, the Node loop).
import { and, asc, eq, inArray, lt, lte, min, or, sql } from "drizzle-orm";
import { ChatDeliveryError, type ChatAdapter, type OutgoingMessage, type Platform } from "../../chat/types";
import { asBatch } from "../../db/client";
import { deliveryLanes, outbox, type DeliveryLaneRow, type OutboxRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { GLOBAL_LANE, holdLaneStatement, laneState, loadLane, loadLanes, reserveLane } from "./lanes";
import { holdMethod, methodHeldUntil, methodLaneKeys } from "./method-holds";
import { backoffMs, isGroupChat, laneAfterSend, laneAllowedAt, resolveTuning, type DeliveryTuning, type LaneState } from "./pacing";
import { isSealedPayload, openPayload, sealPayload, type OutboxPayload } from "./payload";

/** Added to a waiting row's own due time (which stays recoverable); far above any real time in ms. */
export const PARKED = 2 ** 52;

export interface OutboxRenderer {
  /** Renders a lead card for a chat at delivery time, or null if the lead no longer needs one. */
  card(leadId: string, platform: Platform, chatId: string): Promise<OutgoingMessage | null>;
  /** Existing card message in that chat, if one was sent. */
  cardMessageId(leadId: string, platform: Platform, chatId: string): Promise<string | null>;
  /** Records where a card was posted (for later edits). */
  cardSent(leadId: string, platform: Platform, chatId: string, messageId: string): Promise<void>;
  /** Called after a prompt is posted so replies can be matched to it. */
  promptSent?(promptId: string, messageId: string): Promise<void>;
  /**
   * A digest of a tipster's replies not relayed yet, rendered at delivery time (so replies that
   * arrive while it waits join it), or null when there is nothing left to relay.
   */
  digest?(digest: { reportId: string; leadId: string }, platform: Platform, chatId: string): Promise<{ message: OutgoingMessage; relayed: string[] } | null>;
  /** Marks the replies a digest carried as relayed, once it is posted (and queues the next if more wait). */
  digestSent?(digest: { reportId: string; leadId: string }, relayed: string[], platform: Platform, chatId: string): Promise<void>;
  /** A screening batch's card for one team, rendered at delivery (see leads/batch-cards.ts), and where it already sits. */
  batchCard?(ref: { batchId: string; teamId: string }): Promise<{ message: OutgoingMessage | null; editOf: string | null }>;
  /** Records where a batch card was posted, so acknowledging the batch edits it in place. */
  batchCardSent?(ref: { batchId: string; teamId: string }, messageId: string): Promise<void>;
}

export interface DeliveryDeps extends ServiceDeps {
  adapters: Partial<Record<Platform, ChatAdapter>>;
  renderer: OutboxRenderer;
  /** Pacing, lease and batch constants; production uses DEFAULT_TUNING. */
  tuning?: Partial<DeliveryTuning>;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
  deferred: number;
  /** Earliest time another row becomes due (ms), if any is pending. */
  nextDueAt: number | null;
}

export const emptyReport = (): DeliveryReport => ({ sent: 0, retried: 0, failed: 0, deferred: 0, nextDueAt: null });

export function addReports(into: DeliveryReport, r: DeliveryReport): DeliveryReport {
  into.sent += r.sent;
  into.retried += r.retried;
  into.failed += r.failed;
  into.deferred += r.deferred;
  into.nextDueAt = into.nextDueAt === null ? r.nextDueAt : r.nextDueAt === null ? into.nextDueAt : Math.min(into.nextDueAt, r.nextDueAt);
  return into;
}

/** A live row of the same chat with a smaller seq exists (correlated on the outer `outbox` row). */
const EARLIER_LIVE_IN_LANE = sql`EXISTS (SELECT 1 FROM outbox o WHERE o.platform = outbox.platform AND o.chat_id = outbox.chat_id AND o.status IN ('pending', 'sending') AND o.seq < outbox.seq)`;

/** Parks a row found due although an earlier row of its chat is still live (rows from before lanes). */
function parkStatement(deps: ServiceDeps, id: string) {
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

/** Serialises the platform-wide lane within this process (other processes are kept out by its version stamp). */
const globalLocks = new Map<string, Promise<unknown>>();
function withGlobalLock<T>(platform: string, fn: () => Promise<T>): Promise<T> {
  const prev = globalLocks.get(platform) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  globalLocks.set(
    platform,
    next.catch(() => undefined),
  );
  return next;
}

interface RoundContext {
  deps: DeliveryDeps;
  tuning: DeliveryTuning;
  platform: Platform;
  adapter: ChatAdapter;
  report: DeliveryReport;
  lanes: Map<string, DeliveryLaneRow>;
  lookaheadMs: number;
}

export interface RoundOptions {
  /**
   * Heads due within this many ms are claimed and rendered now, then sent exactly when their lane
   * allows, so per-message overhead does not push the schedule back (the Node loop and drains use
   * tuning.prepareAheadMs; callers with a fixed clock use 0).
   */
  lookaheadMs?: number;
}

const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Delivers what is due now on one platform; returns counts and when its next row is due. */
export async function deliverPlatformRound(deps: DeliveryDeps, platform: Platform, options: RoundOptions = {}): Promise<DeliveryReport> {
  const report = emptyReport();
  const adapter = deps.adapters[platform];
  if (!adapter) return report;
  const tuning = resolveTuning(deps.tuning);
  const lookaheadMs = options.lookaheadMs ?? 0;
  const now = deps.now().getTime();
  // Due heads (and expired claims) of this platform only: parked rows lie far beyond `now` in the index.
  const due = await deps.db
    .select()
    .from(outbox)
    .where(and(inArray(outbox.status, ["pending", "sending"]), lte(outbox.nextAttemptAt, now + lookaheadMs), eq(outbox.platform, platform)))
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.seq))
    .limit(tuning.batchSize);

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
    const ctx: RoundContext = { deps, tuning, platform, adapter, report, lookaheadMs, lanes: await loadLanes(deps.db, platform, [...heads.keys(), GLOBAL_LANE, ...methodLaneKeys(adapter)]) };
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
  }
  report.nextDueAt = await nextDueAt(deps, platform);
  return report;
}

/** Earliest due time of a head or an expiring claim on this platform (parked rows excluded). */
export async function nextDueAt(deps: ServiceDeps, platform: Platform): Promise<number | null> {
  const [row] = await deps.db
    .select({ at: min(outbox.nextAttemptAt) })
    .from(outbox)
    .where(and(inArray(outbox.status, ["pending", "sending"]), lt(outbox.nextAttemptAt, PARKED), eq(outbox.platform, platform)));
  return row?.at ?? null;
}

async function moveDueTime(deps: ServiceDeps, row: OutboxRow, at: number) {
  await deps.db
    .update(outbox)
    .set({ nextAttemptAt: at })
    .where(and(eq(outbox.id, row.id), eq(outbox.status, row.status), eq(outbox.nextAttemptAt, row.nextAttemptAt)));
}

/** The head may not go yet: it becomes due exactly when its lane allows, so nobody polls it meanwhile. */
async function deferTo(ctx: RoundContext, row: OutboxRow, at: number) {
  await moveDueTime(ctx.deps, row, at);
  ctx.report.deferred++;
}

/** When the chat lane and the platform lane both allow a send. */
function allowedAt(ctx: RoundContext, chatId: string): number {
  const pacing = ctx.tuning.pacing[ctx.platform];
  const groupMax = isGroupChat(ctx.platform, chatId) ? pacing.groupMax : null;
  let at = laneAllowedAt(laneState(ctx.lanes.get(chatId)), groupMax, pacing.groupWindowMs);
  if (pacing.globalMax !== null) at = Math.max(at, laneAllowedAt(laneState(ctx.lanes.get(GLOBAL_LANE)), pacing.globalMax, pacing.globalWindowMs));
  // Most heads are posts: a held post method defers every head without a claim (edits wait with them;
  // a head rendered as an edit is checked against the edit method in reserveSlot).
  return Math.max(at, methodHeldUntil(ctx.lanes, ctx.adapter, "send"));
}

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

interface Slot {
  /** When the slot was taken (the send time the lane recorded). */
  at: number;
  /** The lane row as reserved (its version stamp lets the settle adjust it). */
  lane: DeliveryLaneRow;
  nextLaneAt: number;
}

/**
 * Takes the chat's slot and the platform's at `at` (now, or a moment ahead: the caller then waits for
 * it, with no write left between the slot and the call); null, with the claim given back, if the row
 * may not go then after all (another deliverer took the slot, or the lane changed).
 */
async function reserveSlot(ctx: RoundContext, row: OutboxRow, before: OutboxRow, at: number, call: "send" | "edit"): Promise<Slot | null> {
  const { deps, platform, tuning } = ctx;
  const pacing = tuning.pacing[platform];
  const groupMax = isGroupChat(platform, row.chatId) ? pacing.groupMax : null;
  const release = async (at: number) => {
    // Back to pending, as if never claimed (the attempt did not happen).
    await deps.db
      .update(outbox)
      .set({ status: "pending", nextAttemptAt: at, claimedUntil: null, attempts: sql`${outbox.attempts} - 1`, attemptStartedAt: before.attemptStartedAt })
      .where(and(eq(outbox.id, row.id), eq(outbox.status, "sending")));
    return null;
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    const seen = attempt === 0 ? ctx.lanes.get(row.chatId) : await loadLane(deps.db, platform, row.chatId);
    const lane = laneState(seen);
    const t = Math.max(at, deps.now().getTime());
    const laneAt = Math.max(laneAllowedAt(lane, groupMax, pacing.groupWindowMs), methodHeldUntil(ctx.lanes, ctx.adapter, call));
    if (laneAt > t) return release(laneAt);
    const after = laneAfterSend(lane, t, pacing.perChatIntervalMs, groupMax, pacing.groupWindowMs);
    const reserved = await reserveLane(deps.db, platform, row.chatId, seen, after, t);
    if (!reserved) continue;
    ctx.lanes.set(row.chatId, reserved);
    if (pacing.globalMax !== null) {
      const globalMax = pacing.globalMax;
      const granted = await withGlobalLock(platform, async () => {
        for (let g = 0; g < 3; g++) {
          const gSeen = g === 0 ? ctx.lanes.get(GLOBAL_LANE) : await loadLane(deps.db, platform, GLOBAL_LANE);
          const state = laneState(gSeen);
          const gt = t;
          const gAt = laneAllowedAt(state, globalMax, pacing.globalWindowMs);
          if (gAt > gt) return gAt;
          const next = await reserveLane(deps.db, platform, GLOBAL_LANE, gSeen, laneAfterSend(state, gt, 0, globalMax, pacing.globalWindowMs), gt);
          if (next) {
            ctx.lanes.set(GLOBAL_LANE, next);
            return true;
          }
        }
        // Lost the race three times: try again next round.
        return deps.now().getTime();
      });
      // The chat's slot is spent unused: harmless, it only delays this chat by one interval.
      if (granted !== true) return release(granted);
    }
    return { at: t, lane: reserved, nextLaneAt: laneAllowedAt(after, groupMax, pacing.groupWindowMs) };
  }
  return release(deps.now().getTime());
}

async function resolveMessage(deps: DeliveryDeps, row: OutboxRow, payload: OutboxPayload): Promise<{ message: OutgoingMessage | null; editOf: string | null; relayed?: string[] }> {
  if (row.kind === "digest") {
    const rendered = payload.digest && deps.renderer.digest ? await deps.renderer.digest(payload.digest, row.platform as Platform, row.chatId) : null;
    return rendered ? { message: rendered.message, editOf: null, relayed: rendered.relayed } : { message: null, editOf: null };
  }
  if (row.kind === "card") {
    const leadId = payload.leadId ?? row.leadId!;
    const message = await deps.renderer.card(leadId, row.platform as Platform, row.chatId);
    const editOf = await deps.renderer.cardMessageId(leadId, row.platform as Platform, row.chatId);
    return { message, editOf };
  }
  if (row.kind === "batch_card") return payload.batchCard && deps.renderer.batchCard ? deps.renderer.batchCard(payload.batchCard) : { message: null, editOf: null };
  return { message: payload.message ?? null, editOf: null };
}

async function sendClaimed(ctx: RoundContext, row: OutboxRow, before: OutboxRow, at: number): Promise<void> {
  const { deps, adapter, platform, tuning } = ctx;
  const target = { chatId: row.chatId };
  const earlierAttemptAt = before.attemptStartedAt;
  let nextLaneAt = deps.now().getTime();
  let payload: OutboxPayload;
  try {
    payload = await openPayload(deps.keys, row.id, row.payload);
  } catch (err) {
    await settleFailed(ctx, row, `payload unreadable: ${errorText(err)}`, nextLaneAt);
    return;
  }
  try {
    // Rendered from current state now, sent when the slot comes (at most lookaheadMs later).
    const { message, editOf, relayed } = await resolveMessage(deps, row, payload);
    const slot = await reserveSlot(ctx, row, before, at, editOf ? "edit" : "send");
    if (!slot) return;
    const wait = slot.at - deps.now().getTime();
    if (wait > 0) await sleep(wait);
    nextLaneAt = slot.nextLaneAt;
    let answeredAt: number | null = null;
    let messageId: string | null = null;
    if (message) {
      if (editOf) {
        // Edits are idempotent: an interrupted one is simply redone.
        await adapter.edit(target, editOf, message);
        answeredAt = deps.now().getTime();
        messageId = editOf;
      } else {
        const threadOf = message.kind !== "card" ? message.replyToMessageId : undefined;
        // A post whose earlier attempt may have gone through: look for it before posting again.
        // Slack can tell (metadata in the history). Telegram cannot (no history API for bots): there
        // the row is sent again, so a call that reached Telegram but whose answer was lost (timeout,
        // crash before the settle) shows twice. That window is one call wide and cannot be closed here.
        const found =
          earlierAttemptAt !== null && adapter.findDelivered
            ? await adapter.findDelivered(target, { outboxId: row.id, attemptStartedAt: earlierAttemptAt, ...(threadOf ? { threadOf } : {}) })
            : null;
        if (found) deps.log.info("chat message found after interrupted attempt", { outboxId: row.id, platform });
        messageId = (found ?? (await adapter.send(target, message, { outboxId: row.id }))).messageId;
        if (!found) answeredAt = deps.now().getTime();
        if (row.kind === "card" && row.leadId) await deps.renderer.cardSent(row.leadId, platform, row.chatId, messageId);
        if (row.kind === "prompt" && payload.promptId) await deps.renderer.promptSent?.(payload.promptId, messageId);
        if (row.kind === "digest" && relayed?.length && payload.digest) await deps.renderer.digestSent?.(payload.digest, relayed, platform, row.chatId);
        if (row.kind === "batch_card" && payload.batchCard) await deps.renderer.batchCardSent?.(payload.batchCard, messageId);
      }
    }
    await settleSent(ctx, row, messageId, slot, answeredAt);
  } catch (err) {
    const retryable = err instanceof ChatDeliveryError ? err.retryable : true;
    const description = errorText(err);
    if (!retryable) {
      await settleFailed(ctx, row, description, nextLaneAt);
      return;
    }
    const retryAfter = err instanceof ChatDeliveryError ? err.retryAfterSeconds : undefined;
    const uncertain = err instanceof ChatDeliveryError ? err.uncertain : true;
    const now = deps.now().getTime();
    const until = now + backoffMs(tuning, row.attempts, retryAfter);
    await deps.db.batch(
      asBatch([
        deps.db
          .update(outbox)
          .set({ status: "pending", nextAttemptAt: until, claimedUntil: null, lastError: description, ...(uncertain ? {} : { attemptStartedAt: null }) })
          .where(and(eq(outbox.id, row.id), eq(outbox.status, "sending"))),
        // The whole chat waits: nothing of it may overtake this message or hit the platform before retry_after.
        holdLaneStatement(deps.db, platform, row.chatId, until, retryAfter !== undefined ? `retry_after ${retryAfter}` : description, now),
        // A per-method limit (Slack) holds that method for every chat too, for exactly its Retry-After.
        ...(err instanceof ChatDeliveryError && err.method && retryAfter !== undefined
          ? [holdMethod(deps.db, ctx.lanes, { platform, method: err.method, until: now + retryAfter * tuning.retryAfterUnitMs, reason: `retry_after ${retryAfter}`, now })]
          : []),
      ]),
    );
    ctx.report.retried++;
    deps.log.warn("chat delivery postponed", { outboxId: row.id, platform, attempts: row.attempts, error: description });
  }
}

/**
 * The lane as the platform saw it: the message arrived somewhere between the slot and the answer, so
 * the answer time replaces the slot time. Pacing then counts from a time never earlier than the
 * arrival, and jitter in the call can never bring two messages closer than the limits.
 */
function laneAfterAnswer(ctx: RoundContext, slot: Slot, answeredAt: number): LaneState {
  const pacing = ctx.tuning.pacing[ctx.platform];
  const state = laneState(slot.lane);
  const i = state.recentSends.lastIndexOf(slot.at);
  const recentSends = i < 0 ? state.recentSends : [...state.recentSends.slice(0, i), answeredAt, ...state.recentSends.slice(i + 1)];
  return { nextAllowedAt: Math.max(state.nextAllowedAt, answeredAt + pacing.perChatIntervalMs), heldUntil: null, recentSends };
}

async function settleSent(ctx: RoundContext, row: OutboxRow, messageId: string | null, slot: Slot, answeredAt: number | null) {
  const { deps, platform } = ctx;
  const sentAt = deps.now().getTime();
  const pacing = ctx.tuning.pacing[platform];
  const groupMax = isGroupChat(platform, row.chatId) ? pacing.groupMax : null;
  const lane = answeredAt === null ? laneState(slot.lane) : laneAfterAnswer(ctx, slot, answeredAt);
  // Plain payloads (legacy rows, callers of the synchronous enqueue) are sealed before they become history.
  const payload = isSealedPayload(row.payload) ? {} : { payload: await sealPayload(deps.keys, row.id, JSON.parse(row.payload)) };
  await deps.db.batch(
    asBatch([
      deps.db
        .update(outbox)
        // next_attempt_at = sent time, so retention finds old rows through outbox_due_idx.
        .set({ status: "sent", sentAt, sentMessageId: messageId, nextAttemptAt: sentAt, claimedUntil: null, lastError: null, ...payload })
        .where(and(eq(outbox.id, row.id), eq(outbox.status, "sending"))),
      // Only if nobody touched the lane since our reservation (nobody can while our head is in flight).
      deps.db
        .update(deliveryLanes)
        .set({ nextAllowedAt: lane.nextAllowedAt, recentSends: JSON.stringify(lane.recentSends), heldUntil: null, holdReason: null, updatedAt: Math.max(sentAt, slot.lane.updatedAt + 1) })
        .where(and(eq(deliveryLanes.platform, platform), eq(deliveryLanes.laneKey, row.chatId), eq(deliveryLanes.updatedAt, slot.lane.updatedAt))),
      promoteNextStatement(deps, platform, row.chatId, laneAllowedAt(lane, groupMax, pacing.groupWindowMs)),
    ]),
  );
  ctx.report.sent++;
}

async function settleFailed(ctx: RoundContext, row: OutboxRow, description: string, nextLaneAt: number) {
  const { deps, platform } = ctx;
  const now = deps.now().getTime();
  await deps.db.batch(
    asBatch([
      deps.db.update(outbox).set({ status: "failed", nextAttemptAt: now, claimedUntil: null, lastError: description }).where(and(eq(outbox.id, row.id), eq(outbox.status, "sending"))),
      // A message that can never go must not block its chat for ever.
      promoteNextStatement(deps, platform, row.chatId, nextLaneAt),
    ]),
  );
  ctx.report.failed++;
  deps.log.error("chat delivery failed permanently", { outboxId: row.id, platform, error: description });
}

/** Lane state as the engine sees it, for tests and diagnostics. */
export type { LaneState };

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
