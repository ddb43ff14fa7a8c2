// The campaign tick at scale on a real database: a page's next times go in one UPDATE … FROM (the page
// as a JSON array, one bound parameter), its slots and events in one INSERT each; an assignment changed between the read and the write is left out (not sent, not
// sent twice) while the rest of its page is queued; a time budget ends a tick early and the next tick
// carries on, each slot claimed once.
import { eq, like } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Client } from "@libsql/client";
import { assignments, outbox, reminderSlots } from "../../src/db/schema";
import { planCampaignReminders, runCampaignReminders } from "../../src/services/campaigns/reminders";
import { createTestContext, type TestContext } from "../support/context";
import { seedCampaign, type SeededCampaign } from "../support/campaign-seed";
import { statementsOf } from "../support/statements-of";

let ctx: TestContext;
// Monday 28 December 2026, 10:00 Shanghai: all three deliverables are overdue (reminder and escalation).
const NOW = new Date("2026-12-28T10:00:00+08:00");

beforeEach(async () => {
  ctx = await createTestContext();
  ctx.setNow(new Date("2026-09-01T10:00:00+08:00"));
});
afterEach(() => ctx.close());

/** A campaign of `n` units × 3 deliverables, every assignment due since its deadline. */
async function dueCampaign(n: number): Promise<SeededCampaign> {
  const seeded = await seedCampaign(ctx, { units: n, prefix: "s" });
  await ctx.client.execute({ sql: "UPDATE assignments SET next_reminder_at = due_at WHERE campaign_id = ?", args: [seeded.campaignId] });
  return seeded;
}

/** Claimed slots as `assignment|slot`, and the reminder outbox rows by dedupe key. */
async function sent(campaignId: string) {
  const slots = await ctx.db.select({ id: reminderSlots.assignmentId, slot: reminderSlots.slot }).from(reminderSlots).innerJoin(assignments, eq(assignments.id, reminderSlots.assignmentId)).where(eq(assignments.campaignId, campaignId));
  const messages = await ctx.db.select({ key: outbox.dedupeKey }).from(outbox).where(like(outbox.dedupeKey, "reminder:%"));
  return { slots: slots.map((s) => `${s.id}|${s.slot}`).sort(), messages: messages.map((m) => m.key).sort() };
}

const isPageUpdate = (sql: string) => /^UPDATE assignments SET next_reminder_at/i.test(sql.trim());

describe("one statement per table and page", () => {
  it("a page of 135 due assignments: one UPDATE of the assignments, one INSERT of the slots and one of the events, none per assignment", async () => {
    const { campaignId } = await dueCampaign(45);
    const planned = await planCampaignReminders(ctx.deps, NOW);
    const seen = await statementsOf(ctx.client, () => runCampaignReminders(ctx.deps, NOW));
    const updates = seen.filter((s) => /^\s*update\b/i.test(s.sql) && /assignments/.test(s.sql));
    expect(updates.filter((s) => isPageUpdate(s.sql))).toHaveLength(1);
    expect(updates).toHaveLength(1);
    const inserts = (table: string) => seen.filter((s) => new RegExp(`^\\s*insert into "?${table}"?`, "i").test(s.sql));
    expect(inserts("reminder_slots")).toHaveLength(1);
    // (The other events row is December's holiday-data warning.)
    expect(inserts("events").filter((s) => s.sql.includes("assignment.reminded"))).toHaveLength(1);
    // Each within D1's 100 bound parameters (the outbox rows are cut to fit).
    for (const s of seen) expect((s.args as unknown[]).length).toBeLessThanOrEqual(100);
    const rows = await ctx.db.select().from(assignments).where(eq(assignments.campaignId, campaignId));
    expect(rows.every((r) => r.nextReminderAt! > NOW.getTime())).toBe(true);
    // The two deliverables three working days overdue escalate, the third (due Fri 25 Dec) not yet.
    expect(rows.filter((r) => r.escalatedAt === NOW.getTime())).toHaveLength(90);
    expect(planned).toHaveLength(135 + 90);
    expect((await sent(campaignId)).slots).toHaveLength(planned.length);
  });
});

