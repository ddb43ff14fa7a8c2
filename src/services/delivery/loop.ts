// The long-lived delivery loop of a Node process: one loop per platform (a stalled platform never
// holds another), delivering while anything is due, sleeping exactly until the next due time, woken
// early by notify() when a change queues messages, and stopped on close.
import type { Platform } from "../../chat/types";
import { deliverPlatformRound } from "./engine";
import type { DeliveryDeps } from "./round-context";
import { resolveTuning } from "./pacing";
import { deliveredPlatforms } from "./outbox";

export interface DeliveryLoop {
  /** Starts the loops (idempotent). */
  start(): void;
  /** Something was enqueued: look now instead of at the next due time. */
  notify(): void;
  /** Stops the loops and waits for the rounds in flight. */
  stop(): Promise<void>;
  readonly running: boolean;
  /** Rounds run so far per platform (a cheap check that an idle backlog does not spin). */
  readonly rounds: Record<string, number>;
}

export function createDeliveryLoop(deps: DeliveryDeps): DeliveryLoop {
  const tuning = resolveTuning(deps.tuning);
  const rounds: Record<string, number> = {};
  let stopped = true;
  let loops: Promise<void>[] = [];
  const wakers = new Map<Platform, { pending: boolean; wake: (() => void) | null }>();

  async function run(platform: Platform) {
    const waker = { pending: false, wake: null as (() => void) | null };
    wakers.set(platform, waker);
    while (!stopped) {
      waker.pending = false;
      let wait: number;
      try {
        const r = await deliverPlatformRound(deps, platform, { lookaheadMs: tuning.prepareAheadMs });
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
      if (waker.pending || wait <= 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done() {
          clearTimeout(timer);
          waker.wake = null;
          resolve();
        }
        waker.wake = done;
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
    notify() {
      for (const w of wakers.values()) {
        w.pending = true;
        w.wake?.();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const w of wakers.values()) w.wake?.();
      await Promise.all(loops);
      loops = [];
    },
  };
}
