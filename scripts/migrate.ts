// `npm run db:migrate`: applies migrations/ to DATABASE_URL, an embedded file (file:…, the default
// file:./data/fundwatch.db) or a remote libSQL server (libsql://…, https://… with DATABASE_AUTH_TOKEN).
// `npm start` applies them by itself; this is for remote databases used by the Worker and for
// migrating ahead of a deployment. (D1 uses `wrangler d1 migrations apply fundwatch`.)
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Client } from "@libsql/client";
import { ConfigError, parseConfig } from "../src/config";
import { applyMigrations, MIGRATIONS_DIR, openLibsqlDatabase } from "../src/db/libsql-file";

interface JournalEntry {
  tag: string;
  when: number;
}

/** The `created_at` values drizzle's migrator recorded (the journal's `when`); empty on a new database. */
async function appliedMigrations(client: Client): Promise<Set<number>> {
  const table = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'");
  if (table.rows.length === 0) return new Set();
  const rows = await client.execute("SELECT created_at FROM __drizzle_migrations");
  return new Set(rows.rows.map((r) => Number(r.created_at)));
}

/** The URL without credentials or query string (authToken=… may travel there). */
function describe(url: string): string {
  if (url.startsWith("file:")) return url;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return url.replace(/\?.*$/, "");
  }
}

async function main(): Promise<number> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const target = describe(config.DATABASE_URL);
  const remote = !config.DATABASE_URL.startsWith("file:");
  if (remote && !config.DATABASE_AUTH_TOKEN) console.log("note: DATABASE_AUTH_TOKEN is not set (fine for a local sqld without auth; Turso needs it)");

  const journal = (JSON.parse(readFileSync(join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8")) as { entries: JournalEntry[] }).entries;
  let opened;
  try {
    opened = await openLibsqlDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  } catch (err) {
    console.error(`cannot open ${target}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const { db, client } = opened;
  try {
    const before = await appliedMigrations(client);
    await applyMigrations(db);
    const after = await appliedMigrations(client);
    const fresh = journal.filter((m) => after.has(m.when) && !before.has(m.when));
    const pending = journal.filter((m) => !after.has(m.when));
    console.log(`database: ${target}`);
    console.log(`migrations: ${relative(process.cwd(), MIGRATIONS_DIR) || "."} (${journal.length} in the journal)`);
    if (fresh.length) for (const m of fresh) console.log(`  applied ${m.tag}`);
    else console.log("  nothing to apply; the database is up to date");
    if (pending.length) console.log(`  not recorded as applied (older than the newest applied one?): ${pending.map((m) => m.tag).join(", ")}`);
    console.log(`done: ${fresh.length} applied now, ${after.size} recorded in __drizzle_migrations`);
    return 0;
  } catch (err) {
    console.error(`migrating ${target} failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    client.close();
  }
}

process.exitCode = await main();
