// Runs a delivery harness on a virtual clock (vi fake timers for setTimeout and Date): the loop's sleeps
// and the fakes' clocks skip ahead instead of waiting, so a schedule that takes 13 s of real time takes
// as long as the work, and lateness is measured in the clock the code and the fakes share, whatever the
// machine's load. Time only moves while nothing is in flight (no platform call, database call or
// WebCrypto operation; every delivery loop asleep or waiting for its slot), so the virtual schedule is
// exactly what the code asked for, plus `callLatencyMs` of virtual time per platform call (the round
// trip the wall clock would have charged).
import { vi } from "vitest";
import type { Client } from "@libsql/client";
import type { ChatRuntime } from "../../src/chat/runtime";
import { deliveredPlatforms } from "../../src/services/delivery/outbox";
import type { FakeServer } from "../support/fake-chat-servers";

/** What the clock drives: a chat runtime whose delivery loop runs, and the fakes it calls. */
export interface VirtualClockTarget {
  chat: ChatRuntime;
  fakes: FakeServer[];
  /** The database client (its calls are awaited I/O on a remote database). */
  client: Client;
}

export interface VirtualClock {
  /** Moves virtual time from one quiet point to the next timer until `done()` or `maxMs` of virtual time passed. */
  runUntil(done: () => boolean, maxMs: number): Promise<boolean>;
  /** Moves virtual time (as runUntil) until `work` settles; its result (or error). */
  run<T>(work: Promise<T>, maxMs: number): Promise<T>;
  /**
   * Moves virtual time by exactly `ms` (a test's own wait), in steps of at most `stepMs` with everything
   * settled between them: a timer is fired at its time, and its work runs at most `stepMs` later.
   */
  advance(ms: number, stepMs?: number): Promise<void>;
  /** Back to real timers (call in afterEach/finally). */
  restore(): void;
}

const immediate = () => new Promise<void>((r) => setImmediate(r));

export interface VirtualClockOptions {
  /** Virtual time each platform call takes (default 0). */
  callLatencyMs?: number;
  /**
   * How many timers mean everything is waiting for time: by default one per delivery loop (each asleep or
   * waiting for its slot); 1 for work without the loop (drainOutbox sleeping until the next due row).
   */
  waiters?: number;
}

export function useVirtualClock(target: VirtualClockTarget, options: VirtualClockOptions = {}): VirtualClock {
  const { chat, fakes, client } = target;
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  const latency = options.callLatencyMs ?? 0;
  // Every platform call in flight (its HTTP round trip and the reading of the answer) holds the clock.
  let inFlight = 0;
  const wrapped: { target: Record<string, unknown>; name: string; original: unknown }[] = [];
  const hold = (object: object, names: string[]) => {
    const target = object as Record<string, unknown>;
    for (const name of names) {
      const value = target[name];
      if (typeof value !== "function") continue;
      wrapped.push({ target, name, original: Object.prototype.hasOwnProperty.call(target, name) ? value : undefined });
      target[name] = async (...args: unknown[]) => {
        inFlight++;
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(object, args);
        } finally {
          inFlight--;
        }
      };
    }
  };
  for (const adapter of Object.values(chat.adapters)) if (adapter) hold(adapter, Object.keys(adapter));
  hold(client, ["execute", "batch", "transaction", "executeMultiple"]);
  // WebCrypto runs off the main thread (decrypting a payload, signing an event): a round awaiting it is
  // busy, not waiting for time.
  const subtle = globalThis.crypto.subtle as unknown as Record<string, unknown>;
  const subtleMethods = ["encrypt", "decrypt", "sign", "verify", "digest", "importKey", "exportKey", "deriveBits", "deriveKey", "generateKey", "wrapKey", "unwrapKey"];
  for (const name of subtleMethods) {
    const original = subtle[name] as (...a: unknown[]) => Promise<unknown>;
    subtle[name] = (...args: unknown[]) => {
      inFlight++;
      return original.apply(globalThis.crypto.subtle, args).finally(() => inFlight--);
    };
  }
  // The call's latency: the platform accepts it (and the answer comes back) `latency` ms after it left.
  // setSystemTime moves Date without firing timers (pending ones move with it, as real sleeps would end later).
  for (const fake of fakes) fake.beforeAccept = latency > 0 ? () => vi.setSystemTime(Date.now() + latency) : null;
  const loops = options.waiters ?? deliveredPlatforms(chat.delivery).length;

  /** Waits (real time, in event-loop turns) until nothing is in flight and every loop waits on a timer. */
  async function quiet(done: () => boolean) {
    let stable = 0;
    let last = "";
    for (let turns = 0; stable < 8; turns++) {
      await immediate();
      if (done()) return;
      const state = `${inFlight}:${vi.getTimerCount()}:${fakes.map((f) => f.received.length).join(":")}`;
      const idle = inFlight === 0 && vi.getTimerCount() >= loops;
      stable = idle && state === last ? stable + 1 : 0;
      last = state;
      if (turns > 1_000_000) throw new Error("the delivery loops never went quiet");
    }
  }

  const clock: VirtualClock = {
    async run(work, maxMs) {
      let settled = false;
      const watched = work.finally(() => {
        settled = true;
      });
      watched.catch(() => undefined);
      if (!(await clock.runUntil(() => settled, maxMs))) throw new Error(`the work did not settle within ${maxMs} ms of virtual time`);
      return watched;
    },
    async advance(ms, stepMs = 2) {
      const target = Date.now() + ms;
      for (;;) {
        await quiet(() => false);
        const left = target - Date.now();
        if (left <= 0) return;
        vi.advanceTimersByTime(Math.min(stepMs, left));
      }
    },
    async runUntil(done, maxMs) {
      const end = Date.now() + maxMs;
      for (;;) {
        await quiet(done);
        if (done()) return true;
        if (Date.now() >= end || vi.getTimerCount() === 0) {
          if (process.env.DEBUG_VCLOCK) console.log("virtual clock gave up", { virtualMsLeft: end - Date.now(), timers: vi.getTimerCount(), loops, inFlight });
          return false;
        }
        vi.advanceTimersToNextTimer();
      }
    },
    restore() {
      for (const w of wrapped) {
        if (w.original === undefined) delete w.target[w.name];
        else w.target[w.name] = w.original;
      }
      for (const name of subtleMethods) delete subtle[name];
      for (const fake of fakes) fake.beforeAccept = null;
      vi.useRealTimers();
    },
  };
  return clock;
}
