// Node-only: opens a libSQL database (embedded file or remote URL) and applies migrations/ from disk.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Client, Config } from "@libsql/client";
import { createClient as createEmbeddedClient } from "@libsql/client/sqlite3";
// drizzle's entry that imports only the embedded client; given a client, it wraps remote ones just the same.
import { drizzle } from "drizzle-orm/libsql/sqlite3";
import { migrate } from "drizzle-orm/libsql/migrator";
import { schema, setConnectionSetup, type Db } from "./client";
import { guardBoundParameters } from "./param-guard";
import { findMigrationsDir } from "./migrations-dir";
import { installStatementCache } from "./statement-cache";
import { installGroupCommit } from "./group-commit";

export const MIGRATIONS_DIR = findMigrationsDir(import.meta.url);

export interface OpenedDatabase {
  db: Db;
  client: Client;
}

/** Owner read/write only: the file holds encrypted tips, but also who did what and when. */
export const DATABASE_FILE_MODE = 0o600;

/** The database file path of a `file:` URL, or null for remote URLs and in-memory databases. */
export function databaseFilePath(url: string): string | null {
  if (!url.startsWith("file:")) return null;
  const path = decodeURIComponent(url.slice("file:".length).split("?")[0]!);
  return path && path !== ":memory:" ? resolve(path) : null;
}

/**
 * Creates the database file (and its -wal/-shm companions when they exist) readable only by the
 * owner, before libSQL opens it: SQLite creates -wal and -shm with the main file's permissions, so a
 * 0600 main file keeps all three private whatever the umask. Existing files are tightened too.
 */
export function prepareDatabaseFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, "a", DATABASE_FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, DATABASE_FILE_MODE);
}

/**
 * Opens the database. For `file:` URLs the file is created private (0600), WAL is switched on (it
 * persists in the file) and the busy timeout set, so concurrent writers wait instead of failing.
 */
export async function openLibsqlDatabase(url: string, authToken?: string): Promise<OpenedDatabase> {
  const path = databaseFilePath(url);
  const isFile = url.startsWith("file:");
  // Checked before anything is opened or created: a misspelt value stops here, with the variable's name.
  const groupCommit = isFile && groupCommitWanted(process.env.FUNDWATCH_GROUP_COMMIT);
  if (path) prepareDatabaseFile(path);
  // Embedded connections keep their prepared statements (see statement-cache.ts); remote ones prepare nothing here.
  if (isFile) installStatementCache();
  const config = { url, authToken, ...(isFile ? { timeout: 5000 } : {}) } as Config;
  // A file needs only the embedded driver: the remote clients (hrana over HTTP and WebSockets, with `ws`;
  // ~12 MB resident) load only for a remote URL.
  const client = isFile ? createEmbeddedClient(config) : (await import("@libsql/client")).createClient(config);
  // Tests: any statement binding more than D1's limit fails loudly (see db/param-guard.ts).
  const guardLimit = Number(process.env.FUNDWATCH_MAX_BOUND_PARAMETERS);
  if (guardLimit > 0) guardBoundParameters(client, guardLimit);
  if (groupCommit) installGroupCommit(client);
  if (isFile) await client.execute("PRAGMA journal_mode = WAL");
  // Per connection: applied now and again whenever the client reopens its connection (recoverFromBusy).
  const setup = async (c: Client) => {
    if (isFile) {
      // WAL + FULL: every commit syncs the WAL before it is reported done, so an accepted tip (its
      // receipt already shown to the tipster) survives a power loss or OS crash, not only a process
      // crash as with NORMAL. Cost: one fsync of the WAL per commit (checkpoints are off the request
      // path), which batching keeps to one per tip; readers are never blocked.
      await c.execute("PRAGMA synchronous = FULL");
      await c.execute("PRAGMA busy_timeout = 5000");
    }
    await c.execute("PRAGMA foreign_keys = ON");
  };
  await setup(client);
  setConnectionSetup(client, setup);
  return { db: drizzle(client, { schema }), client };
}

/** FUNDWATCH_GROUP_COMMIT: "on" (the default) or "off"; anything else stops the start with its name. */
function groupCommitWanted(value: string | undefined): boolean {
  if (value === undefined || value === "" || value === "on") return true;
  if (value === "off") return false;
  throw new Error(`FUNDWATCH_GROUP_COMMIT must be "on" or "off", not ${JSON.stringify(value)}`);
}

export async function applyMigrations(db: Db): Promise<void> {
  await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
}
