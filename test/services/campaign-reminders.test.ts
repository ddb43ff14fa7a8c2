// Campaign reminders through the tick's job on a real database: a jilin-2020 campaign started for 2026
// in Sichuan sends the October 20 self-inspection reminders at the right instants (the clock moving hour
// by hour across National Day and the make-up working Saturday of 10 October), each slot once however
// the ticks come: skipped, repeated, or concurrent on separate connections.
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLibsqlDatabase } from "../../src/db/libsql-file";
import { assignments, calendarDays, deliverables, events, outbox, reminderSlots, units } from "../../src/db/schema";
import { importCampaign, startCampaign } from "../../src/services/campaigns/campaigns";
import { planCampaignReminders, runCampaignReminders } from "../../src/services/campaigns/reminders";
import type { ServiceDeps } from "../../src/services/deps";
import { runTick } from "../../src/scheduler/tick";
import { createTestContext, type TestContext } from "../support/context";
import { countRoundTrips, importExampleOrg } from "../support/round-trips";
import { loggedReminders } from "../support/reminder-events";

let ctx: TestContext;
const system = { type: "system" as const, platform: "cli" };
const HOUR = 3_600_000;
const sh = (local: string) => new Date(`${local}+08:00`);
const iso = (t: number) => new Date(t).toISOString();

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
});
afterAll(() => ctx.close());

async function reminderRows(campaignId: string, deliverableKey: string) {
  const rows = await ctx.db
    .select({ unitId: assignments.unitId, slot: reminderSlots.slot, sendAt: reminderSlots.sendAt, claimedAt: reminderSlots.claimedAt, outboxId: reminderSlots.outboxId })
    .from(reminderSlots)
    .innerJoin(assignments, eq(assignments.id, reminderSlots.assignmentId))
    .innerJoin(deliverables, eq(deliverables.id, assignments.deliverableId))
    .where(and(eq(assignments.campaignId, campaignId), eq(deliverables.key, deliverableKey)));
  return rows.sort((a, b) => a.sendAt - b.sendAt || a.unitId.localeCompare(b.unitId));
}

/** Ticks every `step` hours from `from` (local midnight: the 09:00 slots fall on a tick). */
async function tickHourly(from: Date, to: Date, step = 1, deps: ServiceDeps = ctx.deps) {
  for (let t = from.getTime(); t <= to.getTime(); t += step * HOUR) await runCampaignReminders(deps, new Date(t));
}

