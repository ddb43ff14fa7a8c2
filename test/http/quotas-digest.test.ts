// Quotas that protect the teams: one receipt or one client cannot flood a team's chat. Follow-up
// messages and evidence uploads are limited per report and per client (429, nothing stored), and
// replies that arrive close together reach the chat as one digest instead of one post each.
import { count, eq, isNull, and } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leads, outbox, reportAttachments, reportMessages, reports } from "../../src/db/schema";
import { postInvestigatorMessage } from "../../src/services/intake/reports";
import { createChatHarness, type ChatHarness } from "../support/chat-harness";
import type { TestContext } from "../support/context";
import { jsonPost, multipart, PNG_BYTES, REAL_NAME, validReport } from "../support/fixtures";
import { createPageClient, formToken } from "../support/page-client";

const CHENGDU_CHAT = "-1001000000001";
/** The harness of the describe block being run (each block has its own app, database and fake chats). */
let h: ChatHarness;
let telegram: ChatHarness["telegram"];

async function setup(env: Record<string, string> = {}) {
  h = await createChatHarness({ env });
  telegram = h.telegram;
  return h.ctx;
}

const deliver = (_ctx: TestContext) => h.deliver({ rounds: 50 });

async function tip(ctx: TestContext, overrides: Record<string, unknown> = {}, client = "203.0.113.7") {
  const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: { districtCode: "510104" }, ...overrides }), { "x-test-client": client }));
  expect(res.status).toBe(201);
  return (await res.json()) as { receipt: string; reportId: string };
}

const say = (ctx: TestContext, receipt: string, body: string, client = "203.0.113.7") =>
  ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt, body }, { "x-test-client": client }));

describe("replies reach the team as digests", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await setup({ MESSAGES_PER_REPORT_PER_HOUR: "100", MESSAGES_PER_CLIENT_PER_HOUR: "100" });
  });
  afterAll(() => h.close());

  it("40 replies from one receipt become a few posts, each reply relayed once, scrubbed, and a new card is not held behind them", async () => {
    const { receipt, reportId } = await tip(ctx, { targetName: "锦江某某医院", anonymous: false, reporter: REAL_NAME });
    await deliver(ctx);
    const before = telegram.callsTo("sendMessage").length;
    for (let i = 1; i <= 40; i++) expect((await say(ctx, receipt, `第${i}条补充：我是${REAL_NAME.name}，电话${REAL_NAME.phone}。`)).status).toBe(201);
    // Another lead's card queued right after the burst, in the same group.
    await tip(ctx, { targetName: "武侯某某诊所", violationType: "duplicate_billing" });
    await deliver(ctx);
    const posts = telegram.callsTo("sendMessage").slice(before).filter((m) => String(m.body.chat_id) === CHENGDU_CHAT);
    const digests = posts.filter((m) => /举报人/.test(String(m.body.text)));
    expect(digests.length).toBeGreaterThanOrEqual(1);
    expect(digests.length).toBeLessThanOrEqual(3);
    const all = digests.map((m) => String(m.body.text)).join("\n");
    for (let i = 1; i <= 40; i++) expect(all).toContain(`第${i}条补充`);
    expect(all.match(/第1条补充/g)).toHaveLength(1);
    expect(all).not.toContain(REAL_NAME.name);
    expect(all).not.toContain(REAL_NAME.phone);
    // The new card went out among the first posts, not after forty replies.
    const cardIndex = posts.findIndex((m) => String(m.body.text).includes("武侯某某诊所"));
    expect(cardIndex).toBeGreaterThanOrEqual(0);
    expect(cardIndex).toBeLessThanOrEqual(3);
    // Every reply is marked relayed, and the outbox holds no tipster text.
    const [{ n } = { n: -1 }] = await ctx.db.select({ n: count() }).from(reportMessages).where(and(eq(reportMessages.reportId, reportId), eq(reportMessages.authorType, "reporter"), isNull(reportMessages.relayedAt)));
    expect(n).toBe(0);
    const payloads = (await ctx.db.select({ p: outbox.payload }).from(outbox)).map((r) => r.p).join("\n");
    expect(payloads).not.toContain("补充");
  });

  it("a reply that comes after a digest went out starts a new one", async () => {
    const { receipt } = await tip(ctx, { targetName: "青羊某某药房", subject: "pharmacy", violationType: "drugs_for_daily_goods" });
    await deliver(ctx);
    const before = telegram.callsTo("sendMessage").length;
    await say(ctx, receipt, "第一条回复");
    await deliver(ctx);
    await say(ctx, receipt, "第二条回复");
    await deliver(ctx);
    const texts = telegram.callsTo("sendMessage").slice(before).map((m) => String(m.body.text));
    expect(texts.filter((t) => t.includes("第一条回复"))).toHaveLength(1);
    expect(texts.filter((t) => t.includes("第二条回复"))).toHaveLength(1);
    expect(texts.find((t) => t.includes("第二条回复"))).not.toContain("第一条回复");
  });
});

