// The outbox paces each chat within the platform's limits, keeps order, retries what can be retried
// and never sends a message twice.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatDeliveryError, type ChatAdapter, type OutgoingMessage } from "../../src/chat/types";
import { asBatch } from "../../src/db/client";
import { outbox } from "../../src/db/schema";
import { deliverDueMessages, enqueueStatement, retryDelayMs, type DeliveryDeps } from "../../src/services/delivery/outbox";
import { createTestContext, type TestContext } from "../support/context";

let ctx: TestContext;
const sent: { chatId: string; text: string; at: number }[] = [];
let failures: ChatDeliveryError[] = [];

const adapter: ChatAdapter = {
  platform: "telegram",
  async send(target, message: OutgoingMessage) {
    const failure = failures.shift();
    if (failure) throw failure;
    sent.push({ chatId: target.chatId, text: message.kind === "card" ? message.card.title : message.text, at: ctx.deps.now().getTime() });
    return { messageId: String(sent.length) };
  },
  async edit() {},
};

let delivery: DeliveryDeps;
beforeAll(async () => {
  ctx = await createTestContext();
  delivery = {
    ...ctx.deps,
    adapters: { telegram: adapter },
    renderer: { card: async () => null, cardMessageId: async () => null, cardSent: async () => undefined },
  };
});
afterAll(() => ctx.close());

async function enqueue(chatId: string, text: string, key = `${chatId}:${text}`) {
  await ctx.db.batch(asBatch([enqueueStatement(ctx.deps, { dedupeKey: key, platform: "telegram", chatId, kind: "text", payload: { message: { kind: "text", text } } })]));
}

async function runUntilIdle(maxRounds = 200) {
  for (let i = 0; i < maxRounds; i++) {
    const r = await deliverDueMessages(delivery);
    if (r.nextDueAt === null) return;
    ctx.setNow(new Date(Math.max(ctx.deps.now().getTime() + 100, r.nextDueAt)));
  }
}

describe("outbox delivery", () => {
  it("sends at most one message per second to a chat, in order, while other chats proceed", async () => {
    ctx.setNow("2026-11-24T02:00:00Z");
    sent.length = 0;
    for (const text of ["a1", "a2", "a3"]) await enqueue("-100A", text);
    await enqueue("-100B", "b1");
    await deliverDueMessages(delivery);
    expect(sent.map((s) => s.text)).toEqual(["a1", "b1"]);
    await runUntilIdle();
    expect(sent.filter((s) => s.chatId === "-100A").map((s) => s.text)).toEqual(["a1", "a2", "a3"]);
    const times = sent.filter((s) => s.chatId === "-100A").map((s) => s.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
  });

  it("keeps a group under 20 messages a minute", async () => {
    ctx.setNow("2026-11-24T03:00:00Z");
    sent.length = 0;
    for (let i = 0; i < 25; i++) await enqueue("-100G", `g${i}`);
    await runUntilIdle(500);
    const times = sent.filter((s) => s.chatId === "-100G").map((s) => s.at);
    expect(times).toHaveLength(25);
    for (let i = 20; i < times.length; i++) expect(times[i]! - times[i - 20]!).toBeGreaterThanOrEqual(60_000);
  });

  it("ignores a repeated dedupe key", async () => {
    ctx.setNow("2026-11-24T04:00:00Z");
    sent.length = 0;
    await enqueue("-100D", "once", "same-key");
    await enqueue("-100D", "twice", "same-key");
    await runUntilIdle();
    expect(sent.map((s) => s.text)).toEqual(["once"]);
  });

  it("honours retry_after, backs off on errors, and marks a message failed only when it cannot succeed", async () => {
    ctx.setNow("2026-11-24T05:00:00Z");
    sent.length = 0;
    failures = [new ChatDeliveryError("429", true, 30), new ChatDeliveryError("500", true)];
    await enqueue("-100R", "retried");
    await deliverDueMessages(delivery);
    const [row] = await ctx.db.select().from(outbox).where(eq(outbox.chatId, "-100R"));
    expect(row!.nextAttemptAt - ctx.deps.now().getTime()).toBeGreaterThanOrEqual(30_000);
    await runUntilIdle();
    expect(sent.map((s) => s.text)).toEqual(["retried"]);

    failures = [new ChatDeliveryError("400 chat not found", false)];
    await enqueue("-100X", "doomed");
    await runUntilIdle();
    const [failed] = await ctx.db.select().from(outbox).where(eq(outbox.chatId, "-100X"));
    expect(failed).toMatchObject({ status: "failed", attempts: 1 });
    expect(failed!.lastError).toContain("chat not found");
  });

  it("backs off exponentially up to fifteen minutes", () => {
    expect(retryDelayMs(1)).toBe(2000);
    expect(retryDelayMs(3)).toBe(8000);
    expect(retryDelayMs(30)).toBe(15 * 60_000);
    expect(retryDelayMs(1, 120)).toBe(120_000);
  });
});
