// Whether the coordinators must be warned that a year's official holiday calendar is missing: from
// 1 December (Shanghai) for the coming year, and at any time for the current year.
import type { WorkCalendar } from "../work-calendar";
import { localDateOf } from "./local-time";

/** The year whose holiday data is missing and needed now, or null. */
export function missingHolidayYear(cal: WorkCalendar, now: number): number | null {
  const today = localDateOf(now);
  const year = Number(today.slice(0, 4));
  if (!cal.hasOfficialYear(year)) return year;
  if (today.slice(5, 7) === "12" && !cal.hasOfficialYear(year + 1)) return year + 1;
  return null;
}
