// Campaigns in the staff workspace over app.request(): the list (coordinators every campaign with its
// phase, next deadline and late units; a contact their unit's campaigns and the way to their unit page;
// anyone else none), a campaign's board, and its actions — nudge a late unit, move a deliverable's
// deadline, extend a unit's, accept and return a submission — through the chat's use cases: one message
// to the unit's chat in the outbox, one event with platform web and the session, a double submit acting
// once, refusals in words, and nobody but a coordinator getting in.
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignments, campaigns, events, members, outbox } from "../../src/db/schema";
import { submitAssignment } from "../../src/services/campaigns/assignments";
import { findMember } from "../../src/services/org/member-lookups";
import { seedCampaign, type SeededCampaign } from "../support/campaign-seed";
import { createTestContext, type TestContext } from "../support/context";
import { signInAs, type StaffBrowser } from "../support/staff-session";

let ctx: TestContext;
let seed: SeededCampaign;
let other: SeededCampaign;
let coordinator: StaffBrowser;

beforeAll(async () => {
  ctx = await createTestContext();
  seed = await seedCampaign(ctx, { units: 4 });
  other = await seedCampaign(ctx, { units: 1, prefix: "o" });
  await ctx.db.update(campaigns).set({ status: "closed" }).where(eq(campaigns.id, other.campaignId));
  // Only unit 0's contact has a chat account: the other units cannot answer their reminders.
  await ctx.db.update(members).set({ telegramUserId: "7001" }).where(eq(members.id, seed.contacts.get(seed.unitIds[0]!)!));
  coordinator = await signInAs(ctx, seed.coordinatorId);
});
afterAll(() => ctx?.close());

const unescape = (s: string) => s.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'");
/** Every form with this test id: where it posts and its one-time key. */
function formsOf(html: string, testid: string): { action: string; key: string }[] {
  const re = new RegExp(`<form method="post" action="([^"]+)"[^>]*data-testid="${testid}"[^>]*><input type="hidden" name="key" value="([^"]+)"`, "g");
  return [...html.matchAll(re)].map((m) => ({ action: unescape(m[1]!), key: m[2]! }));
}
const asg = (unitIndex: number, key: string, s = seed) => s.assignmentIds.get(`${s.unitIds[unitIndex]!}|${key}`)!;
const board = `/staff/campaigns/${encodeURIComponent("cmp_t")}`;
const eventsOf = (action: string, entityId?: string) => ctx.db.select().from(events).where(entityId ? and(eq(events.action, action), eq(events.entityId, entityId)) : eq(events.action, action));
const flashOf = (html: string) => /data-flash="([^"]+)"[^>]*>([^<]*)</.exec(html)?.slice(1) ?? null;

describe("the campaigns list", () => {
  it("shows a coordinator every campaign, active and finished, with phase, next deadline, late units and the start link", async () => {
    const page = await coordinator.get("/staff/campaigns");
    expect(page.status).toBe(200);
    expect(page.html).toContain('aria-current="page"');
    expect(page.html).toContain('href="/staff/campaigns/new"');
    const active = page.html.slice(page.html.indexOf('data-testid="active-campaigns"'), page.html.indexOf('data-testid="finished-campaigns"'));
    const row = active.slice(active.indexOf(`data-campaign="${seed.campaignId}"`));
    expect(row).toContain(`href="/staff/campaigns/${seed.campaignId}"`);
    expect(row).toContain("jilin-2020");
    // The test clock is 2026-11-24: the self-inspection phase; the next deadline ahead is 2026-12-10's.
    expect(row).toContain("Self-inspection");
    expect(row).toContain("2026-12-10 23:59");
    // Every unit is late with the first deliverable (due 2026-11-20).
    expect(row).toMatch(/data-count="late">4 of 4</);
    expect(row).toMatch(/data-count="done">0 of 12</);
    expect(page.html.slice(page.html.indexOf('data-testid="finished-campaigns"'))).toContain(`data-campaign="${other.campaignId}"`);
  });

  it("shows a contact only their unit's campaigns, counted for their unit, and opens their unit page", async () => {
    const contact = await signInAs(ctx, seed.contacts.get(seed.unitIds[0]!)!);
    const page = await contact.get("/staff/campaigns");
    expect(page.status).toBe(200);
    expect(page.html).toContain(`data-campaign="${seed.campaignId}"`);
    expect(page.html).not.toContain(`data-campaign="${other.campaignId}"`);
    expect(page.html).not.toContain('href="/staff/campaigns/new"');
    expect(page.html).not.toContain(`href="/staff/campaigns/${seed.campaignId}"`);
    // Their language (zh-CN): one unit, late with the first deliverable.
    expect(page.html).toMatch(/data-count="late">1 个中 1 个</);
    const unitPage = await contact.get("/staff/campaigns/my-unit");
    expect(unitPage.hops[0]).toBe(303);
    expect(unitPage.url).toMatch(new RegExp(`^/units/${seed.unitIds[0]}\\?t=`));
    expect(unitPage.status).toBe(200);
    expect(await eventsOf("unit.link_issued", seed.unitIds[0]!)).toHaveLength(1);
  });

  it("tells an inspector they take part in none", async () => {
    const inspector = await signInAs(ctx, seed.inspectorId);
    const page = await inspector.get("/staff/campaigns");
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-testid="no-campaigns-role"');
    expect(page.html).not.toContain("data-campaign=");
    expect((await inspector.get("/staff/campaigns/my-unit")).status).toBe(403);
  });
});

