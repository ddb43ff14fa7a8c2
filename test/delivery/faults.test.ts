// Delivery through outages, over real HTTP to the fakes (10× scaled pacing): order per chat, holds
// that respect retry_after while other chats flow, platforms independent of each other, and card
// edits that coalesce instead of piling up. The outage cases run on a virtual clock (./virtual-time.ts).
import { and, eq, inArray } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { asBatch } from "../../src/db/client";
import { deliveryLanes, leads, outbox } from "../../src/db/schema";
import { enqueueStatement, sealEnqueueInput } from "../../src/services/delivery/outbox";
import { createHotlineLead } from "../../src/services/leads/lead-sources";
import { createHarness, CHENGDU_DISTRICT, CHENGDU_GROUP, MIANYANG_CHANNEL, MIANYANG_DISTRICT, sleep, waitFor, type Harness } from "./harness";
import { useVirtualClock, type VirtualClock } from "./virtual-time";

let h: Harness;
afterEach(() => h?.close());

const COORDINATORS = "C0COORDINATE";

async function text(chatId: string, platform: "slack" | "telegram", body: string) {
  await h.ctx.db.batch(asBatch([enqueueStatement(h.ctx.deps, await sealEnqueueInput(h.ctx.deps, { dedupeKey: `t:${chatId}:${body}`, platform, chatId, kind: "text", payload: { message: { kind: "text", text: body } } }))]));
  h.chat.notify();
}

/**
 * Runs `work` with the loop on a virtual clock shared with the fakes (./virtual-time.ts; a call costs 2 ms
 * of it): tips filed meanwhile take no time on it, so "who went first" and "how long it waited" are the
 * code's own, not the machine's load. The loop is stopped before the real clock is back.
 */
async function onVirtualClock(work: (clock: VirtualClock) => Promise<void>) {
  const clock = useVirtualClock({ chat: h.chat, fakes: [h.telegram, h.slack], client: h.ctx.client }, { callLatencyMs: 2 });
  try {
    h.chat.startDeliveryLoop();
    await work(clock);
    await h.chat.deliveryLoop.stop();
  } finally {
    clock.restore();
  }
}

describe("after an outage", () => {
  it("Slack 429 Retry-After then 500s: every message once, in order per channel, nothing sent to the held channel early, other channels flowing", async () => {
    h = await createHarness({ scale: 10 });
    const unit = h.tuning.retryAfterUnitMs;
    h.slack.failNextFor(MIANYANG_CHANNEL, 1, { status: 429, retryAfter: 2 });
    h.slack.failNextFor(MIANYANG_CHANNEL, 2, { status: 500 });
    let started = 0;
    await onVirtualClock(async (clock) => {
      started = Date.now();
      for (let i = 1; i <= 5; i++) await h.tip({ region: { districtCode: MIANYANG_DISTRICT }, targetName: `涪城某某医院F${i}` });
      for (let i = 1; i <= 5; i++) await text(COORDINATORS, "slack", `C${i}`);
      const ok = await clock.runUntil(() => h.slack.callsTo("chat.postMessage").length >= 10, 15_000);
      expect(ok).toBe(true);
      const last = Date.now();
      await clock.runUntil(() => Date.now() >= last + 200, 10_000); // nothing more may arrive
    });

    const posts = h.slack.callsTo("chat.postMessage");
    const mianyang = posts.filter((c) => c.body.channel === MIANYANG_CHANNEL).map((c) => /涪城某某医院(F\d)/.exec(String(c.body.text))?.[1]);
    expect(mianyang).toEqual(["F1", "F2", "F3", "F4", "F5"]);
    expect(posts.filter((c) => c.body.channel === COORDINATORS).map((c) => c.body.text)).toEqual(["C1", "C2", "C3", "C4", "C5"]);
    // No call reached the held channel inside its Retry-After window.
    expect(h.slack.rejections.filter((r) => r.early)).toEqual([]);
    const firstMianyang = posts.find((c) => c.body.channel === MIANYANG_CHANNEL)!;
    // Its first post came only after the 429's 2 units and two 500 backoffs; the coordinators did not wait for it.
    const coordinatorsDone = posts.filter((c) => c.body.channel === COORDINATORS).at(-1)!.at;
    expect(coordinatorsDone).toBeLessThan(firstMianyang.at);
    const held = await h.ctx.db.select().from(deliveryLanes).where(and(eq(deliveryLanes.platform, "slack"), eq(deliveryLanes.laneKey, MIANYANG_CHANNEL)));
    expect(held[0]?.heldUntil ?? null).toBeNull(); // lifted after the message got through
    // 429 Retry-After 2 (200 ms here), then backoffs of 200 ms and 400 ms after the 500s.
    const faults = h.slack.rejections.length; // enforced-limit rejections only; injected faults are not counted here
    expect(faults).toBe(0);
    expect(firstMianyang.at - started).toBeGreaterThanOrEqual(2 * unit + 200 + 400);
  }, 30_000);

  it("Telegram 429 retry_after holds only that group: the next call to it comes no earlier than retry_after", async () => {
    h = await createHarness({ scale: 10 });
    h.telegram.failNextFor(CHENGDU_GROUP, 1, { status: 429, retryAfter: 3 });
    let started = 0;
    await onVirtualClock(async (clock) => {
      started = Date.now();
      for (let i = 1; i <= 3; i++) await h.tip({ region: { districtCode: CHENGDU_DISTRICT }, targetName: `锦江某某医院T${i}` });
      await h.tip({ region: { districtCode: MIANYANG_DISTRICT }, targetName: "涪城某某医院S1" });
      expect(await clock.runUntil(() => h.telegram.callsTo("sendMessage").length >= 3 && h.slack.callsTo("chat.postMessage").length >= 1, 10_000)).toBe(true);
    });
    const tg = h.telegram.callsTo("sendMessage");
    expect(tg.map((c) => /锦江某某医院(T\d)/.exec(c.body.text)?.[1])).toEqual(["T1", "T2", "T3"]);
    // retry_after 3 units = 300 ms here.
    expect(tg[0]!.at - started).toBeGreaterThanOrEqual(300);
    expect(h.telegram.rejections.filter((r) => r.early)).toEqual([]);
    expect(h.slack.callsTo("chat.postMessage")[0]!.at).toBeLessThan(tg[0]!.at);
  }, 20_000);
});

