// Which period a recurring statistics table reports: the month, quarter or year before its due date
// (a monthly table due on 2026-12-05 reports November; a quarterly one due on 2027-01-10 reports
// 2026-Q4). Pure: dates are Asia/Shanghai calendar dates, no clock is read.
import { statisticsTableSchema, type StatisticsCadence, type StatisticsTable } from "../campaigns/campaign-file";
import { localDateOf } from "../campaigns/local-time";
import { monthPeriod, parsePeriod, quarterPeriod, yearPeriod, type Period } from "./periods";

export interface DeliverablePeriod {
  /** The assignment's period key: `2026-11`, `2026-Q4` or `2026` (the same text assignments carry). */
  key: string;
  period: Period;
}

const DATE_RE = /^(\d{4})-(\d{2})-\d{2}$/;

/**
 * The period a statistics table due on `dueDate` (YYYY-MM-DD, Shanghai) reports: the whole month,
 * quarter or year before the one the due date falls in.
 * @example reportedPeriod("2026-12-05", "monthly").key // "2026-11"
 */
export function reportedPeriod(dueDate: string, cadence: StatisticsCadence): DeliverablePeriod {
  const m = DATE_RE.exec(dueDate);
  if (!m) throw new RangeError(`"${dueDate.slice(0, 20)}" is not a date YYYY-MM-DD`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  switch (cadence) {
    case "monthly": {
      const [y, mo] = month === 1 ? [year - 1, 12] : [year, month - 1];
      return { key: `${y}-${String(mo).padStart(2, "0")}`, period: monthPeriod(y, mo) };
    }
    case "quarterly": {
      const q = Math.floor((month - 1) / 3) + 1;
      const [y, pq] = q === 1 ? [year - 1, 4] : [year, q - 1];
      return { key: `${y}-Q${pq}`, period: quarterPeriod(y, pq) };
    }
    case "yearly":
      return { key: String(year - 1), period: yearPeriod(year - 1) };
  }
}

/**
 * The period of an assignment of a statistics table: its own period key when it has one (a deadline
 * moved or extended into another month still reports the period it was made for), else the rule above
 * applied to its due date. Null when the key is not a month, quarter or year.
 */
export function assignmentReportedPeriod(assignment: { period: string; dueDate: string }, cadence: StatisticsCadence): DeliverablePeriod | null {
  if (!assignment.period) return reportedPeriod(assignment.dueDate, cadence);
  if (!/^\d{4}(-\d{2}|-Q[1-4])?$/.test(assignment.period)) return null;
  try {
    // parsePeriod reads "2026-11", "2026-Q4" and "2026" without looking at the clock.
    return { key: assignment.period, period: parsePeriod(assignment.period, new Date(0)) };
  } catch {
    return null;
  }
}

/** The statistics table a deliverable row's JSON column declares, or null (not a table, or unreadable). */
export function statisticsTableOf(json: string | null | undefined): StatisticsTable | null {
  if (!json) return null;
  try {
    const parsed = statisticsTableSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** What a unit is offered for one assignment of a statistics table: its own region, the reported period. */
export interface StatisticsOffer {
  cadence: StatisticsCadence;
  /** The unit's region (a district bureau's district): the figures are for it and everything under it. */
  regionCode: string;
  reported: DeliverablePeriod;
}

/**
 * The offer for an assignment, or null when the deliverable is no statistics table, the unit has no
 * region code, or the assignment's period cannot be read.
 */
export function statisticsOffer(
  deliverable: { statistics?: string | null },
  unit: { regionCode?: string | null },
  assignment: { period: string; dueAt: number },
): StatisticsOffer | null {
  const table = statisticsTableOf(deliverable.statistics);
  if (!table || !unit.regionCode || !/^\d{6}$/.test(unit.regionCode)) return null;
  const reported = assignmentReportedPeriod({ period: assignment.period, dueDate: localDateOf(assignment.dueAt) }, table.cadence);
  return reported ? { cadence: table.cadence, regionCode: unit.regionCode, reported } : null;
}
