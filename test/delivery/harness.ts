// A FundWatch instance on the real clock, with the example organisation, scaled delivery pacing and
// fake Telegram/Slack servers on loopback that enforce the same scaled limits. Used by the delivery
// tests and the burst benchmark.
import { createChatRuntime, type ChatRuntime } from "../../src/chat/runtime";
import { scaledTuning, type DeliveryTuning } from "../../src/services/delivery/outbox";
import { importOrganisation } from "../../src/services/org/org";
import { exampleOrg, fakeChatEnv } from "../support/chat-harness";
import { createTestContext, type TestContext } from "../support/context";
import { FakeSlack, FakeTelegram } from "../support/fake-chat-servers";
import { jsonPost, validReport } from "../support/fixtures";

export const CHENGDU_GROUP = "-1001000000001";
export const MIANYANG_CHANNEL = "C0MIANYANG01";
/** Districts routed to the Chengdu Telegram group and the Mianyang Slack channel in examples/org.example.yaml. */
export const CHENGDU_DISTRICT = "510104";
export const MIANYANG_DISTRICT = "510703";

export interface Harness {
  ctx: TestContext;
  chat: ChatRuntime;
  telegram: FakeTelegram;
  slack: FakeSlack;
  tuning: DeliveryTuning;
  scale: number;
  /** Files a tip through the public API; returns when it is stored (and its card queued). */
  tip(overrides: Record<string, unknown>): Promise<{ reportId: string; receipt: string }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Pacing runs this many times faster than the platforms' real limits; the fakes enforce the same. Default 10. */
  scale?: number;
  callTimeoutMs?: number;
  tuning?: Partial<DeliveryTuning>;
  /** Clock jitter the fakes forgive (ms, real time). Default 2. */
  toleranceMs?: number;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const scale = options.scale ?? 10;
  const telegram = await new FakeTelegram().start();
  const slack = await new FakeSlack({ wallClockTs: true }).start();
  const ctx = await createTestContext({
    ...fakeChatEnv(telegram, slack),
    PUBLIC_BASE_URL: "https://fundwatch.example.gov.cn",
    REPORTS_PER_HOUR: "10000",
  });
  // Delivery paces by the clock: this instance runs on real time.
  (ctx.deps as { now: () => Date }).now = () => new Date();
  const tuning = scaledTuning(scale, options.tuning);
  const unit = tuning.retryAfterUnitMs;
  const tolerance = options.toleranceMs ?? 2;
  telegram.enforce({ perChatIntervalMs: tuning.pacing.telegram.perChatIntervalMs, groupMax: 20, groupWindowMs: tuning.pacing.telegram.groupWindowMs, retryAfterUnitMs: unit, toleranceMs: tolerance });
  slack.enforce({ perChatIntervalMs: tuning.pacing.slack.perChatIntervalMs, retryAfterUnitMs: unit, toleranceMs: tolerance });
  const chat = createChatRuntime(ctx.deps, { consoleWrite: () => undefined, tuning, callTimeoutMs: options.callTimeoutMs ?? 10_000 / scale });
  ctx.deps.chat = chat;
  ctx.deps.notifyOutbox = (queued) => chat.notify(queued);
  // The pacing is under test, not the first import of the platforms' adapters (loaded on demand).
  await chat.ready();
  await importOrganisation(ctx.deps, exampleOrg(), { type: "system", platform: "cli" });
  let client = 0;
  return {
    ctx,
    chat,
    telegram,
    slack,
    tuning,
    scale,
    async tip(overrides) {
      const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport(overrides), { "x-test-client": `198.51.100.${++client % 250}` }));
      if (res.status !== 201) throw new Error(`tip refused: ${res.status} ${await res.text()}`);
      return (await res.json()) as { reportId: string; receipt: string };
    },
    async close() {
      await chat.close();
      await ctx.close();
      await telegram.stop();
      await slack.stop();
    },
  };
}

/**
 * Absolute slack (real ms) on top of the 5% bound in scaled runs: timers, loopback round trips and a
 * shared CPU do not get faster when the limits are scaled, so at 10× a 20 ms hiccup would otherwise
 * read as 20% (at real scale it is 2% of one interval).
 */
export const JITTER_ALLOWANCE_MS = 20;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `done()` or the deadline; returns whether it got there. */
export async function waitFor(done: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await sleep(stepMs);
  }
  return done();
}

/**
 * The earliest times the documented limits allow for n messages to one group, all queued at 0:
 * one per interval, and at most `groupMax` in any window (sliding).
 */
export function allowedSchedule(n: number, intervalMs: number, groupMax: number, windowMs: number): number[] {
  const at: number[] = [];
  for (let k = 0; k < n; k++) at.push(Math.max(k === 0 ? 0 : at[k - 1]! + intervalMs, k >= groupMax ? at[k - groupMax]! + windowMs : 0));
  return at;
}

/** Lateness of each send against the allowed schedule, relative to that schedule's time (card 1: absolute ms). */
export function latenessReport(sentAt: number[], intervalMs: number, groupMax: number, windowMs: number) {
  const t0 = sentAt[0]!;
  const allowed = allowedSchedule(sentAt.length, intervalMs, groupMax, windowMs);
  const rows = sentAt.map((t, k) => {
    const lateMs = t - t0 - allowed[k]!;
    return { card: k + 1, allowedMs: allowed[k]!, actualMs: t - t0, lateMs, latePct: k === 0 ? 0 : (100 * lateMs) / allowed[k]! };
  });
  return { rows, maxLatePct: Math.max(...rows.map((r) => r.latePct)), lastAllowedMs: allowed.at(-1)!, lastActualMs: sentAt.at(-1)! - t0 };
}
