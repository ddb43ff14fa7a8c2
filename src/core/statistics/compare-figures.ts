// A submitted statistics table against the computed figures, figure by figure by the stable key
// ("leads.received"): the same, differing in these figures, or not comparable (and why). Pure: values
// arrive already in one unit per key (counts, fen, per-mille), so equal means equal.
import { z } from "zod";

/** What a figure's number counts in, so that it is shown as it was written: counts, fen, ‰ of a share, tenths of a measured quantity. */
export const FIGURE_UNITS = ["count", "fen", "permille", "deci"] as const;
export type FigureUnit = (typeof FIGURE_UNITS)[number];

export interface FigureRow {
  /** The figure's stable key (report-shape.ts STATISTICS_ROW_KEYS and the breakdown keys). */
  key: string;
  /** The figure's value in `unit`; null when the cell is blank or not a number. */
  value: number | null;
  unit?: FigureUnit;
}

export interface FigureDifference {
  key: string;
  computed: number | null;
  /** Null: the row is there but blank or unreadable, or the row is missing. */
  submitted: number | null;
  unit?: FigureUnit;
}

/** Why a file could not be compared: each is worded for the coordinator, none is a server error. */
export const NOT_COMPARABLE_REASONS = [
  /** Not an XLSX workbook (PDF, DOCX, an image, or bytes that are no zip). */
  "not_xlsx",
  /** Over the reading budget: file size, entries, inflated size or cells. */
  "too_large",
  /** A zip that cannot be read (broken directory, unknown compression, truncated part). */
  "unreadable",
  /** No sheet holds a single figure key. */
  "no_figures",
  /** The workbook says it was prepared for another region or period. */
  "other_scope",
  /** The computed figures could not be had (the statistics use case failed). */
  "not_computed",
] as const;
export type NotComparableReason = (typeof NOT_COMPARABLE_REASONS)[number];

export type FigureCheck =
  | { status: "same"; compared: number }
  | { status: "differs"; compared: number; differences: FigureDifference[] }
  | { status: "not_comparable"; reason: NotComparableReason };

const nullableNumber = z.number().finite().nullable();
/** The stored form (submission_files.figure_check), read back through this schema: never trusted blind. */
export const figureCheckSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("same"), compared: z.number().int().nonnegative() }),
  z.object({
    status: z.literal("differs"),
    compared: z.number().int().nonnegative(),
    differences: z.array(z.object({ key: z.string().max(200), computed: nullableNumber, submitted: nullableNumber, unit: z.enum(FIGURE_UNITS).optional() })).max(1000),
  }),
  z.object({ status: z.literal("not_comparable"), reason: z.enum(NOT_COMPARABLE_REASONS) }),
]);

/** A stored check, or null when the column is empty or holds something else. */
export function parseFigureCheck(json: string | null | undefined): FigureCheck | null {
  if (!json) return null;
  try {
    const parsed = figureCheckSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Compares every computed figure with the submitted row of the same key, in the computed order. A
 * computed figure missing from the submission differs (submitted null); submitted rows of keys the
 * computation does not have (a unit's own extra lines) are ignored; of a key given twice, the first row
 * counts. A submission that holds none of the keys is not comparable.
 */
export function compareFigures(computed: readonly FigureRow[], submitted: readonly FigureRow[]): FigureCheck {
  const given = new Map<string, number | null>();
  for (const row of submitted) if (!given.has(row.key)) given.set(row.key, row.value);
  if (!computed.some((row) => given.has(row.key))) return { status: "not_comparable", reason: "no_figures" };
  const differences: FigureDifference[] = [];
  for (const row of computed) {
    const value = given.has(row.key) ? given.get(row.key)! : null;
    if (value !== row.value) differences.push({ key: row.key, computed: row.value, submitted: value, ...(row.unit ? { unit: row.unit } : {}) });
  }
  return differences.length ? { status: "differs", compared: computed.length, differences } : { status: "same", compared: computed.length };
}
