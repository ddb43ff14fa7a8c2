// The campaign tick at scale on a real database: a page's next times go in one UPDATE … FROM (the page
// as a JSON array, one bound parameter), its slots in one INSERT and one event per campaign and page listing them; an assignment changed between the read and the write is left out (not sent, not
// sent twice) while the rest of its page is queued; a time budget ends a tick early and the next tick
// carries on, each slot claimed once; more than 50 escalations of one deliverable to one coordinators' chat in a page go as one card.
import { eq, like } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Client } from "@libsql/client";
import { assignments, outbox, reminderSlots } from "../../src/db/schema";
import { PAGE_EVENT_MAX_SLOTS, planCampaignReminders, runCampaignReminders } from "../../src/services/campaigns/reminders";
import { createTestContext, type TestContext } from "../support/context";
import { DUE, seedCampaign, type SeededCampaign } from "../support/campaign-seed";
import { getUnit, unitPageView } from "../../src/services/campaigns/unit-view";
import { EVENT_READ_CHARS, sealEventLog, verifyEventChain } from "../../src/services/audit/event-chain";
import { statementsOf } from "../support/statements-of";
import { loggedReminders } from "../support/reminder-events";

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
    expect(inserts("events").filter((s) => s.sql.includes("campaign.reminded"))).toHaveLength(1);
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
    // The page events list exactly the claims: the victim's slot once, by the tick that claimed it.
    expect((await loggedReminders(ctx.db)).map((r) => `${r.assignmentId}|${r.slot}`).sort()).toEqual(second.slots);
  });
});

describe("the page event", () => {
  it("lists only the slots its batch claimed: one claimed before (by an older tick) is not listed again", async () => {
    await dueCampaign(4);
    const planned = await planCampaignReminders(ctx.deps, NOW);
    const before = planned.find((p) => p.kind === "escalation")!;
    const assignmentId = (await ctx.db.select().from(assignments).where(eq(assignments.unitId, before.unitId))).find((a) => a.deliverableId === before.deliverableId)!.id;
    await ctx.client.execute({ sql: "INSERT INTO reminder_slots (assignment_id, slot, kind, send_at, due_at, claimed_at, outbox_id) VALUES (?, 'v1:escalation', 'escalation', ?, ?, 1, 'out_older')", args: [assignmentId, before.sendAt, before.dueAt] });
    await runCampaignReminders(ctx.deps, NOW);
    const logged = await loggedReminders(ctx.db);
    const claims = (await ctx.db.select().from(reminderSlots)).filter((r) => r.outboxId !== "out_older");
    expect(logged.map((r) => `${r.assignmentId}|${r.slot}|${r.outboxId}`).sort()).toEqual(claims.map((r) => `${r.assignmentId}|${r.slot}|${r.outboxId}`).sort());
    expect(logged.some((r) => r.assignmentId === assignmentId && r.slot === "v1:escalation")).toBe(false);
    expect(logged).toHaveLength(planned.length - 1);
  });
});

describe("page events of a large page", () => {
  it("list at most PAGE_EVENT_MAX_SLOTS slots each: 400 units, one page of 1,200 assignments, 2,000 slots in two events", async () => {
    await dueCampaign(400);
    const r = await runCampaignReminders(ctx.deps, NOW, { pageSize: 2500 });
    expect(r).toMatchObject({ pages: 1, reminders: 1200, escalations: 800 });
    const events = await ctx.client.execute("SELECT data FROM events WHERE action = 'campaign.reminded' ORDER BY id");
    expect(events.rows.map((e) => (JSON.parse(String(e.data)) as { slots: unknown[] }).slots.length)).toEqual([PAGE_EVENT_MAX_SLOTS, 2000 - PAGE_EVENT_MAX_SLOTS]);
    expect(new Set((await loggedReminders(ctx.db)).map((l) => `${l.assignmentId}|${l.slot}`)).size).toBe(2000);
  });
});

describe("large page events in the hash chain", () => {
  it("are sealed and verified in reads cut at EVENT_READ_CHARS (2,000 of ~600 KB in one read would pass sqld's 10 MB response cap)", async () => {
    const data = JSON.stringify({ columns: ["assignmentId"], slots: [["x".repeat(600_000)]] });
    for (let i = 0; i < 20; i++)
      await ctx.client.execute({ sql: "INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, platform, data) VALUES (?, 'campaign', 'cmp', 'campaign.reminded', 'system', 'scheduler', ?)", args: [NOW.getTime(), data] });
    const reads = await statementsOf(ctx.client, () => sealEventLog({ ...ctx.deps, now: () => NOW }));
    // One tick's sealing gets through all of them, a few per read.
    const unsealed = await ctx.client.execute("SELECT count(*) AS n FROM events WHERE chain_hash IS NULL");
    expect(unsealed.rows[0]!.n).toBe(0);
    // A read takes rows while the ones before them hold under EVENT_READ_CHARS: 4 of these at most.
    const perRead = Math.floor(EVENT_READ_CHARS / data.length) + 1;
    expect(reads.filter((s) => /^select .* from "events"/i.test(s.sql)).length).toBeGreaterThanOrEqual(Math.ceil(20 / perRead));
    const report = await verifyEventChain(ctx.db, ctx.deps.keys);
    expect(report).toMatchObject({ ok: true, unsealed: 0 });
    expect(report.checked).toBeGreaterThanOrEqual(20);
  });
});

