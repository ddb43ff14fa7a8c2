import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localDateOf } from "../../src/core/campaigns/local-time";
import { assignmentPeriods } from "../../src/core/campaigns/periods";
import { parseCampaignFile, type StatisticsCadence } from "../../src/core/campaigns/campaign-file";
import { assignmentReportedPeriod, reportedPeriod } from "../../src/core/statistics/deliverable-period";

const pad = (n: number) => String(n).padStart(2, "0");
const date = fc
  .record({ y: fc.integer({ min: 1971, max: 2200 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
  .map(({ y, m, d }) => `${y}-${pad(m)}-${pad(d)}`);
const cadence = fc.constantFrom<StatisticsCadence>("monthly", "quarterly", "yearly");
const EVERY = { monthly: "month", quarterly: "quarter", yearly: "year" } as const;

describe("the period a statistics table reports", () => {
  it("is the month, quarter or year before the due date", () => {
    expect(reportedPeriod("2026-12-05", "monthly")).toMatchObject({ key: "2026-11", period: { from: "2026-11-01", to: "2026-11-30" } });
    expect(reportedPeriod("2027-01-05", "monthly")).toMatchObject({ key: "2026-12", period: { from: "2026-12-01", to: "2026-12-31" } });
    expect(reportedPeriod("2024-03-05", "monthly")).toMatchObject({ key: "2024-02", period: { from: "2024-02-01", to: "2024-02-29" } });
    expect(reportedPeriod("2027-01-10", "quarterly")).toMatchObject({ key: "2026-Q4", period: { from: "2026-10-01", to: "2026-12-31" } });
    expect(reportedPeriod("2026-07-31", "quarterly")).toMatchObject({ key: "2026-Q2", period: { from: "2026-04-01", to: "2026-06-30" } });
    expect(reportedPeriod("2027-01-15", "yearly")).toMatchObject({ key: "2026", period: { from: "2026-01-01", to: "2026-12-31" } });
    expect(() => reportedPeriod("2026-12", "monthly")).toThrow(RangeError);
  });

  it("ends before the due date and is whole: no gap and no overlap between consecutive due dates", () => {
    fc.assert(
      fc.property(date, cadence, (due, c) => {
        const { key, period } = reportedPeriod(due, c);
        expect(period.to < due).toBe(true);
        expect(period.endMs).toBe(Date.parse(`${period.to}T00:00:00Z`) - 8 * 3600_000 + 86_400_000);
        // The period is the one just before the due date's own period: the day after it starts that period.
        const dayAfter = new Date(Date.parse(`${period.to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
        const own = c === "monthly" ? due.slice(0, 7) : c === "yearly" ? due.slice(0, 4) : `${due.slice(0, 4)}-Q${Math.floor((Number(due.slice(5, 7)) - 1) / 3) + 1}`;
        const next = c === "monthly" ? dayAfter.slice(0, 7) : c === "yearly" ? dayAfter.slice(0, 4) : `${dayAfter.slice(0, 4)}-Q${Math.floor((Number(dayAfter.slice(5, 7)) - 1) / 3) + 1}`;
        expect(next).toBe(own);
        expect(period.from.startsWith(key.slice(0, 4))).toBe(true);
      }),
    );
  });

  it("agrees with the period key of every assignment a recurring deliverable makes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2098 }), cadence, fc.integer({ min: 1, max: 28 }), (year, c, day) => {
        const periods = assignmentPeriods({ recurrence: { every: EVERY[c], day } }, year);
        expect(periods.length).toBeGreaterThan(0);
        for (const p of periods) {
          expect(reportedPeriod(localDateOf(p.dueAt), c).key).toBe(p.period);
          expect(assignmentReportedPeriod({ period: p.period, dueDate: "2000-01-01" }, c)?.key).toBe(p.period);
        }
      }),
    );
  });

  it("keeps an assignment's own period when its deadline moved, and refuses a key that is no period", () => {
    expect(assignmentReportedPeriod({ period: "2026-11", dueDate: "2027-02-01" }, "monthly")).toMatchObject({ key: "2026-11", period: { from: "2026-11-01", to: "2026-11-30" } });
    expect(assignmentReportedPeriod({ period: "", dueDate: "2026-12-05" }, "monthly")?.key).toBe("2026-11");
    expect(assignmentReportedPeriod({ period: "2026-13", dueDate: "2026-12-05" }, "monthly")).toBeNull();
    expect(assignmentReportedPeriod({ period: "nonsense", dueDate: "2026-12-05" }, "monthly")).toBeNull();
  });
});

describe("a statistics table in the campaign file", () => {
  const file = (d: Record<string, unknown>) => ({ id: "c", name: "C", year: 2026, regionCode: "310000", issuer: "I", deliverables: [{ key: "s", title: "统计表", unitKinds: ["bureau"], ...d }] });

  it("is a recurring deliverable whose cadence matches its recurrence", () => {
    const ok = parseCampaignFile(file({ recurrence: { every: "month", day: 5 }, statistics: { cadence: "monthly" } }));
    expect(ok.success && ok.data.deliverables[0]!.statistics).toEqual({ cadence: "monthly" });
    expect(parseCampaignFile(file({ recurrence: { every: "year", day: 15 }, statistics: { cadence: "yearly" } })).success).toBe(true);
    expect(parseCampaignFile(file({ recurrence: { every: "quarter", day: 5 }, statistics: { cadence: "monthly" } })).success).toBe(false);
    expect(parseCampaignFile(file({ due: "2026-12-05", statistics: { cadence: "monthly" } })).success).toBe(false);
    expect(parseCampaignFile(file({ recurrence: { every: "month", day: 5 }, statistics: { cadence: "weekly" } })).success).toBe(false);
    expect(parseCampaignFile(file({ recurrence: { every: "month", day: 5 }, statistics: { cadence: "monthly", extra: 1 } })).success).toBe(false);
  });

  it("a yearly recurrence makes one assignment per year, due in the January after it", () => {
    const periods = assignmentPeriods({ recurrence: { every: "year", day: 15, from: "2025-03", to: "2026-02" } }, 2025);
    expect(periods.map((p) => [p.period, localDateOf(p.dueAt)])).toEqual([
      ["2025", "2026-01-15"],
      ["2026", "2027-01-15"],
    ]);
  });
});
