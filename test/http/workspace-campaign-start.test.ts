// /staff/campaigns/new through a signed-in browser: coordinators only (others 403, nothing started);
// the preview names every deadline already past and every unit without an enrolled contact and writes
// nothing; moved dates change the preview and the start alike; the confirm form starts exactly one
// campaign however often it is submitted and redirects to its board; a start with past deadlines sends
// one start message per unit and one notice to the coordinators, and no reminder.
import { count, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignments, campaigns, deliverables, members, outbox } from "../../src/db/schema";
import { runCampaignReminders } from "../../src/services/campaigns/reminders";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";
import { signInAs, type StaffBrowser } from "../support/staff-session";

let ctx: TestContext;
let coordinator: StaffBrowser;
let inspector: StaffBrowser;
const sh = (local: string) => new Date(`${local}+08:00`);

const memberId = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!.id;
const campaignCount = async () => (await ctx.db.select({ n: count() }).from(campaigns))[0]!.n;
const outboxCount = async () => (await ctx.db.select({ n: count() }).from(outbox))[0]!.n;

/** The hidden fields of the page's start form. */
function startFields(html: string): Record<string, string> {
  const form = /<form method="post" action="\/staff\/campaigns\/new\/start"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) throw new Error("no start form on the page");
  return Object.fromEntries([...form.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  ctx.setNow(sh("2026-12-07T14:00:00"));
  coordinator = await signInAs(ctx, await memberId("陈静"));
  inspector = await signInAs(ctx, await memberId("张明"));
});
afterAll(() => ctx.close());

describe("/staff/campaigns/new", () => {
  it("is for coordinators only: an inspector gets 403 on the page, the preview and the start", async () => {
    expect((await inspector.get("/staff/campaigns/new")).status).toBe(403);
    expect((await inspector.post("/staff/campaigns/new", { template: "jilin-2020", year: "2026", region: "510000" })).status).toBe(403);
    const start = await inspector.post("/staff/campaigns/new/start", { template: "jilin-2020", year: "2026", region: "510000", key: "key_INSPECTOR0000001" });
    expect(start.status).toBe(403);
    expect(await campaignCount()).toBe(0);
  });

  it("shows the form with the templates, the current year and the coordinators' region", async () => {
    const page = await coordinator.get("/staff/campaigns/new");
    expect(page.status).toBe(200);
    expect(page.html).toContain('value="jilin-2020"');
    expect(page.html).toMatch(/id="year"[^>]*value="2026"/);
    expect(page.html).toMatch(/id="region"[^>]*value="510000"/);
    expect(page.html).toContain('aria-current="page"');
  });

  it("refuses a bad region on its field, reading and writing nothing", async () => {
    const page = await coordinator.post("/staff/campaigns/new", { template: "jilin-2020", year: "2026", region: "519999" });
    expect(page.status).toBe(400);
    expect(page.html).toContain('data-field-error="region"');
    const junk = await coordinator.post("/staff/campaigns/new", { template: "../../etc", year: "99999", region: "x" });
    expect(junk.status).toBe(400);
    expect(await campaignCount()).toBe(0);
  });

  it("previews the past deadlines, the unenrolled units and every reminder, creating nothing", async () => {
    const before = await outboxCount();
    const page = await coordinator.post("/staff/campaigns/new", { template: "jilin-2020", year: "2026", region: "510000" });
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-testid="past-warning"');
    expect([...page.html.matchAll(/data-past="([^"]+)"/g)].map((m) => m[1])).toEqual(["plan-filing", "self-inspection", "self-inspection-report"]);
    expect(page.html).toContain("逾期提醒自 2026-12-08 09:00 起发送");
    // Seven units reached, none with an enrolled contact (the example binds no chat account).
    expect([...page.html.matchAll(/data-unenrolled="([^"]+)"/g)]).toHaveLength(7);
    expect(page.html).toMatch(/data-unenrolled="chengdu-wuhou-hospital">[^<]*联系人尚未登记/);
    expect(page.html).toMatch(/data-unenrolled="sichuan-bureau">[^<]*无联系人/);
    expect(page.html).toContain('data-reminder="start"');
    expect(page.html).toContain('data-reminder="escalation"');
    expect(page.html).not.toContain('data-reminder="before"');
    expect(startFields(page.html)).toMatchObject({ template: "jilin-2020", year: "2026", region: "510000" });
    expect(await campaignCount()).toBe(0);
    expect(await outboxCount()).toBe(before);
  });

  it("moves the dates for the preview and the start alike; a double submit starts one campaign and lands on its board", async () => {
    const page = await coordinator.post("/staff/campaigns/new", { template: "jilin-2020", year: "2026", region: "510000", shift: "60", "due_plan-filing": "2026-12-21" });
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-testid="no-past"');
    expect(page.html).toContain("2026-12-19 23:59"); // 20 October + 60 days
    expect(page.html).toContain('data-reminder="before"');
    const fields = startFields(page.html);
    expect(fields).toMatchObject({ shift: "60", "due_plan-filing": "2026-12-21" });
    expect(fields.key).toMatch(/^key_/);

    const first = await coordinator.post("/staff/campaigns/new/start", fields);
    const second = await coordinator.post("/staff/campaigns/new/start", fields);
    expect(first.hops[0]).toBe(303);
    expect(first.url).toMatch(/^\/staff\/campaigns\/cmp_\w+$/);
    expect(second.url).toBe(first.url);
    expect(await campaignCount()).toBe(1);
    const campaignId = first.url.split("/").at(-1)!;
    const due = await ctx.db.select({ key: deliverables.key, dueAt: assignments.dueAt }).from(assignments).innerJoin(deliverables, eq(deliverables.id, assignments.deliverableId)).where(eq(assignments.campaignId, campaignId));
    expect(new Set(due.filter((d) => d.key === "plan-filing").map((d) => new Date(d.dueAt).toISOString()))).toEqual(new Set(["2026-12-21T15:59:59.999Z"]));
    expect(new Set(due.filter((d) => d.key === "self-inspection").map((d) => new Date(d.dueAt).toISOString()))).toEqual(new Set(["2026-12-19T15:59:59.999Z"]));
    // Nothing was past: no start message.
    expect(await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, `campaign-start:${campaignId}:%`))).toEqual([]);
  });

  it("starts with past deadlines: one start message per unit, one coordinators' notice, no reminder at the next tick", async () => {
    const page = await coordinator.post("/staff/campaigns/new", { template: "jilin-2020", year: "2026", region: "510000" });
    const res = await coordinator.post("/staff/campaigns/new/start", startFields(page.html));
    expect(res.hops[0]).toBe(303);
    const campaignId = res.url.split("/").at(-1)!;
    const told = await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, `campaign-start:${campaignId}:%`));
    expect(told).toHaveLength(8);
    const started = await ctx.db.query.events.findFirst({ where: (e, { and }) => and(eq(e.entityId, campaignId), eq(e.action, "campaign.started")) });
    expect(started).toMatchObject({ actorType: "member", platform: "web" });
    await runCampaignReminders(ctx.deps, sh("2026-12-07T15:00:00"));
    expect(await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, "reminder:%"))).toEqual([]);
  });
});