describe("a unit's history", () => {
  it("shows each reminder the tick sent the unit, read from its slots, once (also those logged one event per slot before)", async () => {
    const { unitIds, assignmentIds } = await dueCampaign(3);
    const unitId = unitIds[1]!;
    const earlier = assignmentIds.get(`${unitId}|statistics`)!;
    // A reminder from before the page events: its slot, and its own `assignment.reminded` event.
    const at = NOW.getTime() - 86_400_000;
    await ctx.client.batch([
      { sql: "INSERT INTO reminder_slots (assignment_id, slot, kind, send_at, due_at, claimed_at, outbox_id) VALUES (?, 'v1:before:1', 'before', ?, ?, ?, 'out_earlier')", args: [earlier, at, DUE[1]!, at] },
      { sql: "INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, platform, data, dedupe_key) VALUES (?, 'assignment', ?, 'assignment.reminded', 'system', 'scheduler', '{}', ?)", args: [at, earlier, `reminder:${earlier}:v1:before:1`] },
    ]);
    await runCampaignReminders(ctx.deps, NOW);
    const view = await unitPageView(ctx.deps, (await getUnit(ctx.deps, unitId))!);
    const reminded = view.history.filter((e) => e.action === "assignment.reminded");
    const mine = new Set(view.assignments.map((v) => v.assignment.id));
    const slots = (await ctx.db.select().from(reminderSlots)).filter((r) => mine.has(r.assignmentId));
    // Three overdue reminders and two escalations from the tick, and the earlier one.
    expect(slots).toHaveLength(6);
    expect(reminded.map((e) => `${e.entityType}:${e.entityId}@${e.occurredAt}`).sort()).toEqual(slots.map((r) => `assignment:${r.assignmentId}@${r.claimedAt}`).sort());
    expect(reminded.every((e) => e.actorId === null)).toBe(true);
    // Newest first, as the page lists them.
    expect(view.history.map((e) => e.occurredAt)).toEqual([...view.history.map((e) => e.occurredAt)].sort((x, y) => y - x));
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

describe("many escalations to one coordinators' chat", () => {
  it("more than 50 of one deliverable in a page: one card listing the units; each unit keeps its slot claim and is listed in the page event", async () => {
    const { campaignId } = await dueCampaign(60);
    const r = await runCampaignReminders(ctx.deps, NOW);
    // Two deliverables escalate for all 60 units (the third is not three working days overdue yet).
    expect(r).toMatchObject({ assignments: 180, reminders: 180, escalations: 120 });
    const cards = await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, "reminder:%:coordinators%"));
    expect(cards).toHaveLength(2);
    for (const card of cards) {
      const message = JSON.parse(card.payload) as { message: { card: { title: string; fields: { label: string; value: string }[] } } };
      expect(message.message.card.title).toMatch(/^逾期升级：60 家单位未报送「.+」$/);
      const listed = message.message.card.fields.find((f) => f.label === "单位")!.value;
      expect(listed.split("、")).toHaveLength(30);
      expect(listed).toContain("……另有 30 家");
    }
    // Every escalated unit's claim points at its deliverable's card; the page's one event lists every
    // claimed slot (was: one event per slot, 300), the escalations with their card.
    const claims = await ctx.db.select().from(reminderSlots).where(eq(reminderSlots.kind, "escalation"));
    expect(claims).toHaveLength(120);
    expect(new Set(claims.map((c) => c.outboxId))).toEqual(new Set(cards.map((c) => c.id)));
    const events = await ctx.client.execute("SELECT count(*) AS n FROM events WHERE action = 'campaign.reminded'");
    expect(events.rows[0]!.n).toBe(1);
    const logged = await loggedReminders(ctx.db);
    expect(logged).toHaveLength(300);
    expect(new Set(logged.filter((r) => r.kind === "escalation").map((r) => r.outboxId))).toEqual(new Set(cards.map((c) => c.id)));
    expect((await sent(campaignId)).slots).toHaveLength(300);
  });

  it("up to 50: a card each, as before", async () => {
    await dueCampaign(25);
    await runCampaignReminders(ctx.deps, NOW);
    const cards = await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, "reminder:%:escalation:coordinators"));
    expect(cards).toHaveLength(50);
  });
});
