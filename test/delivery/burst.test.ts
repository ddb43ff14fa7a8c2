// A burst of tips to one Telegram group is delivered continuously at the pace the platform allows
// (1 a second per chat, 20 a minute per group; here 10× faster on both sides), each card once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, CHENGDU_DISTRICT, CHENGDU_GROUP, latenessReport, waitFor, JITTER_ALLOWANCE_MS, type Harness } from "./harness";

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
    // Before this change one card went per tick after the first 15: here nothing runs but the loop.
    h.chat.startDeliveryLoop();
    const pacing = h.tuning.pacing.telegram;
    // The documented pacing allows the 50th card after ~129 s (12.9 s here).
    const done = await waitFor(() => h.telegram.callsTo("sendMessage").length >= 50, 20_000);
    expect(done).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // nothing more may arrive

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
