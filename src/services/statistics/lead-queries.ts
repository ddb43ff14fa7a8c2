// The statistics' SQL over leads: the scope as a WHERE, and one aggregate statement per group of figures,
// each a range of a covering index of migration 0020 (by receipt, by conclusion, open leads by deadline),
// so a year over 100,000 leads reads index entries only, in one batch.
import { sql, type SQL } from "drizzle-orm";
import { getRegion } from "../../core/regions";
import { REPORT_OUTCOMES, type ReportOutcome } from "../../core/report-status";
import { monthsInPeriod, shanghaiMidnight, type Period } from "../../core/statistics/periods";
import { LEAD_DUE_AT_SQL, OPEN_LEAD_STATES_SQL } from "../../db/schema";
import type { StatisticsScope } from "./report";

/** Larger than any instant: stands for "not happened" inside min(). */
const NEVER = 9_007_199_254_740_991;
export interface MonthRange {
  month: string;
  startMs: number;
  endMs: number;
}

/**
 * The period cut at Shanghai month boundaries (the first and last clipped to the period). Per-month
 * figures are one range read each, in index order, with no grouping to sort: cheaper over a year of
 * leads than computing and grouping by a month key per row.
 */
export function monthRanges(period: Period): MonthRange[] {
  return monthsInPeriod(period).map((month, i, all) => {
    const next = all[i + 1];
    return { month, startMs: i === 0 ? period.startMs : shanghaiMidnight(`${month}-01`), endMs: next ? shanghaiMidnight(`${next}-01`) : period.endMs };
  });
}

const col = (alias: string, name: string) => sql.raw(alias ? `${alias}.${name}` : name);

/**
 * The region, team and source filters as SQL over `alias` (a leads row). A region matches by code
 * range: a province 32xxxx, a city 3201xx, a district exactly — the range of leads_list_region_idx.
 */
export function scopeFilter(scope: StatisticsScope, alias = ""): SQL {
  const parts: SQL[] = [];
  if (scope.regionCode) {
    const region = getRegion(scope.regionCode);
    const code = scope.regionCode;
    const rc = col(alias, "region_code");
    if (region?.level === "district") parts.push(sql`${rc} = ${code}`);
    else {
      const digits = region?.level === "city" ? 4 : 2;
      const head = code.slice(0, digits);
      const lo = head.padEnd(6, "0");
      const hi = String(Number(head) + 1).padStart(digits, "0").padEnd(6, "0");
      parts.push(sql`${rc} >= ${lo} AND ${rc} < ${hi}`);
    }
  }
  if (scope.teamId) parts.push(sql`${col(alias, "team_id")} = ${scope.teamId}`);
  if (scope.source) parts.push(sql`${col(alias, "source")} = ${scope.source}`);
  return parts.length ? sql.join([sql` AND `, sql.join(parts, sql` AND `)]) : sql``;
}

/** The key of byRegion: the next level below the scope's region (provinces when unscoped). */
function regionKey(scope: StatisticsScope): SQL {
  const level = scope.regionCode ? getRegion(scope.regionCode)?.level : undefined;
  if (!level) return sql.raw(`substr(region_code, 1, 2) || '0000'`);
  if (level === "province") return sql.raw(`substr(region_code, 1, 4) || '00'`);
  return sql.raw("region_code");
}

const received = (scope: StatisticsScope, alias = "") =>
  sql`${col(alias, "received_at")} >= ${scope.period.startMs} AND ${col(alias, "received_at")} < ${scope.period.endMs}${scopeFilter(scope, alias)}`;

// The event times of the timeliness rules (core/statistics/timeliness.ts): a later step implies the
// earlier ones, so the acknowledgement is the first of acknowledged/accepted/closed, the decision the
// first of accepted/closed.
const ACK_AT = sql.raw(`min(ifnull(acknowledged_at, ${NEVER}), ifnull(accepted_at, ${NEVER}), ifnull(closed_at, ${NEVER}))`);
const DECIDED_AT = sql.raw(`min(ifnull(accepted_at, ${NEVER}), ifnull(closed_at, ${NEVER}))`);

/** The covering indexes of migration 0020, named so a plan that cannot use them is an error, not a slow page. */
const RECEIVED_FROM = sql.raw("leads INDEXED BY leads_stats_received_idx");
const CONCLUDED_FROM = sql.raw("leads INDEXED BY leads_concluded_idx");
const OPEN_FROM = sql.raw("leads INDEXED BY leads_open_due_idx");

export type ReceivedTotals = {
  n: number;
  tip: number;
  batch: number;
  hotline: number;
  acknowledged: number;
  accepted: number;
  declined: number;
  corroborated: number;
  ackCounted: number;
  ackInTime: number;
  decideCounted: number;
  decideInTime: number;
  closeCounted: number;
  closeInTime: number;
  /** Leads with the event but no stored elapsed figure (changed before migration 0020). */
  missing: number;
};

