// The "Done when" of issue 18 for the statistics use case: over a known history built through the real
// use cases (test/support/statistics-history.ts), every figure computeStatistics reports — and the lead
// ledger — equals the number computed by hand, for both months, December alone and Mianyang alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statisticsSchema } from "../../src/core/statistics/report-shape";
import { computeStatistics } from "../../src/services/statistics/compute";
import { leadLedger } from "../../src/services/statistics/ledger";
import type { StatisticsReport } from "../../src/services/statistics/report";
import { createTestContext, type TestContext } from "../support/context";
import { EXPECTED, expectedLedgerIds, NOW, SCOPES, seedStatisticsHistory, type HistoryScope, type StatisticsHistory } from "../support/statistics-history";

let ctx: TestContext;
let history: StatisticsHistory;
const reports = new Map<HistoryScope, StatisticsReport>();
beforeAll(async () => {
  ctx = await createTestContext();
  history = await seedStatisticsHistory(ctx);
  for (const scope of Object.keys(SCOPES) as HistoryScope[]) reports.set(scope, await computeStatistics(ctx.deps, SCOPES[scope], NOW));
}, 120_000);
afterAll(() => ctx.close());

/** Ratios compared to 9 places (5/9 is not exact in binary). */
const shares = (t: Record<string, number | null>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v === null ? null : Number(v.toFixed(9))]));

describe.each(Object.keys(SCOPES) as HistoryScope[])("known history, %s", (scope) => {
  const expected = EXPECTED[scope];
  const report = () => reports.get(scope)!;

  it("has the issue's JSON shape", () => {
    expect(() => statisticsSchema.parse(report())).not.toThrow();
    expect(report().period).toEqual(expected.period);
    expect(report().asOf).toBe(NOW.getTime());
  });

  it("leads: received, by source, acknowledged, accepted, declined, open and overdue now, concluded by outcome", () => {
    expect(report().leads).toEqual(expected.leads);
  });

  it("amounts, measures and rewards", () => {
    expect(report().amounts).toEqual(expected.amounts);
    expect(report().measures).toEqual(expected.measures);
    expect(report().rewards).toEqual(expected.rewards);
  });

  it("timeliness: the shares, how many each is over, median and 90th percentile", () => {
    expect(shares(report().timeliness)).toEqual(shares(expected.timeliness));
    expect(report().timelinessDetail).toEqual(expected.timelinessDetail);
  });

  it("breakdowns: violation type, focus area, region, tips, corroborated, referrals", () => {
    expect(report().breakdown).toEqual(expected.breakdown);
  });

  it("months", () => {
    expect(report().monthly).toEqual(expected.monthly);
  });

  it("campaign compliance and screening batches", () => {
    expect(report().campaigns.map((c) => ({ name: c.name, deliverables: c.deliverables.map(({ deliverableId: _, ...d }) => d), reminders: c.reminders }))).toEqual(expected.campaigns);
    expect(report().campaigns.map((c) => c.campaignId)).toEqual([history.campaignId]);
    expect(report().batches).toEqual(expected.batches);
  });

  it("the lead ledger: its rows, in receipt order, agree with the figures", async () => {
    const ledger = await leadLedger(ctx.deps, SCOPES[scope]);
    expect(ledger.truncated).toBe(false);
    expect(ledger.rows.map((r) => r.leadId)).toEqual(expectedLedgerIds(history, scope));
    const { startMs, endMs } = SCOPES[scope].period;
    const inPeriod = (t: number | null) => t !== null && t >= startMs && t < endMs;
    expect(ledger.rows.filter((r) => inPeriod(r.receivedAt))).toHaveLength(expected.leads.received);
    const concluded = ledger.rows.filter((r) => r.state === "concluded" && inPeriod(r.closedAt));
    expect(concluded).toHaveLength(expected.leads.concluded);
    const sum = (k: "verifiedFen" | "recoveredFen" | "fineFen") => concluded.reduce((s, r) => s + (r[k] ?? 0), 0);
    expect({ verifiedFen: sum("verifiedFen"), recoveredFen: sum("recoveredFen"), finesFen: sum("fineFen") }).toEqual(expected.amounts);
  });
});
