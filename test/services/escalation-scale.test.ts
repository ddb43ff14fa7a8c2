// The escalation job with many open leads: it reads only the due ones, in bounded batches through the
// next_escalation_at index, sends each step once (grouped per recipient within a batch), and stores
// each lead's next time.
import { and, gt, isNotNull, lte, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leads, outbox } from "../../src/db/schema";
import { escalateOverdueLeads } from "../../src/services/leads/escalation";
import { seedOpenLeads } from "../../scripts/bench/seed-leads";
import { createTestContext, type TestContext } from "../support/context";
import { countRoundTrips, importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
let trips: ReturnType<typeof countRoundTrips>;
const OPEN = 20_000;
const DUE = 450;

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  await seedOpenLeads(ctx.client, { count: OPEN, due: DUE, now: ctx.deps.now().getTime() });
  trips = countRoundTrips(ctx.client);
}, 60_000);
afterAll(() => ctx.close());

describe("escalation at scale", () => {
  it("records one step per due lead in batches of 200, two round trips a batch, one message per assignee and batch", async () => {
    const { result, trips: n, calls } = await trips.during(() => escalateOverdueLeads(ctx.deps, { batchSize: 200 }));
    const assignees = (await ctx.db.selectDistinct({ id: leads.assigneeId }).from(leads)).length;
    expect(result).toMatchObject({ reminders: DUE, leads: DUE, batches: 3, lostBatches: 0 });
    // Grouping is per batch: each assignee at most once per batch.
    expect(result.messages).toBeLessThanOrEqual(3 * assignees);
    // Three batches of (read, write), plus one organisation load on a cold cache.
    expect(n, calls.map((c) => c.method).join(",")).toBeLessThanOrEqual(7);
    const queued = await ctx.db.select({ payload: outbox.payload }).from(outbox).where(sql`${outbox.dedupeKey} LIKE 'esc:%'`);
    expect(queued).toHaveLength(result.messages);
    // Every due lead is listed or counted once across the messages.
    let listedOrCounted = 0;
    for (const { payload } of queued) {
      const text = String((JSON.parse(payload) as { message: { text: string } }).message.text);
      expect(text.length).toBeLessThan(4096);
      const lines = text.split("\n").slice(1);
      if (lines.length === 0) listedOrCounted++; // a single-lead reminder
      else listedOrCounted += lines.filter((l) => / · /.test(l)).length + Number(/另有 (\d+) 条|and (\d+) more/.exec(text)?.slice(1).find(Boolean) ?? 0);
    }
    expect(listedOrCounted).toBe(DUE);
  });

  it("moves every looked-at lead's next time past now, and leaves the others alone", async () => {
    const now = ctx.deps.now().getTime();
    const stillDue = await ctx.db.select({ n: sql<number>`count(*)` }).from(leads).where(lte(leads.nextEscalationAt, now));
    expect(stillDue[0]!.n).toBe(0);
    const later = await ctx.db.select({ n: sql<number>`count(*)` }).from(leads).where(and(isNotNull(leads.nextEscalationAt), gt(leads.nextEscalationAt, now)));
    expect(later[0]!.n).toBe(OPEN);
    const escalated = await ctx.db.select({ n: sql<number>`count(*)` }).from(events).where(sql`${events.action} = 'lead.escalated'`);
    expect(escalated[0]!.n).toBe(DUE);
  });

  it("a second tick at the same instant reads one empty batch and sends nothing", async () => {
    const { result, trips: n } = await trips.during(() => escalateOverdueLeads(ctx.deps));
    expect(result.reminders).toBe(0);
    expect(n).toBe(1);
  });

  it("the next step comes due four working hours later and is sent then, once", async () => {
    ctx.setNow(new Date(ctx.deps.now().getTime() + 2 * 86_400_000));
    try {
      const result = await escalateOverdueLeads(ctx.deps);
      // Two days later every due lead has reached its team-lead and coordinators steps.
      expect(result.reminders).toBe(DUE * 2);
      // Per batch: one team-lead digest per team and one coordinators' digest.
      const teamsWithLeads = (await ctx.db.selectDistinct({ id: leads.teamId }).from(leads)).length;
      expect(result.messages).toBeLessThanOrEqual(result.batches * (teamsWithLeads + 1));
      expect((await escalateOverdueLeads(ctx.deps)).reminders).toBe(0);
    } finally {
      ctx.setNow("2026-11-24T02:00:00.000Z");
    }
  });
});
