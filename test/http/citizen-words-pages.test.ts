// Issue 17's citizen glitches over HTTP: English pages name the province in English and count files
// properly; money is written the Chinese way in zh-CN; the case page names each tipster by the tip's
// number (never "you") and shows the outcome and the amounts.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { leadReports, members } from "../../src/db/schema";
import { caseLinkToken } from "../../src/services/chat-actions";
import { runLeadCommand } from "../../src/services/leads/leads";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, multipart, PNG_BYTES, REAL_NAME, validReport } from "../support/fixtures";
import { createPageClient } from "../support/page-client";
import { CHENGDU, importExampleOrg } from "../support/round-trips";

const NBSP = "\u00a0";
let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
});
afterEach(async () => ctx.close());

const member = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!;

async function tip(overrides: Record<string, unknown> = {}, files = 0) {
  const report = validReport({ region: CHENGDU, targetName: "成都某某骨科医院", anonymous: false, reporter: REAL_NAME, wantsReward: true, ...overrides });
  const res = await ctx.app.request("/api/v1/reports", { method: "POST", body: multipart({ report: JSON.stringify(report) }, Array.from({ length: files }, (_, i) => ({ name: `photo-${i}.png`, bytes: PNG_BYTES, type: "image/png" }))) });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { reportId: string; receipt: string };
  const link = await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, body.reportId) });
  return { ...body, leadId: link!.leadId };
}

async function conclude(leadId: string, amountFen: number) {
  const actor = { member: await member("陈静"), platform: "cli" as const };
  for (const command of [{ type: "accept" as const }, { type: "investigate" as const }, { type: "conclude" as const, outcome: "substantiated" as const, amountFen }])
    expect((await runLeadCommand(ctx.deps, { leadId, command, actor, dedupeKey: `t:${leadId}:${command.type}` })).status).toBe("done");
}

describe("citizen pages in English", () => {
  it("name the province in English, count one file as '1 file', and list provinces in English on the form", async () => {
    const t = await tip({}, 1);
    const page = createPageClient(ctx.app);
    const en = await page.post("/status?lang=en", new URLSearchParams({ receipt: t.receipt, lang: "en" }));
    expect(en.status).toBe(200);
    expect(en.html).toContain("成都某某骨科医院 · Sichuan 成都市 锦江区");
    expect(en.html).toContain("Evidence submitted: 1 file<");
    expect(en.html).not.toContain("四川省");
    expect(en.html).not.toContain("(s)");
    const zh = await page.get("/status/view?lang=zh-CN");
    expect(zh.html).toContain("成都某某骨科医院 · 四川省 成都市 锦江区");
    expect(zh.html).toContain("已提交的证据：1 个文件");

    const form = await (await ctx.app.request("/report?lang=en")).text();
    expect(form).toMatch(/<option value="510000"[^>]*>Sichuan<\/option>/);
    expect(form).toMatch(/<option value="650000"[^>]*>Xinjiang<\/option>/);
    const formZh = await (await ctx.app.request("/report?lang=zh-CN")).text();
    expect(formZh).toMatch(/<option value="510000"[^>]*>四川省<\/option>/);
  });

  it("say '2 files' after adding two files", async () => {
    const t = await tip();
    const page = createPageClient(ctx.app);
    await page.post("/status?lang=en", new URLSearchParams({ receipt: t.receipt, lang: "en" }));
    const added = await page.get("/status/view?lang=en&done=evidence&n=2");
    expect(added.html).toContain("2 files added.");
    const one = await page.get("/status/view?lang=en&done=evidence&n=1");
    expect(one.html).toContain("1 file added.");
  });
});

describe("the case page", () => {
  it("names each tipster by the tip's number, never 'you', and shows the outcome, the amounts and the reward", async () => {
    const first = await tip({ amountEstimate: 12345.67 });
    ctx.setNow("2026-11-24T03:00:00Z");
    const second = await tip({ wantsReward: false, anonymous: true, reporter: undefined, description: "同一医院骨科长期挂床，护士站有记录。" });
    expect(second.leadId).toBe(first.leadId);
    for (const [receipt, body] of [
      [first.receipt, "第一位举报人的补充说明。"],
      [second.receipt, "第二位举报人的补充说明。"],
    ] as const)
      expect((await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt, body }))).status).toBe(201);
    await conclude(first.leadId, 123_456_789);

    const coordinator = await member("陈静");
    const token = encodeURIComponent(await caseLinkToken(ctx.deps, first.leadId, coordinator.id, ctx.deps.now().getTime() + 600_000));
    const zh = await (await ctx.app.request(`/cases/${first.leadId}?t=${token}&lang=zh-CN`)).text();
    const sections = zh.split('<section class="report"').slice(1);
    expect(sections).toHaveLength(2);
    expect(sections[0]).toContain(`data-tip="1"`);
    expect(sections[0]).toContain(`举报 #1 · ${first.reportId}`);
    expect(sections[0]).toMatch(/<p class="meta">举报人（举报 #1） · <time/);
    expect(sections[0]).toContain("第一位举报人的补充说明。");
    expect(sections[1]).toMatch(/<p class="meta">举报人（举报 #2） · <time/);
    expect(sections[1]).toContain("第二位举报人的补充说明。");
    expect(zh).not.toMatch(/<p class="meta">您/);
    expect(zh).toContain('data-testid="lead-outcome">举报属实</dd>');
    expect(zh).toContain(`data-testid="amount-substantiated">1,234,567.89${NBSP}元</dd>`);
    expect(zh).toContain(`data-testid="amount-estimate">12,345.67${NBSP}元</dd>`);
    expect(sections[0]).toContain(`举报奖励：17,845.68${NBSP}元 · 可申领，尚未申领`);
    expect(sections[1]).not.toContain('data-testid="tip-reward"');
    expect(zh).not.toMatch(/\d ¥/);

    const en = await (await ctx.app.request(`/cases/${first.leadId}?t=${token}&lang=en`)).text();
    expect(en).toMatch(/<p class="meta">Tipster \(tip #2\) · <time/);
    expect(en).not.toMatch(/<p class="meta">You/);
    expect(en).toContain('data-testid="lead-outcome">Substantiated</dd>');
    expect(en).toContain(`CNY${NBSP}1,234,567.89`);
    expect(en).toContain("<dd>Sichuan 成都市 锦江区</dd>");
  });

  it("says a lead is not concluded yet and shows no amounts it does not have", async () => {
    const t = await tip({ amountEstimate: undefined });
    const token = encodeURIComponent(await caseLinkToken(ctx.deps, t.leadId, (await member("陈静")).id, ctx.deps.now().getTime() + 600_000));
    const html = await (await ctx.app.request(`/cases/${t.leadId}?t=${token}&lang=en`)).text();
    expect(html).toContain('data-testid="lead-outcome">not concluded yet</dd>');
    expect(html).not.toContain('data-testid="amount-substantiated"');
    expect(html).not.toContain('data-testid="amount-estimate"');
  });
});
