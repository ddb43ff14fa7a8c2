// Reporting periods in Asia/Shanghai: a month, quarter, year, date range or "this/last week|month|…" as
// of `now`, resolved to inclusive dates and the half-open instant range [startMs, endMs) queries use.
import { z } from "zod";

const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
/** Longest range a statistics request may span: a year's report over five years is still bounded work. */
export const MAX_PERIOD_YEARS = 5;

export interface Period {
  /** First day, inclusive (YYYY-MM-DD, Shanghai). */
  from: string;
  /** Last day, inclusive (YYYY-MM-DD, Shanghai). */
  to: string;
  /** Shanghai midnight starting `from`. */
  startMs: number;
  /** Shanghai midnight after `to` (exclusive). */
  endMs: number;
}

export type PeriodErrorCode = "invalid_format" | "impossible_date" | "reversed" | "too_long";

/** A period that cannot be read; `code` lets each transport word it in its own language. */
export class PeriodError extends Error {
  constructor(
    readonly code: PeriodErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "PeriodError";
  }
}

export const RELATIVE_PERIODS = ["week", "month", "quarter", "year", "last-week", "last-month", "last-quarter", "last-year"] as const;
export type RelativePeriod = (typeof RELATIVE_PERIODS)[number];

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
const QUARTER_RE = /^(\d{4})-[Qq]([1-4])$/;
const YEAR_RE = /^(\d{4})$/;
// "2026-01-01..2026-03-31" or "2026-01-01/2026-03-31": one text form for URLs and chat.
const RANGE_RE = /^(\d{4}-\d{2}-\d{2})(?:\.\.|\/)(\d{4}-\d{2}-\d{2})$/;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const ymd = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** A calendar date moved by whole days (YYYY-MM-DD in, YYYY-MM-DD out; no time zone involved). */
export const shiftDate = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
/** The instant a Shanghai calendar date starts. */
export const shanghaiMidnight = (date: string) => Date.parse(`${date}T00:00:00Z`) - OFFSET_MS;
const todayIn = (now: Date) => new Date(now.getTime() + OFFSET_MS).toISOString().slice(0, 10);

