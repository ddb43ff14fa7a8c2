// Delivery that never spins on a backlog it may not send yet, posts once across a crash where the
// platform can tell (Slack metadata), and keeps citizen text inert on every platform.
import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { asBatch } from "../../src/db/client";
import { chatCards, deliveryLanes, outbox } from "../../src/db/schema";
import { deliverDueMessages, drainOutbox, enqueueStatement, PARKED, sealEnqueueInput } from "../../src/services/delivery/outbox";
import { createHarness, CHENGDU_DISTRICT, CHENGDU_GROUP, MIANYANG_CHANNEL, MIANYANG_DISTRICT, sleep, waitFor, type Harness } from "./harness";
import { useVirtualClock } from "./virtual-time";

let h: Harness;
afterEach(() => h?.close());

const COORDINATORS = "C0COORDINATE";

/** Counts statements and batches sent to the database from now on. */
function countQueries(harness: Harness) {
  const client = harness.ctx.client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const counts = { execute: 0, batch: 0 };
  for (const name of ["execute", "batch"] as const) {
    const original = client[name]!.bind(client);
    client[name] = (...args: unknown[]) => {
      counts[name]++;
      return original(...args);
    };
  }
  return counts;
}

describe("a held backlog", () => {
  it("20,000 queued messages to a held group cost a few queries, not a busy loop, and other chats still flow", async () => {
    h = await createHarness({ scale: 10 });
    // The first rows through enqueueStatement; the bulk as the same rows in one INSERT … SELECT (what
    // 20,000 enqueues leave behind: parked behind the head, seq in order), to spare the shared CPU.
    await h.ctx.db.batch(
      asBatch(Array.from({ length: 100 }, (_, i) => enqueueStatement(h.ctx.deps, { dedupeKey: `backlog:${i}`, platform: "telegram", chatId: CHENGDU_GROUP, kind: "text", payload: { message: { kind: "text", text: `b${i}` } } }))),
    );
    const t = Date.now();
    await h.ctx.db.run(sql`
      WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 19999)
      INSERT INTO outbox (id, dedupe_key, platform, chat_id, kind, payload, status, attempts, next_attempt_at, created_at, seq)
      SELECT 'out_bulk' || i, 'backlog:' || i, 'telegram', ${CHENGDU_GROUP}, 'text', json_object('message', json_object('kind', 'text', 'text', 'b' || i)), 'pending', 0, ${t + PARKED}, ${t}, (SELECT max(rowid) FROM outbox) + i
      FROM n`);
    expect((await h.ctx.db.select({ id: outbox.id }).from(outbox).where(eq(outbox.chatId, CHENGDU_GROUP))).length).toBe(20_000);
    // The group is held (as after a long retry_after) for 3 s.
    const now = Date.now();
    await h.ctx.db.insert(deliveryLanes).values({ platform: "telegram", laneKey: CHENGDU_GROUP, heldUntil: now + 3000, holdReason: "retry_after 30", updatedAt: now });
    const counts = countQueries(h);
    // From here on a virtual clock shared with the fake (./virtual-time.ts; a call costs 2 ms of it): the
    // waits below are the loop's own and take no real time, whatever the machine's load.
    const clock = useVirtualClock({ chat: h.chat, fakes: [h.telegram, h.slack], client: h.ctx.client }, { callLatencyMs: 2 });
    h.chat.startDeliveryLoop();
    try {
      await clock.advance(400);
      const otherQueued = Date.now();
      await h.ctx.db.batch(asBatch([enqueueStatement(h.ctx.deps, { dedupeKey: "other", platform: "telegram", chatId: "-1001000000002", kind: "text", payload: { message: { kind: "text", text: "other group" } } })]));
      h.chat.notify();
      expect(await clock.runUntil(() => h.telegram.callsTo("sendMessage").length >= 1, 2000)).toBe(true);
      expect(h.telegram.callsTo("sendMessage")[0]!.body.text).toBe("other group");
      expect(h.telegram.callsTo("sendMessage")[0]!.at - otherQueued).toBeLessThan(300);
      await clock.advance(100); // that round settles
      const before = { ...counts, rounds: { ...h.chat.deliveryLoop.rounds } };
      await clock.advance(1500);
      // While only the held group has work, the loop sleeps: no rounds, no queries.
      expect(counts.execute + counts.batch - before.execute - before.batch).toBe(0);
      expect(h.chat.deliveryLoop.rounds).toEqual(before.rounds);
      expect(h.telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === CHENGDU_GROUP)).toHaveLength(0);
      // When the hold lapses the backlog moves, in order.
      expect(await clock.runUntil(() => h.telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === CHENGDU_GROUP).length >= 3, 3000)).toBe(true);
      await h.chat.deliveryLoop.stop();
    } finally {
      clock.restore();
    }
    expect(
      h.telegram
        .callsTo("sendMessage")
        .filter((c) => String(c.body.chat_id) === CHENGDU_GROUP)
        .slice(0, 3)
        .map((c) => c.body.text),
    ).toEqual(["b0", "b1", "b2"]);
    expect(h.telegram.callsTo("sendMessage").find((c) => String(c.body.chat_id) === CHENGDU_GROUP)!.at).toBeGreaterThanOrEqual(now + 3000);
  }, 60_000);
});

