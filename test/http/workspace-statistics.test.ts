// The workspace statistics page (/staff/statistics) over a history made through the real use cases (tips
// through the public API, a conclusion through the lead command): figures and charts in zh-CN and en;
// filters that round-trip in the URL and into the export links; bad filters answered 400 in words; an
// inspector held to their own team; members with no team refused; exports under our file names, each
// logged; no session, no page.
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { events, leadReports, leads, members, teams } from "../../src/db/schema";
import { monthPeriod } from "../../src/core/statistics/periods";
import { runLeadCommand } from "../../src/services/leads/commands";
import { findMember } from "../../src/services/org/member-lookups";
import { statisticsPageQuery } from "../../src/services/statistics/page-link";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";
import { CHENGDU, importExampleOrg } from "../support/round-trips";
import { signInAs } from "../support/staff-session";

const MIANYANG = { provinceCode: "510000", cityCode: "510700", districtCode: "510703" };

let ctx: TestContext;
let seeded: { october: string; november: string; mianyang: string };

const memberId = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!.id;
const teamId = async (name: string) => (await ctx.db.query.teams.findFirst({ where: eq(teams.name, name) }))!.id;
const decode = (s: string) => s.replace(/&amp;/g, "&");
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&nbsp;|\u00a0/g, " ").replace(/\s+/g, " ");
/** The value cell of one figure row of the table. */
function figure(html: string, key: string): string {
  const m = new RegExp(`<tr data-figure="${key.replace(/\./g, "\\.")}"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>`).exec(html);
  if (!m) throw new Error(`no figure ${key}`);
  return m[1]!.replace(/\u00a0/g, " ");
}
const exportLinks = (html: string) => [...html.matchAll(/data-testid="export-[a-z]+"|href="(\/staff\/statistics[^"]*)" data-testid/g)].flatMap((m) => (m[1] ? [decode(m[1])] : []));

async function fileTip(region: typeof CHENGDU, targetName: string): Promise<string> {
  const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region, targetName })));
  expect(res.status).toBe(201);
  const { reportId } = (await res.json()) as { reportId: string };
  return (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
}

async function command(leadId: string, memberName: string, cmd: Parameters<typeof runLeadCommand>[1]["command"]) {
  const member = (await findMember(ctx.deps, await memberId(memberName)))!;
  const result = await runLeadCommand(ctx.deps, { leadId, command: cmd, actor: { member, platform: "web" }, dedupeKey: `test:${leadId}:${cmd.type}` });
  expect(result.status).toBe("done");
}

beforeEach(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  // October: one Chengdu tip, acknowledged, accepted and concluded in November with amounts and measures.
  ctx.setNow("2026-10-12T02:00:00Z");
  const october = await fileTip(CHENGDU, "锦江某某康复医院");
  ctx.setNow("2026-10-12T03:00:00Z");
  await command(october, "陈静", { type: "acknowledge" });
  await command(october, "陈静", { type: "accept" });
  // November: another Chengdu tip and one in Mianyang (another team's).
  ctx.setNow("2026-11-10T02:00:00Z");
  const november = await fileTip(CHENGDU, "青羊某某诊所");
  const mianyang = await fileTip(MIANYANG, "Fucheng clinic");
  ctx.setNow("2026-11-12T02:00:00Z");
  await command(october, "陈静", { type: "conclude", outcome: "substantiated", amountFen: 1_200_000, recoveredFen: 800_000, fineFen: 200_000, measures: ["interview", "published"] });
  ctx.setNow("2026-11-24T02:00:00Z");
  seeded = { october, november, mianyang };
});
afterEach(async () => ctx.close());