/** Whether YYYY-MM-DD names a day that exists (no 2026-02-30, no month 13). */
export function isRealDate(date: string): boolean {
  const m = DATE_RE.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

function checkedYear(text: string): number {
  const y = Number(text);
  if (y < 1970 || y > 9998) throw new PeriodError("impossible_date", `year ${text} is out of range (1970–9998)`);
  return y;
}

/**
 * The period from `from` to `to`, both inclusive. Rejects impossible dates, a `to` before `from`, and
 * ranges longer than five years (2021-01-01..2025-12-31 is the longest from 2021-01-01).
 */
export function periodFromRange(from: string, to: string): Period {
  for (const d of [from, to]) {
    if (!DATE_RE.test(d)) throw new PeriodError("invalid_format", `"${d}" is not a date (YYYY-MM-DD)`);
    if (!isRealDate(d)) throw new PeriodError("impossible_date", `${d} is not a day of the calendar`);
    checkedYear(d.slice(0, 4));
  }
  if (to < from) throw new PeriodError("reversed", `the period ends (${to}) before it starts (${from})`);
  const limit = addYears(from, MAX_PERIOD_YEARS);
  if (to >= limit) throw new PeriodError("too_long", `a period spans at most ${MAX_PERIOD_YEARS} years (from ${from} the last day is ${shiftDate(limit, -1)})`);
  return { from, to, startMs: shanghaiMidnight(from), endMs: shanghaiMidnight(shiftDate(to, 1)) };
}

/** The same day `years` later; 29 February falls on 1 March in a common year. */
function addYears(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  const [m, d] = [Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  return d > daysInMonth(y, m) ? ymd(y, m + 1 > 12 ? 1 : m + 1, 1) : ymd(y, m, d);
}

export function monthPeriod(year: number, month: number): Period {
  return periodFromRange(ymd(year, month, 1), ymd(year, month, daysInMonth(year, month)));
}

export function quarterPeriod(year: number, quarter: number): Period {
  const first = (quarter - 1) * 3 + 1;
  return periodFromRange(ymd(year, first, 1), ymd(year, first + 2, daysInMonth(year, first + 2)));
}

export function yearPeriod(year: number): Period {
  return periodFromRange(ymd(year, 1, 1), ymd(year, 12, 31));
}

/**
 * A relative period as of `now`: "week|month|quarter|year" is the current one so far (from its first
 * day through today, endMs the coming Shanghai midnight); "last-…" is the whole previous one. Weeks run
 * Monday–Sunday, as Chinese offices count them.
 */
export function relativePeriod(kind: RelativePeriod, now: Date): Period {
  const today = todayIn(now);
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  const q = Math.floor((m - 1) / 3) + 1;
  const monday = shiftDate(today, -((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7));
  switch (kind) {
    case "week":
      return periodFromRange(monday, today);
    case "month":
      return periodFromRange(ymd(y, m, 1), today);
    case "quarter":
      return periodFromRange(ymd(y, (q - 1) * 3 + 1, 1), today);
    case "year":
      return periodFromRange(ymd(y, 1, 1), today);
    case "last-week":
      return periodFromRange(shiftDate(monday, -7), shiftDate(monday, -1));
    case "last-month":
      return m === 1 ? monthPeriod(y - 1, 12) : monthPeriod(y, m - 1);
    case "last-quarter":
      return q === 1 ? quarterPeriod(y - 1, 4) : quarterPeriod(y, q - 1);
    case "last-year":
      return yearPeriod(y - 1);
  }
}

/**
 * Reads one period text: "2026-11" (month), "2026-Q4" (quarter), "2026" (year),
 * "2026-01-01..2026-03-31" (range, inclusive), or a relative word (see relativePeriod) as of `now`.
 * Throws PeriodError with a message that says what would be accepted.
 */
export function parsePeriod(text: string, now: Date): Period {
  const s = text.trim();
  if ((RELATIVE_PERIODS as readonly string[]).includes(s.toLowerCase())) return relativePeriod(s.toLowerCase() as RelativePeriod, now);
  let m: RegExpExecArray | null;
  if ((m = MONTH_RE.exec(s))) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) throw new PeriodError("impossible_date", `${s} has no month ${m[2]}`);
    return monthPeriod(checkedYear(m[1]!), month);
  }
  if ((m = QUARTER_RE.exec(s))) return quarterPeriod(checkedYear(m[1]!), Number(m[2]));
  if ((m = YEAR_RE.exec(s))) return yearPeriod(checkedYear(m[1]!));
  if ((m = RANGE_RE.exec(s))) return periodFromRange(m[1]!, m[2]!);
  if (DATE_RE.test(s)) return periodFromRange(s, s);
  throw new PeriodError(
    "invalid_format",
    `"${s.slice(0, 40)}" is not a period: use YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD..YYYY-MM-DD, or one of ${RELATIVE_PERIODS.join(", ")}`,
  );
}

/** The months (YYYY-MM) a period touches, in order: the x axis of "leads per month". */
export function monthsInPeriod(period: Pick<Period, "from" | "to">): string[] {
  const months: string[] = [];
  let y = Number(period.from.slice(0, 4));
  let m = Number(period.from.slice(5, 7));
  const last = period.to.slice(0, 7);
  for (;;) {
    const key = `${pad(y, 4)}-${pad(m)}`;
    months.push(key);
    if (key >= last) return months;
    m === 12 ? ((m = 1), y++) : m++;
  }
}

/** The period one calendar month covers, from its YYYY-MM key, clipped to `within` when given. */
export function monthKeyPeriod(key: string, within?: Period): Period {
  const p = monthPeriod(Number(key.slice(0, 4)), Number(key.slice(5, 7)));
  if (!within) return p;
  return periodFromRange(p.from > within.from ? p.from : within.from, p.to < within.to ? p.to : within.to);
}

/**
 * The period of the same number of days just before `period` (last week → the week before; a month so
 * far → as many days before it): the comparison column of the weekly digest and "against the previous".
 */
export function precedingPeriod(period: Pick<Period, "from" | "to">): Period {
  const days = Math.round((Date.parse(`${period.to}T00:00:00Z`) - Date.parse(`${period.from}T00:00:00Z`)) / DAY_MS) + 1;
  return periodFromRange(shiftDate(period.from, -days), shiftDate(period.from, -1));
}

/** Whether an instant falls in the period ([startMs, endMs)). */
export const inPeriod = (period: Period, t: number) => t >= period.startMs && t < period.endMs;

const isoDate = z.string().regex(DATE_RE, "a date YYYY-MM-DD").refine(isRealDate, "a day of the calendar");

/** A from/to pair as a URL or CLI gives it; becomes a Period, with the same errors as periodFromRange. */
export const dateRangeSchema = z
  .object({ from: isoDate, to: isoDate })
  .transform((v, ctx) => {
    try {
      return periodFromRange(v.from, v.to);
    } catch (e) {
      if (!(e instanceof PeriodError)) throw e;
      ctx.addIssue({ code: "custom", path: e.code === "invalid_format" ? [] : ["to"], message: e.message, params: { code: e.code } });
      return z.NEVER;
    }
  });

/** A period text (see parsePeriod) read as of `now`. */
export function periodTextSchema(now: Date) {
  return z
    .string()
    .max(40)
    .transform((v, ctx) => {
      try {
        return parsePeriod(v, now);
      } catch (e) {
        if (!(e instanceof PeriodError)) throw e;
        ctx.addIssue({ code: "custom", message: e.message, params: { code: e.code } });
        return z.NEVER;
      }
    });
}

export const relativePeriodSchema = z.enum(RELATIVE_PERIODS);
