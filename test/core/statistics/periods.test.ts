import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  PeriodError,
  dateRangeSchema,
  monthKeyPeriod,
  monthPeriod,
  monthsInPeriod,
  parsePeriod,
  periodFromRange,
  periodTextSchema,
  precedingPeriod,
  quarterPeriod,
  relativePeriod,
} from "../../../src/core/statistics/periods";

/** Shanghai local time → instant. */
const sh = (local: string) => new Date(`${local}+08:00`);
const now = sh("2026-12-07T10:00:00"); // a Monday

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof PeriodError ? e.code : "other";
  }
  return "none";
};

describe("reading a period", () => {
  it("reads a month with Shanghai midnight boundaries", () => {
    const p = parsePeriod("2026-02", now);
    expect(p).toEqual({ from: "2026-02-01", to: "2026-02-28", startMs: sh("2026-02-01T00:00:00").getTime(), endMs: sh("2026-03-01T00:00:00").getTime() });
    expect(new Date(p.startMs).toISOString()).toBe("2026-01-31T16:00:00.000Z");
    expect(parsePeriod("2028-02", now).to).toBe("2028-02-29");
  });

  it("reads quarters, years, ranges and single days", () => {
    expect(parsePeriod("2026-Q4", now)).toMatchObject({ from: "2026-10-01", to: "2026-12-31" });
    expect(parsePeriod("2026-q1", now)).toMatchObject({ from: "2026-01-01", to: "2026-03-31" });
    expect(parsePeriod("2025", now)).toMatchObject({ from: "2025-01-01", to: "2025-12-31" });
    expect(parsePeriod(" 2026-03-15..2026-04-02 ", now)).toMatchObject({ from: "2026-03-15", to: "2026-04-02" });
    expect(parsePeriod("2026-03-15/2026-04-02", now)).toMatchObject({ from: "2026-03-15", to: "2026-04-02" });
    const day = parsePeriod("2026-10-01", now);
    expect(day.endMs - day.startMs).toBe(86_400_000);
  });

  it("reads the current week, month, quarter and year so far, and the previous ones whole", () => {
    expect(parsePeriod("week", now)).toMatchObject({ from: "2026-12-07", to: "2026-12-07" });
    expect(parsePeriod("month", now)).toMatchObject({ from: "2026-12-01", to: "2026-12-07", endMs: sh("2026-12-08T00:00:00").getTime() });
    expect(parsePeriod("quarter", now)).toMatchObject({ from: "2026-10-01", to: "2026-12-07" });
    expect(parsePeriod("YEAR", now)).toMatchObject({ from: "2026-01-01", to: "2026-12-07" });
    expect(parsePeriod("last-week", now)).toMatchObject({ from: "2026-11-30", to: "2026-12-06" });
    // Sunday night in Shanghai is still last week's Sunday, though UTC says Sunday afternoon.
    const sunday = sh("2026-12-06T23:30:00");
    expect(relativePeriod("week", sunday)).toMatchObject({ from: "2026-11-30", to: "2026-12-06" });
    expect(relativePeriod("last-week", sunday)).toMatchObject({ from: "2026-11-23", to: "2026-11-29" });
    // 00:30 on 1 January in Shanghai is still 31 December in UTC.
    const newYear = sh("2027-01-01T00:30:00");
    expect(relativePeriod("year", newYear)).toMatchObject({ from: "2027-01-01", to: "2027-01-01" });
    expect(relativePeriod("last-month", newYear)).toMatchObject({ from: "2026-12-01", to: "2026-12-31" });
    expect(relativePeriod("last-quarter", newYear)).toMatchObject({ from: "2026-10-01", to: "2026-12-31" });
    expect(relativePeriod("last-year", newYear)).toMatchObject({ from: "2026-01-01", to: "2026-12-31" });
  });

  it("says what is wrong with bad input", () => {
    expect(codeOf(() => parsePeriod("2026-13", now))).toBe("impossible_date");
    expect(codeOf(() => parsePeriod("2026-Q5", now))).toBe("invalid_format");
    expect(codeOf(() => parsePeriod("2026-02-30", now))).toBe("impossible_date");
    expect(codeOf(() => parsePeriod("2027-02-29..2027-03-01", now))).toBe("impossible_date");
    expect(codeOf(() => parsePeriod("2026-04-01..2026-03-31", now))).toBe("reversed");
    expect(codeOf(() => parsePeriod("fortnight", now))).toBe("invalid_format");
    expect(codeOf(() => parsePeriod("", now))).toBe("invalid_format");
    expect(codeOf(() => parsePeriod("0000", now))).toBe("impossible_date");
    expect(() => parsePeriod("fortnight", now)).toThrow(/YYYY-MM, YYYY-Qn/);
    expect(() => parsePeriod("2026-04-01..2026-03-31", now)).toThrow("the period ends (2026-03-31) before it starts (2026-04-01)");
  });

  it("allows five years and not a day more", () => {
    expect(periodFromRange("2021-01-01", "2025-12-31").to).toBe("2025-12-31");
    expect(codeOf(() => periodFromRange("2021-01-01", "2026-01-01"))).toBe("too_long");
    expect(() => periodFromRange("2021-01-01", "2026-01-01")).toThrow("from 2021-01-01 the last day is 2025-12-31");
    expect(periodFromRange("2024-02-29", "2029-02-28").to).toBe("2029-02-28");
    expect(codeOf(() => periodFromRange("2024-02-29", "2029-03-01"))).toBe("too_long");
  });

  it("validates with zod at the edge, and a rejection names the reason", () => {
    expect(dateRangeSchema.parse({ from: "2026-01-01", to: "2026-01-31" })).toMatchObject({ from: "2026-01-01", to: "2026-01-31" });
    const reversed = dateRangeSchema.safeParse({ from: "2026-02-01", to: "2026-01-31" });
    expect(reversed.success).toBe(false);
    expect(reversed.error?.issues[0]?.path).toEqual(["to"]);
    expect(dateRangeSchema.safeParse({ from: "2026-02-30", to: "2026-03-01" }).success).toBe(false);
    expect(dateRangeSchema.safeParse({ from: "2026-1-1", to: "2026-03-01" }).success).toBe(false);
    expect(periodTextSchema(now).parse("last-week")).toMatchObject({ from: "2026-11-30" });
    expect(periodTextSchema(now).safeParse("2026-99").error?.issues[0]?.message).toMatch(/no month 99/);
    expect(periodTextSchema(now).safeParse("x".repeat(100)).success).toBe(false);
  });
});

