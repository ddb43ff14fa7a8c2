// A fresh app over a fresh libSQL database with the real migrations, a controllable clock and a
// recording logger, for tests that go through app.request(). The database is an embedded file, or, with
// FUNDWATCH_TEST_DB=sqld (the "sqld" vitest project), a fresh sqld server reached over HTTP.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config";
import { applyMigrations, openLibsqlDatabase } from "../../src/db/libsql-file";
import { createApp } from "../../src/http/app";
import type { AppDeps } from "../../src/http/context";
import type { Logger } from "../../src/services/deps";
import { generateKeyMaterial, importKeyRing, type KeyMaterial } from "../../src/security/keys";
import { startSqld, type RunningSqld } from "./sqld";

/** Which database the tests run against: "file" (default) or "sqld" (set by the sqld vitest project). */
export const TEST_DB = process.env.FUNDWATCH_TEST_DB === "sqld" ? "sqld" : "file";

export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

export async function createTestContext(env: Record<string, string> = {}, options: { keyMaterial?: KeyMaterial } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "fundwatch-test-"));
  const dbPath = join(dir, "fundwatch.db");
  const sqld: RunningSqld | null = TEST_DB === "sqld" ? await startSqld(dir) : null;
  const databaseUrl = sqld ? sqld.url : `file:${dbPath}`;
  const config = parseConfig({ APP_ENV: "test", DATABASE_URL: databaseUrl, LOG_LEVEL: "silent", RECEIPT_LOOKUP_MIN_MS: "0", ...env });
  const keys = await importKeyRing(options.keyMaterial ?? (await generateKeyMaterial()));
  const { db, client } = await openLibsqlDatabase(config.DATABASE_URL);
  await applyMigrations(db);
  const logs: LogLine[] = [];
  const record = (level: string) => (msg: string, fields?: Record<string, unknown>) => void logs.push({ level, msg, fields });
  const log: Logger = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
  let current = new Date("2026-11-24T02:00:00.000Z");
  const deps: AppDeps = {
    db,
    keys,
    config,
    now: () => current,
    log,
    clientAddress: (c) => c.req.header("x-test-client") ?? "203.0.113.7",
  };
  const app = createApp(deps);
  return {
    app,
    deps,
    db,
    client,
    dir,
    /** The embedded database file; only meaningful when `database` is "file". */
    dbPath,
    database: TEST_DB,
    logs,
    setNow(date: Date | string) {
      current = new Date(date);
    },
    async close() {
      client.close();
      await sqld?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestContext = Awaited<ReturnType<typeof createTestContext>>;
