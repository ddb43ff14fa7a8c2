// WeCom delivery through the real outbox to a fake WeCom server: the access token renewed after WeCom says
// it expired (one gettoken for concurrent callers), frequency limits retried later, an app group chat given
// markdown (no template cards there) with the lead page link, texts made inert, a text WeCom delivers three
// times answered once, and a burst to one member paced so WeCom's silent per-member limit drops nothing.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { members } from "../../src/db/schema";
import { runLeadCommand } from "../../src/services/leads/leads";
import { createWecomApi } from "../../src/chat/wecom/api";
import { createWecomAdapter } from "../../src/chat/wecom/adapter";
import { createWecomWebhook } from "../../src/chat/wecom/webhook";
import { wecomCardCodes } from "../../src/services/chat/wecom-card-codes";
import { Hono } from "hono";
import { inertMarkdown, inertText, parseButtonKey, renderTemplateCard, truncateBytes } from "../../src/chat/wecom/render";
import { createChatRuntime } from "../../src/chat/runtime";
import { ChatDeliveryError } from "../../src/chat/types";
import { queueReplies } from "../../src/services/chat/replies";
import { scaledTuning } from "../../src/services/delivery/outbox";
import { leadButtons } from "../../src/services/leads/lead-cards";
import { createChatHarness, exampleOrg, PUBLIC_BASE_URL, type ChatHarness } from "../support/chat-harness";
import { createTestContext } from "../support/context";
import { FakeWecom } from "../support/fake-wecom";
import { WECOM_AES_KEY, WECOM_AGENT_ID, WECOM_TOKEN, wecomEnv } from "../support/wecom-moves";

const GROUP = "wrkSFfCgAAtestgroup01";

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let wecom: ChatHarness["wecom"];

beforeAll(async () => {
  h = await createChatHarness({
    org: exampleOrg((file) => {
      Object.assign(file.teams.find((t) => t.name === "成都市核查一组")!, { platform: "wecom", chatId: GROUP });
    }),
  });
  ({ ctx, wecom } = h);
});

afterAll(async () => {
  await h.close();
});

const userOf = (n: number) => ({ platform: "wecom" as const, userId: `member${n}`, chatId: `user:member${n}` });

describe("the access token", () => {
  it("is fetched once, then renewed once when WeCom answers 42001, and the message goes through once", async () => {
    await queueReplies(ctx.deps, { user: userOf(1), updateKey: "t-1", privateText: "first" });
    await h.deliver();
    expect(wecom.tokensIssued).toBe(1);
    wecom.expireTokens();
    await queueReplies(ctx.deps, { user: userOf(1), updateKey: "t-2", privateText: "second" });
    await h.deliver();
    expect(wecom.tokensIssued).toBe(2);
    expect(wecom.textsTo("member1")).toEqual(["first", "second"]);
    // The refused call was answered 42001 and not counted as sent.
    expect(wecom.received.filter((r) => r.method === "message/send").length).toBe(3);
  });

  it("is fetched once for callers that need it at the same time, and a wrong secret is not retried", async () => {
    const fake = await new FakeWecom().start();
    try {
      const api = createWecomApi({ corpId: fake.corpId, secret: fake.secret, apiBase: fake.url });
      await Promise.all(Array.from({ length: 5 }, (_, i) => api.post("/cgi-bin/message/send", { touser: `u${i}`, msgtype: "text", agentid: 1, text: { content: "x" } })));
      expect(fake.tokensIssued).toBe(1);
      fake.expireTokens();
      await Promise.all(Array.from({ length: 5 }, (_, i) => api.post("/cgi-bin/message/send", { touser: `u${i}`, msgtype: "text", agentid: 1, text: { content: "y" } })));
      expect(fake.tokensIssued).toBe(2);
      const wrong = createWecomApi({ corpId: fake.corpId, secret: "not-the-secret-0123456789", apiBase: fake.url });
      const err = await wrong.post("/cgi-bin/message/send", {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChatDeliveryError);
      expect((err as ChatDeliveryError).retryable).toBe(false);
      expect((err as ChatDeliveryError).message).not.toContain("not-the-secret");
    } finally {
      await fake.stop();
    }
  });
});

describe("the access token's lifetime", () => {
  it("is renewed a few minutes before WeCom's expires_in runs out, without waiting for a refusal", async () => {
    const fake = await new FakeWecom().start();
    try {
      let now = 1_000_000;
      const api = createWecomApi({ corpId: fake.corpId, secret: fake.secret, apiBase: fake.url, clock: () => now });
      const call = () => api.post("/cgi-bin/message/send", { touser: "u", msgtype: "text", agentid: 1, text: { content: "x" } });
      await call();
      now += 7200_000 - 6 * 60_000;
      await call();
      expect(fake.tokensIssued).toBe(1);
      now += 2 * 60_000;
      await call();
      expect(fake.tokensIssued).toBe(2);
      // No call was refused for a stale token.
      expect(fake.received.filter((r) => r.method === "message/send")).toHaveLength(3);
    } finally {
      await fake.stop();
    }
  });
});

describe("WeCom's answers", () => {
  it("retries a frequency limit (errcode 45009) later instead of failing the message", async () => {
    wecom.failNext(1, { status: 429 });
    await queueReplies(ctx.deps, { user: userOf(2), updateKey: "f-1", privateText: "after the limit" });
    const waited = await h.deliver({ rounds: 10, stepMs: 5000 });
    expect(wecom.textsTo("member2")).toEqual(["after the limit"]);
    expect(waited).toBeGreaterThanOrEqual(60_000);
    // 45009 limits the API for the whole app: the outbox holds the method for every chat, not just this one.
    const hold = await ctx.client.execute("SELECT lane_key FROM delivery_lanes WHERE platform = 'wecom' AND lane_key LIKE 'method:%'");
    expect(hold.rows.map((r) => r.lane_key)).toContain("method:message/send");
  });

  it("marks a 5xx retryable (WeCom answered: not uncertain)", async () => {
    const api = createWecomApi({ corpId: wecom.corpId, secret: wecom.secret, apiBase: wecom.url });
    wecom.failNext(1, { status: 500 });
    const err = await api.post("/cgi-bin/message/send", { touser: "x" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: true, uncertain: false });
  });
});

describe("an app group chat", () => {
  it("gets a lead as markdown with the lead page link and a line saying to act in the app", async () => {
    await h.submitTip({ region: { districtCode: "510104" }, targetName: "锦江某某[诊所](https://evil.example) @all", description: "<a href=\"https://evil.example\">点这里</a> 挂床住院，**伪造**病历。" });
    await h.deliver();
    const sent = wecom.sentTo(GROUP, "appchat/send");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.msgtype).toBe("markdown");
    const md = String(sent[0]!.body.markdown.content);
    const leadId = /\/staff\/leads\/([^)]+)\)/.exec(md)![1]!;
    expect(md).toContain(`${PUBLIC_BASE_URL}/staff/leads/${leadId}`);
    expect(md).toContain("请在企业微信的 FundWatch 应用中处理此卡片");
    // The citizen's text carries no markdown link, HTML link, mention or emphasis of its own.
    expect(md).not.toMatch(/\]\(https:\/\/evil/);
    expect(md).not.toContain("<a ");
    expect(md).not.toContain("@all");
    expect(md).not.toContain("**伪造**");
    expect(md).toContain("［诊所］");
    // App group chats cannot edit a message: the lead's new state goes as a new one.
    const zhang = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "张明") }))!;
    await runLeadCommand(ctx.deps, { leadId, command: { type: "acknowledge" }, actor: { member: zhang, platform: "web" }, dedupeKey: "wecom-group-ack" });
    await h.deliver();
    const after = wecom.sentTo(GROUP, "appchat/send");
    expect(after).toHaveLength(2);
    expect(String(after[1]!.body.markdown.content)).toContain("已确认");
  });
});

