// A region scope as an index-friendly range over a 6-digit region code column: a province covers
// [320000, 330000), a city [320100, 320200), a district only itself, 000000 the whole country.
import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/** The half-open code range [lo, hi) a region covers, or null for the whole country. */
export function regionCodeRange(code: string): { lo: string; hi: string } | null {
  if (code === "000000") return null;
  const width = code.endsWith("0000") ? 2 : code.endsWith("00") ? 4 : 6;
  const prefix = code.slice(0, width);
  const next = String(Number(prefix) + 1).padStart(width, "0");
  return { lo: prefix.padEnd(6, "0"), hi: next.padEnd(6, "0") };
}

/** `column` lies in the region (the region itself included); a range, so an index on the column can serve it. */
export function regionRangeSql(column: SQLiteColumn, code: string): SQL {
  const range = regionCodeRange(code);
  if (!range) return sql`1 = 1`;
  // A district is one code: equality lets an index on (region_code, received_at, …) give rows in order.
  if (!code.endsWith("00")) return sql`${column} = ${code}`;
  return sql`(${column} >= ${range.lo} AND ${column} < ${range.hi})`;
}