describe("jilin-2020 started for 2026 in Sichuan", () => {
  let campaignId = "";

  it("reaches the institutions for the self-inspection and the bureaus for the plan and report", async () => {
    ctx.setNow(sh("2026-09-01T10:00:00"));
    const started = await startCampaign(ctx.deps, { templateId: "jilin-2020", year: 2026, regionCode: "510000", actor: system });
    campaignId = started.campaignId;
    const rows = await ctx.db.select({ unitId: assignments.unitId, key: deliverables.key, dueAt: assignments.dueAt }).from(assignments).innerJoin(deliverables, eq(deliverables.id, assignments.deliverableId)).where(eq(assignments.campaignId, campaignId));
    const unitsOf = (key: string) => rows.filter((r) => r.key === key).map((r) => r.unitId).sort();
    expect(unitsOf("self-inspection")).toEqual(["chengdu-qingyang-pharmacy", "chengdu-wuhou-hospital", "mianyang-central-hospital"]);
    expect(unitsOf("self-inspection-report")).toEqual(["chengdu-bureau", "chengdu-jinniu-bureau", "mianyang-bureau", "sichuan-bureau"]);
    // Dates moved to 2026; a date alone is due at the end of that day in Shanghai.
    expect(iso(rows.find((r) => r.key === "self-inspection")!.dueAt)).toBe("2026-10-20T15:59:59.999Z");
    const event = await ctx.db.query.events.findFirst({ where: and(eq(events.entityId, campaignId), eq(events.action, "campaign.started")) });
    expect(JSON.parse(event!.data!)).toMatchObject({ templateId: "jilin-2020", year: 2026, regionCode: "510000" });
  });

  it("plan filing (due 7 July, long past on 1 September) sends nothing at the first tick: the start message told each unit; overdue from the next working day", async () => {
    const told = await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, `campaign-start:${campaignId}:%`));
    expect(told).toHaveLength(8); // seven units and the coordinators
    await runCampaignReminders(ctx.deps, sh("2026-09-01T10:00:00"));
    expect(await reminderRows(campaignId, "plan-filing")).toEqual([]);
    await runCampaignReminders(ctx.deps, sh("2026-09-02T10:00:00"));
    const rows = await reminderRows(campaignId, "plan-filing");
    expect(rows.map((r) => `${r.slot}@${iso(r.sendAt)}`)).toEqual(Array(4).fill("v1:overdue:2026-09-02@2026-09-02T01:00:00.000Z"));
  });

  it("sends the Oct 20 reminders at 09:00 Shanghai on the right working days, hour by hour across National Day", async () => {
    await tickHourly(sh("2026-09-25T00:00:00"), sh("2026-10-27T23:00:00"), 3);
    const rows = await reminderRows(campaignId, "self-inspection");
    const expected = [
      ["v1:before:7", "2026-10-13T01:00:00.000Z"],
      ["v1:before:3", "2026-10-16T01:00:00.000Z"], // Sat 17 Oct is not a working day: Friday
      ["v1:before:1", "2026-10-19T01:00:00.000Z"],
      ["v1:due", "2026-10-20T01:00:00.000Z"],
      ["v1:overdue:2026-10-21", "2026-10-21T01:00:00.000Z"],
      ["v1:overdue:2026-10-22", "2026-10-22T01:00:00.000Z"],
      ["v1:overdue:2026-10-23", "2026-10-23T01:00:00.000Z"],
      ["v1:escalation", "2026-10-26T01:00:00.000Z"], // 3 whole working days overdue (21, 22, 23): Monday
      ["v1:overdue:2026-10-26", "2026-10-26T01:00:00.000Z"],
      ["v1:overdue:2026-10-27", "2026-10-27T01:00:00.000Z"],
    ];
    for (const unit of ["chengdu-qingyang-pharmacy", "chengdu-wuhou-hospital", "mianyang-central-hospital"]) {
      const mine = rows.filter((r) => r.unitId === unit);
      expect(mine.map((r) => [r.slot, iso(r.sendAt)]).sort((a, b) => a[1]!.localeCompare(b[1]!) || a[0]!.localeCompare(b[0]!))).toEqual(
        [...expected].sort((a, b) => a[1]!.localeCompare(b[1]!) || a[0]!.localeCompare(b[0]!)),
      );
      // Sent by the first tick at or after the slot's time: exactly then, with ticks on the hour.
      for (const r of mine) expect(r.claimedAt).toBe(r.sendAt);
    }
    // One outbox row per unit reminder, two per escalation (coordinators and the supervising unit).
    const sent = await ctx.db.select({ dedupeKey: outbox.dedupeKey, chatId: outbox.chatId, createdAt: outbox.createdAt }).from(outbox).where(like(outbox.dedupeKey, "reminder:%"));
    const ofWuhou = rows.filter((r) => r.unitId === "chengdu-wuhou-hospital");
    const wuhouAssignment = (await ctx.db.select().from(assignments).where(and(eq(assignments.campaignId, campaignId), eq(assignments.unitId, "chengdu-wuhou-hospital"))))[0]!;
    const keys = sent.filter((s) => s.dedupeKey.includes(wuhouAssignment.id));
    expect(keys).toHaveLength(ofWuhou.length + 1);
    const escalation = keys.filter((k) => k.dedupeKey.endsWith(":escalation:coordinators") || k.dedupeKey.endsWith(":escalation:supervisor")).map((k) => k.chatId).sort();
    expect(escalation).toEqual(["-1001000000101", "C0COORDINATE"]);
    // Nothing went out during the holiday or on weekends; the overdue plan filings were reminded on the
    // make-up working Saturday 10 Oct like on any working day.
    const days = new Set(sent.map((s) => new Date(s.createdAt + 8 * HOUR).toISOString().slice(0, 10)));
    for (const d of ["2026-10-01", "2026-10-05", "2026-10-07", "2026-10-11", "2026-10-17", "2026-10-18"]) expect(days.has(d)).toBe(false);
    for (const d of ["2026-09-30", "2026-10-08", "2026-10-10"]) expect(days.has(d)).toBe(true);
  }, 60_000);

  it("the self-inspection report (due Sat 31 Oct) is reminded on Fri 30 Oct as the due-day reminder, not 1 day before", async () => {
    await tickHourly(sh("2026-10-28T00:00:00"), sh("2026-10-30T12:00:00"));
    const rows = await reminderRows(campaignId, "self-inspection-report");
    const sichuan = rows.filter((r) => r.unitId === "sichuan-bureau").map((r) => `${r.slot}@${iso(r.sendAt)}`);
    expect(sichuan).toEqual(["v1:before:7@2026-10-23T01:00:00.000Z", "v1:before:3@2026-10-28T01:00:00.000Z", "v1:due@2026-10-30T01:00:00.000Z"]);
  });
});

