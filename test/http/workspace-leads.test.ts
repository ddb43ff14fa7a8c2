// Leads in the staff workspace over the real app, the real outbox and fake chat servers: the list shows
// each member only what they may handle, filtered and paged by keyset; the lead page keeps the case
// page's need-to-know and offers every step the chat offers, through the same use cases — the card in
// the team's chat is edited, one event is written (platform web, the session as reference), a form
// sent twice takes effect once, and refusals are said in words.
import { and, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leads, staffSessions } from "../../src/db/schema";
import { createChatHarness, type ChatHarness } from "../support/chat-harness";
import { jsonPost } from "../support/fixtures";
import { seedListLeads } from "../support/lead-list-seed";
import { signInAs, type StaffBrowser } from "../support/staff-session";

const CHENGDU_CHAT = "-1001000000001";
let h: ChatHarness;
let ctx: ChatHarness["ctx"];
const browsers: Record<string, StaffBrowser> = {};
const as = async (name: string) => (browsers[name] ??= await signInAs(ctx, h.memberIds[name]!));
const sessionOf = async (name: string) =>
  (await ctx.db.select().from(staffSessions).where(eq(staffSessions.memberId, h.memberIds[name]!)).orderBy(desc(staffSessions.createdAt)))[0]!.id;
const decode = (s: string) => s.replace(/&amp;/g, "&");
const leadIdsOf = (html: string) => [...html.matchAll(/<tr data-lead="([^"]+)"/g)].map((m) => m[1]!);
const nextOf = (html: string) => {
  const m = /href="([^"]+)" rel="next"/.exec(html);
  return m ? decode(m[1]!) : null;
};
/** The fields of the lead page's form for `action` (its hidden key included), as a browser would send them. */
function formOf(html: string, action: string): Record<string, string> {
  const m = new RegExp(`data-action="${action}">[\\s\\S]*?name="key" value="([^"]+)"`).exec(html);
  if (!m) throw new Error(`no ${action} form on the page`);
  return { action, key: m[1]! };
}
const leadEvents = (leadId: string, action: string) => ctx.db.select().from(events).where(and(eq(events.entityId, leadId), eq(events.action, action)));
const stateOf = async (leadId: string) => (await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))!.state;

/** Files a tip in Chengdu and returns its lead (assigned to 张明 by the example routing) and receipt. */
async function tipInChengdu(targetName: string, extra: Record<string, unknown> = {}) {
  const before = new Set((await ctx.db.select({ id: leads.id }).from(leads)).map((l) => l.id));
  const tip = await h.submitTip({ region: { districtCode: "510104" }, targetName, description: "康复科长期挂床，病人白天回家，仍每天记账理疗项目。", ...extra });
  await h.deliver({ rounds: 10 });
  const lead = (await ctx.db.select().from(leads)).find((l) => !before.has(l.id) || l.targetName === targetName)!;
  return { leadId: lead.id, receipt: tip.receipt };
}

let main: { leadId: string; receipt: string };

beforeAll(async () => {
  h = await createChatHarness();
  ctx = h.ctx;
  await h.enrolTelegram("张明", 5001);
  await h.enrolTelegram("李娜", 5002);
  main = await tipInChengdu("锦江某某康复医院", {
    description: "我叫周杰，电话13912345678。康复科长期挂床，病人白天回家，仍每天记账理疗项目。",
    anonymous: false,
    reporter: { name: "周杰", phone: "13912345678", idNumber: "11010519491231002X" },
  });
}, 60_000);
afterAll(() => h?.close());

