// The statistics page over the known history (test/support/statistics-history.ts, figures computed by
// hand in EXPECTED): the page shows those figures, its charts draw them (leads per month by source,
// campaign compliance per deliverable), the campaign is offered by name and narrows the view.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { members } from "../../src/db/schema";
import { formatMoney } from "../../src/core/money";
import { createTestContext, type TestContext } from "../support/context";
import { EXPECTED, seedStatisticsHistory, type StatisticsHistory } from "../support/statistics-history";
import { signInAs, type StaffBrowser } from "../support/staff-session";

let ctx: TestContext;
let history: StatisticsHistory;
let coordinator: StaffBrowser;

function figure(html: string, key: string): string {
  const m = new RegExp(`<tr data-figure="${key.replace(/\./g, "\\.")}"><th scope="row">[^<]*</th><td class="num">([^<]*)</td>`).exec(html);
  if (!m) throw new Error(`no figure ${key}`);
  return m[1]!;
}
const chart = (html: string, id: string) => {
  const start = html.indexOf(`data-chart="${id}"`);
  return html.slice(start, html.indexOf("</svg>", start));
};
const values = (svg: string, series: number) => [...svg.matchAll(new RegExp(`data-series="${series}" data-value="(\\d+)"`, "g"))].map((m) => Number(m[1]));

beforeAll(async () => {
  ctx = await createTestContext();
  history = await seedStatisticsHistory(ctx);
  coordinator = await signInAs(ctx, (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!.id);
}, 120_000);
afterAll(async () => ctx?.close());

describe("the statistics page over the known history", () => {
  it("shows the hand-computed figures of November and December and draws them", async () => {
    const page = await coordinator.get("/staff/statistics?from=2026-11-01&to=2026-12-31");
    expect(page.status).toBe(200);
    const e = EXPECTED.both;
    expect(figure(page.html, "leads.received")).toBe(String(e.leads.received));
    expect(figure(page.html, "leads.bySource.batch")).toBe(String(e.leads.bySource.batch));
    expect(figure(page.html, "leads.declined")).toBe(String(e.leads.declined));
    expect(figure(page.html, "leads.overdueNow")).toBe(String(e.leads.overdueNow));
    expect(figure(page.html, "amounts.verifiedFen")).toBe(formatMoney(e.amounts.verifiedFen, "zh-CN"));
    expect(figure(page.html, "rewards.paidFen")).toBe(formatMoney(e.rewards.paidFen, "zh-CN"));
    expect(figure(page.html, "timeliness.acknowledgedInTime")).toBe("55.6%"); // 5 / 9
    expect(figure(page.html, "timeliness.closedInTime")).toBe("87.5%"); // 7 / 8

    // Leads per month by source: November tips L1 L2 L3, batch L5 L6, hotline L4; December one of each.
    const monthly = chart(page.html, "chart-monthly");
    expect(values(monthly, 0)).toEqual([3, 1]);
    expect(values(monthly, 1)).toEqual([2, 1]);
    expect(values(monthly, 2)).toEqual([1, 1]);
    // Outcomes: substantiated 2, partly 1, unsubstantiated 1, referred to the police 1.
    expect(values(chart(page.html, "chart-outcomes"), 0)).toEqual([2, 1, 1, 1]); // zero bars are not drawn (their 0 is written as text)
    // Campaign compliance: one row per deliverable, on time / late / missing stacked.
    const compliance = chart(page.html, "chart-compliance");
    expect(compliance).not.toContain('data-empty="true"');
    const [d1, d2] = e.campaigns[0]!.deliverables;
    expect(compliance).toContain(`data-row="${d1!.name}"`); // one campaign: the deliverable's name alone
    expect(values(compliance, 0)).toEqual([d1!.onTime, d2!.onTime]);
    expect(values(compliance, 1)).toEqual([d1!.late]); // D2 has none late: no segment drawn
    expect(values(compliance, 2)).toEqual([d1!.missing, d2!.missing]);
    const table = page.html.slice(page.html.indexOf('data-testid="campaign-figures"'));
    expect(table).toContain("已发提醒 5 次，已确认 2 次");
    // The campaign is offered by name; choosing it names it in the scope.
    expect(page.html).toContain(`<option value="${history.campaignId}">2026年医保基金使用专项检查</option>`);
    const one = await coordinator.get(`/staff/statistics?from=2026-11-01&to=2026-12-31&campaign=${history.campaignId}`);
    expect(one.status).toBe(200);
    expect(one.html.slice(one.html.indexOf('data-testid="statistics-scope"'))).toContain("<dd>2026年医保基金使用专项检查</dd>");
    expect(one.html).toContain(`campaign=${history.campaignId}" data-testid="export-xlsx"`);
  });
});