describe("bounded delivery (Workers' waitUntil)", () => {
  it("drain() keeps the pace while rows come due and returns within its budget; the next drain continues in order", async () => {
    h = await createHarness({ scale: 10 });
    await h.ctx.db.batch(
      asBatch(Array.from({ length: 40 }, (_, i) => enqueueStatement(h.ctx.deps, { dedupeKey: `w:${i}`, platform: "telegram", chatId: "5001", kind: "text", payload: { message: { kind: "text", text: `w${i}` } } }))),
    );
    // On a virtual clock shared with the fake (./virtual-time.ts; a call costs 2 ms of it): the budget and
    // the pace are the code's own, whatever the machine's load, and the 7 s of pacing are not waited for.
    const clock = useVirtualClock({ chat: h.chat, fakes: [h.telegram, h.slack], client: h.ctx.client }, { callLatencyMs: 2, waiters: 1 });
    try {
      const started = Date.now();
      const first = await clock.run(drainOutbox(h.chat.delivery, { budgetMs: 1000, maxWaitMs: 500 }), 10_000);
      const took = Date.now() - started;
      expect(took).toBeLessThan(1300);
      // One per 100 ms to a private chat: about ten in the budget, not one.
      expect(first.sent).toBeGreaterThanOrEqual(7);
      expect(first.nextDueAt).not.toBeNull();
      await clock.run(drainOutbox(h.chat.delivery, { budgetMs: 6000, maxWaitMs: 500 }), 20_000);
    } finally {
      clock.restore();
    }
    expect(h.telegram.callsTo("sendMessage").map((c) => c.body.text)).toEqual(Array.from({ length: 40 }, (_, i) => `w${i}`));
  }, 20_000);
});

describe("a crash during a Slack post", () => {
  async function crashedRow(body: string, postedBeforeCrash: boolean) {
    const input = await sealEnqueueInput(h.ctx.deps, { dedupeKey: `crash:${body}`, platform: "slack", chatId: COORDINATORS, kind: "text", payload: { message: { kind: "text", text: body } } });
    await h.ctx.db.batch(asBatch([enqueueStatement(h.ctx.deps, input)]));
    const now = Date.now();
    // The crashed process had claimed it and started the call; its lease has run out since.
    await h.ctx.db.update(outbox).set({ status: "sending", attempts: 1, attemptStartedAt: now - 500, claimedUntil: now - 1, nextAttemptAt: now - 1 }).where(eq(outbox.id, input.id!));
    if (postedBeforeCrash) await h.chat.adapters.slack!.send({ chatId: COORDINATORS }, { kind: "text", text: body }, { outboxId: input.id! });
    return input.id!;
  }

  it("finds the post by its metadata and does not post again; re-posts once when the call never landed", async () => {
    h = await createHarness({ scale: 10 });
    const landed = await crashedRow("landed before the crash", true);
    const lost = await crashedRow("lost in the crash", false);
    for (let i = 0; i < 10; i++) {
      const r = await deliverDueMessages(h.chat.delivery);
      if (r.nextDueAt === null) break;
      await sleep(Math.max(5, r.nextDueAt - Date.now()));
    }
    expect(h.slack.postsFor(landed)).toHaveLength(1);
    expect(h.slack.postsFor(lost)).toHaveLength(1);
    expect(h.slack.callsTo("conversations.history").length).toBeGreaterThanOrEqual(2);
    expect(h.slack.callsTo("conversations.history")[0]!.body).toMatchObject({ channel: COORDINATORS });
    const [row] = await h.ctx.db.select().from(outbox).where(eq(outbox.id, landed));
    expect(row).toMatchObject({ status: "sent", sentMessageId: h.slack.postsFor(landed)[0]!.ts });
  }, 20_000);
});