describe("the lead page's need-to-know", () => {
  it("shows the assignee their lead, scrubbed, with the tip numbered and no identity", async () => {
    const page = await (await as("张明")).get(`/staff/leads/${main.leadId}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain("锦江某某康复医院");
    expect(page.html).toContain("康复科长期挂床");
    for (const secret of ["周杰", "13912345678"]) expect(page.html).not.toContain(secret);
    expect(page.html).toContain("举报 #1");
    expect(page.html).toContain('data-testid="lead-timeline"');
    // An inspector is offered no reveal.
    expect(page.html).not.toContain("/identity/");
    const viewed = await leadEvents(main.leadId, "lead.case_viewed");
    expect(viewed.at(-1)).toMatchObject({ platform: "web", platformRef: await sessionOf("张明") });
  });

  it("answers 404 to an inspector of another team, by GET and by POST, and changes nothing", async () => {
    for (const name of ["王强", "Tom Lee"]) {
      const b = await as(name);
      const page = await b.get(`/staff/leads/${main.leadId}`);
      expect(page.status, name).toBe(404);
      expect(page.html).not.toContain("锦江某某康复医院");
      const post = await b.post(`/staff/leads/${main.leadId}/actions`, { action: "acknowledge", key: "AAAAAAAAAAAAAAAAAAAAAA" });
      expect(post.status, name).toBe(404);
    }
    expect(await stateOf(main.leadId)).toBe("new");
    expect(await leadEvents(main.leadId, "lead.acknowledge")).toHaveLength(0);
    const refused = await leadEvents(main.leadId, "lead.refused");
    expect(refused.map((e) => e.actorId)).toEqual(expect.arrayContaining([h.memberIds["王强"], h.memberIds["Tom Lee"]]));
    // An unknown lead reads the same.
    expect((await (await as("王强")).get("/staff/leads/lead_DOESNOTEXIST")).status).toBe(404);
  });

  it("shows a coordinator the reveal form, and the reveal is logged with the session", async () => {
    const b = await as("陈静");
    const page = await b.get(`/staff/leads/${main.leadId}`);
    expect(page.status).toBe(200);
    const action = /action="(\/staff\/leads\/[^"]+\/identity\/[^"]+)"/.exec(page.html)![1]!;
    const revealed = await b.post(decode(action), { reason: "核实举报人身份" });
    expect(revealed.status).toBe(200);
    expect(revealed.html).toContain('data-testid="identity"');
    expect(revealed.html).toContain("周杰");
    const logged = (await ctx.db.select().from(events).where(eq(events.action, "report.identity_viewed"))).at(-1)!;
    expect(logged).toMatchObject({ actorId: h.memberIds["陈静"], platform: "web", platformRef: await sessionOf("陈静") });
  });
});

describe("steps from the lead page", () => {
  it("acknowledges: the chat card is edited, one event with platform web is written, and a second send of the form takes effect once", async () => {
    const b = await as("张明");
    const page = await b.get(`/staff/leads/${main.leadId}`);
    const form = formOf(page.html, "acknowledge");
    const edits = h.telegram.callsTo("editMessageText").length;
    const first = await b.post(`/staff/leads/${main.leadId}/actions`, form);
    expect(first.hops[0]).toBe(303);
    expect(first.html).toContain("已确认收到");
    const again = await b.post(`/staff/leads/${main.leadId}/actions`, form);
    expect(again.html).toContain("该表单已提交过，只生效一次");
    await h.deliver({ rounds: 10 });
    const acks = await leadEvents(main.leadId, "lead.acknowledge");
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ actorId: h.memberIds["张明"], platform: "web", platformRef: await sessionOf("张明"), fromState: "new", toState: "acknowledged" });
    const newEdits = h.telegram.callsTo("editMessageText").slice(edits);
    expect(newEdits).toHaveLength(1);
    expect(String(newEdits[0]!.body.chat_id)).toBe(CHENGDU_CHAT);
    expect(newEdits[0]!.body.text).toContain("已确认");
  });

  it("refuses in words what the role or the state does not allow, and changes nothing", async () => {
    const b = await as("张明");
    const page = await b.get(`/staff/leads/${main.leadId}`);
    // An inspector is not offered reassigning; posted anyway, it is refused in words.
    expect(page.html).not.toContain('data-action="reassign"');
    const refused = await b.post(`/staff/leads/${main.leadId}/actions`, { action: "reassign", key: "reassign-attempt-0001", to: h.memberIds["李娜"]! });
    expect(refused.html).toContain("只有该线索所在小组的组长或协调员可以改派");
    const early = await b.post(`/staff/leads/${main.leadId}/actions`, { action: "investigate", key: "investigate-too-early1" });
    expect(early.html).toContain("线索当前状态下不能执行该操作");
    const garbage = await b.post(`/staff/leads/${main.leadId}/actions`, { action: "conclude", key: "x", outcome: "made_up" });
    expect(garbage.status).toBe(200);
    expect(garbage.html).toContain("表单无法识别，未做任何更改");
    expect(await stateOf(main.leadId)).toBe("acknowledged");
  });

  it("accepts, investigates, asks the tipster and concludes with an amount, each once and each shown", async () => {
    const b = await as("张明");
    const path = `/staff/leads/${main.leadId}`;
    let page = await b.post(`${path}/actions`, formOf((await b.get(path)).html, "accept"));
    expect(page.html).toContain("已受理");
    page = await b.post(`${path}/actions`, formOf(page.html, "investigate"));
    expect(page.html).toContain("已开始核查");
    page = await b.post(`${path}/actions`, { ...formOf(page.html, "ask"), tip: "1", question: "请问挂床大约从哪个月开始？" });
    expect(page.html).toContain("问题已发送给举报 #1 的举报人");
    expect(page.html).toContain("核查人员致举报人 #1");
    const status = (await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt: main.receipt }))).json()) as { messages: { body: string }[] };
    expect(status.messages.map((m) => m.body)).toContain("请问挂床大约从哪个月开始？");
    const noAmount = await b.post(`${path}/actions`, { ...formOf(page.html, "conclude"), outcome: "substantiated", amount: "" });
    expect(noAmount.html).toContain("请填写查实金额");
    const badAmount = await b.post(`${path}/actions`, { ...formOf(page.html, "conclude"), outcome: "substantiated", amount: "1e9" });
    expect(badAmount.html).toContain("金额格式不正确");
    page = await b.post(`${path}/actions`, { ...formOf(noAmount.html, "conclude"), outcome: "substantiated", amount: "1.2万" });
    expect(page.html).toContain("已办结");
    expect(page.html).toContain('data-testid="lead-outcome">举报属实');
    expect(page.html).toContain("12,000.00 元");
    for (const action of ["lead.accept", "lead.investigate", "lead.tipster_asked", "lead.conclude"]) {
      const rows = await leadEvents(main.leadId, action);
      expect(rows, action).toHaveLength(1);
      expect(rows[0]!.platform).toBe("web");
    }
    // The history names the member and where each step came from.
    expect(page.html).toMatch(/张明 · 核查人员: 确认收到 <span class="hint">经工作台/);
    expect(page.html).toMatch(/举报人 #1: 提交举报 <span class="hint">经接口/);
    expect(page.html).toContain('data-testid="no-actions"');
  });

  it("declines with a reason, refers, and lets a team lead reassign; a coordinator moves a lead to another team's chat", async () => {
    const declined = await tipInChengdu("青羊某某诊所");
    const b = await as("张明");
    let page = await b.post(`/staff/leads/${declined.leadId}/actions`, { ...formOf((await b.get(`/staff/leads/${declined.leadId}`)).html, "decline"), reason: " " });
    expect(page.html).toContain("请填写理由");
    page = await b.post(`/staff/leads/${declined.leadId}/actions`, { ...formOf(page.html, "decline"), reason: "不属于医保基金监管范围" });
    expect(page.html).toContain("已不予受理");
    expect(await stateOf(declined.leadId)).toBe("not_accepted");
    expect(page.html).toContain("不属于医保基金监管范围");

    const referred = await tipInChengdu("武侯某某药房");
    const lead = `/staff/leads/${referred.leadId}`;
    page = await b.post(`${lead}/actions`, formOf((await b.get(lead)).html, "accept"));
    page = await b.post(`${lead}/actions`, { ...formOf(page.html, "refer"), to: "referred_police" });
    expect(page.html).toContain("已移送");
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, referred.leadId) }))!.outcome).toBe("referred_police");

    const moved = await tipInChengdu("金牛某某医院");
    const lead2 = `/staff/leads/${moved.leadId}`;
    const li = await as("李娜");
    page = await li.get(lead2);
    expect(page.html).toContain('data-action="reassign"');
    page = await li.post(`${lead2}/actions`, { ...formOf(page.html, "reassign"), to: h.memberIds["李娜"]! });
    expect(page.html).toContain("已改派");
    expect(page.html).toContain('data-testid="lead-assignee">李娜');
    const coordinator = await as("陈静");
    page = await coordinator.post(`${lead2}/actions`, { ...formOf((await coordinator.get(lead2)).html, "reassign"), to: h.memberIds["王强"]! });
    expect(page.html).toContain("已改派");
    const sends = h.telegram.callsTo("sendMessage").length;
    await h.deliver({ rounds: 10 });
    const posted = h.telegram.callsTo("sendMessage").slice(sends).map((c) => String(c.body.chat_id));
    expect(posted).toContain("-1001000000002");
    const reassigned = await leadEvents(moved.leadId, "lead.reassigned");
    expect(reassigned.map((e) => e.platform)).toEqual(["web", "web"]);
    // The team lead no longer sees the lead that left her team.
    expect((await li.get(lead2)).status).toBe(404);
  });
});

describe("the lead list", () => {
  let seededBy: Record<string, number>;
  beforeAll(async () => {
    await seedListLeads(ctx.client, { count: 260, newest: ctx.deps.now().getTime() - 3_600_000, now: ctx.deps.now().getTime(), prefix: "wl" });
    const rows = await ctx.db.all<{ a: string; n: number }>(sql`SELECT assignee_id AS a, count(*) AS n FROM leads GROUP BY assignee_id`);
    seededBy = Object.fromEntries(rows.map((r) => [r.a, Number(r.n)]));
  });

  it("pages a coordinator through every lead by keyset, 100 a page, newest first, none twice", async () => {
    const b = await as("陈静");
    const seen: string[] = [];
    let url: string | null = "/staff/leads";
    let pages = 0;
    while (url) {
      const page = await b.get(url);
      expect(page.status).toBe(200);
      const ids = leadIdsOf(page.html);
      expect(ids.length).toBeLessThanOrEqual(100);
      seen.push(...ids);
      url = nextOf(page.html);
      pages++;
      if (url) expect(ids).toHaveLength(100);
    }
    const all = (await ctx.db.all<{ id: string }>(sql`SELECT id FROM leads ORDER BY received_at DESC, id DESC`)).map((r) => r.id);
    expect(all.length).toBeGreaterThan(260);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 100));
  });

  it("filters by state, source, team, assignee, region, type, overdue and received period, as the database has them", async () => {
    const b = await as("陈静");
    // The team with the most investigating tips, so every combined filter below has rows to compare
    // (a team picked by an unordered lookup sometimes had none: the test then failed by chance).
    const team = (await ctx.db.all<{ teamId: string }>(sql`SELECT team_id AS teamId FROM leads WHERE state = 'investigating' AND source = 'tip' AND team_id IS NOT NULL GROUP BY team_id ORDER BY count(*) DESC, team_id LIMIT 1`))[0]!.teamId;
    const now = ctx.deps.now().getTime();
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`) - 8 * 3_600_000;
    const cases: [string, ReturnType<typeof sql>][] = [
      ["state=new", sql`state = 'new'`],
      ["state=open", sql`state IN ('new','acknowledged','accepted','investigating')`],
      ["source=hotline", sql`source = 'hotline'`],
      [`team=${team}`, sql`team_id = ${team}`],
      [`assignee=${h.memberIds["王强"]}&state=open`, sql`assignee_id = ${h.memberIds["王强"]!} AND state IN ('new','acknowledged','accepted','investigating')`],
      [`team=${team}&state=investigating&source=tip`, sql`team_id = ${team} AND state = 'investigating' AND source = 'tip'`],
      ["region=510100", sql`substr(region_code, 1, 4) = '5101'`],
      ["region=510703&type=over_treatment", sql`region_code = '510703' AND violation_type = 'over_treatment'`],
      [
        "overdue=1",
        sql`state IN ('new','acknowledged','accepted','investigating') AND ((state = 'new' AND ack_by < ${now}) OR (state IN ('new','acknowledged') AND accept_by < ${now}) OR finish_by < ${now})`,
      ],
      ["from=2026-11-24&to=2026-11-24", sql`received_at >= ${day("2026-11-24")} AND received_at < ${day("2026-11-25")}`],
    ];
    for (const [q, where] of cases) {
      const page = await b.get(`/staff/leads?${q}`);
      expect(page.status, q).toBe(200);
      const expected = (await ctx.db.all<{ id: string }>(sql`SELECT id FROM leads WHERE ${where} ORDER BY received_at DESC, id DESC LIMIT 100`)).map((r) => r.id);
      expect(expected.length, q).toBeGreaterThan(0);
      expect(leadIdsOf(page.html), q).toEqual(expected);
    }
  });

  it("shows an inspector only their own leads and a team lead only their team's; finance none", async () => {
    const zhang = leadIdsOf((await (await as("张明")).get("/staff/leads")).html);
    expect(zhang.length).toBe(Math.min(100, seededBy[h.memberIds["张明"]!]!));
    for (const id of zhang) expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, id) }))!.assigneeId).toBe(h.memberIds["张明"]);
    const liPage = await (await as("李娜")).get("/staff/leads?state=open");
    const team = (await ctx.db.query.leads.findFirst({ where: eq(leads.assigneeId, h.memberIds["李娜"]!) }))!.teamId;
    for (const id of leadIdsOf(liPage.html)) expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, id) }))!.teamId).toBe(team);
    // Filters outside the scope do not widen it: an inspector's assignee filter is ignored.
    const widened = leadIdsOf((await (await as("张明")).get(`/staff/leads?assignee=${h.memberIds["王强"]}`)).html);
    expect(widened).toEqual(zhang);
    const finance = await (await as("刘洋")).get("/staff/leads");
    expect(finance.status).toBe(403);
    expect(finance.html).toContain("线索由核查人员、组长和协调员办理");
  });

  it("refuses filters it cannot read with a 400 that names them, and reads nothing", async () => {
    const page = await (await as("陈静")).get("/staff/leads?state=bogus&region=12&from=2026-13-45&after=1.%27--");
    expect(page.status).toBe(400);
    expect(page.html).toContain('data-testid="filter-invalid"');
    expect(page.html).toContain("状态");
    expect(page.html).toContain("地区");
  });
});

