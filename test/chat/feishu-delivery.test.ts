// Feishu delivery rules over real HTTP to the fake Open API: the tenant_access_token is fetched once for
// concurrent sends and renewed once after an "invalid token" answer; a 429 holds the chat for its
// x-ogw-ratelimit-reset and a burst to one chat is paced at Feishu's per-chat limit (10× scaled, real
// clock); a retried row is one message (uuid); timeouts are retryable and uncertain; texts are inert.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFeishuAdapter } from "../../src/chat/feishu/adapter";
import { renderFeishu } from "../../src/chat/feishu/render";
import { createChatRuntime, type ChatRuntime } from "../../src/chat/runtime";
import { ChatDeliveryError } from "../../src/chat/types";
import { asBatch } from "../../src/db/client";
import { enqueueStatement, scaledTuning, sealEnqueueInput } from "../../src/services/delivery/outbox";
import { createTestContext, type TestContext } from "../support/context";
import { FakeFeishu } from "../support/fake-feishu";
import { FEISHU_APP, feishuEnv } from "../support/feishu-moves";
import { pollUntil } from "../support/chat-harness";

const CHAT = "oc_5ad11d72b830411d72b836c20a000009";

describe("the Feishu adapter against the fake Open API", () => {
  let fake: FakeFeishu;
  const adapter = (timeoutMs = 2000) => createFeishuAdapter({ ...FEISHU_APP, apiBase: fake.url, timeoutMs });
  beforeAll(async () => {
    fake = await new FakeFeishu(FEISHU_APP).start();
  });
  afterAll(() => fake.stop());

  it("shares one token fetch among concurrent sends", async () => {
    const a = adapter();
    const tokensBefore = fake.callsTo("token").length;
    const sent = await Promise.all(Array.from({ length: 8 }, (_, i) => a.send({ chatId: CHAT }, { kind: "text", text: `n${i}` })));
    expect(new Set(sent.map((s) => s.messageId)).size).toBe(8);
    expect(fake.callsTo("token").length - tokensBefore).toBe(1);
  });

  it("renews an expired token once and succeeds", async () => {
    const a = adapter();
    await a.send({ chatId: CHAT }, { kind: "text", text: "before" });
    const issued = fake.tokensIssued;
    fake.expireTokens();
    const refusedBefore = fake.received.filter((r) => r.status === 400).length;
    const { messageId } = await a.send({ chatId: CHAT }, { kind: "text", text: "after" });
    expect(fake.message(messageId)?.content.text).toBe("after");
    expect(fake.tokensIssued).toBe(issued + 1);
    // Exactly one call was answered 99991663 before the renewal.
    expect(fake.received.filter((r) => r.status === 400).length - refusedBefore).toBe(1);
  });

  it("sends `user:` chats by open_id and groups by chat_id", async () => {
    const a = adapter();
    await a.send({ chatId: "user:ou_person01" }, { kind: "text", text: "hi" });
    await a.send({ chatId: CHAT }, { kind: "text", text: "all" });
    const [toUser, toGroup] = fake.callsTo("send").slice(-2);
    expect(toUser!.body.receive_id).toBe("ou_person01");
    expect(toGroup!.body.receive_id).toBe(CHAT);
    expect(fake.sentTo("user:ou_person01").map((m) => m.content.text)).toEqual(["hi"]);
  });

  it("posts one message for a row sent twice (the outbox id as uuid)", async () => {
    const a = adapter();
    const first = await a.send({ chatId: CHAT }, { kind: "text", text: "once" }, { outboxId: "out_TESTUUID00000001" });
    const second = await a.send({ chatId: CHAT }, { kind: "text", text: "once" }, { outboxId: "out_TESTUUID00000001" });
    expect(second.messageId).toBe(first.messageId);
    expect(fake.messages.filter((m) => m.uuid === "out_TESTUUID00000001")).toHaveLength(1);
  });

  it("reports 429 with its reset, 5xx as retryable, a timeout as retryable and uncertain, a refusal as final", async () => {
    const a = adapter(300);
    fake.failNext(1, { status: 429, retryAfter: 7 });
    const limited = await a.send({ chatId: CHAT }, { kind: "text", text: "x" }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(ChatDeliveryError);
    expect(limited).toMatchObject({ retryable: true, retryAfterSeconds: 7, uncertain: false });
    fake.failNext(1, { status: 500 });
    expect(await a.send({ chatId: CHAT }, { kind: "text", text: "x" }).catch((e: unknown) => e)).toMatchObject({ retryable: true, uncertain: false });
    fake.stallNext(1, 2000, (method) => method === "send");
    expect(await a.send({ chatId: CHAT }, { kind: "text", text: "x" }).catch((e: unknown) => e)).toMatchObject({ retryable: true, uncertain: true });
    const missing = await a.edit({ chatId: CHAT }, "om_doesnotexist", { kind: "card", card: { title: "t", fields: [], buttons: [] } }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ retryable: false });
  });

  it("edits a card in place with PATCH", async () => {
    const a = adapter();
    const card = (title: string) => ({ kind: "card" as const, card: { title, fields: [{ label: "状态", value: "新线索" }], buttons: [[{ action: "ack", leadId: "L-1", label: "确认收到" }]] } });
    const { messageId } = await a.send({ chatId: CHAT }, card("v1"));
    await a.edit({ chatId: CHAT }, messageId, card("v2"));
    expect(fake.message(messageId)?.history.map((c: any) => c.header.title.content)).toEqual(["v1", "v2"]);
    expect(fake.callsTo("patch").at(-1)?.body).toEqual({ content: expect.any(String) });
  });

  it("reads who read a message across pages", async () => {
    const a = adapter();
    const { messageId } = await a.send({ chatId: CHAT }, { kind: "text", text: "read me" });
    const readers = Array.from({ length: 250 }, (_, i) => `ou_reader${i}`);
    fake.readsOf.set(messageId, readers);
    expect(await a.readers!({ chatId: CHAT }, messageId)).toEqual(readers);
    expect(fake.callsTo("read_users").length).toBe(3);
  });

  it("renders url buttons as open_url and other buttons as callbacks carrying { a, id }", () => {
    const { msg_type, content } = renderFeishu({
      kind: "card",
      card: { title: "T", fields: [{ label: "被举报机构", value: "<at id=all></at>[x](https://evil.example)" }], body: "正文", footer: "脚注", buttons: [[{ action: "ack", leadId: "L-1", label: "确认收到", style: "primary" }, { action: "web", leadId: "L-1", label: "打开", url: "https://fundwatch.example.gov.cn/x" }]] },
    });
    expect(msg_type).toBe("interactive");
    const card = JSON.parse(content);
    const buttons = card.body.elements.filter((e: any) => e.tag === "column_set").flatMap((e: any) => e.columns.flatMap((c: any) => c.elements));
    expect(buttons.map((b: any) => b.behaviors)).toEqual([[{ type: "callback", value: { a: "ack", id: "L-1" } }], [{ type: "open_url", default_url: "https://fundwatch.example.gov.cn/x" }]]);
    // Citizen text only ever in plain_text: Feishu shows the characters, it does not read them as markup.
    const texts = card.body.elements.filter((e: any) => e.tag === "div").map((e: any) => e.text.tag);
    expect(new Set(texts)).toEqual(new Set(["plain_text"]));
  });

  it("makes a text inert: no mention or link markup survives", () => {
    const { msg_type, content } = renderFeishu({ kind: "text", text: '看这里 <at user_id="all">所有人</at> [官方通知](https://evil.example)' });
    expect(msg_type).toBe("text");
    const text = JSON.parse(content).text as string;
    expect(text).not.toMatch(/<at|\[官方通知\]\(/);
    expect(text).toContain("官方通知");
  });
});

describe("Feishu pacing through the outbox (10× scaled, real clock)", () => {
  let ctx: TestContext;
  let chat: ChatRuntime;
  let fake: FakeFeishu;
  const tuning = scaledTuning(10);
  const unit = tuning.retryAfterUnitMs;

  async function queueTexts(n: number, tag: string) {
    const statements = [];
    for (let i = 1; i <= n; i++)
      statements.push(enqueueStatement(ctx.deps, await sealEnqueueInput(ctx.deps, { dedupeKey: `t:${tag}:${i}`, platform: "feishu", chatId: CHAT, kind: "text", payload: { message: { kind: "text", text: `${tag}${i}` } } })));
    await ctx.db.batch(asBatch(statements));
    chat.notify();
  }

  beforeAll(async () => {
    fake = await new FakeFeishu(FEISHU_APP).start();
    ctx = await createTestContext({ ...feishuEnv(fake), PUBLIC_BASE_URL: "https://fundwatch.example.gov.cn" });
    (ctx.deps as { now: () => Date }).now = () => new Date();
    fake.enforce({ perChatIntervalMs: tuning.pacing.feishu.perChatIntervalMs, retryAfterUnitMs: unit, toleranceMs: 2 });
    chat = createChatRuntime(ctx.deps, { consoleWrite: () => undefined, tuning, callTimeoutMs: 1000 });
    ctx.deps.chat = chat;
    ctx.deps.notifyOutbox = () => chat.notify();
    chat.startDeliveryLoop();
  });
  afterAll(async () => {
    await chat.close();
    await ctx.close();
    await fake.stop();
  });

  it("paces a burst to one chat at the per-chat limit, in order, with no 429", async () => {
    await queueTexts(15, "B");
    expect(await pollUntil(() => fake.sentTo(CHAT).filter((m) => /^B\d+$/.test(m.content.text)).length === 15, 15_000)).toBe(true);
    const sends = fake.callsTo("send").filter((c) => c.body.receive_id === CHAT && /^"?\{"text":"B/.test(String(c.body.content)));
    expect(sends.map((c) => JSON.parse(c.body.content).text)).toEqual(Array.from({ length: 15 }, (_, i) => `B${i + 1}`));
    expect(fake.rejections).toEqual([]);
    const gaps = sends.slice(1).map((c, i) => c.at - sends[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(tuning.pacing.feishu.perChatIntervalMs - 2);
  }, 20_000);

  it("retries after a 429's x-ogw-ratelimit-reset, never earlier", async () => {
    fake.failNextFor(CHAT, 1, { status: 429, retryAfter: 3 });
    const started = Date.now();
    await queueTexts(2, "R");
    expect(await pollUntil(() => fake.sentTo(CHAT).filter((m) => /^R\d$/.test(m.content.text)).length === 2, 10_000)).toBe(true);
    const first = fake.callsTo("send").find((c) => String(c.body.content).includes('"R1"'))!;
    expect(first.at - started).toBeGreaterThanOrEqual(3 * unit);
    expect(fake.rejections.filter((r) => r.early)).toEqual([]);
    // R1's first attempt was refused; the retry made one visible message.
    expect(fake.sentTo(CHAT).filter((m) => m.content.text === "R1")).toHaveLength(1);
  }, 20_000);
});