/**
 * Leads received in one month of the period, by source, and among them: acknowledged = acknowledged_at
 * set, accepted = accepted_at set, declined = state not_accepted (a lead not accepted is declined, never
 * concluded); corroborated = more than one tip fed it. The timeliness shares count a lead once its event
 * happened or its stored deadline (ack_by, accept_by, finish_by) passed at `now`, in time when the event
 * came by that deadline — summariseTimeliness's rule. One row per month; the period's totals are their sums.
 */
export function receivedMonthQuery(scope: StatisticsScope, range: MonthRange, now: number): SQL {
  return sql`SELECT count(*) AS n,
    ifnull(sum(source = 'tip'), 0) AS tip, ifnull(sum(source = 'batch'), 0) AS batch, ifnull(sum(source = 'hotline'), 0) AS hotline,
    ifnull(sum(acknowledged_at IS NOT NULL), 0) AS acknowledged,
    ifnull(sum(accepted_at IS NOT NULL), 0) AS accepted,
    ifnull(sum(state = 'not_accepted'), 0) AS declined,
    ifnull(sum(corroboration_count > 1), 0) AS corroborated,
    ifnull(sum(${ACK_AT} < ${NEVER} OR ack_by < ${now}), 0) AS ackCounted,
    ifnull(sum(${ACK_AT} <= ack_by), 0) AS ackInTime,
    ifnull(sum(${DECIDED_AT} < ${NEVER} OR accept_by < ${now}), 0) AS decideCounted,
    ifnull(sum(${DECIDED_AT} <= accept_by), 0) AS decideInTime,
    ifnull(sum(closed_at IS NOT NULL OR finish_by < ${now}), 0) AS closeCounted,
    ifnull(sum(closed_at IS NOT NULL AND closed_at <= finish_by), 0) AS closeInTime,
    ifnull(sum((ack_work_hours IS NULL AND ${ACK_AT} < ${NEVER}) OR (decide_work_days IS NULL AND ${DECIDED_AT} < ${NEVER}) OR (close_work_days IS NULL AND closed_at IS NOT NULL)), 0) AS missing
    FROM ${RECEIVED_FROM} WHERE received_at >= ${range.startMs} AND received_at < ${range.endMs}${scopeFilter(scope)}`;
}

/** Leads received in the period by violation type. */
export function violationTypeQuery(scope: StatisticsScope): SQL {
  return sql`SELECT violation_type AS key, count(*) AS n FROM ${RECEIVED_FROM} WHERE ${received(scope)} GROUP BY violation_type`;
}

/** Leads received in the period by region, one level below the scope's (provinces when unscoped). */
export function regionQuery(scope: StatisticsScope): SQL {
  return sql`SELECT ${regionKey(scope)} AS key, count(*) AS n FROM ${RECEIVED_FROM} WHERE ${received(scope)} GROUP BY key`;
}

/** Focus areas of the leads received in the period (a lead counts once under each of its areas). */
export function focusQuery(scope: StatisticsScope): SQL {
  return sql`SELECT f.value AS area, count(*) AS n FROM ${RECEIVED_FROM}, json_each(leads.focus_areas) AS f WHERE ${received(scope, "leads")} AND leads.focus_areas <> '[]' GROUP BY f.value`;
}

/** Tips linked to the leads received in the period: all, anonymous, insider (real-name = not anonymous). */
export function tipsQuery(scope: StatisticsScope): SQL {
  return sql`SELECT count(*) AS n, ifnull(sum(r.is_anonymous), 0) AS anonymous, ifnull(sum(r.is_insider), 0) AS insider
    FROM leads AS l INDEXED BY leads_stats_received_idx JOIN lead_reports AS lr ON lr.lead_id = l.id JOIN reports AS r ON r.id = lr.report_id
    WHERE ${received(scope, "l")}`;
}

const concluded = (scope: StatisticsScope, alias = "") =>
  sql`${col(alias, "state")} = 'concluded' AND ${col(alias, "closed_at")} >= ${scope.period.startMs} AND ${col(alias, "closed_at")} < ${scope.period.endMs}${scopeFilter(scope, alias)}`;

export type ConcludedTotals = { n: number; verifiedFen: number; recoveredFen: number; fineFen: number } & Record<ReportOutcome, number>;

/** Leads concluded in one month of the period (closed_at in range, state concluded): by outcome, with their amounts. */
export function concludedMonthQuery(scope: StatisticsScope, range: MonthRange): SQL {
  const outcomes = sql.join(
    REPORT_OUTCOMES.map((o) => sql`ifnull(sum(outcome = ${o}), 0) AS ${sql.raw(o)}`),
    sql`, `,
  );
  return sql`SELECT count(*) AS n, ${outcomes},
    ifnull(sum(substantiated_amount_fen), 0) AS verifiedFen, ifnull(sum(recovered_fen), 0) AS recoveredFen, ifnull(sum(fine_fen), 0) AS fineFen
    FROM ${CONCLUDED_FROM} WHERE state = 'concluded' AND closed_at >= ${range.startMs} AND closed_at < ${range.endMs}${scopeFilter(scope)}`;
}