describe("callbacks", () => {
  it("answers a text WeCom delivers three times (same MsgId) once", async () => {
    const before = wecom.textsTo("lonely").length;
    const xml = h.wecomTextXml("lonely", "mine", 777001);
    for (let i = 0; i < 3; i++) expect((await h.wecomCallback(xml)).status).toBe(200);
    await h.deliver();
    expect(wecom.textsTo("lonely").length).toBe(before + 1);
  });

  it("answers 503 when its own database fails, so WeCom delivers the callback again", async () => {
    const broken = new Proxy(ctx.deps.db, {
      get() {
        throw new Error("database unavailable");
      },
    });
    const hook = createWecomWebhook({ ...ctx.deps, db: broken }, { keys: { token: WECOM_TOKEN, encodingAesKey: WECOM_AES_KEY, corpId: wecom.corpId }, agentId: WECOM_AGENT_ID, codes: wecomCardCodes(ctx.deps) });
    const app = new Hono().post("/hook", (c) => hook.handle(c, () => undefined));
    const { query, body } = await h.wecomSigned(h.wecomTextXml("member9", "mine"));
    const res = await app.request(`/hook?${query}`, { method: "POST", body });
    expect(res.status).toBe(503);
    expect(ctx.logs.some((l) => l.msg === "wecom callback failed")).toBe(true);
  });

  it("ignores events it does not handle and callbacks for another app of the corp", async () => {
    const other = `<xml><ToUserName><![CDATA[${wecom.corpId}]]></ToUserName><FromUserName><![CDATA[someone]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event><AgentID>1000002</AgentID></xml>`;
    expect((await h.wecomCallback(other)).status).toBe(200);
    const otherApp = h.wecomTextXml("someone", "mine").replace("<AgentID>1000002</AgentID>", "<AgentID>1000099</AgentID>");
    expect((await h.wecomCallback(otherApp)).status).toBe(200);
    await h.deliver();
    expect(wecom.textsTo("someone")).toEqual([]);
  });
});

