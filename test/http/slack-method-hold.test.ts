// Slack's rate limits are per API method: after a 429 with Retry-After for chat.postMessage in one
// channel, no chat.postMessage reaches Slack for ANY channel until it lapses, and then every message
// arrives once. Real HTTP to the fake Slack server (which answers an early call of a held method with
// 429 and records it), the real delivery loop; pacing scaled 10×, Retry-After in real seconds.
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { asBatch } from "../../src/db/client";
import { deliveryLanes } from "../../src/db/schema";
import { enqueueStatement, sealEnqueueInput } from "../../src/services/delivery/outbox";
import { createHarness, MIANYANG_CHANNEL, waitFor, type Harness } from "../delivery/harness";

let h: Harness;
afterEach(() => h?.close());

const OTHER_CHANNELS = ["C0COORDINATE", "C0SCBUREAU01", "C0MYHOSP0001"];

async function text(chatId: string, body: string) {
  await h.ctx.db.batch(asBatch([enqueueStatement(h.ctx.deps, await sealEnqueueInput(h.ctx.deps, { dedupeKey: `t:${chatId}:${body}`, platform: "slack", chatId, kind: "text", payload: { message: { kind: "text", text: body } } }))]));
  h.chat.notify();
}

describe("a Slack 429 Retry-After: 2 for chat.postMessage", () => {
  it("holds chat.postMessage for every channel for 2 s, then delivers every message once", async () => {
    // Retry-After counts real seconds here; only the per-channel pacing is scaled.
    h = await createHarness({ scale: 10, tuning: { retryAfterUnitMs: 1000 } });
    h.slack.failNextMethod("chat.postMessage", 1, { status: 429, retryAfter: 2 });
    h.chat.startDeliveryLoop();
    await text(MIANYANG_CHANNEL, "A1");
    expect(await waitFor(() => h.slack.received.some((c) => c.status === 429), 5_000)).toBe(true);
    const limitedAt = h.slack.received.find((c) => c.status === 429)!.at;
    // Messages for other channels (and more for the limited one) arrive while the method is held.
    for (const chat of OTHER_CHANNELS) for (let i = 1; i <= 3; i++) await text(chat, `${chat}-${i}`);
    await text(MIANYANG_CHANNEL, "A2");
    const expected = ["A1", "A2", ...OTHER_CHANNELS.flatMap((c) => [1, 2, 3].map((i) => `${c}-${i}`))];
    expect(await waitFor(() => h.slack.callsTo("chat.postMessage").length >= expected.length, 10_000)).toBe(true);

    const attempts = h.slack.received.filter((c) => c.method === "chat.postMessage" && c.at > limitedAt);
    // Nothing called chat.postMessage, for any channel, inside the 2 s.
    expect(attempts.filter((c) => c.at < limitedAt + 2000)).toEqual([]);
    expect(h.slack.rejections.filter((r) => r.early)).toEqual([]);
    // Then every message once, in order per channel.
    const posted = h.slack.callsTo("chat.postMessage").map((c) => String(c.body.text));
    expect([...posted].sort()).toEqual([...expected].sort());
    expect(posted.filter((t) => t.startsWith("A"))).toEqual(["A1", "A2"]);
    // The hold is stored where every deliverer (Node loop, Workers cron) reads it.
    const [hold] = await h.ctx.db.select().from(deliveryLanes).where(and(eq(deliveryLanes.platform, "slack"), eq(deliveryLanes.laneKey, "method:chat.postMessage")));
    expect(hold?.heldUntil).toBeGreaterThanOrEqual(limitedAt + 2000);
  }, 30_000);
});