describe("a deadline on Mon 12 Oct 2026 (imported file with its own policy)", () => {
  let campaignId = "";
  const file = {
    id: "national-day-check",
    name: "国庆节前后专项检查",
    year: 2026,
    regionCode: "510100",
    issuer: "成都市医疗保障局",
    deliverables: [{ key: "holiday-report", title: "节日期间值班检查情况", unitKinds: ["institution"], due: "2026-10-12", reminderPolicy: { beforeDays: [7, 1], escalateAfterWorkingDays: null } }],
  };

  it("7 days before falls in the holiday (sent Wed 30 Sep), 1 day before on the make-up Saturday 10 Oct; skipped ticks collapse", async () => {
    ctx.setNow(sh("2026-09-20T10:00:00"));
    campaignId = (await importCampaign(ctx.deps, file, system)).campaignId;
    // Only Chengdu institutions: the campaign's region is the city.
    expect((await ctx.db.select().from(assignments).where(eq(assignments.campaignId, campaignId))).map((a) => a.unitId).sort()).toEqual(["chengdu-qingyang-pharmacy", "chengdu-wuhou-hospital"]);
    // No tick between 20 Sep and 10 Oct 10:00: the stale 7-days-before slot collapses into 1 day before.
    const planned = await planCampaignReminders(ctx.deps, sh("2026-10-10T10:00:00"));
    expect(planned.filter((p) => p.campaignId === campaignId)).toEqual([
      expect.objectContaining({ unitId: "chengdu-qingyang-pharmacy", kind: "before", offsetDays: 1, sendAt: sh("2026-10-10T09:00:00").getTime() }),
      expect.objectContaining({ unitId: "chengdu-wuhou-hospital", kind: "before", offsetDays: 1, sendAt: sh("2026-10-10T09:00:00").getTime() }),
    ]);
    // The dry run changed nothing.
    expect(await reminderRows(campaignId, "holiday-report")).toEqual([]);
    // Ticked on time instead: 30 Sep and 10 Oct.
    await tickHourly(sh("2026-09-29T00:00:00"), sh("2026-10-12T10:00:00"));
    const rows = await reminderRows(campaignId, "holiday-report");
    expect(rows.filter((r) => r.unitId === "chengdu-wuhou-hospital").map((r) => `${r.slot}@${iso(r.claimedAt)}`)).toEqual([
      "v1:before:7@2026-09-30T01:00:00.000Z",
      "v1:before:1@2026-10-10T01:00:00.000Z",
      "v1:due@2026-10-12T01:00:00.000Z",
    ]);
  });
});

describe("exactly once", () => {
  const file = (id: string) => ({
    id,
    name: `一次性测试 ${id}`,
    year: 2026,
    regionCode: "510000",
    issuer: "四川省医疗保障局",
    deliverables: [{ key: "report", title: "报告", unitKinds: ["institution", "bureau", "agency", "team"], due: "2026-10-20" }],
  });

  async function slotCounts(campaignId: string) {
    const rows = await ctx.db.select({ slot: reminderSlots.slot, id: reminderSlots.assignmentId }).from(reminderSlots).innerJoin(assignments, eq(assignments.id, reminderSlots.assignmentId)).where(eq(assignments.campaignId, campaignId));
    const sent = await ctx.db.select({ dedupeKey: outbox.dedupeKey }).from(outbox).where(like(outbox.dedupeKey, "reminder:%"));
    const ids = new Set(rows.map((r) => r.id));
    const mine = sent.filter((s) => ids.has(s.dedupeKey.split(":")[1]!));
    return { slots: rows.length, outbox: mine.length, assignments: ids.size };
  }

  it("a skipped stretch sends only the latest reminder; repeating the tick sends nothing more", async () => {
    ctx.setNow(sh("2026-09-01T10:00:00"));
    const { campaignId, assignments: n } = await startOrImport(file("skip"));
    await runCampaignReminders(ctx.deps, sh("2026-10-19T15:00:00"));
    const after = await slotCounts(campaignId);
    expect(after).toEqual({ slots: n, outbox: n, assignments: n });
    const slots = await ctx.db.select({ slot: reminderSlots.slot }).from(reminderSlots).innerJoin(assignments, eq(assignments.id, reminderSlots.assignmentId)).where(eq(assignments.campaignId, campaignId));
    expect(new Set(slots.map((s) => s.slot))).toEqual(new Set(["v1:before:1"]));
    for (let i = 0; i < 3; i++) await runCampaignReminders(ctx.deps, sh("2026-10-19T15:00:00"));
    await runCampaignReminders(ctx.deps, sh("2026-10-19T20:00:00"));
    expect(await slotCounts(campaignId)).toEqual(after);
  });

  it("concurrent ticks on separate connections send each slot once", async () => {
    ctx.setNow(sh("2026-09-01T10:00:00"));
    const { campaignId, assignments: n } = await startOrImport(file("concurrent"));
    const connections = await Promise.all([1, 2, 3].map(() => openLibsqlDatabase(ctx.deps.config.DATABASE_URL)));
    try {
      const depsOf = connections.map((c) => ({ ...ctx.deps, db: c.db }));
      for (const at of ["2026-10-13T09:00:00", "2026-10-16T09:30:00", "2026-10-19T09:00:00", "2026-10-20T09:00:01", "2026-10-21T09:00:00"]) {
        await Promise.all([...depsOf, ctx.deps, ...depsOf].map((d) => runCampaignReminders(d, sh(at))));
      }
    } finally {
      for (const c of connections) c.client.close();
    }
    expect(await slotCounts(campaignId)).toEqual({ slots: 5 * n, outbox: 5 * n, assignments: n });
    // The log names each claimed slot exactly once (one page event per tick and page now, listing the
    // slots its batch claimed; was: an `assignment.reminded` event per slot, at least 5n of them).
    const claims = await ctx.db.select().from(reminderSlots).innerJoin(assignments, eq(assignments.id, reminderSlots.assignmentId)).where(eq(assignments.campaignId, campaignId));
    const logged = (await loggedReminders(ctx.db)).filter((r) => r.campaignId === campaignId);
    expect(logged).toHaveLength(5 * n);
    expect(new Set(logged.map((r) => `${r.assignmentId}|${r.slot}|${r.outboxId}`))).toEqual(new Set(claims.map((c) => `${c.reminder_slots.assignmentId}|${c.reminder_slots.slot}|${c.reminder_slots.outboxId}`)));
  });

  it("runTick runs the campaign job (the one scheduler entry for leads and campaigns)", async () => {
    ctx.setNow(sh("2026-09-01T10:00:00"));
    const { campaignId, assignments: n } = await startOrImport(file("tick"));
    const result = await runTick(ctx.deps, sh("2026-10-13T09:05:00"));
    expect(result.jobs.runCampaignReminders).toBe("ok");
    expect(await slotCounts(campaignId)).toEqual({ slots: n, outbox: n, assignments: n });
  });

  async function startOrImport(f: ReturnType<typeof file>) {
    const started = await importCampaign(ctx.deps, f, system);
    const unitCount = (await ctx.db.select().from(units)).length;
    expect(started.assignments).toBe(unitCount);
    return started;
  }
});

