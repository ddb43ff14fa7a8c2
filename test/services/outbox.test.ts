// The outbox paces each chat within the platform's limits, keeps order, retries what can be retried
// and never sends a message twice.
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatDeliveryError, type ChatAdapter, type OutgoingMessage } from "../../src/chat/types";
import { asBatch } from "../../src/db/client";
import { deliveryLanes, outbox } from "../../src/db/schema";
import { cardCoalesceKey, deliverDueMessages, enqueueManyStatement, enqueueStatement, PARKED, retryDelayMs, sealEnqueueInput, type DeliveryDeps } from "../../src/services/delivery/outbox";
import { runTick } from "../../src/scheduler/tick";
import { decryptText } from "../../src/security/cipher";
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
  it("one multi-row insert keeps each chat's order, parks all but each chat's head, and strands no chat", async () => {
    // Earlier than every other test here, so the lanes it paces are free again for them.
    ctx.setNow("2026-11-20T05:00:00Z");
    sent.length = 0;
    const row = (chatId: string, text: string) => ({ dedupeKey: `many:${text}`, platform: "telegram" as const, chatId, kind: "text" as const, payload: { message: { kind: "text", text } } });
    // A live row already waits in chat M1: the statement's first M1 row must queue behind it.
    await enqueue("-100M1", "m1-before");
    await ctx.db.batch(asBatch([enqueueManyStatement(ctx.deps, [row("-100M1", "m1-a"), row("-100M2", "m2-a"), row("-100M1", "m1-b"), row("-100M2", "m2-b"), row("-100M1", "m1-c")])]));
    const heads = await ctx.db.select({ chat: outbox.chatId, at: outbox.nextAttemptAt }).from(outbox).where(and(eq(outbox.status, "pending"), sql`${outbox.nextAttemptAt} < ${PARKED}`, sql`${outbox.chatId} IN ('-100M1', '-100M2')`));
    expect(heads.map((h) => h.chat).sort()).toEqual(["-100M1", "-100M2"]);
    // Again with a first row that is a duplicate: the rows behind it are freed by the tick's repair.
    await ctx.db.batch(asBatch([enqueueManyStatement(ctx.deps, [row("-100M2", "m2-a"), row("-100M2", "m2-c")])]));
    await runUntilIdle();
    await runTick(ctx.deps, ctx.deps.now());
    await runUntilIdle();
    expect(sent.filter((x) => x.chatId === "-100M1").map((x) => x.text)).toEqual(["m1-before", "m1-a", "m1-b", "m1-c"]);
    expect(sent.filter((x) => x.chatId === "-100M2").map((x) => x.text)).toEqual(["m2-a", "m2-b", "m2-c"]);
  });

  it("sends at most one message per second to a chat, in order, while other chats proceed", async () => {
    ctx.setNow("2026-11-24T02:00:00Z");
    sent.length = 0;
    for (const text of ["a1", "a2", "a3"]) await enqueue("-100A", text);
    await enqueue("-100B", "b1");
    await deliverDueMessages(delivery);
    // One round sends each chat's head; the two chats go out concurrently, so only per-chat order is fixed.
    expect(sent.map((s) => s.text).sort()).toEqual(["a1", "b1"]);
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

  it("keeps strict order in a chat even when a later row is due first, and holds the chat after a failure", async () => {
    ctx.setNow("2026-11-24T06:00:00Z");
    sent.length = 0;
    const now = ctx.deps.now().getTime();
    // o1 asks to wait 10 s; o2, queued after it, must not overtake it.
    await ctx.db.batch(
      asBatch([
        enqueueStatement(ctx.deps, { dedupeKey: "o1", platform: "telegram", chatId: "-100O", kind: "text", payload: { message: { kind: "text", text: "o1" } }, notBefore: now + 10_000 }),
        enqueueStatement(ctx.deps, { dedupeKey: "o2", platform: "telegram", chatId: "-100O", kind: "text", payload: { message: { kind: "text", text: "o2" } } }),
      ]),
    );
    const rows = await ctx.db.select().from(outbox).where(eq(outbox.chatId, "-100O"));
    const [o1, o2] = [rows.find((r) => r.dedupeKey === "o1")!, rows.find((r) => r.dedupeKey === "o2")!];
    expect(o2.seq).toBeGreaterThan(o1.seq);
    expect(o2.nextAttemptAt).toBeGreaterThanOrEqual(PARKED); // waits behind o1, outside the due range
    await deliverDueMessages(delivery);
    expect(sent).toEqual([]);
    failures = [new ChatDeliveryError("500", true)];
    ctx.setNow(new Date(now + 10_000));
    await deliverDueMessages(delivery);
    // o1 failed: the whole chat waits for its retry.
    ctx.setNow(new Date(now + 11_000));
    await deliverDueMessages(delivery);
    expect(sent).toEqual([]);
    const [lane] = await ctx.db.select().from(deliveryLanes).where(and(eq(deliveryLanes.platform, "telegram"), eq(deliveryLanes.laneKey, "-100O")));
    expect(lane!.heldUntil).toBe(now + 10_000 + 2000);
    await runUntilIdle();
    expect(sent.map((m) => m.text)).toEqual(["o1", "o2"]);
  });

  it("keeps one pending card row per card and chat; a change during the post queues one edit behind it", async () => {
    ctx.setNow("2026-11-24T07:00:00Z");
    const card = (v: number) =>
      enqueueStatement(ctx.deps, { dedupeKey: `card:L-C:telegram:-100C:v${v}`, coalesceKey: cardCoalesceKey("L-C", "telegram", "-100C"), platform: "telegram", chatId: "-100C", kind: "card", leadId: "L-C", payload: { leadId: "L-C" } });
    for (let v = 1; v <= 50; v++) await ctx.db.batch(asBatch([card(v)]));
    const pending = () => ctx.db.select().from(outbox).where(and(eq(outbox.chatId, "-100C"), eq(outbox.status, "pending")));
    expect(await pending()).toHaveLength(1);
    // While the first post is in flight, changes coalesce into a single row behind it.
    await ctx.db.update(outbox).set({ status: "sending" }).where(eq(outbox.chatId, "-100C"));
    for (let v = 51; v <= 100; v++) await ctx.db.batch(asBatch([card(v)]));
    const after = await pending();
    expect(after).toHaveLength(1);
    expect(after[0]!.nextAttemptAt).toBeGreaterThanOrEqual(PARKED);
  });

  it("seals payloads at rest, bound to their row, and seals plain legacy rows once they are sent", async () => {
    ctx.setNow("2026-11-24T08:00:00Z");
    sent.length = 0;
    const secret = "举报人：王小明 13800000000";
    const input = await sealEnqueueInput(ctx.deps, { dedupeKey: "sealed", platform: "telegram", chatId: "-100S", kind: "text", payload: { message: { kind: "text", text: secret } } });
    await ctx.db.batch(asBatch([enqueueStatement(ctx.deps, input), enqueueStatement(ctx.deps, { dedupeKey: "legacy", platform: "telegram", chatId: "-100L", kind: "text", payload: { message: { kind: "text", text: "legacy plain" } } })]));
    const [stored] = await ctx.db.select().from(outbox).where(eq(outbox.id, input.id!));
    expect(stored!.payload.startsWith("v1.")).toBe(true);
    expect(stored!.payload).not.toContain("王小明");
    await expect(decryptText(ctx.deps.keys, stored!.payload, "outbox:other:payload")).rejects.toThrow();
    await runUntilIdle();
    expect(sent.map((m) => m.text).sort()).toEqual(["legacy plain", secret].sort());
    const [legacy] = await ctx.db.select().from(outbox).where(eq(outbox.dedupeKey, "legacy"));
    expect(legacy!.status).toBe("sent");
    expect(legacy!.payload.startsWith("v1.")).toBe(true);
    expect(JSON.parse(await decryptText(ctx.deps.keys, legacy!.payload, `outbox:${legacy!.id}:payload`))).toEqual({ message: { kind: "text", text: "legacy plain" } });
  });

  it("deletes sent history past the retention period in the tick, and nothing that is still due", async () => {
    ctx.setNow("2026-11-24T09:00:00Z");
    const now = ctx.deps.now().getTime();
    await ctx.db.batch(
      asBatch(
        Array.from({ length: 1200 }, (_, i) =>
          enqueueStatement(ctx.deps, { dedupeKey: `old:${i}`, platform: "telegram", chatId: `-100P${i % 7}`, kind: "text", payload: { message: { kind: "text", text: "x" } } }),
        ),
      ),
    );
    const day = 86_400_000;
    await ctx.db.update(outbox).set({ status: "sent", sentAt: now - 40 * day, nextAttemptAt: now - 40 * day }).where(sql`${outbox.dedupeKey} LIKE 'old:%' AND CAST(substr(${outbox.dedupeKey}, 5) AS INTEGER) < 1100`);
    await ctx.db.update(outbox).set({ status: "sent", sentAt: now - 5 * day, nextAttemptAt: now - 5 * day }).where(sql`${outbox.dedupeKey} LIKE 'old:%' AND CAST(substr(${outbox.dedupeKey}, 5) AS INTEGER) >= 1100 AND CAST(substr(${outbox.dedupeKey}, 5) AS INTEGER) < 1150`);
    const count = async (where: ReturnType<typeof sql>) => (await ctx.db.select({ id: outbox.id }).from(outbox).where(where)).length;
    const result = await runTick(ctx.deps, new Date(now));
    expect(result.jobs.purgeDeliveredMessages).toBe("ok");
    expect(await count(sql`${outbox.dedupeKey} LIKE 'old:%' AND ${outbox.status} = 'sent' AND ${outbox.sentAt} < ${now - 30 * day}`)).toBe(0);
    expect(await count(sql`${outbox.dedupeKey} LIKE 'old:%' AND ${outbox.status} = 'sent' AND ${outbox.sentAt} >= ${now - 30 * day}`)).toBe(50);
    expect(await count(sql`${outbox.dedupeKey} LIKE 'old:%' AND ${outbox.status} <> 'sent'`)).toBe(50);
  });

  it("the tick frees a chat whose head was removed by hand while the rest waited parked", async () => {
    ctx.setNow("2026-11-24T10:00:00Z");
    sent.length = 0;
    for (const text of ["s1", "s2", "s3"]) await enqueue("-100T", text);
    await deliverDueMessages(delivery); // s1 goes, s2 becomes the head
    expect(sent.map((m) => m.text)).toEqual(["s1"]);
    // An operator deletes the head: s3 is parked behind nothing.
    await ctx.db.delete(outbox).where(eq(outbox.dedupeKey, "-100T:s2"));
    ctx.setNow(new Date(ctx.deps.now().getTime() + 5000));
    await deliverDueMessages(delivery);
    expect(sent.map((m) => m.text)).toEqual(["s1"]);
    await runTick(ctx.deps, ctx.deps.now());
    await runUntilIdle();
    expect(sent.map((m) => m.text)).toEqual(["s1", "s3"]);
  });

  it("every statement of a delivery round searches an index: a long sent history is never scanned", async () => {
    ctx.setNow("2026-11-24T11:00:00Z");
    sent.length = 0;
    await ctx.db.batch(asBatch(Array.from({ length: 2000 }, (_, i) => enqueueStatement(ctx.deps, { dedupeKey: `hist:${i}`, platform: "telegram", chatId: "-100H", kind: "text", payload: { message: { kind: "text", text: "h" } } }))));
    await ctx.db.update(outbox).set({ status: "sent", sentAt: ctx.deps.now().getTime(), nextAttemptAt: ctx.deps.now().getTime() }).where(sql`${outbox.dedupeKey} LIKE 'hist:%'`);
    for (const text of ["q1", "q2"]) await enqueue("-100H", text);
    const client = ctx.client as unknown as { execute: (s: unknown) => Promise<unknown>; batch: (s: unknown[], m?: unknown) => Promise<unknown> };
    const captured: { sql: string; args: unknown[] }[] = [];
    const [execute, batch] = [client.execute.bind(client), client.batch.bind(client)];
    client.execute = (stmt: unknown) => (captured.push(stmt as never), execute(stmt));
    client.batch = (stmts: unknown[], mode?: unknown) => (captured.push(...(stmts as never[])), batch(stmts, mode));
    try {
      await deliverDueMessages(delivery);
    } finally {
      client.execute = execute;
      client.batch = batch;
    }
    expect(sent.map((m) => m.text)).toEqual(["q1"]);
    const outboxStatements = captured.filter((c) => /\boutbox\b/.test(c.sql));
    expect(outboxStatements.length).toBeGreaterThan(3);
    for (const stmt of outboxStatements) {
      const plan = (await ctx.client.execute({ sql: `EXPLAIN QUERY PLAN ${stmt.sql}`, args: stmt.args as never })).rows.map((r) => String(r.detail));
      expect(plan.filter((d) => /^SCAN (outbox|o|s)\b/.test(d)), stmt.sql).toEqual([]);
      expect(plan.join(" "), stmt.sql).not.toContain("outbox_chat_sent_idx");
    }
  });
});
