// Cloudflare D1 binds at most 100 parameters per statement (libSQL allows far more): every multi-row
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
// insert and every long IN list is cut so that one statement stays within it. The pieces go into the
// caller's own db.batch, so a batch stays as atomic as before.

/** Bound parameters D1 allows in one statement. */
export const MAX_BOUND_PARAMETERS = 100;

/** `items` in pieces of at most `size` (at least one per piece). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const n = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/**
 * Rows per multi-row INSERT so that it binds at most `limit` parameters: floor(limit / columns), where
 * `columns` counts every column drizzle writes for a row (it binds one per column, defaults included).
 * `extra`: parameters the statement binds besides the rows (e.g. in an ON CONFLICT … SET).
 */
export function rowsPerInsert(columns: number, extra = 0, limit = MAX_BOUND_PARAMETERS): number {
  return Math.max(1, Math.floor((limit - extra) / Math.max(1, columns)));
}

/** Rows in pieces for multi-row inserts of `columns` bound values per row (see rowsPerInsert). */
export function insertChunks<T>(rows: readonly T[], columns: number, extra = 0): T[][] {
  return chunk(rows, rowsPerInsert(columns, extra));
}

/** Ids in pieces for `inArray(column, ids)`, leaving `extra` parameters for the rest of the statement. */
export function idChunks<T>(ids: readonly T[], extra = 0): T[][] {
  return chunk(ids, MAX_BOUND_PARAMETERS - extra);
}

type Measurable = { toSQL(): { params: unknown[] } };

/**
 * A multi-row statement as several, each binding at most `limit` parameters: `build` makes the
 * statement for some of the rows (the same builder the caller used for all of them). Rows per
 * statement come from what one row binds (its first-row extras included, so a worst case); a piece
 * still over the limit (rows binding different counts) is halved. Put the result into the caller's
 * db.batch (`...statements`): the rows are still written all or none.
 */
export function chunkedStatements<T, S extends Measurable>(rows: readonly T[], build: (part: T[]) => S, limit = MAX_BOUND_PARAMETERS): S[] {
  if (rows.length === 0) return [];
  const perRow = Math.max(1, build(rows.slice(0, 1)).toSQL().params.length);
  const out: S[] = [];
  const emit = (part: T[]) => {
    const statement = build(part);
    if (part.length > 1 && statement.toSQL().params.length > limit) {
      const mid = part.length >> 1;
      emit(part.slice(0, mid));
      emit(part.slice(mid));
    } else out.push(statement);
  };
  for (const part of chunk(rows, Math.floor(limit / perRow))) emit(part);
  return out;
}

/**
 * `column IN (…values)` binding one parameter whatever the number of values (a JSON array read by
 * json_each, which libSQL and D1 both have): for reads that must stay one statement in one batch.
 * Seek by index as an IN list does.
 */
export function inJsonArray(column: SQLWrapper, values: readonly (string | number)[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
