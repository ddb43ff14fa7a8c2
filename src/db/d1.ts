// The Worker's D1 database for drizzle, with batches that take every statement the services put in them.
// drizzle's D1 session (0.45) binds a batch item through the prepared statement of a query builder
// (`stmt`), which a raw `db.run(sql…)` with bound parameters does not have: such a batch failed with
// "Cannot read properties of undefined (reading 'bind')" in workerd (the campaign tick's pages, event
// sealing, lead escalation, …) while libSQL ran the same batch. Here every item is prepared from its SQL.
import { drizzle } from "drizzle-orm/d1";
import type { Db } from "./client";
import { schema } from "./client";

/** The parts of a D1 binding this file uses (@cloudflare/workers-types' D1Database satisfies it). */
export interface D1Like {
  prepare(sql: string): { bind(...values: unknown[]): unknown };
  batch(statements: never[]): Promise<unknown[]>;
}

interface BatchItem {
  _prepare(): { stmt?: { bind(...values: unknown[]): unknown }; getQuery(): { sql: string; params: unknown[] }; mapResult(result: unknown, isFromBatch: boolean): unknown };
}

/** drizzle over a D1 binding (as drizzle-orm/d1's `drizzle`), whose `batch` also runs raw statements. */
export function drizzleD1(binding: D1Like): Db {
  const db = drizzle(binding as never, { schema });
  const session = (db as unknown as { session: { batch(items: BatchItem[]): Promise<unknown[]> } }).session;
  session.batch = async (items: BatchItem[]) => {
    const prepared = items.map((item) => item._prepare());
    const statements = prepared.map((p) => {
      const { sql, params } = p.getQuery();
      return (p.stmt ?? binding.prepare(sql)).bind(...params);
    });
    const results = await binding.batch(statements as never[]);
    return results.map((result, i) => prepared[i]!.mapResult(result, true));
  };
  return db as unknown as Db;
}