describe("a stalled platform", () => {
  it("a Telegram stall longer than the lease delays neither Slack nor duplicates the card", async () => {
    // Call timeout 1 s (10 s scaled), lease 6 s (60 s scaled), stall 15 s (150 s scaled).
    h = await createHarness({ scale: 10 });
    h.telegram.stallNext(1, 15_000, (method) => method === "sendMessage");
    h.chat.startDeliveryLoop();
    await h.tip({ region: { districtCode: CHENGDU_DISTRICT }, targetName: "锦江某某医院STALL" });
    await sleep(50);
    const slackQueued = Date.now();
    await h.tip({ region: { districtCode: MIANYANG_DISTRICT }, targetName: "涪城某某医院FAST" });
    expect(await waitFor(() => h.slack.callsTo("chat.postMessage").length >= 1, 5_000)).toBe(true);
    expect(h.slack.callsTo("chat.postMessage")[0]!.at - slackQueued).toBeLessThan(500);
    // The stalled call times out after 1 s, is retried after a backoff, and goes through once.
    expect(await waitFor(() => h.telegram.callsTo("sendMessage").length >= 1, 10_000)).toBe(true);
    await sleep(1500);
    expect(h.telegram.abandoned).toHaveLength(1);
    expect(h.telegram.callsTo("sendMessage").filter((c) => /STALL/.test(c.body.text))).toHaveLength(1);
    const [row] = await h.ctx.db.select().from(outbox).where(and(eq(outbox.platform, "telegram"), eq(outbox.kind, "card")));
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
  }, 30_000);
});

describe("card edits", () => {
  it("200 corroborations keep at most one pending edit per card and chat, and the card ends current", async () => {
    h = await createHarness({ scale: 10 });
    h.chat.startDeliveryLoop();
    const call = (i: number) => ({
      callRef: `12393-${i}`,
      subject: "medical_institution" as const,
      violationType: "ghost_admission" as const,
      regionCode: CHENGDU_DISTRICT,
      targetName: "锦江某某康复医院",
      description: `第${i}个来电：挂床住院。`,
    });
    const first = await createHotlineLead(h.ctx.deps, call(0), { type: "system", platform: "cli" });
    let maxPending = 0;
    for (let i = 1; i <= 200; i++) {
      const r = await createHotlineLead(h.ctx.deps, call(i), { type: "system", platform: "cli" });
      expect(r.leadId).toBe(first.leadId);
      if (i % 10 === 0) {
        const pending = await h.ctx.db.select({ id: outbox.id }).from(outbox).where(and(eq(outbox.leadId, first.leadId), eq(outbox.kind, "card"), eq(outbox.status, "pending")));
        maxPending = Math.max(maxPending, pending.length);
      }
    }
    expect(maxPending).toBeLessThanOrEqual(1);
    const lead = (await h.ctx.db.select().from(leads).where(eq(leads.id, first.leadId)))[0]!;
    expect(lead.corroborationCount).toBeGreaterThanOrEqual(200);
    expect(await waitFor(async () => (await h.ctx.db.select({ id: outbox.id }).from(outbox).where(inArray(outbox.status, ["pending", "sending"]))).length === 0, 10_000)).toBe(true);
    const posts = h.telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === CHENGDU_GROUP);
    const edits = h.telegram.callsTo("editMessageText");
    expect(posts).toHaveLength(1); // one card, however many changes
    expect(edits.length).toBeLessThan(60); // paced edits of the latest state, not one per corroboration
    const last = (edits.at(-1) ?? posts[0]!).body.text as string;
    expect(last).toContain(String(lead.corroborationCount));
  }, 60_000);
});
