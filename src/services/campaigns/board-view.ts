// The web board's shape on top of campaignBoard (board-data.ts): units × deliverables, one page of units
// at a time, the documents of each cell's latest submission (with a statistics table's comparison with
// the computed figures), the regions to filter by, and the CSV export. Every query is an index search on the campaign or on the page's assignment ids.
import { asc, count, eq } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import { assignments, submissionFiles, submissions, units } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import type { BoardRow, CampaignBoard } from "./board-data";
import { parseFigureCheck, type FigureCheck } from "../../core/statistics/compare-figures";

/** Units per page: large campaigns (thousands of institutions) are read whole once, shown a page at a time. */
export const BOARD_PAGE_UNITS = 200;
/** A page's assignment ids go into one IN list; kept far below SQLite's bound-parameter limit. */
const MAX_IDS_PER_QUERY = 1000;

export interface MatrixUnit {
  unitId: string;
  unitName: string;
  unitKind: string;
  regionCode: string;
  /** Per deliverable (in board order), the rows of this unit (one per period; empty = not assigned or filtered out). */
  cells: BoardRow[][];
}

export interface BoardMatrix {
  units: MatrixUnit[];
  total: number;
  page: number;
  pages: number;
  from: number;
  to: number;
}

// One collator for every comparison: String#localeCompare with a locale builds one per call (~100× slower).
// Built on the first comparison, not at import: ICU's Chinese collation data is ~3 MB of RSS a server that
// never shows a board does not need.
let collator: Intl.Collator | null = null;
/** Units by name (Chinese collation), then id: the order of the matrix and of the CSV. */
export const byUnitName = (a: { unitName: string; unitId: string }, b: { unitName: string; unitId: string }) =>
  (collator ??= new Intl.Collator("zh-CN")).compare(a.unitName, b.unitName) || (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0);

/** Every unit with at least one row left by the filters, as a matrix row, sorted by name. */
export function boardUnits(board: CampaignBoard): MatrixUnit[] {
  const byUnit = new Map<string, MatrixUnit>();
  board.deliverables.forEach((d, column) => {
    for (const row of d.rows) {
      let unit = byUnit.get(row.unitId);
      if (!unit) {
        unit = { unitId: row.unitId, unitName: row.unitName, unitKind: row.unitKind, regionCode: row.regionCode, cells: board.deliverables.map(() => []) };
        byUnit.set(row.unitId, unit);
      }
      unit.cells[column]!.push(row);
    }
  });
  const all = [...byUnit.values()].sort(byUnitName);
  for (const u of all) for (const cell of u.cells) cell.sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
  return all;
}

/** One page (1-based, clamped to the last) of the matrix. */
export function boardMatrix(board: CampaignBoard, page: number, pageSize = BOARD_PAGE_UNITS): BoardMatrix {
  const all = boardUnits(board);
  const pages = Math.max(1, Math.ceil(all.length / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page)), pages);
  const slice = all.slice((current - 1) * pageSize, current * pageSize);
  return { units: slice, total: all.length, page: current, pages, from: slice.length ? (current - 1) * pageSize + 1 : 0, to: (current - 1) * pageSize + slice.length };
}

export interface CellFile {
  id: string;
  assignmentId: string;
  mediaType: string;
  sizeBytes: number;
  attempt: number;
  /** A statistics table's comparison with the computed figures (null: not a table, or not read back). */
  figureCheck: FigureCheck | null;
}

/** The documents of each assignment's latest submission (metadata only: the names stay encrypted). */
export async function latestFilesByAssignment(deps: ServiceDeps, assignmentIds: readonly string[]): Promise<Map<string, CellFile[]>> {
  const out = new Map<string, CellFile[]>();
  for (let i = 0; i < assignmentIds.length; i += MAX_IDS_PER_QUERY) {
    const ids = assignmentIds.slice(i, i + MAX_IDS_PER_QUERY);
    const [subs, files] = await deps.db.batch([
      deps.db.select({ id: submissions.id, assignmentId: submissions.assignmentId, attempt: submissions.attempt }).from(submissions).where(inJsonArray(submissions.assignmentId, ids)),
      deps.db
        .select({
          id: submissionFiles.id,
          submissionId: submissionFiles.submissionId,
          assignmentId: submissionFiles.assignmentId,
          mediaType: submissionFiles.mediaType,
          sizeBytes: submissionFiles.sizeBytes,
          figureCheck: submissionFiles.figureCheck,
        })
        .from(submissionFiles)
        .where(inJsonArray(submissionFiles.assignmentId, ids))
        .orderBy(asc(submissionFiles.createdAt), asc(submissionFiles.id)),
    ]);
    const latest = new Map<string, { id: string; attempt: number }>();
    for (const s of subs) if ((latest.get(s.assignmentId)?.attempt ?? 0) < s.attempt) latest.set(s.assignmentId, s);
    for (const f of files) {
      const sub = latest.get(f.assignmentId);
      if (!sub || sub.id !== f.submissionId) continue;
      const list = out.get(f.assignmentId) ?? [];
      list.push({ id: f.id, assignmentId: f.assignmentId, mediaType: f.mediaType, sizeBytes: f.sizeBytes, attempt: sub.attempt, figureCheck: parseFigureCheck(f.figureCheck) });
      out.set(f.assignmentId, list);
    }
  }
  return out;
}

/** How many documents each assignment of the campaign has (all submissions), for the CSV. */
export async function fileCountsForCampaign(deps: ServiceDeps, campaignId: string): Promise<Map<string, number>> {
  const rows = await deps.db
    .select({ assignmentId: submissionFiles.assignmentId, n: count() })
    .from(assignments)
    .innerJoin(submissionFiles, eq(submissionFiles.assignmentId, assignments.id))
    // Only files of submissions that happened (a discarded upload has no submission row).
    .innerJoin(submissions, eq(submissions.id, submissionFiles.submissionId))
    .where(eq(assignments.campaignId, campaignId))
    .groupBy(submissionFiles.assignmentId);
  return new Map(rows.map((r) => [r.assignmentId, r.n]));
}

/** The region codes of the campaign's units, to offer as filters (districts and their cities). */
export async function campaignRegions(deps: ServiceDeps, campaignId: string): Promise<string[]> {
  const rows = await deps.db
    .selectDistinct({ regionCode: units.regionCode })
    .from(assignments)
    .innerJoin(units, eq(units.id, assignments.unitId))
    .where(eq(assignments.campaignId, campaignId));
  const codes = new Set<string>();
  for (const { regionCode } of rows) {
    codes.add(regionCode);
    if (/^\d{6}$/.test(regionCode)) {
      codes.add(`${regionCode.slice(0, 4)}00`);
      codes.add(`${regionCode.slice(0, 2)}0000`);
    }
  }
  return [...codes].sort();
}