describe("the period before", () => {
  it("is the week before last week, or as many days before a range", () => {
    expect(precedingPeriod(parsePeriod("last-week", now))).toMatchObject({ from: "2026-11-23", to: "2026-11-29" });
    expect(precedingPeriod(parsePeriod("2026-03-01..2026-03-10", now))).toMatchObject({ from: "2026-02-19", to: "2026-02-28" });
  });

  it("ends where the period starts and is as long, for any range", () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 900 }), (from, len) => {
        const to = new Date(Date.parse(`${from}T00:00:00Z`) + len * 86_400_000).toISOString().slice(0, 10);
        const p = periodFromRange(from, to);
        const before = precedingPeriod(p);
        expect(before.endMs).toBe(p.startMs);
        expect(before.endMs - before.startMs).toBe(p.endMs - p.startMs);
      }),
    );
  });
});

describe("the months in a period", () => {
  it("lists every month the period touches, across years", () => {
    expect(monthsInPeriod(parsePeriod("2026-11-30..2027-02-01", now))).toEqual(["2026-11", "2026-12", "2027-01", "2027-02"]);
    expect(monthsInPeriod(parsePeriod("2026-05-03", now))).toEqual(["2026-05"]);
    expect(monthsInPeriod(parsePeriod("2026", now))).toHaveLength(12);
  });

  it("clips a month to the period", () => {
    const p = parsePeriod("2026-11-15..2027-01-10", now);
    expect(monthKeyPeriod("2026-11", p)).toMatchObject({ from: "2026-11-15", to: "2026-11-30" });
    expect(monthKeyPeriod("2027-01", p)).toMatchObject({ from: "2027-01-01", to: "2027-01-10" });
  });
});

const yearArb = fc.integer({ min: 1990, max: 2090 });
const dateArb = fc.date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2090-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

describe("periods, for any input", () => {
  it("round-trip: a range read back from its from..to text is the same period", () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 1800 }), (from, len) => {
        const to = new Date(Date.parse(`${from}T00:00:00Z`) + len * 86_400_000).toISOString().slice(0, 10);
        const p = periodFromRange(from, to);
        expect(parsePeriod(`${p.from}..${p.to}`, now)).toEqual(p);
        expect((p.endMs - p.startMs) / 86_400_000).toBe(len + 1);
      }),
    );
  });

  it("months and quarters tile their year without gaps or overlaps", () => {
    fc.assert(
      fc.property(yearArb, (y) => {
        const year = parsePeriod(String(y), now);
        for (const parts of [Array.from({ length: 12 }, (_, i) => monthPeriod(y, i + 1)), [1, 2, 3, 4].map((q) => quarterPeriod(y, q))]) {
          expect(parts[0]!.startMs).toBe(year.startMs);
          expect(parts.at(-1)!.endMs).toBe(year.endMs);
          for (let i = 1; i < parts.length; i++) expect(parts[i]!.startMs).toBe(parts[i - 1]!.endMs);
        }
        expect(monthsInPeriod(year).map((k) => parsePeriod(k, now))).toEqual(Array.from({ length: 12 }, (_, i) => monthPeriod(y, i + 1)));
      }),
    );
  });

  it("a clipped month-by-month split of any range tiles it exactly", () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 800 }), (from, len) => {
        const to = new Date(Date.parse(`${from}T00:00:00Z`) + len * 86_400_000).toISOString().slice(0, 10);
        const p = periodFromRange(from, to);
        const parts = monthsInPeriod(p).map((k) => monthKeyPeriod(k, p));
        expect(parts[0]!.startMs).toBe(p.startMs);
        expect(parts.at(-1)!.endMs).toBe(p.endMs);
        for (let i = 1; i < parts.length; i++) expect(parts[i]!.startMs).toBe(parts[i - 1]!.endMs);
      }),
    );
  });

  it("the current period contains now, and last week is the seven days before this week", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("2000-01-01"), max: Date.parse("2090-01-01") }), (t) => {
        const at = new Date(t);
        for (const k of ["week", "month", "quarter", "year"] as const) {
          const p = relativePeriod(k, at);
          expect(t >= p.startMs && t < p.endMs).toBe(true);
        }
        const week = relativePeriod("week", at);
        const last = relativePeriod("last-week", at);
        expect(last.endMs).toBe(week.startMs);
        expect(last.endMs - last.startMs).toBe(7 * 86_400_000);
        expect(new Date(`${last.from}T00:00:00Z`).getUTCDay()).toBe(1);
        expect(relativePeriod("last-month", at).endMs).toBe(relativePeriod("month", at).startMs);
        expect(relativePeriod("last-quarter", at).endMs).toBe(relativePeriod("quarter", at).startMs);
        expect(relativePeriod("last-year", at).endMs).toBe(relativePeriod("year", at).startMs);
      }),
    );
  });

  it("never throws anything but a PeriodError on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        const code = codeOf(() => parsePeriod(s, now));
        expect(code).not.toBe("other");
      }),
    );
  });
});
