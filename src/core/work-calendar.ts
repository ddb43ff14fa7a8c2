// The official working-day calendar (holidays and make-up working weekends, 调休), as data: the
// maintained `chinese-days` package ships the State Council's published years (compacted into
// ./reference/official-calendar.ts by scripts/generate-official-calendar.ts, every year it has), and an
// installation can add years or corrections (calendar_days table, or the org import file). All times are
// Asia/Shanghai.
import { decodeCalendarDates } from "./calendar-codec";
import { OFFICIAL_HOLIDAYS, OFFICIAL_WORKDAYS } from "./reference/official-calendar";

export interface CalendarOverrides {
  holidays?: string[];
  workdays?: string[];
}

export interface WorkCalendar {
  isWorkingDay(date: string): boolean;
  /**
   * Whether the year's holidays and make-up working days are known (shipped official data, or dates the
   * installation loaded for that year): without them every weekday of the year counts as a working day.
   */
  hasOfficialYear(year: number): boolean;
}

export interface WorkingHours {
  /** "HH:MM" local time. */
  start: string;
  end: string;
}

export const DEFAULT_WORKING_HOURS: WorkingHours = { start: "09:00", end: "17:30" };

const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

export function createWorkCalendar(overrides: CalendarOverrides = {}): WorkCalendar {
  const holidays = new Set(decodeCalendarDates(OFFICIAL_HOLIDAYS));
  const workdays = new Set(decodeCalendarDates(OFFICIAL_WORKDAYS));
  for (const d of overrides.holidays ?? []) {
    holidays.add(d);
    workdays.delete(d);
  }
  for (const d of overrides.workdays ?? []) {
    workdays.add(d);
    holidays.delete(d);
  }
  const yearsWithData = new Set<number>();
  for (const d of [...holidays, ...workdays]) yearsWithData.add(Number(d.slice(0, 4)));
  return {
    hasOfficialYear(year: number) {
      return yearsWithData.has(year);
    },
    isWorkingDay(date: string) {
      if (workdays.has(date)) return true;
      if (holidays.has(date)) return false;
      const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
      return dow !== 0 && dow !== 6;
    },
  };
}

/** Local (Shanghai) calendar date of an instant. */
export const localDate = (t: number) => new Date(t + OFFSET_MS).toISOString().slice(0, 10);
/** The instant a local date starts. */
const startOfLocalDay = (date: string) => Date.parse(`${date}T00:00:00Z`) - OFFSET_MS;
const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/**
 * "N working days from receipt": the day of receipt does not count; the deadline is the end of the
 * Nth working day after it (23:59:59.999 Shanghai time).
 */
export function addWorkingDays(cal: WorkCalendar, from: Date, days: number): Date {
  let date = localDate(from.getTime());
  let left = days;
  while (left > 0) {
    date = nextDate(date);
    if (cal.isWorkingDay(date)) left--;
  }
  return new Date(startOfLocalDay(date) + DAY_MS - 1);
}

/** Adds working time: only the hours inside `wh` on working days count. */
export function addWorkingHours(cal: WorkCalendar, from: Date, hours: number, wh: WorkingHours = DEFAULT_WORKING_HOURS): Date {
  let remaining = Math.round(hours * 3600_000);
  let t = from.getTime();
  const open = minutes(wh.start) * 60_000;
  const close = minutes(wh.end) * 60_000;
  for (let guard = 0; guard < 3660; guard++) {
    const date = localDate(t);
    const dayStart = startOfLocalDay(date);
    if (cal.isWorkingDay(date)) {
      const begin = Math.max(t, dayStart + open);
      const end = dayStart + close;
      if (begin < end) {
        if (begin + remaining <= end) return new Date(begin + remaining);
        remaining -= end - begin;
      }
    }
    t = dayStart + DAY_MS;
  }
  throw new RangeError("no working time found within ten years");
}

/** Whole working days after `from`'s day up to and including `to`'s day. */
export function workingDaysBetween(cal: WorkCalendar, from: Date, to: Date): number {
  if (to.getTime() <= from.getTime()) return 0;
  let date = localDate(from.getTime());
  const last = localDate(to.getTime());
  let n = 0;
  while (date < last) {
    date = nextDate(date);
    if (cal.isWorkingDay(date)) n++;
  }
  return n;
}
