// The long-lived delivery loop of a Node process: one loop per platform (a stalled platform never
// holds another), delivering while anything is due, sleeping exactly until the next due time, and
// stopped on close. notify() says what a change queued; the loop looks early only when one of those
// lanes can send before its planned wake-up (judged in memory from the lanes it last saw), so a burst
// of tips to one paced chat costs the loop no database request per tip. The sleep stays capped
// (maxSleepMs): rows queued by another process (the CLI, a second instance) are found on the next look.
import type { Platform } from "../../chat/types";
import type { DeliveryLaneRow } from "../../db/schema";
import { deliverPlatformRound } from "./engine";
import type { DeliveryDeps } from "./round-context";
import { resolveTuning } from "./pacing";
import { deliveredPlatforms } from "./outbox";
import { laneOpensAt, type QueuedLane } from "./wake-plan";

export interface DeliveryLoop {
  /** Starts the loops (idempotent). */
  start(): void;
  /**
   * Something was enqueued. With `queued` (what, from queuedBy), the loop looks early only for a lane
   * that can send before its next planned look; without it, every platform looks now.
   */
  notify(queued?: readonly QueuedLane[]): void;
  /** Stops the loops and waits for the rounds in flight. */
  stop(): Promise<void>;
  readonly running: boolean;
  /** Rounds run so far per platform (a cheap check that an idle backlog does not spin). */
  readonly rounds: Record<string, number>;
}

interface Waker {
  /** Look again as soon as the round in flight ends (a notify without details came meanwhile). */
  pending: boolean;
  /** Queued lanes reported while a round was in flight: judged against the plan the round ends with. */
  queued: QueuedLane[];
  /** When the sleeping loop will look next (ms); Infinity while a round runs. */
  wakeAt: number;
  /** Moves the sleeping loop's wake-up earlier (to now when `at` has passed). */
  wakeBy: ((at: number) => void) | null;
  /** Lane rows as the loop last read or wrote them. */
  lanes: Map<string, DeliveryLaneRow>;
}

export function createDeliveryLoop(deps: DeliveryDeps): DeliveryLoop {
  const tuning = resolveTuning(deps.tuning);
  const rounds: Record<string, number> = {};
  let stopped = true;
  let loops: Promise<void>[] = [];
  const wakers = new Map<Platform, Waker>();

  /** When the loop should look for this queued row: just before its lane can send (prepareAheadMs). */
  function lookAt(platform: Platform, waker: Waker, q: QueuedLane): number {
    const adapter = deps.adapters[platform];
    if (!adapter) return Infinity;
    const opens = laneOpensAt(tuning, platform, adapter, waker.lanes, q.chatId);
    return Math.max(q.notBefore ?? 0, opens) - tuning.prepareAheadMs;
  }

  async function run(platform: Platform) {
    const waker: Waker = { pending: false, queued: [], wakeAt: Infinity, wakeBy: null, lanes: new Map() };
    wakers.set(platform, waker);
    while (!stopped) {
      waker.pending = false;
      waker.wakeAt = Infinity;
      let wait: number;
      try {
        const r = await deliverPlatformRound(deps, platform, { lookaheadMs: tuning.prepareAheadMs, laneMemory: waker.lanes });
        rounds[platform] = (rounds[platform] ?? 0) + 1;
        const progressed = r.sent + r.retried + r.failed + r.deferred > 0;
        // Nothing pending: sleep until woken (capped: another process may enqueue without telling us).
        // Otherwise wake just before the next head's slot (the round then waits for the slot itself).
        wait =
          r.nextDueAt === null
            ? tuning.maxSleepMs
            : Math.min(tuning.maxSleepMs, Math.max(r.nextDueAt - tuning.prepareAheadMs - deps.now().getTime(), progressed ? 0 : tuning.idleFloorMs));
      } catch (err) {
        deps.log.error("outbox delivery round failed", { platform, error: err instanceof Error ? err.message : String(err) });
        wait = Math.min(tuning.maxSleepMs, 5 * tuning.backoffBaseMs);
      }
      if (stopped) break;
      // Rows queued while the round ran (it may have read before they were written).
      const now = deps.now().getTime();
      for (const q of waker.queued.splice(0)) wait = Math.min(wait, lookAt(platform, waker, q) - now);
      if (waker.pending || wait <= 0) continue;
      await new Promise<void>((resolve) => {
        let timer = setTimeout(done, wait);
        waker.wakeAt = now + wait;
        function done() {
          clearTimeout(timer);
          waker.wakeBy = null;
          resolve();
        }
        waker.wakeBy = (at) => {
          if (at >= waker.wakeAt) return;
          const delay = at - deps.now().getTime();
          if (delay <= 0) return done();
          clearTimeout(timer);
          waker.wakeAt = at;
          timer = setTimeout(done, delay);
        };
      });
    }
    wakers.delete(platform);
  }

  return {
    rounds,
    get running() {
      return !stopped;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      loops = deliveredPlatforms(deps).map((p) => run(p));
    },
    notify(queued) {
      if (!queued) {
        for (const w of wakers.values()) {
          w.pending = true;
          w.wakeBy?.(-Infinity);
        }
        return;
      }
      for (const q of queued) {
        const w = wakers.get(q.platform);
        if (!w) continue;
        if (w.wakeBy) w.wakeBy(lookAt(q.platform, w, q));
        else w.queued.push(q);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const w of wakers.values()) w.wakeBy?.(-Infinity);
      await Promise.all(loops);
      loops = [];
    },
  };
}
