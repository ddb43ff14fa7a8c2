// Runs a delivery harness on a virtual clock (vi fake timers for setTimeout and Date): the loop's sleeps
// and the fakes' clocks skip ahead instead of waiting, so a schedule that takes 13 s of real time takes
// as long as the work, and lateness is measured in the clock the code and the fakes share, whatever the
// machine's load. Time only moves while nothing is in flight (no platform call, every delivery loop
// asleep or waiting for its slot), so the virtual schedule is exactly what the code asked for, plus
// `callLatencyMs` of virtual time per platform call (the round trip the wall clock would have charged).
import { vi } from "vitest";
import { deliveredPlatforms } from "../../src/services/delivery/outbox";
import type { Harness } from "./harness";

export interface VirtualClock {
  /** Moves virtual time from one quiet point to the next timer until `done()` or `maxMs` of virtual time passed. */
  runUntil(done: () => boolean, maxMs: number): Promise<boolean>;
  /** Back to real timers (call in afterEach/finally). */
  restore(): void;
}

const immediate = () => new Promise<void>((r) => setImmediate(r));

export function useVirtualClock(h: Harness, options: { callLatencyMs?: number } = {}): VirtualClock {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  const latency = options.callLatencyMs ?? 0;
  // Every platform call in flight (its HTTP round trip and the reading of the answer) holds the clock.
  let inFlight = 0;
  const wrapped: { target: Record<string, unknown>; name: string; original: unknown }[] = [];
  for (const adapter of Object.values(h.chat.adapters)) {
    if (!adapter) continue;
    const target = adapter as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(target)) {
      if (typeof value !== "function") continue;
      wrapped.push({ target, name, original: value });
      target[name] = async (...args: unknown[]) => {
        inFlight++;
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(adapter, args);
        } finally {
          inFlight--;
        }
      };
    }
  }
  // The call's latency: the platform accepts it (and the answer comes back) `latency` ms after it left.
  // setSystemTime moves Date without firing timers (pending ones move with it, as real sleeps would end later).
  const fakes = [h.telegram, h.slack];
  for (const fake of fakes) fake.beforeAccept = latency > 0 ? () => vi.setSystemTime(Date.now() + latency) : null;
  const loops = deliveredPlatforms(h.chat.delivery).length;

  /** Waits (real time, in event-loop turns) until nothing is in flight and every loop waits on a timer. */
  async function quiet() {
    let stable = 0;
    let last = "";
    for (let turns = 0; stable < 8; turns++) {
      await immediate();
      const state = `${inFlight}:${vi.getTimerCount()}:${h.telegram.received.length}:${h.slack.received.length}`;
      const idle = inFlight === 0 && vi.getTimerCount() >= loops;
      stable = idle && state === last ? stable + 1 : 0;
      last = state;
      if (turns > 1_000_000) throw new Error("the delivery loops never went quiet");
    }
  }

  return {
    async runUntil(done, maxMs) {
      const end = Date.now() + maxMs;
      for (;;) {
        await quiet();
        if (done()) return true;
        if (Date.now() >= end || vi.getTimerCount() === 0) return false;
        vi.advanceTimersToNextTimer();
      }
    },
    restore() {
      for (const w of wrapped) w.target[w.name] = w.original;
      for (const fake of fakes) fake.beforeAccept = null;
      vi.useRealTimers();
    },
  };
}
