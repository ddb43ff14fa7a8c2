// What every statistics export holds, once: the figure rows (the figures, then the breakdowns, each
// with a stable key and a label in the chosen language) and the lead ledger's columns, so the CSV and the
// workbook can never disagree on a figure, a label or a column.
import { FOCUS_AREAS, VIOLATION_TYPES } from "../../core/taxonomy";
import { MEASURES, measureLabel, type Measure } from "../../core/measures";
import { regionDisplayName } from "../../core/regions";
import type { Locale } from "../../core/report-input";
import { toStatisticsRows, type StatisticsRowKind } from "../../core/statistics/report-shape";
import { shanghaiDate, shanghaiDateTime } from "../../core/time";
import { CATALOGS, t } from "../../i18n";
import type { LeadLedgerRow, StatisticsReport } from "./report";

/** "decimal": a measured quantity (working hours or days, one decimal); "text": words (the scope). */
export type ExportRowKind = StatisticsRowKind | "decimal" | "text";

export interface ExportRow {
  /** Stable key: the figure's path in the JSON ("leads.bySource.tip", "breakdown.byRegion.510100"). */
  key: string;
  label: string;
  kind: ExportRowKind;
  /** As the JSON holds it: a count, fen, a ratio 0–1, a date, a decimal, words; null when nothing counted. */
  value: string | number | null;
  /** As a text cell shows it (yuan with two decimals, "66.7%", "" for null). */
  text: string;
}

/** A catalog label when one exists, else the code itself (a code a later version adds still shows). */
function labelOr(locale: Locale, key: string, code: string): string {
  return CATALOGS[locale].has(key) || CATALOGS.en.has(key) ? t(locale, key) : code;
}

/** Codes in their list's order, then any others (codes the list does not know) sorted: a stable order. */
function ordered(record: Record<string, number>, known: readonly string[]): string[] {
  const keys = Object.keys(record);
  return [...known.filter((k) => keys.includes(k)), ...keys.filter((k) => !known.includes(k)).sort()];
}

const oneDecimal = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

function row(locale: Locale, key: string, kind: ExportRowKind, value: string | number | null, labelKey = `statistics.figure.${key}`, name?: string): ExportRow {
  const label = t(locale, labelKey, name === undefined ? undefined : { name });
  return { key, label, kind, value, text: value === null ? "" : String(value) };
}

/** The scope as asked, in words: what the figures are about, before the figures. */
function scopeRows(r: StatisticsReport, locale: Locale): ExportRow[] {
  const rows: ExportRow[] = [];
  const s = r.scope;
  if (s.regionCode) rows.push(row(locale, "scope.region", "text", s.regionName ?? (regionDisplayName(s.regionCode, locale) || s.regionCode)));
  if (s.teamId) rows.push(row(locale, "scope.team", "text", s.teamName ?? "-"));
  if (s.source) rows.push(row(locale, "scope.source", "text", labelOr(locale, `chat.lead_source.${s.source}`, s.source)));
  if (s.campaignId) rows.push(row(locale, "scope.campaign", "text", r.campaigns.find((c) => c.campaignId === s.campaignId)?.name ?? s.campaignId));
  rows.push(row(locale, "asOf", "text", shanghaiDateTime(new Date(r.asOf))));
  return rows;
}

/** The breakdowns after the figures: by type, focus area, region, tips, referrals, timeliness, batches. */
function breakdownRows(r: StatisticsReport, locale: Locale): ExportRow[] {
  const b = r.breakdown;
  const d = r.timelinessDetail;
  const named = (group: string, record: Record<string, number>, known: readonly string[], name: (code: string) => string) =>
    ordered(record, known).map((code) => row(locale, `${group}.${code}`, "count", record[code] ?? 0, `statistics.figure.${group}`, name(code)));
  const distribution = (key: "ackWorkingHours" | "decideWorkingDays" | "closeWorkingDays") => [
    row(locale, `timelinessDetail.${key}.count`, "count", d[key].count),
    row(locale, `timelinessDetail.${key}.median`, "decimal", oneDecimal(d[key].median)),
    row(locale, `timelinessDetail.${key}.p90`, "decimal", oneDecimal(d[key].p90)),
  ];
  return [
    ...named("breakdown.byViolationType", b.byViolationType, VIOLATION_TYPES, (c) => labelOr(locale, `taxonomy.type.${c}`, c)),
    ...named("breakdown.byFocusArea", b.byFocusArea, FOCUS_AREAS, (c) => labelOr(locale, `taxonomy.focus.${c}`, c)),
    ...named("breakdown.byRegion", b.byRegion, [], (c) => regionDisplayName(c, locale) || c),
    row(locale, "breakdown.tips.received", "count", b.tips.received),
    row(locale, "breakdown.tips.anonymous", "count", b.tips.anonymous),
    row(locale, "breakdown.tips.realName", "count", b.tips.realName),
    row(locale, "breakdown.tips.insider", "count", b.tips.insider),
    row(locale, "breakdown.corroborated", "count", b.corroborated),
    row(locale, "breakdown.referrals.police", "count", b.referrals.police),
    row(locale, "breakdown.referrals.discipline", "count", b.referrals.discipline),
    row(locale, "breakdown.referrals.health_commission", "count", b.referrals.health_commission),
    row(locale, "timelinessDetail.counted.ack", "count", d.counted.ack),
    row(locale, "timelinessDetail.counted.decide", "count", d.counted.decide),
    row(locale, "timelinessDetail.counted.close", "count", d.counted.close),
    ...distribution("ackWorkingHours"),
    ...distribution("decideWorkingDays"),
    ...distribution("closeWorkingDays"),
    row(locale, "batches.count", "count", r.batches.count),
    row(locale, "batches.rows", "count", r.batches.rows),
    row(locale, "batches.fedBack", "count", r.batches.fedBack),
    ...named("batches.byOutcome", r.batches.byOutcome, [], (c) => labelOr(locale, `statistics.batch_outcome.${c}`, labelOr(locale, `report_outcome.${c}`, labelOr(locale, `chat.lead_state.${c}`, c)))),
  ];
}

