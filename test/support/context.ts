// A fresh app over a fresh libSQL file with the real migrations, a controllable clock and a
// recording logger, for tests that go through app.request().
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config";
import { applyMigrations, openLibsqlDatabase } from "../../src/db/libsql-file";
import { createApp } from "../../src/http/app";
import type { AppDeps } from "../../src/http/context";
import type { Logger } from "../../src/services/deps";
import { generateKeyMaterial, importKeyRing, type KeyMaterial } from "../../src/security/keys";

export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

export async function createTestContext(env: Record<string, string> = {}, options: { keyMaterial?: KeyMaterial } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "fundwatch-test-"));
  const dbPath = join(dir, "fundwatch.db");
  const config = parseConfig({ APP_ENV: "test", DATABASE_URL: `file:${dbPath}`, LOG_LEVEL: "silent", RECEIPT_LOOKUP_MIN_MS: "0", ...env });
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
    dbPath,
    logs,
    setNow(date: Date | string) {
      current = new Date(date);
    },
    async close() {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestContext = Awaited<ReturnType<typeof createTestContext>>;
