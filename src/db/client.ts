// The drizzle database type every service uses. Node and remote libSQL use drizzle's libsql driver;
// the Worker's local runs use D1 through the same SQLite dialect (see src/worker.ts).
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import { sql } from "drizzle-orm";
import * as schema from "./schema";

export { schema };
export type Db = LibSQLDatabase<typeof schema>;

/** Statements for `db.batch`, which runs them atomically on libSQL and D1 alike. */
export type BatchItems = Parameters<Db["batch"]>[0];

export function asBatch(items: unknown[]): BatchItems {
  if (items.length === 0) throw new Error("empty batch");
  return items as unknown as BatchItems;
}

/** True once a trivial query succeeds; used by GET /healthz. */
export async function isDatabaseReachable(db: Db): Promise<boolean> {
  try {
    await db.all(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