/** Every row of the statistics table: the scope, the figures (core toStatisticsRows), the breakdowns. */
export function statisticsExportRows(report: StatisticsReport, locale: Locale): ExportRow[] {
  return [...scopeRows(report, locale), ...toStatisticsRows(report, locale), ...breakdownRows(report, locale)];
}

// --- the lead ledger ---

/** One ledger cell before it is written: the CSV and the workbook each type it their way. */
export type LedgerCell = { kind: "text"; value: string } | { kind: "count"; value: number } | { kind: "fen"; value: number | null } | { kind: "date"; value: string | null };

export interface LedgerColumn {
  /** statistics.ledger.<key> is the header. */
  key: string;
  /** Workbook column width, in characters. */
  width: number;
  cell: (row: LeadLedgerRow, locale: Locale) => LedgerCell;
}

const text = (value: string): LedgerCell => ({ kind: "text", value });
const date = (ms: number | null): LedgerCell => ({ kind: "date", value: ms === null ? null : shanghaiDate(new Date(ms)) });
const fen = (value: number | null): LedgerCell => ({ kind: "fen", value });

/** The ledger's columns, in order. Members by name; never a tipster's identity (the row holds none). */
export const LEDGER_COLUMNS: readonly LedgerColumn[] = [
  { key: "lead_id", width: 14, cell: (r) => text(r.leadId) },
  { key: "source", width: 16, cell: (r, l) => text(labelOr(l, `chat.lead_source.${r.source}`, r.source)) },
  { key: "violation_type", width: 22, cell: (r, l) => text(labelOr(l, `taxonomy.type.${r.violationType}`, r.violationType)) },
  { key: "focus_areas", width: 18, cell: (r, l) => text(r.focusAreas.map((f) => labelOr(l, `taxonomy.focus.${f}`, f)).join(l === "zh-CN" ? "、" : ", ")) },
  { key: "region", width: 24, cell: (r, l) => text(regionDisplayName(r.regionCode, l) || r.regionCode) },
  { key: "target", width: 28, cell: (r) => text(r.targetName) },
  { key: "state", width: 12, cell: (r, l) => text(labelOr(l, `chat.lead_state.${r.state}`, r.state)) },
  { key: "team", width: 18, cell: (r) => text(r.teamName ?? "") },
  { key: "handler", width: 12, cell: (r) => text(r.handlerName ?? "") },
  { key: "corroboration", width: 10, cell: (r) => ({ kind: "count", value: r.corroboration }) },
  { key: "received", width: 12, cell: (r) => date(r.receivedAt) },
  { key: "acknowledged", width: 12, cell: (r) => date(r.acknowledgedAt) },
  { key: "accepted", width: 12, cell: (r) => date(r.acceptedAt) },
  { key: "closed", width: 12, cell: (r) => date(r.closedAt) },
  { key: "outcome", width: 16, cell: (r, l) => text(r.outcome ? labelOr(l, `report_outcome.${r.outcome}`, r.outcome) : "") },
  { key: "verified_yuan", width: 16, cell: (r) => fen(r.verifiedFen) },
  { key: "recovered_yuan", width: 16, cell: (r) => fen(r.recoveredFen) },
  { key: "fine_yuan", width: 16, cell: (r) => fen(r.fineFen) },
  { key: "measures", width: 24, cell: (r, l) => text(r.measures.map((m) => ((MEASURES as readonly string[]).includes(m) ? measureLabel(m as Measure, l) : m)).join(l === "zh-CN" ? "、" : ", ")) },
];

export const ledgerHeader = (locale: Locale) => LEDGER_COLUMNS.map((c) => t(locale, `statistics.ledger.${c.key}`));