describe("a crash during a Telegram call", () => {
  it("an interrupted card edit is redone as an edit; an interrupted post is sent again (the documented one-call window)", async () => {
    h = await createHarness({ scale: 10 });
    const deliverAll = async () => {
      for (let i = 0; i < 20; i++) {
        const r = await deliverDueMessages(h.chat.delivery);
        if (r.nextDueAt === null) return;
        await sleep(Math.max(5, r.nextDueAt - Date.now()));
      }
    };
    await h.tip({ region: { districtCode: CHENGDU_DISTRICT }, targetName: "锦江某某医院CRASH" });
    await deliverAll();
    expect(h.telegram.callsTo("sendMessage")).toHaveLength(1);
    // A corroboration queues an edit; the process dies mid-call with the row claimed.
    await h.tip({ region: { districtCode: CHENGDU_DISTRICT }, targetName: "锦江某某医院CRASH" });
    const now = Date.now();
    await h.ctx.db.update(outbox).set({ status: "sending", attempts: 1, attemptStartedAt: now - 300, claimedUntil: now - 1, nextAttemptAt: now - 1 }).where(eq(outbox.status, "pending"));
    await deliverAll();
    expect(h.telegram.callsTo("sendMessage")).toHaveLength(1);
    expect(h.telegram.callsTo("editMessageText")).toHaveLength(1);
    const [card] = await h.ctx.db.select().from(chatCards);
    expect(String(h.telegram.callsTo("editMessageText")[0]!.body.message_id)).toBe(card!.messageId);
    // A text whose call was interrupted: Telegram cannot be asked, so it goes again (once more).
    await h.ctx.db.batch(asBatch([enqueueStatement(h.ctx.deps, { dedupeKey: "tg-crash", platform: "telegram", chatId: CHENGDU_GROUP, kind: "text", payload: { message: { kind: "text", text: "interrupted" } } })]));
    const t = Date.now();
    await h.ctx.db.update(outbox).set({ status: "sending", attempts: 1, attemptStartedAt: t - 300, claimedUntil: t - 1, nextAttemptAt: t - 1 }).where(eq(outbox.dedupeKey, "tg-crash"));
    await deliverAll();
    expect(h.telegram.callsTo("sendMessage").filter((c) => c.body.text === "interrupted")).toHaveLength(1);
    const [row] = await h.ctx.db.select().from(outbox).where(eq(outbox.dedupeKey, "tg-crash"));
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
  }, 20_000);
});

describe("hostile citizen text", () => {
  const HOSTILE = "<!channel> <@U0ADMIN> <https://evil.example/x|点这里领奖> & <b>粗体</b> <a href=\"https://evil.example\">链接</a> </code>";

  it("is inert in Slack mrkdwn and Telegram HTML, in cards and in texts", async () => {
    h = await createHarness({ scale: 10 });
    h.chat.startDeliveryLoop();
    await h.tip({ region: { districtCode: MIANYANG_DISTRICT }, targetName: `涪城${HOSTILE}医院`, description: `举报内容：${HOSTILE}。挂床住院，伪造病历。` });
    await h.tip({ region: { districtCode: CHENGDU_DISTRICT }, targetName: `锦江${HOSTILE}医院`, description: `举报内容：${HOSTILE}。挂床住院，伪造病历。` });
    for (const [platform, chatId] of [
      ["slack", MIANYANG_CHANNEL],
      ["telegram", CHENGDU_GROUP],
    ] as const) {
      const input = await sealEnqueueInput(h.ctx.deps, { dedupeKey: `hostile:${platform}`, platform, chatId, kind: "text", payload: { message: { kind: "text", text: `举报人回复：${HOSTILE}` } } });
      await h.ctx.db.batch(asBatch([enqueueStatement(h.ctx.deps, input)]));
    }
    h.chat.notify();
    expect(await waitFor(() => h.slack.callsTo("chat.postMessage").length >= 2 && h.telegram.callsTo("sendMessage").length >= 2, 10_000)).toBe(true);

    for (const call of h.slack.callsTo("chat.postMessage")) {
      const everything = JSON.stringify({ text: call.body.text, blocks: call.body.blocks });
      // Slack only formats, pings and links through raw < and >.
      expect(everything).not.toMatch(/<!channel>|<@U0ADMIN>|<https:\/\/evil/);
      expect(String(call.body.text)).toContain("&lt;!channel&gt;");
      expect(String(call.body.text)).toContain("&amp;");
    }
    for (const call of h.telegram.callsTo("sendMessage")) {
      const text = String(call.body.text);
      expect(call.body.parse_mode).toBe("HTML");
      // Only our own tags remain: every citizen < > & arrives escaped.
      expect(text.replace(/<\/?(b|i)>/g, "")).not.toMatch(/[<>]/);
      expect(text).toContain("&lt;a href=");
      expect(text).toContain("&lt;b&gt;粗体&lt;/b&gt;");
    }
  }, 20_000);
});