describe("the holiday-data warning", () => {
  it("reaches the coordinators once from 1 December while next year's official calendar is missing", async () => {
    // The example organisation loads 2027-01-01, which counts as data for 2027: take it out.
    await ctx.db.delete(calendarDays).where(eq(calendarDays.date, "2027-01-01"));
    const warnings = () => ctx.db.select().from(outbox).where(eq(outbox.dedupeKey, "holiday-data-missing:2027"));
    expect((await runCampaignReminders(ctx.deps, sh("2026-11-30T23:00:00"))).holidayWarning).toBeNull();
    expect(await warnings()).toHaveLength(0);
    expect((await runCampaignReminders(ctx.deps, sh("2026-12-01T00:01:00"))).holidayWarning).toBe(2027);
    const other = await openLibsqlDatabase(ctx.deps.config.DATABASE_URL);
    try {
      // Other processes (no memory of it) and later ticks: still once.
      await Promise.all([runCampaignReminders({ ...ctx.deps, db: other.db }, sh("2026-12-02T09:00:00")), runCampaignReminders(ctx.deps, sh("2026-12-15T09:00:00"))]);
    } finally {
      other.client.close();
    }
    const rows = await warnings();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.chatId).toBe("C0COORDINATE");
    expect(JSON.parse(rows[0]!.payload).message.text).toContain("2027 年的法定节假日");
    expect(await ctx.db.select().from(events).where(eq(events.action, "calendar.data_missing"))).toHaveLength(1);
  });
});

describe("round trips per tick", () => {
  it("an idle tick: the org version and one page read; with reminders due: one write more per page", async () => {
    ctx.setNow(sh("2026-09-01T10:00:00"));
    const { assignments: n } = await importCampaign(ctx.deps, { id: "trips", name: "往返次数", year: 2026, regionCode: "510000", issuer: "测试", deliverables: [{ key: "trips", title: "往返", unitKinds: ["institution", "bureau", "agency", "team"], due: "2026-10-20" }] }, system);
    expect(n).toBe(9);
    await runCampaignReminders(ctx.deps, sh("2026-10-13T08:00:00")); // warms the org cache
    const counter = countRoundTrips(ctx.client);
    const busy = await counter.during(() => runCampaignReminders(ctx.deps, sh("2026-10-13T09:00:00")));
    expect(busy.result.reminders).toBeGreaterThanOrEqual(n);
    expect(busy.trips).toBe(3);
    const idle = await counter.during(() => runCampaignReminders(ctx.deps, sh("2026-10-13T10:00:00")));
    expect(idle.result.reminders).toBe(0);
    expect(idle.trips).toBe(2);
  });
});
