// The statistics use case over a small history computed by hand (issue 18 item 2).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statisticsSchema } from "../../src/core/statistics/report-shape";
import { computeStatistics } from "../../src/services/statistics/compute";
import { resolveStatisticsScope } from "../../src/services/statistics/scope";
import { createTestContext, type TestContext } from "../support/context";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe("computeStatistics", () => {
  it("an empty period gives zeros and null shares", async () => {
    const scope = await resolveStatisticsScope(ctx.deps, { period: "2026-10" }, ctx.deps.now());
    const report = await computeStatistics(ctx.deps, scope, ctx.deps.now());
    expect(statisticsSchema.parse(report)).toBeTruthy();
    expect(report.leads.received).toBe(0);
    expect(report.timeliness).toEqual({ acknowledgedInTime: null, decidedInTime: null, closedInTime: null });
    expect(report.monthly).toEqual([{ month: "2026-10", received: { tip: 0, batch: 0, hotline: 0 }, concluded: 0 }]);
  });
});
