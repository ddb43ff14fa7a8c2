// Campaign units and contacts from the organisation file, and the assignment transitions under
// concurrency: the version guard lets exactly one of several simultaneous changes through.
import { readFileSync } from "node:fs";
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { openLibsqlDatabase } from "../../src/db/libsql-file";
import { assignments, events, leads, members, outbox, reminderSlots, submissions, units } from "../../src/db/schema";
import { runCampaignReminders } from "../../src/services/campaigns/reminders";
import type { ServiceDeps } from "../../src/services/deps";
import { moveDeadline, mayActForUnit, receiveAssignment, submitAssignment } from "../../src/services/campaigns/assignments";
import { importCampaign } from "../../src/services/campaigns/campaigns";
import { importOrganisation, orgFileSchema } from "../../src/services/org/org";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";
import { importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
const example = () => parseYaml(readFileSync("examples/org.example.yaml", "utf8")) as Record<string, any>;

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
});
afterAll(() => ctx.close());

describe("units and contacts in the organisation file", () => {
  it("loads units of every kind in Sichuan, contacts bound to a unit and no team; importing again changes nothing", async () => {
    const rows = await ctx.db.select().from(units);
    expect(new Set(rows.map((u) => u.kind))).toEqual(new Set(["bureau", "agency", "institution", "team"]));
    expect(rows.every((u) => u.regionCode.startsWith("51"))).toBe(true);
    expect(rows.find((u) => u.id === "chengdu-jinniu-bureau")).toMatchObject({ supervisorUnitId: "chengdu-bureau", platform: "telegram", chatId: "-1001000000102" });
    const contacts = await ctx.db.select().from(members).where(eq(members.role, "contact"));
    expect(contacts.map((c) => [c.displayName, c.unitId, c.teamId])).toContainEqual(["吴磊", "chengdu-wuhou-hospital", null]);
    const again = await importOrganisation(ctx.deps, orgFileSchema.parse(example()), { type: "system", platform: "cli" });
    expect(again.units).toEqual({ created: 0, updated: rows.length });
    expect(again.members.created).toBe(0);
    expect(await ctx.db.select().from(members).where(eq(members.role, "contact"))).toHaveLength(contacts.length);
  });

  it("refuses a contact without a unit, a unit that supervises itself or names an unknown one, and a unit on staff", () => {
    const bad = (mutate: (f: Record<string, any>) => void) => {
      const f = example();
      mutate(f);
      const r = orgFileSchema.safeParse(f);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(bad((f) => f.members.push({ name: "无单位", role: "contact" }))).toEqual([expect.stringContaining("a contact needs a unit")]);
    expect(bad((f) => f.members.push({ name: "错单位", role: "contact", unit: "nowhere" }))).toEqual([expect.stringContaining('unit "nowhere" is not defined')]);
    expect(bad((f) => f.members.push({ name: "兼职", role: "inspector", team: "成都市核查一组", unit: "chengdu-bureau" }))).toEqual([expect.stringContaining("only contacts")]);
    expect(bad((f) => (f.units[1].supervisor = "chengdu-bureau"))).toEqual([expect.stringContaining("cannot supervise itself")]);
    expect(bad((f) => (f.units[2].supervisor = "ghost-unit"))).toEqual([expect.stringContaining('unit "ghost-unit" is not defined')]);
    expect(bad((f) => f.units.push({ ...f.units[0], name: "重复" }))).toEqual([expect.stringContaining("used twice")]);
    expect(bad((f) => (f.units[0].kind = "hospital"))).toHaveLength(1);
  });

  it("never routes a lead to a contact", async () => {
    // A tip about an institution in Wuhou, where a contact of a hospital unit lives: it goes to the Chengdu team.
    for (let i = 0; i < 4; i++) {
      const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: { provinceCode: "510000", cityCode: "510100", districtCode: "510107" }, targetName: `武侯测试医院${i}` }), { "x-test-client": `198.51.100.${i + 10}` }));
      expect(res.status).toBe(201);
    }
    const contactIds = new Set((await ctx.db.select().from(members).where(eq(members.role, "contact"))).map((m) => m.id));
    const routed = await ctx.db.select().from(leads);
    expect(routed.length).toBeGreaterThanOrEqual(4);
    for (const l of routed) expect(l.assigneeId === null || !contactIds.has(l.assigneeId)).toBe(true);
  });
});