// Last: its lead would otherwise be one of those the list filters above count.
describe("concluding with what bureaus report", () => {
  it("concludes with recovered, fine and measures from the page: stored, in one event, shown; refusals change nothing", async () => {
    const lead = await tipInChengdu("武侯某某骨科医院");
    // The coordinator: whoever routing assigned it to, a coordinator may conclude it.
    const b = await as("陈静");
    const path = `/staff/leads/${lead.leadId}`;
    let page = await b.post(`${path}/actions`, formOf((await b.get(path)).html, "accept"));
    expect(page.html).toContain('name="recovered"');
    expect(page.html).toContain('name="measure_suspend_agreement"');
    expect(page.html).toContain("暂停医保结算/协议");
    // Recovered money on an unsubstantiated lead is refused in words; a bad fine too; nothing is written.
    const notAllowed = await b.post(`${path}/actions`, { ...formOf(page.html, "conclude"), outcome: "unsubstantiated", recovered: "100" });
    expect(notAllowed.html).toContain("追回金额和罚款仅适用于查实或部分属实的结果");
    const badFine = await b.post(`${path}/actions`, { ...formOf(page.html, "conclude"), outcome: "substantiated", amount: "120000", fine: "-5" });
    expect(badFine.html).toContain("金额格式不正确");
    const badMeasure = await b.post(`${path}/actions`, { ...formOf(page.html, "conclude"), outcome: "substantiated", amount: "120000", measure_interview: "yes" });
    expect(badMeasure.html).toContain("表单无法识别");
    expect(await stateOf(lead.leadId)).toBe("accepted");
    expect(await leadEvents(lead.leadId, "lead.conclude")).toHaveLength(0);

    const form = { ...formOf(badFine.html, "conclude"), outcome: "partly_substantiated", amount: "120000", recovered: "8万", fine: "20,000.50", measure_interview: "on", measure_published: "on" };
    page = await b.post(`${path}/actions`, form);
    expect(page.html).toContain("已办结");
    // Sent twice, it takes effect once.
    await b.post(`${path}/actions`, form);
    const stored = (await ctx.db.query.leads.findFirst({ where: eq(leads.id, lead.leadId) }))!;
    expect({ state: stored.state, amount: stored.substantiatedAmountFen, recovered: stored.recoveredFen, fine: stored.fineFen, measures: stored.measures }).toEqual({
      state: "concluded",
      amount: 12_000_000,
      recovered: 8_000_000,
      fine: 2_000_050,
      measures: '["interview","published"]',
    });
    const concluded = await leadEvents(lead.leadId, "lead.conclude");
    expect(concluded).toHaveLength(1);
    expect(JSON.parse(concluded[0]!.data!)).toMatchObject({ outcome: "partly_substantiated", amountFen: 12_000_000, recoveredFen: 8_000_000, fineFen: 2_000_050, measures: ["interview", "published"] });
    page = await b.get(path);
    expect(page.html).toMatch(/data-testid="lead-recovered">80,000\.00\u00a0元/);
    expect(page.html).toMatch(/data-testid="lead-fine">20,000\.50\u00a0元/);
    expect(page.html).toContain('data-testid="lead-measures">约谈、曝光');
  });
});