/** Measures taken on the leads concluded in the period: leads per measure code. */
export function measuresQuery(scope: StatisticsScope): SQL {
  return sql`SELECT m.value AS measure, count(*) AS n FROM ${CONCLUDED_FROM}, json_each(leads.measures) AS m
    WHERE ${concluded(scope, "leads")} AND leads.measures IS NOT NULL AND leads.measures <> '[]' GROUP BY m.value`;
}

/** Open leads in scope at `now` (whatever the period) and those past their current deadline. */
export function openQuery(scope: StatisticsScope, now: number): SQL {
  // OPEN_LEAD_STATES_SQL and LEAD_DUE_AT_SQL word for word: the partial open-due indexes then apply.
  return sql`SELECT count(*) AS open, ifnull(sum(${LEAD_DUE_AT_SQL} < ${now}), 0) AS overdue FROM ${OPEN_FROM} WHERE ${OPEN_LEAD_STATES_SQL}${scopeFilter(scope)}`;
}

/** The elapsed columns a percentile reads. */
export const ELAPSED_COLUMNS = { ack: "ack_work_hours", decide: "decide_work_days", close: "close_work_days" } as const;
export type ElapsedMeasure = keyof typeof ELAPSED_COLUMNS;

/**
 * One elapsed column over the leads received in the period as a histogram (value, leads): days are whole
 * numbers and hours hundredths, so a year is hundreds to a few thousand rows, and the nearest-rank percentiles
 * (core/statistics/percentiles.ts) follow exactly from the cumulative counts.
 */
export function histogramQuery(scope: StatisticsScope, measure: ElapsedMeasure): SQL {
  const c = sql.raw(ELAPSED_COLUMNS[measure]);
  return sql`SELECT ${c} AS v, count(*) AS n FROM ${RECEIVED_FROM} WHERE ${received(scope)} AND ${c} IS NOT NULL GROUP BY ${c}`;
}

export type LegacyLead = { id: string; receivedAt: number; acknowledgedAt: number | null; acceptedAt: number | null; closedAt: number | null; ackBy: number; ackWorkHours: number | null; decideWorkDays: number | null; closeWorkDays: number | null };

/** Leads received in the period with an event but without its stored elapsed figure (before 0020). */
export function legacyQuery(scope: StatisticsScope): SQL {
  return sql`SELECT id, received_at AS receivedAt, acknowledged_at AS acknowledgedAt, accepted_at AS acceptedAt, closed_at AS closedAt, ack_by AS ackBy,
    ack_work_hours AS ackWorkHours, decide_work_days AS decideWorkDays, close_work_days AS closeWorkDays
    FROM ${RECEIVED_FROM} WHERE ${received(scope)} AND ((ack_work_hours IS NULL AND ${ACK_AT} < ${NEVER}) OR (decide_work_days IS NULL AND ${DECIDED_AT} < ${NEVER}) OR (close_work_days IS NULL AND closed_at IS NOT NULL))`;
}

/**
 * Reward claims by the period each step happened in, for leads in scope: eligible = the claim row was
 * created (the tipster was told) in the period; claimed = claimed_at; approved = finance's approval (the
 * second, final one); rejected = rejected_at; paid = paid_at, with paidFen the amounts paid. A claim that
 * moved through several steps in the period counts under each. Any step in the period means the claim was
 * updated since the period began, so the claims are an index range of reward_claims_status_idx.
 */
export function rewardsQuery(scope: StatisticsScope, statuses: readonly string[]): SQL {
  const { startMs: s, endMs: e } = scope.period;
  const inP = (c: string) => sql`(rc.${sql.raw(c)} >= ${s} AND rc.${sql.raw(c)} < ${e})`;
  return sql`SELECT ifnull(sum(${inP("created_at")}), 0) AS eligible, ifnull(sum(${inP("claimed_at")}), 0) AS claimed,
    ifnull(sum(${inP("finance_approved_at")}), 0) AS approved, ifnull(sum(${inP("rejected_at")}), 0) AS rejected,
    ifnull(sum(${inP("paid_at")}), 0) AS paid, ifnull(sum(CASE WHEN ${inP("paid_at")} THEN rc.amount_fen END), 0) AS paidFen
    FROM reward_claims AS rc JOIN leads AS l ON l.id = rc.lead_id
    WHERE rc.status IN (${sql.join(
      statuses.map((x) => sql`${x}`),
      sql`, `,
    )}) AND rc.updated_at >= ${s}${scopeFilter(scope, "l")}`;
}
