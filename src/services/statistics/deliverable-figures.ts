// Statistics deliverables fill themselves (issue 18 item 4): a unit's own figures for its region and the
// reported period, computed by the one statistics use case, as a pre-filled workbook to review, correct
// and hand in (each download logged); and a handed-in workbook compared figure by figure with them.
import { and, eq } from "drizzle-orm";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { compareFigures, type FigureCheck, type FigureRow, type FigureUnit } from "../../core/statistics/compare-figures";
import { statisticsOffer, type StatisticsOffer } from "../../core/statistics/deliverable-period";
import { regionDisplayName } from "../../core/regions";
import type { Locale } from "../../core/report-input";
import { assignments, deliverables, events, units, type AssignmentRow, type DeliverableRow, type UnitRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { eventRow } from "../events";
import type { IncomingFile } from "../intake/evidence";
import { asActor, type MemberActor } from "../leads/lead-model";
import { computeStatistics } from "./compute";
import { statisticsExportRows, type ExportRow } from "./export-rows";
import { statisticsXlsx } from "./exports";
import { cellNumber, readSubmittedFigures, SCOPE_MARKER_NAME } from "./read-submitted-figures";
import type { StatisticsReport } from "./report";

export type { StatisticsOffer } from "../../core/statistics/deliverable-period";

/**
 * Figures of the moment, not of the period: the prepared workbook shows them, but they move between
 * download and hand-in, so a difference there says nothing about the unit's table.
 */
const SNAPSHOT_KEYS: ReadonlySet<string> = new Set(["leads.openNow", "leads.overdueNow"]);

/** The offer for one of a unit's assignments (null: not a statistics table). Pure; see core/statistics/deliverable-period. */
export function offerFor(deliverable: Pick<DeliverableRow, "statistics">, unit: Pick<UnitRow, "regionCode">, assignment: Pick<AssignmentRow, "period" | "dueAt">): StatisticsOffer | null {
  return statisticsOffer(deliverable, unit, assignment);
}

/** "徐汇区" / "Xuhui District" for the offer's text; the code itself when the region list lacks it. */
export const offerRegionName = (offer: StatisticsOffer, locale: Locale) => regionDisplayName(offer.regionCode, locale) || offer.regionCode;

/** The text a prepared workbook carries (hidden defined name) so a handed-in copy says what it was made for. */
export const scopeMarker = (offer: StatisticsOffer) => `fundwatch-statistics;region=${offer.regionCode};period=${offer.reported.key}`;

/** The statistics of the offer's region and period, without the campaign compliance of other units. */
async function offerReport(deps: ServiceDeps, offer: StatisticsOffer): Promise<StatisticsReport> {
  const report = await computeStatistics(deps, { period: offer.reported.period, regionCode: offer.regionCode }, deps.now());
  // A unit's table is its own region's lead figures; the coordinators' campaign compliance is not its to file.
  return { ...report, campaigns: [] };
}

const UNIT_OF_KIND: Partial<Record<ExportRow["kind"], FigureUnit>> = { count: "count", fen: "fen", ratio: "permille", decimal: "deci" };

/** A number as compared: whole counts and fen; shares to ‰ and measured quantities to tenths, as the cells show them. */
function normalised(unit: FigureUnit, value: number | null, fromCell: boolean): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  switch (unit) {
    case "count":
      return Math.round(value);
    case "fen":
      // The workbook shows amounts in yuan; the report holds fen.
      return fromCell ? Math.round(value * 100) : Math.round(value);
    case "permille":
      return Math.round(value * 1000);
    case "deci":
      return Math.round(value * 10);
  }
}

/** The comparable figures of a report: every numeric row of the statistics table but the snapshot ones. */
export function computedFigureRows(report: StatisticsReport): (FigureRow & { unit: FigureUnit })[] {
  const rows: (FigureRow & { unit: FigureUnit })[] = [];
  for (const r of statisticsExportRows(report, "en")) {
    const unit = UNIT_OF_KIND[r.kind];
    if (!unit || SNAPSHOT_KEYS.has(r.key)) continue;
    rows.push({ key: r.key, value: normalised(unit, typeof r.value === "number" ? r.value : null, false), unit });
  }
  return rows;
}

/** The workbook with the scope marker added as a hidden defined name (one edit of xl/workbook.xml). */
function withScopeMarker(workbook: Uint8Array, marker: string): Uint8Array {
  const files = unzipSync(workbook);
  const xml = strFromU8(files["xl/workbook.xml"]!);
  const escaped = `"${marker.replace(/"/g, '""')}"`.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const name = `<definedName name="${SCOPE_MARKER_NAME}" hidden="1">${escaped}</definedName>`;
  const edited = xml.includes("<definedNames/>")
    ? xml.replace("<definedNames/>", `<definedNames>${name}</definedNames>`)
    : xml.includes("<definedNames>")
      ? xml.replace("<definedNames>", `<definedNames>${name}`)
      : xml.replace(/(<calcPr\b|<\/workbook>)/, `<definedNames>${name}</definedNames>$1`);
  files["xl/workbook.xml"] = strToU8(edited);
  return zipSync(files, { level: 6 });
}

