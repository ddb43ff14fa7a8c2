// The statistics as files a coordinator downloads or hands upward: the statistics table and the lead ledger
// as CSV (through the one CSV writer, core/csv), all three sheets as a real .xlsx workbook, and their names.
// The workbook is written by xlsx-writer (SpreadsheetML on fflate, which the bundle already carries).
import { numeral, toCsv, type CsvCell } from "../../core/csv";
import { safeFileStem } from "../../core/download-name";
import type { Locale } from "../../core/report-input";
import { t } from "../../i18n";
import { fenToYuan } from "../../core/money";
import { LEDGER_COLUMNS, ledgerHeader, statisticsExportRows, type ExportRow, type LedgerCell } from "./export-rows";
import type { CampaignFigures, LeadLedgerRow, StatisticsReport } from "./report";
import { writeXlsx, type XlsxCell, type XlsxSheet } from "./xlsx-writer";

// --- CSV ---

/** A figure's value as a CSV cell: counts and yuan stay numbers, a ratio is "66.7%", dates and words text. */
function figureCsvCell(r: ExportRow): CsvCell {
  if (r.value === null) return null;
  switch (r.kind) {
    case "count":
    case "decimal":
      return r.value as number;
    case "fen":
      return numeral(fenToYuan(r.value as number));
    case "ratio":
      return r.text;
    case "date":
    case "text":
      return String(r.value);
  }
}

/** Header row of the statistics table: figure, value, key (the key is the same in every language). */
const statisticsHeader = (locale: Locale) => [t(locale, "statistics.figure_header"), t(locale, "statistics.value_header"), t(locale, "statistics.key_header")];

/**
 * The statistics table as CSV: one row per figure (the issue's figures, then the breakdowns) with its value
 * and its stable key; UTF-8 with BOM, CRLF, formula-safe (core/csv).
 */
export function statisticsCsv(report: StatisticsReport, locale: Locale): string {
  return toCsv([statisticsHeader(locale), ...statisticsExportRows(report, locale).map((r) => [r.label, figureCsvCell(r), r.key])]);
}

function ledgerCsvCell(c: LedgerCell): CsvCell {
  if (c.kind === "fen") return c.value === null ? null : numeral(fenToYuan(c.value));
  return c.value;
}

/** The lead ledger as CSV: one row per lead, labels in `locale`, dates in Asia/Shanghai, amounts in yuan. */
export function ledgerCsv(rows: readonly LeadLedgerRow[], locale: Locale): string {
  return toCsv([ledgerHeader(locale), ...rows.map((r) => LEDGER_COLUMNS.map((col) => ledgerCsvCell(col.cell(r, locale))))]);
}

// --- XLSX ---

const YUAN_FORMAT = "#,##0.00";
const RATIO_FORMAT = "0.0%";
const DATE_FORMAT = "yyyy-mm-dd";
const DECIMAL_FORMAT = "0.0";

/** A typed cell: text stays text (a string value is never written as a formula), numbers and dates carry their format. */
type Cell = XlsxCell;
type Row = Cell[];

const textCell = (value: string): Cell => (value === "" ? null : { value });
const countCell = (value: number): Cell => ({ value });
const yuanCell = (fen: number | null): Cell => (fen === null ? null : { value: fen / 100, numFmt: YUAN_FORMAT });
/** A Shanghai calendar date as the workbook's date serial (midnight UTC of that day: no time-zone shift). */
const dateCell = (ymd: string | null): Cell => (ymd === null ? null : { value: new Date(`${ymd}T00:00:00Z`), numFmt: DATE_FORMAT });

function figureXlsxCell(r: ExportRow): Cell {
  if (r.value === null) return null;
  switch (r.kind) {
    case "count":
      return countCell(r.value as number);
    case "decimal":
      return { value: r.value as number, numFmt: DECIMAL_FORMAT };
    case "fen":
      return yuanCell(r.value as number);
    case "ratio":
      return { value: r.value as number, numFmt: RATIO_FORMAT };
    case "date":
      return dateCell(String(r.value));
    case "text":
      return textCell(String(r.value));
  }
}

function ledgerXlsxCell(c: LedgerCell): Cell {
  switch (c.kind) {
    case "text":
      return textCell(c.value);
    case "count":
      return countCell(c.value);
    case "fen":
      return yuanCell(c.value);
    case "date":
      return dateCell(c.value);
  }
}