describe("an assignment changed between the read and the write", () => {
  let restore: (() => void) | null = null;
  afterEach(() => restore?.());

  /** Before the first write batch touching the assignments, `change` runs (as another request would). */
  function interfereOnce(client: Client, change: () => Promise<unknown>) {
    const batch = client.batch.bind(client);
    let done = false;
    (client as unknown as Record<string, unknown>).batch = async (stmts: { sql: string }[], mode?: "write" | "read" | "deferred") => {
      if (!done && stmts.some((s) => isPageUpdate(typeof s === "string" ? s : s.sql))) {
        done = true;
        await change();
      }
      return batch(stmts as never, mode);
    };
    restore = () => ((client as unknown as Record<string, unknown>).batch = batch);
  }

  it("the others of its page are queued; that one is neither sent nor lost nor sent twice", async () => {
    const { campaignId, assignmentIds, unitIds } = await dueCampaign(12);
    const victim = assignmentIds.get(`${unitIds[5]}|statistics`)!;
    const planned = await planCampaignReminders(ctx.deps, NOW);
    // A contact submits meanwhile: the version moves on and nothing more is due for it.
    interfereOnce(ctx.client, () => ctx.client.execute({ sql: "UPDATE assignments SET state = 'submitted', version = version + 1, next_reminder_at = NULL WHERE id = ?", args: [victim] }));
    const report = await runCampaignReminders(ctx.deps, NOW);
    restore!();
    const after = await sent(campaignId);
    expect(after.slots.filter((s) => s.startsWith(`${victim}|`))).toEqual([]);
    expect(after.messages.filter((k) => k.startsWith(`reminder:${victim}:`))).toEqual([]);
    // Everyone else got exactly what the dry run planned.
    expect(after.slots).toHaveLength(planned.length - 2);
    expect(report.reminders + report.escalations).toBe(after.messages.filter((k) => !k.endsWith(":supervisor")).length);
    const victimRow = (await ctx.db.select().from(assignments).where(eq(assignments.id, victim)))[0]!;
    expect(victimRow).toMatchObject({ state: "submitted", nextReminderAt: null, escalatedAt: null });
    // Another tick at the same instant adds nothing.
    await runCampaignReminders(ctx.deps, NOW);
    expect(await sent(campaignId)).toEqual(after);
  });

  it("a concurrent tick that already moved one on: its slots are claimed once, the page is still written", async () => {
    const { campaignId, assignmentIds, unitIds } = await dueCampaign(12);
    const victim = assignmentIds.get(`${unitIds[2]}|summary`)!;
    const planned = await planCampaignReminders(ctx.deps, NOW);
    // Another scheduler moves the one assignment on (its own write, as a concurrent tick would).
    interfereOnce(ctx.client, () => ctx.client.execute({ sql: "UPDATE assignments SET next_reminder_at = next_reminder_at + 1 WHERE id = ?", args: [victim] }));
    await runCampaignReminders(ctx.deps, NOW);
    restore!();
    const first = await sent(campaignId);
    expect(first.slots.filter((s) => s.startsWith(`${victim}|`))).toEqual([]);
    expect(first.slots).toHaveLength(planned.length - 1);
    // Still due (at its new next time): the next tick sends it, once.
    await runCampaignReminders(ctx.deps, NOW);
    await runCampaignReminders(ctx.deps, NOW);
    const second = await sent(campaignId);
    expect(second.slots.filter((s) => s.startsWith(`${victim}|`))).toHaveLength(1);
    expect(second.slots).toHaveLength(planned.length);
    expect(new Set(second.messages).size).toBe(second.messages.length);
  });
});

describe("the time budget", () => {
  it("a tiny budget queues a page a tick; the next ticks carry on; every slot once", async () => {
    const { campaignId } = await dueCampaign(20);
    const planned = await planCampaignReminders(ctx.deps, NOW);
    expect(planned).toHaveLength(60 + 40);
    const reports: Awaited<ReturnType<typeof runCampaignReminders>>[] = [];
    for (let i = 0; i < 4; i++) reports.push(await runCampaignReminders(ctx.deps, NOW, { budgetMs: 0, pageSize: 25 }));
    expect(reports.map((r) => r.assignments)).toEqual([25, 25, 10, 0]);
    expect(reports.map((r) => r.outOfTime)).toEqual([true, true, false, false]);
    const after = await sent(campaignId);
    expect(new Set(after.slots).size).toBe(planned.length);
    expect(after.slots).toHaveLength(planned.length);
    expect(new Set(after.messages).size).toBe(after.messages.length);
    // Two schedules per deliverable at most (one computation per deliverable and deadline per tick).
    expect(reports[0]!.schedules).toBeLessThanOrEqual(3);
  });

  it("a generous budget queues everything in one tick", async () => {
    const { campaignId } = await dueCampaign(20);
    const r = await runCampaignReminders(ctx.deps, NOW, { pageSize: 25 });
    expect(r).toMatchObject({ assignments: 60, pages: 3, outOfTime: false, schedules: 3 });
    expect((await sent(campaignId)).slots).toHaveLength(100);
  });
});
