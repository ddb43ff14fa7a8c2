// The DingTalk adapter against a fake DingTalk open API on loopback (real HTTP): the access token cached,
// renewed ahead of expiry and once after an "invalid token" answer; texts to groups and persons; cards as
// markdown without a template (our links only, citizen text inert); read status; and errors in the
// outbox's terms (throttled → retry after a wait, 5xx and timeouts → retry, uncertain; other 4xx → give up).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDingtalkAdapter, type DingtalkAdapterOptions } from "../../src/chat/dingtalk/adapter";
import { createDingtalkTokenCache } from "../../src/chat/dingtalk/token";
import { TOKEN_RENEW_EARLY_MS } from "../../src/chat/access-token";
import { ChatDeliveryError, type ChatCard } from "../../src/chat/types";
import { DINGTALK_CLIENT_ID, DINGTALK_ROBOT_CODE, DINGTALK_SECRET } from "../support/dingtalk-moves";
import { FakeDingtalk } from "../support/fake-dingtalk";

const GROUP = "cidGroup01==";
let fake: FakeDingtalk;

beforeAll(async () => {
  fake = await new FakeDingtalk().start();
});
afterAll(async () => {
  await fake.stop();
});
afterEach(() => {
  fake.calls.length = 0;
  fake.received.length = 0;
});

const adapter = (overrides: Partial<DingtalkAdapterOptions> = {}) =>
  createDingtalkAdapter({ clientId: DINGTALK_CLIENT_ID, clientSecret: DINGTALK_SECRET, robotCode: DINGTALK_ROBOT_CODE, apiBase: fake.url, timeoutMs: 2000, callbackSecret: DINGTALK_SECRET, locale: "zh-CN", ...overrides });

const card: ChatCard = {
  title: "线索 L-20261124-0001 [紧急]",
  fields: [{ label: "对象", value: "某医院 [点我](http://evil.example/x) @所有人 **粗体**" }],
  body: "# 标题\n<script>alert(1)</script>",
  buttons: [[{ action: "ack", leadId: "lead1", label: "确认收到", style: "primary" }, { action: "page", leadId: "lead1", label: "线索页面", url: "https://fundwatch.example.gov.cn/leads/lead1" }]],
  footer: "截止 2026-11-25",
};

async function deliveryError(p: Promise<unknown>): Promise<ChatDeliveryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ChatDeliveryError) return err;
    throw err;
  }
  throw new Error("expected a delivery error");
}

describe("the access token", () => {
  it("is fetched once for concurrent callers, kept until a few minutes before expiry, then renewed", async () => {
    let clock = 1_000_000;
    const tokens = createDingtalkTokenCache({ apiBase: fake.url, clientId: DINGTALK_CLIENT_ID, clientSecret: DINGTALK_SECRET, fetch, timeoutMs: 2000, now: () => clock });
    const [a, b, c] = await Promise.all([tokens.get(), tokens.get(), tokens.get()]);
    expect(new Set([a, b, c]).size).toBe(1);
    expect(fake.callsTo("oauth2/accessToken")).toHaveLength(1);
    expect(fake.callsTo("oauth2/accessToken")[0]!.body).toEqual({ appKey: DINGTALK_CLIENT_ID, appSecret: DINGTALK_SECRET });
    clock += 7200_000 - TOKEN_RENEW_EARLY_MS - 1000;
    expect(await tokens.get()).toBe(a);
    clock += 2000;
    expect(await tokens.get()).not.toBe(a);
    expect(fake.callsTo("oauth2/accessToken")).toHaveLength(2);
  });

  it("is renewed once when DingTalk calls it invalid, and the message still goes out once", async () => {
    const dt = adapter();
    await dt.send({ chatId: GROUP }, { kind: "text", text: "一" });
    fake.expireTokens();
    const before = fake.messages.length;
    const sent = await dt.send({ chatId: GROUP }, { kind: "text", text: "二" });
    expect(fake.messages.length).toBe(before + 1);
    expect(fake.messages.at(-1)).toMatchObject({ processQueryKey: sent.messageId, param: { content: "二" } });
    expect(fake.callsTo("oauth2/accessToken")).toHaveLength(2);
    expect(fake.received.filter((r) => r.status === 401)).toHaveLength(1);
  });
});

