// A campaign started with deadlines already past (jilin-2020 for 2026, started on Monday 7 December
// 2026 in Sichuan): no reminder for a slot that was past at the start, ever; each unit gets exactly one
// start message listing its tasks with their true deadlines (past ones marked) and the coordinators one
// notice; overdue reminders begin the next working day at 09:00 and the escalation only after three whole
// working days counted from the start message — however many ticks run, and through the real tick.
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignments, deliverables, outbox, reminderSlots } from "../../src/db/schema";
import { startCampaign } from "../../src/services/campaigns/campaigns";
import { runCampaignReminders } from "../../src/services/campaigns/reminders";
import { runTick } from "../../src/scheduler/tick";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
const system = { type: "system" as const, platform: "cli" };
const HOUR = 3_600_000;
const sh = (local: string) => new Date(`${local}+08:00`);
const START = sh("2026-12-07T14:00:00"); // a Monday
let campaignId = "";

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  ctx.setNow(START);
  campaignId = (await startCampaign(ctx.deps, { templateId: "jilin-2020", year: 2026, regionCode: "510000", actor: system })).campaignId;
});
afterAll(() => ctx.close());

const startRows = () => ctx.db.select().from(outbox).where(like(outbox.dedupeKey, `campaign-start:${campaignId}:%`));
const reminderRows = () => ctx.db.select().from(outbox).where(like(outbox.dedupeKey, "reminder:%"));
async function slots() {
  return ctx.db
    .select({ unitId: assignments.unitId, key: deliverables.key, slot: reminderSlots.slot, sendAt: reminderSlots.sendAt })
    .from(reminderSlots)
    .innerJoin(assignments, eq(assignments.id, reminderSlots.assignmentId))
    .innerJoin(deliverables, eq(deliverables.id, assignments.deliverableId))
    .where(eq(assignments.campaignId, campaignId));
}
async function tickEvery(from: Date, to: Date, stepHours: number) {
  for (let t = from.getTime(); t <= to.getTime(); t += stepHours * HOUR) await runCampaignReminders(ctx.deps, new Date(t));
}

describe("jilin-2020 started for 2026 on 7 December (every deadline past)", () => {
  it("sends each unit exactly one start message with its tasks and true deadlines, past ones marked, and the coordinators one notice", async () => {
    const rows = await startRows();
    const unitIds = (await ctx.db.selectDistinct({ unitId: assignments.unitId }).from(assignments).where(eq(assignments.campaignId, campaignId))).map((r) => r.unitId).sort();
    expect(unitIds).toEqual(["chengdu-bureau", "chengdu-jinniu-bureau", "chengdu-qingyang-pharmacy", "chengdu-wuhou-hospital", "mianyang-bureau", "mianyang-central-hospital", "sichuan-bureau"]);
    expect(rows.map((r) => r.dedupeKey).sort()).toEqual([...unitIds.map((u) => `campaign-start:${campaignId}:${u}`), `campaign-start:${campaignId}:coordinators`].sort());
    // One message per chat: the seven units' chats and the coordinators' channel.
    expect(new Set(rows.map((r) => r.chatId)).size).toBe(8);

    const bureau = JSON.parse(rows.find((r) => r.dedupeKey.endsWith(":chengdu-bureau"))!.payload) as { message: { card: { title: string; body: string; fields: { label: string; value: string }[] } } };
    expect(bureau.message.card.title).toContain("定点医疗机构使用医保基金行为联合抽查复查");
    expect(bureau.message.card.fields.map((f) => f.value)).toEqual(["2026-07-07 23:59（北京时间）——已逾期", "2026-10-31 23:59（北京时间）——已逾期"]);
    expect(bureau.message.card.body).toContain("逾期提醒自 2026-12-08 09:00 起发送");
    const mianyang = JSON.parse(rows.find((r) => r.dedupeKey.endsWith(":mianyang-central-hospital"))!.payload) as { message: { card: { title: string; fields: { label: string; value: string }[] } } };
    expect(mianyang.message.card.title).toMatch(/^New campaign: Joint spot re-check/);
    expect(mianyang.message.card.fields).toEqual([{ label: "Self-inspection and rectification done, improperly obtained fund money refunded in full", value: "2026-10-20 23:59 (Beijing time) — already past" }]);

    const notice = JSON.parse(rows.find((r) => r.dedupeKey.endsWith(":coordinators"))!.payload) as { message: { text: string } };
    expect(notice.message.text).toContain("涉及 7 个单位、3 项任务、11 项分派");
    expect(notice.message.text).toContain("已过截止时间：3 个");
    // The example organisation binds no chat account: every unit is flagged.
    expect(notice.message.text).toContain("没有已登记联系人的单位（7 个）");
    // Every assignment remembers when its unit was told.
    const told = await ctx.db.select({ notifiedAt: assignments.notifiedAt }).from(assignments).where(eq(assignments.campaignId, campaignId));
    expect(told.every((a) => a.notifiedAt === START.getTime())).toBe(true);
  });

  it("sends no reminder and no escalation on the day of the start, however many ticks run", async () => {
    await tickEvery(START, sh("2026-12-08T08:59:00"), 1);
    await tickEvery(START, sh("2026-12-08T08:00:00"), 3);
    expect(await slots()).toEqual([]);
    expect(await reminderRows()).toEqual([]);
    // The full scheduler tick too.
    await runTick(ctx.deps, sh("2026-12-07T23:00:00"));
    expect(await reminderRows()).toEqual([]);
    expect(await startRows()).toHaveLength(8);
  });

  it("sends overdue reminders from the next working day at 09:00, and escalates only after three whole working days from the start message", async () => {
    await tickEvery(sh("2026-12-08T09:00:00"), sh("2026-12-11T12:00:00"), 1);
    await runTick(ctx.deps, sh("2026-12-11T12:30:00"));
    const all = await slots();
    const ofUnit = (unit: string, key: string) => all.filter((s) => s.unitId === unit && s.key === key).map((s) => `${s.slot}@${new Date(s.sendAt).toISOString()}`).sort();
    expect(ofUnit("chengdu-bureau", "plan-filing")).toEqual([
      "v1:escalation@2026-12-11T01:00:00.000Z",
      "v1:overdue:2026-12-08@2026-12-08T01:00:00.000Z",
      "v1:overdue:2026-12-09@2026-12-09T01:00:00.000Z",
      "v1:overdue:2026-12-10@2026-12-10T01:00:00.000Z",
      "v1:overdue:2026-12-11@2026-12-11T01:00:00.000Z",
    ]);
    // No slot before the start was ever claimed (no "before", "due", or overdue day up to 7 December).
    for (const s of all) expect(s.sendAt).toBeGreaterThan(START.getTime());
    expect(all.filter((s) => s.slot === "v1:escalation")).toHaveLength(11);
    // Still one start message per unit.
    expect(await startRows()).toHaveLength(8);
    const esc = await ctx.db.select().from(outbox).where(and(like(outbox.dedupeKey, "reminder:%:v1:escalation:%")));
    expect(esc.length).toBeGreaterThan(0);
    expect(Math.min(...esc.map((r) => r.createdAt))).toBe(sh("2026-12-11T09:00:00").getTime());
  }, 60_000);
});
