// What a change queued (lane and earliest time), and when a lane may next send as a deliverer last saw
// it: together they let the Node loop decide in memory, without a query, whether a new row needs it
// before its next planned wake-up. Enqueue statements remember the lanes they queue (queuedBy), so a
// caller passes them to notifyOutbox without knowing what its use case enqueued.
import type { ChatAdapter, Platform } from "../../chat/types";
import type { DeliveryLaneRow } from "../../db/schema";
import { GLOBAL_LANE, laneState } from "./lanes";
import { methodHeldUntil } from "./method-holds";
import { isGroupChat, laneAllowedAt, type DeliveryTuning } from "./pacing";

/** One queued message as the delivery loop sees it: which lane, and not before when (ms; default now). */
export interface QueuedLane {
  platform: Platform;
  chatId: string;
  notBefore?: number;
}

const queuedByStatement = new WeakMap<object, readonly QueuedLane[]>();

/** Notes on a built enqueue statement which lanes it queues into; returns the statement. */
export function rememberQueued<T>(statement: T, lanes: readonly QueuedLane[]): T {
  if (typeof statement === "object" && statement !== null) queuedByStatement.set(statement, lanes);
  return statement;
}

/**
 * The lanes the enqueue statements among `statements` queue into ([] when none): pass it to
 * notifyOutbox after the batch committed. A statement dropped on its dedupe or coalescing key is still
 * listed; the loop then at worst looks once for nothing.
 */
export function queuedBy(statements: readonly unknown[]): QueuedLane[] {
  const out: QueuedLane[] = [];
  for (const s of statements) {
    const lanes = typeof s === "object" && s !== null ? queuedByStatement.get(s) : undefined;
    if (lanes) out.push(...lanes);
  }
  return out;
}

/**
 * Earliest time a post to `chatId` may go, from lane rows as last read or written: the chat's gap and
 * group window, the platform-wide window and a hold on the platform's post method. A lane never seen
 * counts as open (0), so an unknown chat is looked at rather than left waiting.
 */
export function laneOpensAt(tuning: DeliveryTuning, platform: Platform, adapter: ChatAdapter, lanes: ReadonlyMap<string, DeliveryLaneRow>, chatId: string): number {
  const pacing = tuning.pacing[platform];
  const groupMax = isGroupChat(platform, chatId) ? pacing.groupMax : null;
  let at = laneAllowedAt(laneState(lanes.get(chatId)), groupMax, pacing.groupWindowMs);
  if (pacing.globalMax !== null) at = Math.max(at, laneAllowedAt(laneState(lanes.get(GLOBAL_LANE)), pacing.globalMax, pacing.globalWindowMs));
  // Most heads are posts: a held post method defers every head without a claim (edits wait with them;
  // a head rendered as an edit is checked against the edit method in reserveSlot).
  return Math.max(at, methodHeldUntil(lanes, adapter, "send"));
}