describe("messages", () => {
  it("sends texts to a group and to a person through their own APIs, as plain text", async () => {
    const dt = adapter();
    await dt.send({ chatId: GROUP }, { kind: "text", text: "@所有人 [x](http://evil.example)" });
    await dt.send({ chatId: "user:staff-1" }, { kind: "prompt", text: "请回复拒绝理由" });
    expect(fake.callsTo("robot/groupMessages/send")[0]!.body).toMatchObject({ robotCode: DINGTALK_ROBOT_CODE, openConversationId: GROUP, msgKey: "sampleText" });
    expect(fake.callsTo("robot/oToMessages/batchSend")[0]!.body).toMatchObject({ robotCode: DINGTALK_ROBOT_CODE, userIds: ["staff-1"], msgKey: "sampleText" });
    expect(JSON.parse(fake.callsTo("robot/oToMessages/batchSend")[0]!.body.msgParam)).toEqual({ content: "请回复拒绝理由" });
  });

  it("sends a card as markdown without a template: our link, how to act, citizen text inert; an edit is a new message", async () => {
    const dt = adapter();
    const sent = await dt.send({ chatId: GROUP }, { kind: "card", card });
    const call = fake.callsTo("robot/groupMessages/send")[0]!;
    expect(call.body.msgKey).toBe("sampleMarkdown");
    const { text } = JSON.parse(call.body.msgParam) as { title: string; text: string };
    expect(text).toContain("(https://fundwatch.example.gov.cn/leads/lead1)");
    expect(text).not.toContain("](http://evil.example");
    expect(text).not.toContain("<script>");
    expect(text).not.toMatch(/^# /m);
    expect(text).not.toContain("@所有人");
    expect(text).toContain("mine");
    expect(fake.callsTo("card/instances/createAndDeliver")).toHaveLength(0);
    await dt.edit({ chatId: GROUP }, sent.messageId, { kind: "card", card: { ...card, footer: "已确认" } });
    expect(fake.callsTo("robot/groupMessages/send")).toHaveLength(2);
  });

  it("reports who read a group message and a private one", async () => {
    const dt = adapter();
    const group = await dt.send({ chatId: GROUP }, { kind: "text", text: "提醒" });
    const dm = await dt.send({ chatId: "user:staff-2" }, { kind: "text", text: "提醒" });
    fake.reads.set(group.messageId, ["staff-1", "staff-3"]);
    fake.reads.set(dm.messageId, ["staff-2"]);
    expect(await dt.readers!({ chatId: GROUP }, group.messageId)).toEqual(["staff-1", "staff-3"]);
    expect(await dt.readers!({ chatId: "user:staff-2" }, dm.messageId)).toEqual(["staff-2"]);
    expect(fake.callsTo("robot/groupMessages/query")[0]!.body).toMatchObject({ openConversationId: GROUP, robotCode: DINGTALK_ROBOT_CODE, processQueryKey: group.messageId });
  });
});

describe("cards through the card API", () => {
  it("keep every parameter within DingTalk's 1 KB per value, cut at a character", async () => {
    const dt = adapter({ cardTemplateId: "tpl.schema" });
    const long: ChatCard = { ...card, body: "挂床".repeat(2000) };
    const sent = await dt.send({ chatId: GROUP }, { kind: "card", card: long });
    const params = fake.cards.get(sent.messageId)!.params;
    for (const [key, value] of Object.entries(params)) expect(Buffer.byteLength(value), key).toBeLessThanOrEqual(1024);
    // The body is shortened; the fields and the footer (the deadline) stay.
    expect(params.markdown).toMatch(/[挂床]…/);
    expect(params.markdown).toContain("某医院");
    expect(params.markdown).toContain("截止 2026-11-25");
  });
});

describe("errors", () => {
  it("a throttled call is retryable after a wait; a 5xx is retryable and uncertain", async () => {
    const dt = adapter();
    await dt.send({ chatId: GROUP }, { kind: "text", text: "warm" });
    fake.failNext(1, { status: 429 });
    const throttled = await deliveryError(dt.send({ chatId: GROUP }, { kind: "text", text: "x" }));
    expect(throttled).toMatchObject({ retryable: true, uncertain: false });
    expect(throttled.retryAfterSeconds).toBeGreaterThan(0);
    fake.failNext(1, { status: 500 });
    expect(await deliveryError(dt.send({ chatId: GROUP }, { kind: "text", text: "x" }))).toMatchObject({ retryable: true, uncertain: true });
  });

  it("a call that times out is retryable and uncertain", async () => {
    const dt = adapter({ timeoutMs: 200 });
    // Warm (the access token cached, so the call that times out is the send). On a loaded machine a
    // 200 ms warm-up can time out itself (a full run failed so), which says nothing here: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await dt.send({ chatId: GROUP }, { kind: "text", text: "warm" });
        break;
      } catch (err) {
        if (attempt >= 10) throw err;
      }
    }
    fake.stallNext(1, 1000, (method) => method === "robot/groupMessages/send");
    expect(await deliveryError(dt.send({ chatId: GROUP }, { kind: "text", text: "x" }))).toMatchObject({ retryable: true, uncertain: true });
  });

  it("wrong credentials are not retried and say what to check", async () => {
    fake.appSecret = DINGTALK_SECRET;
    const dt = adapter({ clientSecret: "not-the-client-secret-at-all" });
    const err = await deliveryError(dt.send({ chatId: GROUP }, { kind: "text", text: "x" }));
    fake.appSecret = null;
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("DINGTALK_CLIENT_SECRET");
    expect(fake.callsTo("robot/groupMessages/send")).toHaveLength(0);
  });
});
