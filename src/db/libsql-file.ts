// Node-only: opens a libSQL database (embedded file or remote URL) and applies migrations/ from disk.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type Client } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { schema, type Db } from "./client";
import { findMigrationsDir } from "./migrations-dir";

export const MIGRATIONS_DIR = findMigrationsDir(import.meta.url);

export interface OpenedDatabase {
  db: Db;
  client: Client;
}

/**
 * Opens the database. For `file:` URLs the folder is created, WAL is switched on (it persists in the
 * file) and the busy timeout set, so concurrent writers wait instead of failing.
 */
export async function openLibsqlDatabase(url: string, authToken?: string): Promise<OpenedDatabase> {
  const isFile = url.startsWith("file:");
  if (isFile) {
    const path = url.slice("file:".length).split("?")[0]!;
    if (path && path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  }
  const client = createClient({ url, authToken, ...(isFile ? { timeout: 5000 } : {}) } as Parameters<typeof createClient>[0]);
  if (isFile) {
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA synchronous = NORMAL");
    await client.execute("PRAGMA busy_timeout = 5000");
  }
  await client.execute("PRAGMA foreign_keys = ON");
  return { db: drizzle(client, { schema }), client };
}

export async function applyMigrations(db: Db): Promise<void> {
  await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
}
