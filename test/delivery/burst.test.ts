// A burst of tips to one Telegram group is delivered continuously at the pace the platform allows
// (1 a second per chat, 20 a minute per group; here 10× faster on both sides), each card once. The loop
// runs on a virtual clock (./virtual-time.ts) shared with the fake, which charges every call a latency:
// the schedule is the code's own, not the machine's load, and takes no 13 s of waiting.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, CHENGDU_DISTRICT, CHENGDU_GROUP, latenessReport, JITTER_ALLOWANCE_MS, type Harness } from "./harness";
import { useVirtualClock } from "./virtual-time";

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ scale: 10 });
});
afterAll(() => h.close());

describe("a burst of 50 tips to one Telegram group", () => {
  it("delivers every card once, in order of the tips, on the allowed schedule", async () => {
    const targets: string[] = [];
    for (let i = 0; i < 50; i++) {
      const target = `锦江某某医院${String(i).padStart(2, "0")}`;
      targets.push(target);
      await h.tip({ region: { districtCode: CHENGDU_DISTRICT }, targetName: target });
    }
    // A platform call takes 2 ms of virtual time, about a loopback round trip on real time (the lane
    // counts from the answer, so each call's latency is added to the next slot, as it was on the wall clock).
    const clock = useVirtualClock({ chat: h.chat, fakes: [h.telegram, h.slack], client: h.ctx.client }, { callLatencyMs: 2 });
    try {
      // Before this change one card went per tick after the first 15: here nothing runs but the loop.
      h.chat.startDeliveryLoop();
      // The documented pacing allows the 50th card after ~129 s (12.9 s here, virtual).
      const done = await clock.runUntil(() => h.telegram.callsTo("sendMessage").length >= 50, 20_000);
      expect(done).toBe(true);
      const last = Date.now();
      await clock.runUntil(() => Date.now() >= last + 300, 10_000); // nothing more may arrive
      await h.chat.deliveryLoop.stop();
    } finally {
      clock.restore();
    }
    const pacing = h.tuning.pacing.telegram;

    const posts = h.telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === CHENGDU_GROUP);
    const seen = posts.map((c) => /锦江某某医院\d\d/.exec(c.body.text)?.[0]);
    expect(seen).toEqual(targets); // none lost, none doubled, in order
    expect(h.telegram.rejections).toEqual([]); // never over the limits the fake enforces

    const report = latenessReport(posts.map((c) => c.at), pacing.perChatIntervalMs, pacing.groupMax!, pacing.groupWindowMs);
    for (const row of report.rows.slice(1))
      expect(row.lateMs, `card ${row.card}: at ${row.actualMs} ms, allowed from ${row.allowedMs} ms`).toBeLessThanOrEqual(0.05 * row.allowedMs + JITTER_ALLOWANCE_MS);
    expect(report.lastActualMs).toBeLessThanOrEqual(report.lastAllowedMs * 1.05);
  }, 40_000);
});
