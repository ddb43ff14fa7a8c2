// When the weekly statistics digest is due: the week an instant falls in (Monday–Sunday, Asia/Shanghai),
// its first working day by the official calendar (a Monday holiday moves it to Tuesday or later), 09:00
// that day, and the two weeks it compares. Pure: `now` is a parameter, the calendar is passed in.
import { localDate as shanghaiDate, type WorkCalendar } from "../work-calendar";
import { periodFromRange, shanghaiMidnight, shiftDate, type Period } from "./periods";

const OFFSET_MS = 8 * 3600_000;
/** The digest goes out at this Shanghai time on the week's first working day (or at the first tick after). */
export const DIGEST_HOUR = 9;


export interface DigestWeek {
  /** The week's Monday (YYYY-MM-DD, Shanghai): one key per week, the same for every instant in it. */
  key: string;
  monday: string;
  sunday: string;
  /** Shanghai midnight starting the Monday, and the one after the Sunday (exclusive). */
  startMs: number;
  endMs: number;
}

/** The Monday–Sunday week (Shanghai) an instant falls in. */
export function digestWeekOf(now: number): DigestWeek {
  const today = shanghaiDate(now);
  const monday = shiftDate(today, -((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7));
  const sunday = shiftDate(monday, 6);
  return { key: monday, monday, sunday, startMs: shanghaiMidnight(monday), endMs: shanghaiMidnight(shiftDate(monday, 7)) };
}

/** The week's first working day (a make-up Saturday counts; a week of holidays has none: null). */
export function firstWorkingDay(cal: WorkCalendar, monday: string): string | null {
  for (let i = 0; i < 7; i++) {
    const date = shiftDate(monday, i);
    if (cal.isWorkingDay(date)) return date;
  }
  return null;
}

export interface DigestDue {
  week: DigestWeek;
  /** 09:00 Shanghai on the week's first working day. */
  dueAt: number;
  /** The whole previous week, and the week before it: what the digest compares. */
  lastWeek: Period;
  weekBefore: Period;
}

/** When this week's digest is due (null: the week has no working day, so no digest that week). */
export function digestSchedule(cal: WorkCalendar, now: number): DigestDue | null {
  const week = digestWeekOf(now);
  const first = firstWorkingDay(cal, week.monday);
  if (!first) return null;
  const dueAt = Date.parse(`${first}T${String(DIGEST_HOUR).padStart(2, "0")}:00:00Z`) - OFFSET_MS;
  const lastWeek = periodFromRange(shiftDate(week.monday, -7), shiftDate(week.monday, -1));
  const weekBefore = periodFromRange(shiftDate(week.monday, -14), shiftDate(week.monday, -8));
  return { week, dueAt, lastWeek, weekBefore };
}

/**
 * The digest to send at `now`, or null when it is not time: before 09:00 of the week's first working
 * day nothing; from then until the week ends, this week's (a tick that missed 09:00 sends it late —
 * whether it already went is the caller's to check, by the week's key). A past week is never sent.
 */
export function digestDueAt(cal: WorkCalendar, now: number): DigestDue | null {
  const due = digestSchedule(cal, now);
  return due && now >= due.dueAt ? due : null;
}
