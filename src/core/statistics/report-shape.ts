// The statistics report as every export gives it (CLI JSON, CSV, XLSX, page, chat): its zod schema, the
// empty report of a period, and its flattening into labelled rows, one per figure.
import { z } from "zod";
import { t } from "../../i18n";
import { REPORT_OUTCOMES } from "../report-status";
import type { Locale } from "../report-input";
import { MEASURES } from "../measures";
import { fenToYuan } from "../money";

export const STATISTICS_SOURCES = ["tip", "batch", "hotline"] as const;
/** The measures a conclusion records (issue 18): 约谈, 限期整改, 暂停/解除协议, 行政处罚, 曝光. */
/** The measures counted: the codes a conclusion records (core/measures.ts), one list for both. */
export const STATISTICS_MEASURES = MEASURES;
export type StatisticsSource = (typeof STATISTICS_SOURCES)[number];
export type StatisticsMeasure = (typeof STATISTICS_MEASURES)[number];

const count = z.number().int().nonnegative();
const fen = z.number().int().nonnegative();
const share = z.number().min(0).max(1).nullable();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const countsOf = <const K extends readonly [string, ...string[]]>(keys: K) =>
  z.strictObject(Object.fromEntries(keys.map((k) => [k, count])) as { [P in K[number]]: typeof count });

export const statisticsSchema = z.object({
  period: z.object({ from: isoDate, to: isoDate }),
  leads: z.object({
    received: count,
    bySource: countsOf(STATISTICS_SOURCES),
    acknowledged: count,
    accepted: count,
    declined: count,
    openNow: count,
    overdueNow: count,
    concluded: count,
    byOutcome: countsOf(REPORT_OUTCOMES),
  }),
  amounts: z.object({ verifiedFen: fen, recoveredFen: fen, finesFen: fen }),
  measures: countsOf(STATISTICS_MEASURES),
  rewards: z.object({ eligible: count, claimed: count, approved: count, rejected: count, paid: count, paidFen: fen }),
  timeliness: z.object({ acknowledgedInTime: share, decidedInTime: share, closedInTime: share }),
});

/** "at least" the shape: later figures (by region, campaigns, batches) are added as new keys. */
export type Statistics = z.infer<typeof statisticsSchema>;

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** The report of a period in which nothing happened: every count 0, every share null. */
export function emptyStatistics(period: { from: string; to: string }): Statistics {
  return {
    period: { from: period.from, to: period.to },
    leads: {
      received: 0,
      bySource: zeros(STATISTICS_SOURCES),
      acknowledged: 0,
      accepted: 0,
      declined: 0,
      openNow: 0,
      overdueNow: 0,
      concluded: 0,
      byOutcome: zeros(REPORT_OUTCOMES),
    },
    amounts: { verifiedFen: 0, recoveredFen: 0, finesFen: 0 },
    measures: zeros(STATISTICS_MEASURES),
    rewards: { eligible: 0, claimed: 0, approved: 0, rejected: 0, paid: 0, paidFen: 0 },
    timeliness: { acknowledgedInTime: null, decidedInTime: null, closedInTime: null },
  };
}

export type StatisticsRowKind = "date" | "count" | "fen" | "ratio";

export interface StatisticsRow {
  /** Stable path of the figure in the JSON ("leads.bySource.tip"): the same column in every language. */
  key: string;
  /** The figure's name in `locale` (statistics.figure.<key>). */
  label: string;
  kind: StatisticsRowKind;
  /** The value as the JSON holds it: a date, a count, fen, or a ratio 0–1 (null: nothing counted). */
  value: string | number | null;
  /** The value as a cell shows it: yuan with two decimals for amounts ("1234.50", no separators so a
   * spreadsheet reads a number), a percentage with one decimal for ratios, "" for null. */
  text: string;
}


function textOf(kind: StatisticsRowKind, value: string | number | null): string {
  if (value === null) return "";
  if (kind === "fen") return fenToYuan(value as number);
  if (kind === "ratio") return `${(Math.round((value as number) * 1000) / 10).toFixed(1)}%`;
  return String(value);
}

/** Every figure of the report in a fixed order, as (key, kind, value). */
function figures(s: Statistics): [string, StatisticsRowKind, string | number | null][] {
  return [
    ["period.from", "date", s.period.from],
    ["period.to", "date", s.period.to],
    ["leads.received", "count", s.leads.received],
    ...STATISTICS_SOURCES.map((k): [string, StatisticsRowKind, number] => [`leads.bySource.${k}`, "count", s.leads.bySource[k]]),
    ["leads.acknowledged", "count", s.leads.acknowledged],
    ["leads.accepted", "count", s.leads.accepted],
    ["leads.declined", "count", s.leads.declined],
    ["leads.openNow", "count", s.leads.openNow],
    ["leads.overdueNow", "count", s.leads.overdueNow],
    ["leads.concluded", "count", s.leads.concluded],
    ...REPORT_OUTCOMES.map((k): [string, StatisticsRowKind, number] => [`leads.byOutcome.${k}`, "count", s.leads.byOutcome[k]]),
    ["amounts.verifiedFen", "fen", s.amounts.verifiedFen],
    ["amounts.recoveredFen", "fen", s.amounts.recoveredFen],
    ["amounts.finesFen", "fen", s.amounts.finesFen],
    ...STATISTICS_MEASURES.map((k): [string, StatisticsRowKind, number] => [`measures.${k}`, "count", s.measures[k]]),
    ["rewards.eligible", "count", s.rewards.eligible],
    ["rewards.claimed", "count", s.rewards.claimed],
    ["rewards.approved", "count", s.rewards.approved],
    ["rewards.rejected", "count", s.rewards.rejected],
    ["rewards.paid", "count", s.rewards.paid],
    ["rewards.paidFen", "fen", s.rewards.paidFen],
    ["timeliness.acknowledgedInTime", "ratio", s.timeliness.acknowledgedInTime],
    ["timeliness.decidedInTime", "ratio", s.timeliness.decidedInTime],
    ["timeliness.closedInTime", "ratio", s.timeliness.closedInTime],
  ];
}

/** The keys of the rows, in order (the CSV's first column when the language is not wanted). */
export const STATISTICS_ROW_KEYS: readonly string[] = figures(emptyStatistics({ from: "2000-01-01", to: "2000-01-01" })).map(([k]) => k);

/** The report as rows for the CSV and the statistics sheet: one figure a row, labelled in `locale`. */
export function toStatisticsRows(stats: Statistics, locale: Locale): StatisticsRow[] {
  return figures(stats).map(([key, kind, value]) => ({ key, label: t(locale, `statistics.figure.${key}`), kind, value, text: textOf(kind, value) }));
}