describe("a card update with a code WeCom no longer takes", () => {
  it("sends the current card anew in its place; a timed-out update is retried without reusing its code", async () => {
    const fake = await new FakeWecom().start();
    try {
      const stored = new Map<string, { code: string; taskId: string }[]>();
      const codes = {
        put: async (root: string, code: string, taskId: string) => void stored.set(root, [...(stored.get(root) ?? []), { code, taskId }]),
        take: async (root: string) => stored.get(root)?.pop() ?? null,
      };
      const adapter = createWecomAdapter({ corpId: fake.corpId, secret: fake.secret, agentId: "1000002", apiBase: fake.url, codes, actHint: "act in the app" });
      const card = { kind: "card" as const, card: { title: "线索 L-1", fields: [], buttons: [[{ action: "ack", leadId: "L-1", label: "确认" }]] } };
      const { messageId } = await adapter.send({ chatId: "users:a|b" }, card);
      stored.set(messageId, [{ code: "rc-spent-elsewhere", taskId: messageId }]);
      await adapter.edit({ chatId: "users:a|b" }, messageId, card);
      expect(fake.received.filter((r) => r.method === "message/update_template_card").map((r) => r.status)).toEqual([200]);
      expect(fake.calls.filter((c) => c.method === "message/update_template_card")).toHaveLength(1);
      const cards = fake.cardsTo("a|b");
      expect(cards.map((c) => c.taskId)).toEqual([messageId, expect.stringMatching(new RegExp(`^${messageId}@`))]);
      // The replacement's own code is kept under the first card's id, for the next update.
      expect(stored.get(messageId)?.at(-1)?.taskId).toBe(cards[1]!.taskId);
      // A timeout is retried, and the code it carried (WeCom may have spent it) is not offered again.
      fake.hang(true);
      const slow = createWecomAdapter({ corpId: fake.corpId, secret: fake.secret, agentId: "1000002", apiBase: fake.url, codes, actHint: "x", timeoutMs: 200 });
      const err = await slow.edit({ chatId: "users:a|b" }, messageId, card).catch((e: unknown) => e);
      expect(err).toMatchObject({ retryable: true, uncertain: true });
      expect(stored.get(messageId)).toEqual([]);
      fake.hang(false);
    } finally {
      await fake.stop();
    }
  });
});

describe("rendering", () => {
  it("keeps citizen text inert in texts and markdown", () => {
    expect(inertText(`<a href="x">y</a> @all @所有人`)).toBe(`＜a href="x"＞y＜/a＞ @\u200ball @\u200b所有人`);
    expect(inertMarkdown("[a](https://x) **b** `c` # d")).toBe("［a］(https://x) ＊＊b＊＊ ｀c｀ ＃ d");
    expect(new TextEncoder().encode(truncateBytes("医".repeat(1000), 2048)).length).toBeLessThanOrEqual(2048);
  });

  it("fits a lead card's ten actions: six buttons and its last row in the card's menu", () => {
    const buttons = leadButtons({ id: "L-1", state: "accepted" }, "zh-CN");
    const card = renderTemplateCard({ title: "t", fields: Array.from({ length: 9 }, (_, i) => ({ label: `f${i}`, value: "v" })), body: "b", buttons }, "fwtask");
    expect((card.button_list as unknown[]).length).toBe(6);
    expect((card.action_menu as { action_list: { key: string }[] }).action_list.map((a) => a.key)).toEqual(["ask|L-1", "open|L-1", "reassign|L-1"]);
    expect((card.horizontal_content_list as unknown[]).length).toBe(6);
    expect(card.sub_title_text).toContain("f8: v");
    expect(parseButtonKey("status:substantiated|L-1")).toEqual({ action: "status:substantiated", id: "L-1" });
    expect(parseButtonKey("ack|")).toBeNull();
    expect(parseButtonKey("ack|L 1")).toBeNull();
  });
});

describe("a burst to one member (scaled 20×)", () => {
  it("is paced one message per 2 s (scaled), so WeCom's silent per-member limit drops nothing", async () => {
    const fake = await new FakeWecom().start();
    const scale = 20;
    const tuning = scaledTuning(scale);
    // WeCom: about 30 messages a minute per member, excess dropped without an error.
    fake.silentLimit = { max: 30, windowMs: 60_000 / scale };
    const burst = await createTestContext({ ...wecomEnv(fake), PUBLIC_BASE_URL });
    (burst.deps as { now: () => Date }).now = () => new Date();
    const chat = createChatRuntime(burst.deps, { consoleWrite: () => undefined, tuning, callTimeoutMs: 2000 });
    burst.deps.chat = chat;
    try {
      const n = 12;
      for (let i = 0; i < n; i++) await queueReplies(burst.deps, { user: { platform: "wecom", userId: "busy", chatId: "user:busy" }, updateKey: `burst-${i}`, privateText: `message ${i}` });
      for (let round = 0; round < 10 && fake.textsTo("busy").length < n; round++) await chat.drain();
      expect(fake.textsTo("busy")).toEqual(Array.from({ length: n }, (_, i) => `message ${i}`));
      const times = fake.sentTo("busy").map((c) => c.at);
      const interval = tuning.pacing.wecom.perChatIntervalMs;
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(interval - 5);
      expect(fake.dropped).toEqual([]);
    } finally {
      await chat.close();
      await burst.close();
      await fake.stop();
    }
  });
});