const COMPLIANCE_COLUMNS = ["campaign", "deliverable", "due", "units", "on_time", "late", "missing", "returned", "reminders_sent", "reminders_acknowledged"] as const;
const COMPLIANCE_WIDTHS = [28, 32, 12, 8, 8, 8, 8, 8, 12, 12];

/**
 * One row per campaign deliverable. Reminders are counted per campaign, so they stand on the campaign's
 * first row only (summing the column gives the campaign's total, not a multiple of it); a campaign
 * without deliverables still gets its row.
 */
function complianceRows(campaigns: readonly CampaignFigures[]): Row[] {
  return campaigns.flatMap((c): Row[] => {
    const reminders = [countCell(c.reminders.sent), countCell(c.reminders.acknowledged)];
    if (c.deliverables.length === 0) return [[textCell(c.name), null, null, null, null, null, null, null, ...reminders]];
    return c.deliverables.map((d, i): Row => [
      textCell(c.name),
      textCell(d.name),
      dateCell(d.dueDate),
      countCell(d.units),
      countCell(d.onTime),
      countCell(d.late),
      countCell(d.missing),
      countCell(d.returned),
      ...(i === 0 ? reminders : [null, null]),
    ]);
  });
}

/** A sheet: a bold, filled header row kept in view (frozen), set column widths, typed cells below. */
const sheet = (name: string, header: readonly string[], rows: readonly Row[], widths: readonly number[]): XlsxSheet => ({ name, header, rows, widths });

/**
 * The workbook: the statistics, the lead ledger and campaign compliance, each with a bold filled header row
 * that stays in view (frozen) and set column widths; counts, yuan, ratios and dates typed as such. Written
 * by xlsx-writer (no library of its own: a workbook library was a fifth of the Worker bundle).
 */
export async function statisticsXlsx(report: StatisticsReport, ledger: readonly LeadLedgerRow[], locale: Locale): Promise<Uint8Array> {
  const figures = statisticsExportRows(report, locale);
  return writeXlsx([
    sheet(t(locale, "statistics.sheet.statistics"), statisticsHeader(locale), figures.map((r): Row => [textCell(r.label), figureXlsxCell(r), textCell(r.key)]), [48, 18, 44]),
    sheet(
      t(locale, "statistics.sheet.ledger"),
      ledgerHeader(locale),
      ledger.map((r): Row => LEDGER_COLUMNS.map((col) => ledgerXlsxCell(col.cell(r, locale)))),
      LEDGER_COLUMNS.map((c) => c.width),
    ),
    sheet(t(locale, "statistics.sheet.campaigns"), COMPLIANCE_COLUMNS.map((k) => t(locale, `statistics.compliance.${k}`)), complianceRows(report.campaigns), COMPLIANCE_WIDTHS),
  ]);
}

// --- names ---

export type StatisticsFileFormat = "json" | "csv" | "xlsx" | "ledger-csv";

export interface StatisticsFileName {
  /** The full name in `locale` (统计_2026-01-01_2026-03-31.xlsx). */
  name: string;
  stem: string;
  /** An ASCII stem for Content-Disposition's filename= (statistics_2026-01-01_2026-03-31). */
  asciiStem: string;
  extension: "json" | "csv" | "xlsx";
}

/**
 * The name we give a statistics file: what it is (统计 / 线索台账), the region's name when scoped, the
 * period; made safe by core/download-name. Never anything a person typed.
 */
export function statisticsFileNameParts(scope: { period: { from: string; to: string }; regionCode?: string | null }, format: StatisticsFileFormat, locale: Locale): StatisticsFileName {
  const what = format === "ledger-csv" ? "ledger" : "statistics";
  const dates = `${scope.period.from}_${scope.period.to}`;
  const region = scope.regionCode ? `_${scope.regionCode}` : "";
  const stem = safeFileStem(`${t(locale, `statistics.file.${what}`)}${region}_${dates}`, `${what}_${dates}`);
  const asciiStem = safeFileStem(`${what}${region}_${dates}`, what);
  const extension = format === "ledger-csv" ? "csv" : format;
  return { name: `${stem}.${extension}`, stem, asciiStem, extension };
}

/** The file name alone (统计_2026-01-01_2026-03-31.xlsx, statistics_2026-01-01_2026-03-31.csv). */
export function statisticsFileName(scope: { period: { from: string; to: string }; regionCode?: string | null }, format: StatisticsFileFormat, locale: Locale): string {
  return statisticsFileNameParts(scope, format, locale).name;
}
