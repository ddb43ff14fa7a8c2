// A fresh app over a fresh libSQL database with the real migrations, a controllable clock and a
// recording logger, for tests that go through app.request(). The database is an embedded file, or, with
// FUNDWATCH_TEST_DB=sqld (the "sqld" vitest project), a fresh database on a sqld server reached over
// HTTP. Either starts as a copy of a template the real migrator migrated once per run
// (test/support/test-databases.ts): a file copy, or a sqld namespace forked from the template namespace.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { parseConfig } from "../../src/config";
import { applyMigrations, openLibsqlDatabase } from "../../src/db/libsql-file";
import { createApp } from "../../src/http/app";
import type { AppDeps } from "../../src/http/context";
import type { Logger } from "../../src/services/deps";
import { generateKeyMaterial, importKeyRing, type KeyMaterial } from "../../src/security/keys";
import { deleteNamespace, forkNamespace, namespaceName, startNamespaceProxy } from "./sqld";
import { prepareTestDatabases, type SharedTestDatabases } from "./test-databases";

/** Which database the tests run against: "file" (default) or "sqld" (set by the sqld vitest project). */
export const TEST_DB = process.env.FUNDWATCH_TEST_DB === "sqld" ? "sqld" : "file";

export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

let ownTemplates: Promise<SharedTestDatabases> | null = null;

/** The templates global-setup.ts made for this project, or (run without it) ones this process makes once. */
function templates(): Promise<SharedTestDatabases> {
  let provided: SharedTestDatabases | undefined;
  try {
    provided = inject("fundwatchTestDatabases");
  } catch {
    // not inside a vitest worker with the global setup
  }
  if (provided && (TEST_DB === "file" || provided.sqld)) return Promise.resolve(provided);
  ownTemplates ??= prepareTestDatabases(TEST_DB === "sqld").then(({ shared, dispose }) => {
    process.once("beforeExit", () => void dispose());
    return shared;
  });
  return ownTemplates;
}

/** A fresh database: a copy of the migrated template file, or a namespace forked from the sqld template. */
async function freshDatabase(dbPath: string): Promise<{ url: string; drop(): Promise<void> }> {
  const shared = await templates();
  if (TEST_DB === "file") {
    copyFileSync(shared.templateFile, dbPath);
    return { url: `file:${dbPath}`, drop: async () => {} };
  }
  const sqld = shared.sqld!;
  const namespace = namespaceName("ctx");
  await forkNamespace(sqld, sqld.template, namespace);
  const proxy = await startNamespaceProxy(sqld.port, namespace);
  return {
    url: proxy.url,
    async drop() {
      await proxy.close();
      // Best effort: the server is stopped after the run anyway, and a failed delete changes no test.
      await deleteNamespace(sqld, namespace).catch(() => {});
    },
  };
}

export async function createTestContext(env: Record<string, string> = {}, options: { keyMaterial?: KeyMaterial } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "fundwatch-test-"));
  const dbPath = join(dir, "fundwatch.db");
  const database = await freshDatabase(dbPath);
  const config = parseConfig({ APP_ENV: "test", DATABASE_URL: database.url, LOG_LEVEL: "silent", RECEIPT_LOOKUP_MIN_MS: "0", ...env });
  const keys = await importKeyRing(options.keyMaterial ?? (await generateKeyMaterial()));
  const { db, client } = await openLibsqlDatabase(config.DATABASE_URL);
  // A test that names its own database gets it migrated, as before the templates.
  if (config.DATABASE_URL !== database.url) await applyMigrations(db);
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
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestContext = Awaited<ReturnType<typeof createTestContext>>;
