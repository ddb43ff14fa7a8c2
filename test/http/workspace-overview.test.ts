// The workspace overview (/staff): a freshly filed tip shows on a coordinator's overview (all open leads)
// and its team lead's (the team's), and on its assignee's as their own — not on another team's
// inspector's; overdue counts follow the clock; a coordinator sees campaign deliverables due this week,
// late units and claims waiting.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { leadReports, leads, members } from "../../src/db/schema";
import { seedCampaign } from "../support/campaign-seed";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";
import { CHENGDU, importExampleOrg } from "../support/round-trips";
import { signInAs } from "../support/staff-session";

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
});
afterEach(async () => ctx.close());

const memberId = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!.id;

/** The section with this test id (to the next section), or "" when the page has none. */
function section(html: string, id: string): string {
  const start = html.indexOf(`data-testid="overview-${id}"`);
  if (start < 0) return "";
  return html.slice(start, html.indexOf("</section>", start));
}
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

async function fileTip(): Promise<{ leadId: string; assigneeId: string }> {
  const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都某某综合医院" })));
  expect(res.status).toBe(201);
  const { reportId } = (await res.json()) as { reportId: string };
  const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
  const lead = (await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))!;
  expect(lead.assigneeId).toBeTruthy();
  return { leadId, assigneeId: lead.assigneeId! };
}

describe("the overview", () => {
  it("shows a freshly filed tip to the coordinators and its team lead, to the assignee as theirs, and not to another team's inspector", async () => {
    await importExampleOrg(ctx.deps);
    const coordinator = await signInAs(ctx, await memberId("陈静"));
    const before = await coordinator.get("/staff");
    expect(before.status).toBe(200);
    expect(textOf(section(before.html, "all"))).toMatch(/0 open|办理中 0 条/);

    const { leadId, assigneeId } = await fileTip();
    const link = `href="/staff/leads/${leadId}"`;
    const page = await coordinator.get("/staff");
    const all = section(page.html, "all");
    expect(all).toContain(link);
    expect(textOf(all)).toMatch(/1 open|办理中 1 条/);
    expect(textOf(all)).toContain("成都某某综合医院");
    // The assignee and the team by name, never an id.
    const assignee = (await ctx.db.query.members.findFirst({ where: eq(members.id, assigneeId) }))!;
    expect(textOf(all)).toContain(assignee.displayName);
    expect(textOf(all)).toContain("成都市核查一组");
    expect(all).not.toContain(assigneeId);
    expect(page.html).toContain('data-testid="overview-claims"');
    expect(page.html).toContain('data-testid="overview-campaigns"');

    const teamLead = await signInAs(ctx, await memberId("李娜"));
    const teamPage = await teamLead.get("/staff");
    expect(section(teamPage.html, "team")).toContain(link);
    expect(section(teamPage.html, "all")).toBe("");
    expect(teamPage.html).not.toContain('data-testid="overview-campaigns"');

    const mine = await signInAs(ctx, assigneeId);
    const minePage = await mine.get("/staff");
    expect(section(minePage.html, "mine")).toContain(link);

    const other = await signInAs(ctx, await memberId(assignee.displayName === "张明" ? "王强" : "张明"));
    const otherPage = await other.get("/staff");
    expect(otherPage.status).toBe(200);
    if (assignee.displayName === "张明") {
      // 王强 works for another team: not his lead, no team or all sections.
      expect(otherPage.html).not.toContain(leadId);
      expect(section(otherPage.html, "team")).toBe("");
    }
    expect(section(otherPage.html, "mine")).not.toContain(link);
    expect(section(otherPage.html, "all")).toBe("");
    expect(otherPage.html).not.toContain('data-testid="overview-claims"');

    // Two days later (a new session: the first one lapsed) the acknowledgement (4 working hours) is overdue.
    ctx.setNow(new Date(ctx.deps.now().getTime() + 2 * 86_400_000));
    const late = section((await (await signInAs(ctx, await memberId("陈静"))).get("/staff")).html, "all");
    expect(textOf(late)).toMatch(/1 overdue|已超期 1 条/);
    expect(late).toContain('class="st-late"');
  });

  it("an inspector of another team never sees the lead, whoever it went to", async () => {
    await importExampleOrg(ctx.deps);
    const { leadId } = await fileTip();
    const page = await (await signInAs(ctx, await memberId("王强"))).get("/staff");
    expect(page.status).toBe(200);
    expect(page.html).not.toContain(leadId);
    expect(page.html).toContain('data-testid="overview-mine"');
  });

  it("gives a coordinator the campaign deliverables due this week and the late units", async () => {
    ctx.setNow("2026-12-07T02:00:00Z"); // a Monday: the statistics table (due Dec 10) is due this week
    const seeded = await seedCampaign(ctx, { units: 3 });
    const page = await (await signInAs(ctx, seeded.coordinatorId)).get("/staff?lang=en");
    expect(page.status).toBe(200);
    const campaigns = section(page.html, "campaigns");
    const due = textOf(campaigns.slice(campaigns.indexOf('data-testid="due-this-week"'), campaigns.indexOf("</ul>", campaigns.indexOf('data-testid="due-this-week"'))));
    expect(due).toContain("Statistics table");
    expect(due).toContain("3 units still owe it");
    expect(due).not.toContain("Summary");
    expect(textOf(campaigns)).toContain("Late units (3)");
    expect(textOf(campaigns)).toContain("定点医院t0");
    expect(textOf(campaigns)).toContain("Self-inspection report");
  });
});