export interface PreparedWorkbook {
  bytes: Uint8Array;
  offer: StatisticsOffer;
  /** "<unit>-<deliverable>-<period>" in the reader's language, and its ASCII form. */
  stem: string;
  asciiStem: string;
}

/**
 * The pre-filled workbook of one assignment of a statistics table, for a contact of its unit (the page
 * has checked the signed link): the unit's region, the reported period, the statistics use case's
 * figures and layout, no lead ledger (a unit's contact sees figures, not leads). The download is logged
 * (`statistics_workbook.downloaded`) before a byte leaves. Unknown, another unit's, or not a table → not_found.
 */
export async function preparedStatisticsWorkbook(deps: ServiceDeps, input: { assignmentId: string; unitId: string; reader: MemberActor; locale: Locale }): Promise<PreparedWorkbook> {
  const rows = await deps.db
    .select({ assignment: assignments, deliverable: deliverables, unit: units })
    .from(assignments)
    .innerJoin(deliverables, eq(deliverables.id, assignments.deliverableId))
    .innerJoin(units, eq(units.id, assignments.unitId))
    .where(and(eq(assignments.id, input.assignmentId), eq(assignments.unitId, input.unitId)))
    .limit(1);
  const found = rows[0];
  const offer = found ? offerFor(found.deliverable, found.unit, found.assignment) : null;
  if (!found || !offer) throw new AppError("not_found", "no statistics table for this unit and assignment");
  const report = await offerReport(deps, offer);
  const bytes = withScopeMarker(await statisticsXlsx(report, [], input.locale), scopeMarker(offer));
  await deps.db.insert(events).values(
    eventRow(asActor(input.reader), {
      occurredAt: deps.now().getTime(),
      entityType: "assignment",
      entityId: found.assignment.id,
      action: "statistics_workbook.downloaded",
      data: JSON.stringify({ unitId: found.unit.id, regionCode: offer.regionCode, period: offer.reported.key }),
    }),
  );
  const title = (input.locale === "en" && found.deliverable.titleEn) || found.deliverable.title;
  return {
    bytes,
    offer,
    stem: [found.unit.name, title, offer.reported.key].join("-"),
    asciiStem: [found.unit.id, found.deliverable.key, offer.reported.key].join("-"),
  };
}

/** The submitted figures in the computed figures' units: counts as read, yuan cells to fen, shares to ‰. */
function submittedRows(read: { key: string; cell: string | number | null }[], units: ReadonlyMap<string, FigureUnit>): FigureRow[] {
  return read.map((r) => ({ key: r.key, value: normalised(units.get(r.key) ?? "count", cellNumber(r.cell), true) }));
}

/**
 * The comparison of each submitted file with the unit's computed figures, by file index (same order as
 * `files`); an empty list when the assignment is no statistics table. Never throws for what a file
 * holds: anything unreadable or over budget is "not comparable". The figures are computed once per
 * submission, at the moment it is handed in.
 */
export async function checkSubmittedStatistics(deps: ServiceDeps, assignmentId: string, files: readonly Pick<IncomingFile, "bytes">[]): Promise<FigureCheck[]> {
  if (!files.length) return [];
  const rows = await deps.db
    .select({ assignment: assignments, deliverable: deliverables, unit: units })
    .from(assignments)
    .innerJoin(deliverables, eq(deliverables.id, assignments.deliverableId))
    .innerJoin(units, eq(units.id, assignments.unitId))
    .where(eq(assignments.id, assignmentId))
    .limit(1);
  const found = rows[0];
  const offer = found ? offerFor(found.deliverable, found.unit, found.assignment) : null;
  if (!offer) return [];
  let computed: (FigureRow & { unit: FigureUnit })[] | null | undefined;
  const figures = async () => {
    if (computed === undefined) {
      try {
        computed = computedFigureRows(await offerReport(deps, offer));
      } catch (err) {
        deps.log.warn("statistics deliverable: figures not computed", { assignmentId, error: err instanceof Error ? err.message : String(err) });
        computed = null;
      }
    }
    return computed;
  };
  const marker = scopeMarker(offer);
  const checks: FigureCheck[] = [];
  for (const file of files) {
    const expected = await figures();
    if (!expected) {
      checks.push({ status: "not_comparable", reason: "not_computed" });
      continue;
    }
    const read = readSubmittedFigures(file.bytes, new Set(expected.map((r) => r.key)));
    if (!read.ok) {
      checks.push({ status: "not_comparable", reason: read.reason });
      continue;
    }
    // A workbook prepared for another region or period is not this unit's table for this period.
    if (read.figures.marker !== null && read.figures.marker.startsWith("fundwatch-statistics;") && read.figures.marker !== marker) {
      checks.push({ status: "not_comparable", reason: "other_scope" });
      continue;
    }
    const unitsByKey = new Map(expected.map((r) => [r.key, r.unit]));
    checks.push(compareFigures(expected, submittedRows(read.figures.rows, unitsByKey)));
  }
  return checks;
}
