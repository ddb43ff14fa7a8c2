// Platform pacing as pure arithmetic over a lane's state: when may this chat (and this platform as a
// whole) receive its next message. Constants are injectable so tests can run the real rules scaled.
import type { Platform } from "../../chat/types";

export interface PlatformPacing {
  /** Minimum gap between two messages to one chat. */
  perChatIntervalMs: number;
  /** Cap on messages per sliding window to one group (Telegram: 20 a minute; groups have negative ids). */
  groupMax: number | null;
  groupWindowMs: number;
  /** Cap on messages per sliding window for the whole bot (Telegram: about 30 a second). */
  globalMax: number | null;
  globalWindowMs: number;
}

export interface DeliveryTuning {
  pacing: Record<Platform, PlatformPacing>;
  /** What one unit of a platform's retry_after is worth (1 s; tests scale it with the pacing). */
  retryAfterUnitMs: number;
  /** How long a claimed row belongs to its deliverer; every platform call times out well before. */
  claimLeaseMs: number;
  backoffBaseMs: number;
  maxBackoffMs: number;
  /** Rows looked at per round and platform. */
  batchSize: number;
  /** Chats delivered to at once within one platform. */
  concurrency: number;
  /** Shortest pause when a round made no progress although something looked due (lost a race to another deliverer). */
  idleFloorMs: number;
  /**
   * How long before a head's slot it is claimed and rendered, so the call goes out on the slot and
   * per-message overhead does not accumulate into the schedule. Our overhead, not the platform's: not scaled.
   */
  prepareAheadMs: number;
  /** Longest sleep of the Node loop without a wake-up: covers rows enqueued by another process. */
  maxSleepMs: number;
}

const MINUTE = 60_000;

export const DEFAULT_TUNING: DeliveryTuning = {
  pacing: {
    telegram: { perChatIntervalMs: 1000, groupMax: 20, groupWindowMs: MINUTE, globalMax: 30, globalWindowMs: 1000 },
    // Slack: chat.postMessage allows about one message a second per channel.
    slack: { perChatIntervalMs: 1000, groupMax: null, groupWindowMs: MINUTE, globalMax: null, globalWindowMs: 1000 },
    // Feishu: bots may send 5 messages a second to one chat and about 50 a second per app (429 beyond).
    feishu: { perChatIntervalMs: 200, groupMax: null, groupWindowMs: MINUTE, globalMax: 50, globalWindowMs: 1000 },
    // DingTalk robots: 20 messages a minute per group (spread evenly: one every 3 s).
    dingtalk: { perChatIntervalMs: 3000, groupMax: 20, groupWindowMs: MINUTE, globalMax: null, globalWindowMs: 1000 },
    // WeCom: about 30 messages a minute per member or app chat, excess dropped silently: one every 2 s.
    wecom: { perChatIntervalMs: 2000, groupMax: null, groupWindowMs: MINUTE, globalMax: null, globalWindowMs: 1000 },
    console: { perChatIntervalMs: 0, groupMax: null, groupWindowMs: MINUTE, globalMax: null, globalWindowMs: 1000 },
  },
  retryAfterUnitMs: 1000,
  claimLeaseMs: 60_000,
  backoffBaseMs: 2000,
  maxBackoffMs: 15 * MINUTE,
  batchSize: 50,
  concurrency: 8,
  idleFloorMs: 25,
  prepareAheadMs: 50,
  maxSleepMs: MINUTE,
};

/** The same rules `scale` times faster (tests and benchmarks against fakes that enforce the scaled limits). */
export function scaledTuning(scale: number, overrides: Partial<DeliveryTuning> = {}): DeliveryTuning {
  const s = (ms: number) => ms / scale;
  const pacing = Object.fromEntries(
    Object.entries(DEFAULT_TUNING.pacing).map(([p, v]) => [p, { ...v, perChatIntervalMs: s(v.perChatIntervalMs), groupWindowMs: s(v.groupWindowMs), globalWindowMs: s(v.globalWindowMs) }]),
  ) as Record<Platform, PlatformPacing>;
  return {
    ...DEFAULT_TUNING,
    pacing,
    retryAfterUnitMs: s(DEFAULT_TUNING.retryAfterUnitMs),
    claimLeaseMs: s(DEFAULT_TUNING.claimLeaseMs),
    backoffBaseMs: s(DEFAULT_TUNING.backoffBaseMs),
    maxBackoffMs: s(DEFAULT_TUNING.maxBackoffMs),
    idleFloorMs: Math.max(2, s(DEFAULT_TUNING.idleFloorMs)),
    maxSleepMs: s(DEFAULT_TUNING.maxSleepMs),
    ...overrides,
  };
}

export function resolveTuning(partial?: Partial<DeliveryTuning>): DeliveryTuning {
  return { ...DEFAULT_TUNING, ...partial, pacing: { ...DEFAULT_TUNING.pacing, ...partial?.pacing } };
}

/** Telegram groups and supergroups have negative chat ids; private chats and Slack channels do not. */
export const isGroupChat = (platform: string, chatId: string) => platform === "telegram" && chatId.startsWith("-");

export interface LaneState {
  nextAllowedAt: number;
  heldUntil: number | null;
  /** Send times (ms), oldest first. */
  recentSends: number[];
}

export const EMPTY_LANE: LaneState = { nextAllowedAt: 0, heldUntil: null, recentSends: [] };

/** Earliest time a lane may send, from its gap, hold and sliding window (`max` sends per `windowMs`). */
export function laneAllowedAt(lane: LaneState, max: number | null, windowMs: number): number {
  let at = Math.max(lane.nextAllowedAt, lane.heldUntil ?? 0);
  if (max !== null && lane.recentSends.length >= max) at = Math.max(at, lane.recentSends[lane.recentSends.length - max]! + windowMs);
  return at;
}

/** The lane after a send at `at`: next gap, and the window keeping only what can still count. */
export function laneAfterSend(lane: LaneState, at: number, gapMs: number, max: number | null, windowMs: number): LaneState {
  const recentSends = max === null ? [] : [...lane.recentSends, at].filter((t) => t > at - windowMs).slice(-max);
  return { nextAllowedAt: at + gapMs, heldUntil: lane.heldUntil !== null && lane.heldUntil > at ? lane.heldUntil : null, recentSends };
}

/** Exponential backoff from the base up to the cap; a platform's retry_after wins when longer. */
export function backoffMs(tuning: Pick<DeliveryTuning, "backoffBaseMs" | "maxBackoffMs" | "retryAfterUnitMs">, attempts: number, retryAfter?: number): number {
  const backoff = Math.min(tuning.maxBackoffMs, tuning.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.max(backoff, (retryAfter ?? 0) * tuning.retryAfterUnitMs);
}
