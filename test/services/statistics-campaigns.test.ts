// Campaign compliance and screening-batch figures of the statistics over the known history: per scope
// (both months, December, Mianyang), one campaign, the board's rules at another moment, source/team scope.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { teams } from "../../src/db/schema";
import { campaignBoard } from "../../src/services/campaigns/board-data";
import { batchFigures } from "../../src/services/statistics/batch-figures";
import { campaignFigures } from "../../src/services/statistics/campaign-figures";
import { createTestContext, type TestContext } from "../support/context";
import { EXPECTED, NOW, SCOPES, seedStatisticsHistory, sh, type HistoryScope, type StatisticsHistory } from "../support/statistics-history";

let ctx: TestContext;
let history: StatisticsHistory;
beforeAll(async () => {
  ctx = await createTestContext();
  history = await seedStatisticsHistory(ctx);
}, 120_000);
afterAll(() => ctx.close());

const byName = (figures: Awaited<ReturnType<typeof campaignFigures>>) =>
  figures.map((c) => ({ name: c.name, deliverables: c.deliverables.map(({ deliverableId: _, ...d }) => d), reminders: c.reminders }));

describe("campaign figures", () => {
  for (const scope of Object.keys(SCOPES) as HistoryScope[]) {
    it(`${scope}: per deliverable due in the period, units on time, late, missing, returned; reminders`, async () => {
      const figures = await campaignFigures(ctx.deps, SCOPES[scope], NOW);
      expect(byName(figures)).toEqual(EXPECTED[scope].campaigns);
      expect(figures[0]!.campaignId).toBe(history.campaignId);
    });
  }

  it("uses the board's own rules: the same counts as the campaign board at the same moment", async () => {
    const board = (await campaignBoard(ctx.deps, history.campaignId))!;
    const figures = (await campaignFigures(ctx.deps, SCOPES.both, NOW))[0]!;
    for (const d of board.deliverables) {
      const f = figures.deliverables.find((x) => x.deliverableId === d.deliverable.id)!;
      expect(f.units).toBe(d.counts.units);
      expect(f.missing).toBe(d.counts.late); // the board's "late" = past due, nothing submitted
      expect(f.onTime + f.late).toBe(d.counts.submitted);
    }
  });

  it("counts at `now`: before D2 fell due nobody was missing it", async () => {
    const figures = await campaignFigures(ctx.deps, SCOPES.december, sh("2026-12-10 16:00"));
    expect(byName(figures)[0]!.deliverables).toEqual([{ name: "统计表", dueDate: "2026-12-10", units: 3, onTime: 1, late: 0, missing: 0, returned: 1 }]);
  });

  it("one campaign by id; an unknown id or a period before it began gives nothing", async () => {
    expect(byName(await campaignFigures(ctx.deps, { ...SCOPES.both, campaignId: history.campaignId }, NOW))).toEqual(EXPECTED.both.campaigns);
    expect(await campaignFigures(ctx.deps, { ...SCOPES.both, campaignId: "cmp_nope" }, NOW)).toEqual([]);
    // October: the campaign existed (active), but nothing fell due and no reminder went out.
    const october = await campaignFigures(ctx.deps, { period: { from: "2026-10-01", to: "2026-10-31", startMs: sh("2026-10-01 00:00").getTime(), endMs: sh("2026-11-01 00:00").getTime() } }, NOW);
    expect(october).toEqual([]);
  });

  it("a district with no unit of the campaign: the campaign with no deliverables and no reminders", async () => {
    const jinniu = await campaignFigures(ctx.deps, { ...SCOPES.both, regionCode: "510106" }, NOW);
    expect(byName(jinniu)).toEqual([{ name: EXPECTED.both.campaigns[0]!.name, deliverables: [], reminders: { sent: 0, acknowledged: 0 } }]);
  });
});

describe("screening-batch figures", () => {
  for (const scope of Object.keys(SCOPES) as HistoryScope[]) {
    it(`${scope}: batches imported in the period, rows, rows fed back, results`, async () => {
      expect(await batchFigures(ctx.deps, SCOPES[scope])).toEqual(EXPECTED[scope].batches);
    });
  }

  it("a source other than batch has none; a team has its own rows only", async () => {
    expect(await batchFigures(ctx.deps, { ...SCOPES.both, source: "tip" })).toEqual({ count: 0, rows: 0, fedBack: 0, byOutcome: {} });
    expect(await batchFigures(ctx.deps, { ...SCOPES.both, source: "batch" })).toEqual(EXPECTED.both.batches);
    const mianyangTeam = (await ctx.db.query.teams.findFirst({ where: eq(teams.name, "Mianyang inspection team") }))!;
    expect(await batchFigures(ctx.deps, { ...SCOPES.both, teamId: mianyangTeam.id })).toEqual({ count: 1, rows: 1, fedBack: 1, byOutcome: { not_accepted: 1 } });
    // Chengdu's district 510107 holds B1's second row (L6, still open).
    expect(await batchFigures(ctx.deps, { ...SCOPES.both, regionCode: "510107" })).toEqual({ count: 1, rows: 1, fedBack: 0, byOutcome: { open: 1 } });
  });
});