describe("a campaign's board in the workspace", () => {
  it("shows counts and the matrix, each cell linking to its task and a late one with a nudge", async () => {
    const page = await coordinator.get(board);
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-testid="counts"');
    expect(page.html).toContain('data-testid="matrix"');
    expect(page.html).toContain(`href="/staff/campaigns/cmp_t/assignments/${asg(0, "statistics")}"`);
    // Late cells only (the first deliverable): one nudge form per unit.
    const nudges = formsOf(page.html, "cell-nudge");
    expect(nudges.map((f) => f.action).sort()).toEqual([0, 1, 2, 3].map((u) => `/staff/campaigns/cmp_t/assignments/${asg(u, "self-inspection")}/nudge`).sort());
    expect(new Set(nudges.map((f) => f.key)).size).toBe(4);
    // Units nobody enrolled speaks for are flagged.
    const flagged = [...page.html.matchAll(/<span class="st-late" data-unenrolled="([^"]+)">/g)].map((m) => m[1]);
    expect(flagged.sort()).toEqual(seed.unitIds.slice(1).sort());
    expect(page.html).toContain("Units on this page without an enrolled contact: 3.");
    // The same CSV as the signed board.
    const csv = await ctx.app.request(`${board}/board.csv`, { headers: { cookie: coordinator.cookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
  });

  it("nudges one late unit once: one message to its chat, one event with platform web, a double submit acting once", async () => {
    const target = asg(1, "self-inspection");
    const form = formsOf((await coordinator.get(board)).html, "cell-nudge").find((f) => f.action.includes(target))!;
    const first = await coordinator.post(form.action, { key: form.key, back: "board" });
    expect(first.hops).toEqual([303, 200]);
    expect(first.url).toMatch(/^\/staff\/campaigns\/cmp_t\?done=nudged&n=1/);
    expect(flashOf(first.html)).toEqual(["nudged", "Units nudged: 1."]);
    const again = await coordinator.post(form.action, { key: form.key, back: "board" });
    expect(flashOf(again.html)![0]).toBe("duplicate");
    const sent = await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, `nudge:${target}:%`));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.chatId).toBe("unit-t-1");
    // No other unit was nudged.
    expect(await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, "nudge:%"))).toHaveLength(1);
    const nudged = await eventsOf("assignment.nudged", target);
    expect(nudged).toHaveLength(1);
    expect(nudged[0]).toMatchObject({ actorId: seed.coordinatorId, platform: "web" });
    expect(nudged[0]!.platformRef).toMatch(/.+/);
    const command = await eventsOf("deliverable.nudged");
    expect(command).toHaveLength(1);
    expect(command[0]!.dedupeKey).toBe(`web:campaign:nudge:${form.key}`);
  });

  it("moves a deliverable's deadline for every unit, and says why a move to the past is refused", async () => {
    const page = await coordinator.get(board);
    const move = formsOf(page.html, "move-form").find((f) => f.action.includes(seed.deliverableIds[1]!))!;
    const past = await coordinator.post(move.action, { key: move.key, due: "2026-11-01", reason: "typo" });
    expect(flashOf(past.html)).toEqual(["deadline_in_past", "The new deadline has already passed."]);
    const fresh = formsOf(past.html, "move-form").find((f) => f.action.includes(seed.deliverableIds[1]!))!;
    const moved = await coordinator.post(fresh.action, { key: fresh.key, due: "2026-12-15", reason: "holiday" });
    expect(flashOf(moved.html)![0]).toBe("moved");
    const rows = await ctx.db.select().from(assignments).where(eq(assignments.deliverableId, seed.deliverableIds[1]!));
    expect(rows.every((r) => r.dueAt === Date.parse("2026-12-15T15:59:59.999Z") && r.dueVersion === 2)).toBe(true);
    const logged = (await eventsOf("deliverable.moved", seed.deliverableIds[1]!))[0]!;
    expect(logged).toMatchObject({ platform: "web", actorId: seed.coordinatorId });
    expect(await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, `asg:${asg(0, "statistics")}:%:moved`))).toHaveLength(1);
  });

  it("extends one unit's deadline from its task page; a bad date is refused in words and changes nothing", async () => {
    const task = `/staff/campaigns/cmp_t/assignments/${asg(2, "summary")}`;
    const page = await coordinator.get(task);
    expect(page.status).toBe(200);
    const [form] = formsOf(page.html, "extend-form");
    const bad = await coordinator.post(form!.action, { key: form!.key, due: "2026-02-30", reason: "x" });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("That date is not valid.");
    const ok = await coordinator.post(form!.action, { key: form!.key, due: "2027-01-05", reason: "more time" });
    expect(flashOf(ok.html)![0]).toBe("extended");
    const row = (await ctx.db.select().from(assignments).where(eq(assignments.id, asg(2, "summary"))))[0]!;
    expect(row.dueAt).toBe(Date.parse("2027-01-05T15:59:59.999Z"));
    expect((await eventsOf("assignment.extended", row.id))[0]).toMatchObject({ platform: "web" });
  });

  it("returns a submission with a reason and accepts the next, each once", async () => {
    const id = asg(3, "statistics");
    const contact = (await findMember(ctx.deps, seed.contacts.get(seed.unitIds[3]!)!))!;
    expect((await submitAssignment(ctx.deps, { assignmentId: id, actor: contact, platform: "web", note: "first" })).status).toBe("done");
    const task = `/staff/campaigns/cmp_t/assignments/${id}`;
    let page = await coordinator.get(task);
    const [ret] = formsOf(page.html, "return-form");
    expect((await coordinator.post(ret!.action, { key: ret!.key, reason: "" })).status).toBe(400);
    const returned = await coordinator.post(ret!.action, { key: ret!.key, reason: "missing the table" });
    expect(flashOf(returned.html)![0]).toBe("returned");
    expect((await ctx.db.select().from(assignments).where(eq(assignments.id, id)))[0]!.state).toBe("returned");
    expect(await submitAssignment(ctx.deps, { assignmentId: id, actor: contact, platform: "web", note: "second" })).toMatchObject({ status: "done" });
    page = await coordinator.get(task);
    const [acc] = formsOf(page.html, "accept-form");
    expect(flashOf((await coordinator.post(acc!.action, { key: acc!.key })).html)![0]).toBe("accepted");
    expect(flashOf((await coordinator.post(acc!.action, { key: acc!.key })).html)![0]).toBe("duplicate");
    expect(await eventsOf("assignment.accepted", id)).toHaveLength(1);
    expect((await eventsOf("assignment.returned", id))[0]).toMatchObject({ platform: "web", actorId: seed.coordinatorId });
    // Accepting again with a fresh form: refused in words.
    page = await coordinator.get(task);
    expect(formsOf(page.html, "accept-form")).toHaveLength(0);
    const stale = await coordinator.post(acc!.action, { key: "B".repeat(22) });
    expect(flashOf(stale.html)).toEqual(["already_accepted", "Already accepted; nothing more to do."]);
  });

  it("lets nobody but a coordinator open the board or act on it; a refused post changes nothing", async () => {
    const contact = await signInAs(ctx, seed.contacts.get(seed.unitIds[0]!)!);
    const inspector = await signInAs(ctx, seed.inspectorId);
    const target = asg(0, "self-inspection");
    const notViews = async () => (await ctx.db.select().from(events)).filter((e) => e.action !== "staff.page_viewed").length;
    const before = await notViews();
    for (const who of [contact, inspector]) {
      expect((await who.get(board)).status).toBe(403);
      expect((await who.get(`${board}/assignments/${target}`)).status).toBe(403);
      expect((await who.get(`${board}/board.csv`)).status).toBe(403);
      const refused = await who.post(`${board}/assignments/${target}/nudge`, { key: "C".repeat(22) });
      expect(refused.status).toBe(403);
      expect(refused.html).toContain("只有协调组成员可以查看专项行动看板并进行操作");
      expect((await who.post(`${board}/deliverables/${seed.deliverableIds[0]}/move`, { key: "D".repeat(22), due: "2026-12-30", reason: "x" })).status).toBe(403);
    }
    expect(await notViews()).toBe(before);
    expect(await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, `nudge:${target}:%`))).toHaveLength(0);
  });

  it("answers unknown campaigns, tasks of another campaign and malformed posts with 4xx, never 5xx", async () => {
    expect((await coordinator.get("/staff/campaigns/cmp_nope")).status).toBe(404);
    expect((await coordinator.get(`${board}/assignments/${asg(0, "summary", other)}`)).status).toBe(404);
    expect((await coordinator.post(`${board}/deliverables/${other.deliverableIds[0]}/nudge`, { key: "E".repeat(22) })).status).toBe(404);
    expect((await coordinator.post(`${board}/assignments/${asg(0, "summary")}/nudge`, { key: "short" })).status).toBe(400);
    expect((await coordinator.post(`${board}/deliverables/${seed.deliverableIds[2]}/move`, { key: "F".repeat(22), due: "soon", reason: "x" })).status).toBe(400);
    expect((await coordinator.get(`${board}?status=nope`)).status).toBe(400);
    expect((await coordinator.get(`${board}/files/nope`)).status).toBe(404);
  });
});