describe("assignment changes under concurrency", () => {
  let asg = "";
  let wu: typeof members.$inferSelect;
  let coordinator: typeof members.$inferSelect;

  beforeAll(async () => {
    ctx.setNow("2026-12-01T02:00:00Z");
    const started = await importCampaign(ctx.deps, { id: "race", name: "并发测试", year: 2026, regionCode: "510107", issuer: "测试", deliverables: [{ key: "race-report", title: "并发报告", unitKinds: ["institution"], due: "2026-12-20" }] }, { type: "system", platform: "cli" });
    asg = (await ctx.db.select().from(assignments).where(eq(assignments.campaignId, started.campaignId)))[0]!.id;
    wu = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "吴磊") }))!;
    coordinator = (await ctx.db.query.members.findFirst({ where: eq(members.role, "coordinator") }))!;
  });

  it("only the unit's active contacts may act for it", () => {
    expect(mayActForUnit(wu, "chengdu-wuhou-hospital")).toBe(true);
    expect(mayActForUnit(wu, "chengdu-bureau")).toBe(false);
    expect(mayActForUnit({ ...wu, active: false }, "chengdu-wuhou-hospital")).toBe(false);
    expect(mayActForUnit(coordinator, "chengdu-wuhou-hospital")).toBe(false);
  });

  it("of simultaneous Submitted presses on separate connections, exactly one makes a submission and one notice", async () => {
    const connections = await Promise.all([1, 2, 3].map(() => openLibsqlDatabase(ctx.deps.config.DATABASE_URL)));
    try {
      const results = await Promise.all(
        [ctx.deps, ...connections.map((c) => ({ ...ctx.deps, db: c.db }))].flatMap((d, i) => [0, 1].map((j) => submitAssignment(d, { assignmentId: asg, actor: wu, platform: "web", note: `第${i}-${j}份`, dedupeKey: `race-submit-${i}-${j}` }))),
      );
      expect(results.filter((r) => r.status === "done")).toHaveLength(1);
      for (const r of results.filter((x) => x.status !== "done")) expect(r).toMatchObject({ status: "refused", reason: expect.stringMatching(/already_submitted|changed_meanwhile/) });
    } finally {
      for (const c of connections) c.client.close();
    }
    expect(await ctx.db.select().from(submissions).where(eq(submissions.assignmentId, asg))).toHaveLength(1);
    expect(await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, `asg:${asg}:%:submitted`))).toHaveLength(1);
    expect(await ctx.db.select().from(events).where(and(eq(events.entityId, asg), eq(events.action, "assignment.submitted")))).toHaveLength(1);
    const a = (await ctx.db.query.assignments.findFirst({ where: eq(assignments.id, asg) }))!;
    expect(a).toMatchObject({ state: "submitted", version: 2, nextReminderAt: null });
  });

  it("a move racing with Received: both apply in some order, never a lost update", async () => {
    const other = await openLibsqlDatabase(ctx.deps.config.DATABASE_URL);
    try {
      const started = await importCampaign(ctx.deps, { id: "race2", name: "并发测试二", year: 2026, regionCode: "510107", issuer: "测试", deliverables: [{ key: "race-two", title: "并发二", unitKinds: ["institution"], due: "2026-12-20" }] }, { type: "system", platform: "cli" });
      const row = (await ctx.db.select().from(assignments).where(eq(assignments.campaignId, started.campaignId)))[0]!;
      const [received, moved] = await Promise.all([
        receiveAssignment({ ...ctx.deps, db: other.db }, { assignmentId: row.id, actor: wu, platform: "web", dedupeKey: "race-recv" }),
        moveDeadline(ctx.deps, { deliverableId: row.deliverableId, dueAt: Date.parse("2026-12-25T15:59:59.999Z"), reason: "统一延期", actor: coordinator, dedupeKey: "race-move" }),
      ]);
      expect(received.status).toBe("done");
      expect(moved.status).toBe("done");
      const a = (await ctx.db.query.assignments.findFirst({ where: eq(assignments.id, row.id) }))!;
      expect(a.version).toBe(3);
      expect(a.dueVersion).toBe(2);
      expect(a.dueAt).toBe(Date.parse("2026-12-25T15:59:59.999Z"));
      // Whichever came second decides whether the acknowledgement stands for the new date; the log says which.
      const log = (await ctx.db.select().from(events).where(eq(events.entityId, row.id)).orderBy(events.id)).map((e) => e.action);
      expect([...log].sort()).toEqual(["assignment.received", "deliverable.moved"]);
      expect(a.receivedVersion).toBe(log[0] === "assignment.received" ? null : 2);
    } finally {
      other.client.close();
    }
  });

  it("a submission landing between the tick's read and its write gets no reminder after it", async () => {
    const started = await importCampaign(ctx.deps, { id: "race3", name: "并发测试三", year: 2026, regionCode: "510107", issuer: "测试", deliverables: [{ key: "race-three", title: "并发三", unitKinds: ["institution"], due: "2026-12-20" }] }, { type: "system", platform: "cli" });
    const row = (await ctx.db.select().from(assignments).where(eq(assignments.campaignId, started.campaignId)))[0]!;
    // The tick's database: just before its first write, the contact submits (through the real database).
    let submitted = false;
    const db = Object.create(ctx.deps.db) as ServiceDeps["db"];
    db.batch = (async (queries: never) => {
      if (!submitted) {
        submitted = true;
        expect((await submitAssignment(ctx.deps, { assignmentId: row.id, actor: wu, platform: "web", note: "抢先报送" })).status).toBe("done");
      }
      return ctx.deps.db.batch(queries);
    }) as never;
    // 13 Dec is 7 days before: a reminder would be due for this assignment.
    const report = await runCampaignReminders({ ...ctx.deps, db }, new Date("2026-12-13T01:00:00Z"));
    expect(submitted).toBe(true);
    expect(report.reminders).toBe(0);
    expect(await ctx.db.select().from(reminderSlots).where(eq(reminderSlots.assignmentId, row.id))).toHaveLength(0);
    expect(await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, `reminder:${row.id}:%`))).toHaveLength(0);
    expect((await ctx.db.query.assignments.findFirst({ where: eq(assignments.id, row.id) }))).toMatchObject({ state: "submitted", nextReminderAt: null });
  });
});
