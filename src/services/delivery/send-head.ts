// Sending one claimed lane head: reserve its slot on the chat and platform lanes, render and send it,
// then settle it (sent, retry with a hold, or failed) and make the chat's next row due.
import { and, eq, sql } from "drizzle-orm";
import { ChatDeliveryError, type OutgoingMessage, type Platform } from "../../chat/types";
import { asBatch } from "../../db/client";
import { deliveryLanes, outbox, type DeliveryLaneRow, type OutboxRow } from "../../db/schema";
import { GLOBAL_LANE, holdLaneStatement, laneState, loadLane, reserveLane } from "./lanes";
import { holdMethod, methodHeldUntil } from "./method-holds";
import { backoffMs, isGroupChat, laneAfterSend, laneAllowedAt, type LaneState } from "./pacing";
import { isSealedPayload, openPayload, sealPayload, type OutboxPayload } from "./payload";
import { errorText, type DeliveryDeps, type RoundContext } from "./round-context";
import { promoteNextStatement } from "./lane-queue";
import { readWatchStatement, watchedEntityOf, type NewReadWatch } from "../read-receipts/watches";

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

export async function sendClaimed(ctx: RoundContext, row: OutboxRow, before: OutboxRow, at: number): Promise<void> {
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
    let watch: NewReadWatch | null = null;
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
        // A new lead card or campaign reminder where the platform reports readers: watched from now on.
        const watched = watchedEntityOf(adapter, row, payload, messageId);
        if (watched) watch = { ...watched, platform, chatId: row.chatId, messageId, sentAt: deps.now().getTime() };
      }
    }
    await settleSent(ctx, row, messageId, slot, answeredAt, watch);
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
    const held = ctx.lanes.get(row.chatId);
    if (held) ctx.lanes.set(row.chatId, { ...held, heldUntil: Math.max(held.heldUntil ?? 0, until) });
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

async function settleSent(ctx: RoundContext, row: OutboxRow, messageId: string | null, slot: Slot, answeredAt: number | null, watch: NewReadWatch | null) {
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
      ...(watch ? [readWatchStatement(deps, watch)] : []),
    ]),
  );
  // The lane as now stored (the round's memory of it: the Node loop plans its next wake-up from it).
  ctx.lanes.set(row.chatId, {
    ...slot.lane,
    nextAllowedAt: lane.nextAllowedAt,
    recentSends: JSON.stringify(lane.recentSends),
    heldUntil: null,
    holdReason: null,
    updatedAt: Math.max(sentAt, slot.lane.updatedAt + 1),
  });
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