describe("the statistics page", () => {
  it("shows the figures of the period, the charts and the tables, in Chinese and in English, with names and never ids", async () => {
    const teamOf = (await ctx.db.query.leads.findFirst({ where: eq(leads.id, seeded.october) }))!.teamId!;
    const b = await signInAs(ctx, await memberId("陈静"));
    const page = await b.get("/staff/statistics?period=2026-Q4");
    expect(page.status).toBe(200);
    expect(page.html).toContain('aria-current="page">统计</a>');
    expect(figure(page.html, "leads.received")).toBe("3");
    expect(figure(page.html, "leads.bySource.tip")).toBe("3");
    expect(figure(page.html, "leads.acknowledged")).toBe("1");
    expect(figure(page.html, "leads.concluded")).toBe("1");
    expect(figure(page.html, "leads.byOutcome.substantiated")).toBe("1");
    expect(figure(page.html, "amounts.verifiedFen")).toBe("12,000.00 元");
    expect(figure(page.html, "amounts.recoveredFen")).toBe("8,000.00 元");
    expect(figure(page.html, "amounts.finesFen")).toBe("2,000.00 元");
    expect(figure(page.html, "measures.interview")).toBe("1");
    expect(figure(page.html, "measures.published")).toBe("1");
    expect(figure(page.html, "measures.rectification")).toBe("0");
    expect(figure(page.html, "timeliness.acknowledgedInTime")).toMatch(/^\d+\.\d%$/);
    // The scope in words; regions by name.
    expect(textOf(page.html)).toContain("2026-10-01 – 2026-12-31");
    expect(textOf(page.html.slice(page.html.indexOf('data-testid="by-region"')))).toContain("四川省");
    // Four server-rendered charts, accessible; the monthly one has the quarter's three months.
    const svgs = page.html.match(/<svg [^>]*role="img"[^>]*>/g) ?? [];
    expect(svgs).toHaveLength(4);
    for (const id of ["chart-monthly", "chart-outcomes", "chart-timeliness", "chart-compliance"]) expect(page.html).toContain(`<title id="${id}-title">`);
    const monthly = page.html.slice(page.html.indexOf('data-chart="chart-monthly"'), page.html.indexOf("</svg>", page.html.indexOf('data-chart="chart-monthly"')));
    for (const m of ["2026-10", "2026-11", "2026-12"]) expect(monthly).toContain(`>${m}</text>`);
    expect(monthly).toMatch(/data-total="1">1</);
    expect(monthly).toMatch(/data-total="2">2</);
    expect(page.html).not.toContain("<script");
    // Ids of members and teams never show as text (the team select's values are ids, its labels names).
    expect(textOf(page.html)).not.toContain(teamOf);
    expect(page.html).toContain(">成都市核查一组</option>");

    const en = await b.get("/staff/statistics?period=2026-Q4&lang=en");
    expect(en.status).toBe(200);
    expect(en.html).toContain("Leads received per month, by source");
    expect(figure(en.html, "amounts.verifiedFen")).toBe("CNY 12,000.00");
    expect(en.html).toMatch(/<th scope="row">Leads received<\/th>/);
    expect(en.html).toContain("Sichuan");

    // Each view is logged as every workspace page is.
    const views = await ctx.db.select().from(events).where(eq(events.action, "staff.page_viewed"));
    expect(views.filter((e) => e.data?.includes("/staff/statistics")).length).toBe(2);
  });

  it("keeps the filters in the URL: the form shows them again and every export link carries them", async () => {
    const b = await signInAs(ctx, await memberId("陈静"));
    const page = await b.get("/staff/statistics?period=2026-11&province=510000&city=510100&source=tip");
    expect(page.status).toBe(200);
    expect(page.html).toContain('name="period" type="text" maxlength="40" value="2026-11"');
    expect(page.html).toContain('<option value="510100" selected="">');
    expect(page.html).toContain('<option value="tip" selected="">');
    // Districts of the chosen city are offered next.
    expect(page.html).toContain('name="district"');
    expect(figure(page.html, "leads.received")).toBe("1");
    const links = exportLinks(page.html);
    expect(links).toEqual([
      "/staff/statistics.xlsx?period=2026-11&region=510100&source=tip",
      "/staff/statistics.csv?period=2026-11&region=510100&source=tip",
      "/staff/statistics/ledger.csv?period=2026-11&region=510100&source=tip",
    ]);
    // The canonical link opens the same view.
    const shared = await b.get("/staff/statistics?period=2026-11&region=510100&source=tip");
    expect(figure(shared.html, "leads.received")).toBe("1");
    expect(shared.html).toContain('<option value="510100" selected="">');
    // A city left from another province (changed without JavaScript) is dropped, not an error.
    const moved = await b.get("/staff/statistics?period=2026-11&province=110000&city=510100");
    expect(moved.status).toBe(200);
    expect(exportLinks(moved.html)[0]).toBe("/staff/statistics.xlsx?period=2026-11&region=110000");
    // The link chat answers and the digest carry (services/statistics/page-link.ts) opens the same view.
    const fromChat = statisticsPageQuery({ period: monthPeriod(2026, 11), regionCode: "510100", source: "tip" });
    const chatPage = await b.get(`/staff/statistics?${fromChat}`);
    expect(chatPage.status).toBe(200);
    expect(figure(chatPage.html, "leads.received")).toBe("1");
    expect(exportLinks(chatPage.html)[0]).toBe(`/staff/statistics.xlsx?${fromChat}`);
    // A date range.
    const range = await b.get("/staff/statistics?from=2026-10-01&to=2026-10-31");
    expect(range.status).toBe(200);
    expect(figure(range.html, "leads.received")).toBe("1");
    expect(range.html).toContain('name="from" type="date" value="2026-10-01"');
    expect(exportLinks(range.html)[1]).toBe("/staff/statistics.csv?from=2026-10-01&to=2026-10-31");
  });

  it("answers filters it cannot read with 400 and words naming them, and computes nothing", async () => {
    const b = await signInAs(ctx, await memberId("陈静"));
    const cases: [string, RegExp][] = [
      ["period=2026-13", /统计期间：该日期不存在/],
      ["period=soon", /统计期间：/],
      ["from=2026-10-01", /需要同时填写起始日期和截止日期/],
      ["from=2026-11-01&to=2026-10-01", /截止日期：/],
      ["from=2020-01-01&to=2026-01-01", /截止日期：/],
      ["region=999999", /地区：不是有效的选项/],
      ["region=51", /地区：不是有效的选项/],
      ["source=fax", /线索来源：不是有效的选项/],
      ["team=team_nobody", /小组：不是有效的选项/],
      ["team=%3Cscript%3E", /小组：不是有效的选项/],
      ["period=%3Cscript%3Ealert(1)%3C%2Fscript%3E", /统计期间：/],
    ];
    for (const [query, words] of cases) {
      const page = await b.get(`/staff/statistics?${query}`);
      expect(page.status, query).toBe(400);
      expect(page.html, query).toContain('data-testid="filter-invalid"');
      expect(textOf(page.html), query).toMatch(words);
      expect(page.html, query).toContain('data-testid="statistics-filters"');
      expect(page.html, query).not.toContain('data-testid="statistics-figures"');
      expect(page.html).not.toContain("<script>");
      if (query.startsWith("period=%3C")) expect(page.html).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
      else if (query.startsWith("period=")) expect(page.html, query).toContain(`name="period" type="text" maxlength="40" value="${query.slice(7)}"`);
      const file = await b.get(`/staff/statistics.csv?${query}`);
      expect(file.status, query).toBe(400);
    }
    expect(await ctx.db.select().from(events).where(eq(events.action, "statistics.exported"))).toHaveLength(0);
  });

  it("holds an inspector to their own team's figures and says so; refuses members with no team", async () => {
    const b = await signInAs(ctx, await memberId("张明"));
    const mianyangTeam = await teamId("Mianyang inspection team");
    const own = await teamId("成都市核查一组");
    const page = await b.get(`/staff/statistics?period=2026-Q4&team=${mianyangTeam}`);
    expect(page.status).toBe(200);
    expect(textOf(page.html)).toContain("以下数据仅限你所在的小组：成都市核查一组");
    expect(page.html).not.toContain('name="team"');
    expect(figure(page.html, "leads.received")).toBe("2");
    for (const link of exportLinks(page.html)) expect(link).toContain(`team=${own}`);
    const csv = await ctx.app.request(`/staff/statistics/ledger.csv?period=2026-Q4&team=${mianyangTeam}`, { headers: { cookie: b.cookie } });
    expect(csv.status).toBe(200);
    const body = await csv.text();
    expect(body).toContain(seeded.november);
    expect(body).not.toContain(seeded.mianyang);
    const logged = (await ctx.db.select().from(events).where(eq(events.action, "statistics.exported")))[0]!;
    expect(JSON.parse(logged.data!)).toMatchObject({ format: "ledger_csv", rows: 2, view: "team", scope: { teamId: own } });

    for (const name of ["刘洋", "周敏"]) {
      const refused = await signInAs(ctx, await memberId(name));
      const r = await refused.get("/staff/statistics");
      expect(r.status, name).toBe(403);
      expect(r.html).toContain('data-testid="refusal"');
      expect(textOf(r.html)).toContain("统计仅向协调人及各小组工作人员开放");
      expect(textOf(r.html)).toContain("陈静");
      // Finance sees the section in the navigation (and is told why not); a unit's contact does not see it at all.
      if (name === "刘洋") expect(r.html).toContain('href="/staff/statistics" aria-current="page"');
      else expect(r.html).not.toContain('href="/staff/statistics"');
      expect(r.html).toContain('<a href="/staff">返回概览</a>');
      expect((await refused.get("/staff/statistics.xlsx")).status).toBe(403);
    }
  });

  it("serves the exports under the name we choose, with their types, and logs each", async () => {
    const b = await signInAs(ctx, await memberId("陈静"));
    const get = (path: string) => ctx.app.request(path, { headers: { cookie: b.cookie } });
    const xlsx = await get("/staff/statistics.xlsx?period=2026-Q4");
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(xlsx.headers.get("content-disposition")).toContain('filename="statistics_2026-10-01_2026-12-31.xlsx"');
    expect(xlsx.headers.get("content-disposition")).toContain(`filename*=UTF-8''${encodeURIComponent("统计")}`);
    const bytes = new Uint8Array(await xlsx.arrayBuffer());
    expect(String.fromCharCode(bytes[0]!, bytes[1]!)).toBe("PK");

    const csv = await get("/staff/statistics.csv?period=2026-Q4&lang=en");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toContain('filename="statistics_2026-10-01_2026-12-31.csv"');
    const csvBytes = new Uint8Array(await csv.arrayBuffer());
    expect([...csvBytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(csvBytes);
    expect(text).toContain("Leads received");

    const ledger = await get("/staff/statistics/ledger.csv?period=2026-11&region=510100");
    expect(ledger.status).toBe(200);
    expect(ledger.headers.get("content-disposition")).toMatch(/filename="ledger_510100_2026-11-01_2026-11-30\.csv"/);
    const ledgerText = await ledger.text();
    expect(ledgerText).toContain(seeded.november);
    expect(ledgerText).toContain(seeded.october); // concluded in November
    expect(ledgerText).not.toContain(seeded.mianyang);

    const logged = await ctx.db.select().from(events).where(and(eq(events.action, "statistics.exported"), eq(events.entityType, "statistics")));
    expect(logged.map((e) => JSON.parse(e.data!).format)).toEqual(["xlsx", "csv", "ledger_csv"]);
    expect(logged[0]).toMatchObject({ actorId: await memberId("陈静"), platform: "web", entityId: "2026-10-01..2026-12-31" });
    expect(JSON.parse(logged[2]!.data!)).toMatchObject({ rows: 2, view: "all", scope: { regionCode: "510100", from: "2026-11-01", to: "2026-11-30" } });
    // A lookalike path is no route.
    expect((await get("/staff/statisticsxcsv")).status).toBe(404);

    // More ledger rows than one download may hold (a Worker sets 10,000): refused in words, not a file that
    // silently lacks leads; nothing logged as exported.
    const config = ctx.deps.config as { STATISTICS_EXPORT_MAX_ROWS: number };
    const limit = config.STATISTICS_EXPORT_MAX_ROWS;
    config.STATISTICS_EXPORT_MAX_ROWS = 1;
    try {
      for (const path of ["/staff/statistics/ledger.csv?period=2026-11&region=510100", "/staff/statistics.xlsx?period=2026-11&region=510100"]) {
        const refused = await get(path);
        expect(refused.status).toBe(422);
        expect(refused.headers.get("content-disposition")).toBeNull();
        expect(await refused.text()).toContain("超过 1 条");
      }
    } finally {
      config.STATISTICS_EXPORT_MAX_ROWS = limit;
    }
    expect(await ctx.db.select().from(events).where(and(eq(events.action, "statistics.exported"), eq(events.entityType, "statistics")))).toHaveLength(3);
  });

  it("sends a visitor without a session to the sign-in help, as every workspace page does", async () => {
    for (const path of ["/staff/statistics", "/staff/statistics.xlsx?period=2026-Q4", "/staff/statistics/ledger.csv"]) {
      const res = await ctx.app.request(path);
      expect(res.status, path).toBe(401);
      const html = await res.text();
      expect(html).toContain('data-testid="sign-in-help"');
      expect(html).not.toContain("statistics-figures");
    }
    expect(await ctx.db.select().from(events).where(eq(events.action, "statistics.exported"))).toHaveLength(0);
  });
});
