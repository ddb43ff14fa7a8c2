// Asia/Shanghai calendar arithmetic for campaigns, in plain UTC arithmetic (UTC+8, no daylight saving),
// so results never depend on the process time zone.
import type { WorkCalendar } from "../work-calendar";

export const SHANGHAI_OFFSET_MS = 8 * 3600_000;
export const DAY_MS = 86_400_000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True for a real calendar date written YYYY-MM-DD (rejects 2026-02-30). */
export function isCalendarDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === text;
}

export const isHhmm = (text: string) => HHMM_RE.test(text);

/** Local (Shanghai) calendar date of an instant. */
export const localDateOf = (t: number) => new Date(t + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

/** The instant of local time `hhmm` on local date `date`. */
export const instantAt = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00.000Z`) - SHANGHAI_OFFSET_MS;

/** The last millisecond of local date `date` (a date-only deadline). */
export const endOfLocalDay = (date: string) => Date.parse(`${date}T00:00:00.000Z`) - SHANGHAI_OFFSET_MS + DAY_MS - 1;

export const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Days in month `month` (1–12) of `year`. */
export const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** A date with the day clamped to the month's length (day 31 of February → the 28th or 29th). */
export function clampedDate(year: number, month: number, day: number): string {
  const d = Math.min(day, daysInMonth(year, month));
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

// Official holidays never run longer than nine days; the guard only stops a calendar with absurd
// overrides from looping for ever.
const WORKING_DAY_SEARCH_LIMIT = 366;

/** `date` itself if it is a working day, else the nearest earlier working day (null if none in a year). */
export function workingDayOnOrBefore(cal: WorkCalendar, date: string): string | null {
  let d = date;
  for (let i = 0; i < WORKING_DAY_SEARCH_LIMIT; i++) {
    if (cal.isWorkingDay(d)) return d;
    d = addDays(d, -1);
  }
  return null;
}

/** The first working day strictly after `date` (null if none in a year). */
export function workingDayAfter(cal: WorkCalendar, date: string): string | null {
  let d = date;
  for (let i = 0; i < WORKING_DAY_SEARCH_LIMIT; i++) {
    d = addDays(d, 1);
    if (cal.isWorkingDay(d)) return d;
  }
  return null;
}
