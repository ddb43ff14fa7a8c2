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

type ReconnectableClient = { protocol?: string; reconnect?: () => Promise<void> };
const connectionSetups = new WeakMap<object, (client: never) => Promise<void>>();
const reconnecting = new WeakMap<object, Promise<void>>();

/** Per-connection settings (pragmas) to apply again whenever the client reconnects. */
export function setConnectionSetup<C extends object>(client: C, setup: (client: C) => Promise<void>): void {
  connectionSetups.set(client, setup as (client: never) => Promise<void>);
}

/**
 * After SQLITE_BUSY, an embedded (file) libSQL connection keeps the failed statement in progress and
 * every later batch fails with "cannot commit transaction - SQL statements in progress" (seen with
 * @libsql/client 0.18): reopen it (single flight) and re-apply its settings. Remote clients and D1 need
 * nothing.
 */
export function recoverFromBusy(db: Db): Promise<void> {
  const client = (db as unknown as { $client?: ReconnectableClient }).$client;
  if (!client || client.protocol !== "file" || typeof client.reconnect !== "function") return Promise.resolve();
  const running = reconnecting.get(client);
  if (running) return running;
  const work = (async () => {
    try {
      await client.reconnect!();
      await connectionSetups.get(client)?.(client as never);
    } finally {
      reconnecting.delete(client);
    }
  })();
  reconnecting.set(client, work);
  return work;
}