describe("quotas per report and per client", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await setup({ MESSAGES_PER_REPORT_PER_HOUR: "3", MESSAGES_PER_CLIENT_PER_HOUR: "5", EVIDENCE_UPLOADS_PER_REPORT_PER_DAY: "2", EVIDENCE_UPLOADS_PER_CLIENT_PER_HOUR: "3" });
  });
  afterAll(() => h.close());

  const rows = async () => ({
    messages: (await ctx.db.select({ n: count() }).from(reportMessages))[0]!.n,
    attachments: (await ctx.db.select({ n: count() }).from(reportAttachments))[0]!.n,
    outbox: (await ctx.db.select({ n: count() }).from(outbox))[0]!.n,
    events: (await ctx.db.select({ n: count() }).from(events))[0]!.n,
  });

  it("refuses the message over a report's hourly quota with 429 and Retry-After, storing nothing, and allows it again next hour", async () => {
    const { receipt } = await tip(ctx, { targetName: "额度医院" });
    for (let i = 0; i < 3; i++) expect((await say(ctx, receipt, `消息${i}`, "198.51.100.1")).status).toBe(201);
    const before = await rows();
    const over = await say(ctx, receipt, "第四条", "198.51.100.2");
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await over.json()) as any).error.message).toContain("短时间内");
    expect(await rows()).toEqual(before);
    ctx.setNow(new Date(ctx.deps.now().getTime() + 3_600_000));
    expect((await say(ctx, receipt, "一小时后", "198.51.100.2")).status).toBe(201);
  });

  it("limits one client across several receipts", async () => {
    const client = "192.0.2.55";
    const receipts = [];
    for (let i = 0; i < 3; i++) receipts.push((await tip(ctx, { targetName: `客户医院${i}` }, `192.0.2.${100 + i}`)).receipt);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await say(ctx, receipts[i % 3]!, `来自同一客户端${i}`, client)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
  });

  it("limits evidence uploads per report", async () => {
    const { receipt } = await tip(ctx, { targetName: "证据额度医院" }, "192.0.2.200");
    const upload = (client: string) => ctx.app.request("/api/v1/reports/attachments", { method: "POST", headers: { "x-test-client": client }, body: multipart({ receipt }, [{ name: "a.png", bytes: PNG_BYTES }]) });
    expect((await upload("192.0.2.201")).status).toBe(201);
    expect((await upload("192.0.2.202")).status).toBe(201);
    const before = await rows();
    expect((await upload("192.0.2.203")).status).toBe(429);
    expect(await rows()).toEqual(before);
  });

  it("says so on the status page when a reply is over the quota, and keeps the page usable", async () => {
    const { receipt } = await tip(ctx, { targetName: "页面额度医院" }, "192.0.2.210");
    const browser = createPageClient(ctx.app);
    let page = await browser.post("/status?lang=en", new URLSearchParams({ receipt }), { "x-test-client": "192.0.2.211" });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await browser.post("/status/reply?lang=en", multipart({ _once: formToken(page.html, "reply-form"), body: `page reply ${i}` }), { "x-test-client": `192.0.2.${220 + i}` });
      statuses.push(res.status);
      page = res.status === 200 ? res : await browser.get("/status/view?lang=en");
      if (res.status === 429) expect(res.html).toContain("You have sent many messages about this report in a short time");
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
