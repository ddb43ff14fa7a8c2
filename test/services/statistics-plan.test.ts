// The statistics at scale (issue 18 item 5): a year of 100,000 leads; every statement computeStatistics
// sends, unscoped and for a province, a city, a district, a team and a source, is an index search — no
// table scan of leads, lead_reports, reports or reward_claims — checked with EXPLAIN QUERY PLAN on the
// statements actually sent. The figures agree with plain counts over the same rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedStatisticsLeads } from "../../scripts/bench/seed-statistics";
import { yearPeriod } from "../../src/core/statistics/periods";
import { computeStatistics } from "../../src/services/statistics/compute";
import type { StatisticsScope } from "../../src/services/statistics/report";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";
import { statementsOf } from "../support/statements-of";

const LEADS = 100_000;
const YEAR = yearPeriod(2026);
const NOW = new Date("2026-12-31T08:00:00.000Z");
const WATCHED = /\b(leads|lead_reports|reports|reward_claims)\b/;

let ctx: TestContext;
let teamId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  await seedStatisticsLeads(ctx.client, { count: LEADS, from: YEAR.startMs, to: YEAR.endMs });
  teamId = String((await ctx.client.execute("SELECT id FROM teams ORDER BY id LIMIT 1")).rows[0]!.id);
}, 180_000);
afterAll(() => ctx.close());


const count = async (where: string, args: (string | number)[] = []) => Number((await ctx.client.execute({ sql: `SELECT count(*) AS n FROM leads WHERE ${where}`, args })).rows[0]!.n);

describe("the statistics of a year over 100,000 leads", () => {
  it("reads every figure from an index range: no table scan", async () => {
    const scopes: StatisticsScope[] = [
      { period: YEAR },
      { period: YEAR, regionCode: "510000" },
      { period: YEAR, regionCode: "510100" },
      { period: YEAR, regionCode: "510104" },
      { period: YEAR, teamId },
      { period: YEAR, source: "hotline" },
    ];
    const used = new Set<string>();
    for (const scope of scopes) {
      const statements = await statementsOf(ctx.client, () => computeStatistics(ctx.deps, scope, NOW));
      const watched = statements.filter((x) => WATCHED.test(x.sql));
      expect(watched.length).toBeGreaterThanOrEqual(10);
      for (const s of watched) {
        const rows = (await ctx.client.execute({ sql: `EXPLAIN QUERY PLAN ${s.sql}`, args: s.args as never })).rows.map((r) => String(r.detail));
        const plan = `${JSON.stringify(scope)}\n${s.sql}\n  ${rows.join("\n  ")}`;
        for (const line of rows) {
          for (const m of line.matchAll(/INDEX (\w+)/g)) used.add(m[1]!);
          // The lead figures (lead-queries.ts names its indexes) read the year from the covering indexes of
          // migration 0020, never row by row.
          if (/INDEXED BY/.test(s.sql) && /^SEARCH (leads|l)\b/.test(line) && !/\(id=\?\)$/.test(line)) expect(line, plan).toMatch(/USING COVERING INDEX/);
          // The one scan allowed: the open leads counted from the partial index that holds only them.
          if (/^SCAN (leads|l|lr|r|rc|lead_reports|reports|reward_claims)\b/.test(line)) expect(line, plan).toMatch(/USING COVERING INDEX leads_open_due_idx$/);
        }
        // The batch figures start from the period's batches and reach each row's lead by its key, never
        // from every lead of a region or team.
        if (/"screening_batches"/.test(s.sql)) {
          expect(rows[0], plan).toMatch(/^SEARCH screening_batches USING (COVERING )?INDEX screening_batches_imported_idx/);
          expect(rows.find((r) => /^SEARCH leads/.test(r)), plan).toMatch(/PRIMARY KEY|\(rowid=\?\)|\(id=\?\)/);
        }
      }
    }
    for (const index of ["leads_stats_received_idx", "leads_concluded_idx", "leads_open_due_idx", "reward_claims_status_idx"]) expect([...used]).toContain(index);
  }, 180_000);

  it("agrees with plain counts over the same rows", async () => {
    const [s, e] = [YEAR.startMs, YEAR.endMs];
    const report = await computeStatistics(ctx.deps, { period: YEAR }, NOW);
    expect(report.leads.received).toBe(LEADS);
    expect(report.leads.bySource.hotline).toBe(await count("received_at >= ? AND received_at < ? AND source = 'hotline'", [s, e]));
    expect(report.leads.concluded).toBe(await count("state = 'concluded' AND closed_at >= ? AND closed_at < ?", [s, e]));
    expect(report.leads.openNow).toBe(await count("state IN ('new','acknowledged','accepted','investigating')"));
    expect(report.breakdown.tips.received).toBe(await count("received_at >= ? AND received_at < ? AND source = 'tip'", [s, e]));
    expect(report.timelinessDetail.ackWorkingHours.count).toBe(await count("received_at >= ? AND received_at < ? AND ack_work_hours IS NOT NULL", [s, e]));
    const district = await computeStatistics(ctx.deps, { period: YEAR, regionCode: "510104" }, NOW);
    expect(district.leads.received).toBe(await count("received_at >= ? AND received_at < ? AND region_code = '510104'", [s, e]));
    const province = await computeStatistics(ctx.deps, { period: YEAR, regionCode: "320000" }, NOW);
    expect(province.leads.received).toBe(await count("received_at >= ? AND received_at < ? AND region_code LIKE '32%'", [s, e]));
  }, 120_000);
});
