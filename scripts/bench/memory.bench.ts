// Memory under load: starts the production build (`node dist/node.js`, what `npm start` runs) and, as the
// baseline, the TypeScript-loader start (`node --import tsx src/node.ts`), alternately, each on a fresh
// database with the example organisation; puts each under 20 connections of tips and status lookups for
// BENCH_SECONDS (default 30) and samples its resident set size (Linux /proc). Reports the build's peak RSS
// against the 150 MB target and its ratio to the tsx start's peak. Last line: `RESULT <json>`.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeyMaterial } from "../../src/security/keys";
import { validReport } from "../../test/support/fixtures";
import { productionStart } from "./production-start";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = 20;
const TARGET_MB = 150;

/**
 * The production start exactly as `npm start` runs it (its node flags and environment are read from
 * package.json, so the two cannot drift apart), the same bundle without those flags, and the tsx start
 * as the baseline.
 */
const START = productionStart(ROOT);
const productionFlags = () => START.flags;
/** BENCH_START_FLAGS tries other flags for the production start (the default is package.json's). */
const START_FLAGS = process.env.BENCH_START_FLAGS !== undefined ? process.env.BENCH_START_FLAGS.split(/\s+/).filter(Boolean) : productionFlags();
/** Extra Node flags for every start (to try V8 settings): BENCH_NODE_FLAGS="--max-semi-space-size=4". */
const EXTRA_FLAGS = (process.env.BENCH_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean);
const V8_START_FLAGS = START_FLAGS.filter((f) => f !== "--enable-source-maps");
const COMMANDS = {
  build: [...START_FLAGS, "dist/node.js"],
  ...(V8_START_FLAGS.length ? { "build-plain": ["--enable-source-maps", "dist/node.js"] } : {}),
  tsx: ["--import", "tsx", "src/node.ts"],
} as Record<string, string[]>;
type Variant = string;

interface RunFigures {
  variant: Variant;
  idleRssMb: number;
  maxRssMb: number;
  peakHwmMb: number;
  requests: number;
  errors: number;
  rps: number;
}

const mb = (kb: number) => kb / 1024;

/** VmRSS and VmHWM (peak RSS) of a process, in kB. */
function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rss: field("VmRSS"), hwm: field("VmHWM") };
  } catch {
    return null;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

function post(agent: Agent, port: number, path: string, body: unknown, forwardedFor: string): Promise<{ status: number; json: unknown }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), "x-forwarded-for": forwardedFor } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          let json: unknown = null;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          } catch {
            // not JSON: counted by status
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

async function waitHealthy(port: number, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server not healthy after 60 s:\n${output()}`);
}

async function measure(variant: Variant, keys: Record<string, string>): Promise<RunFigures> {
  const dir = mkdtempSync(join(tmpdir(), `fundwatch-bench-memory-${variant}-`));
  const port = await freePort();
  const child = spawn(process.execPath, [...EXTRA_FLAGS, ...COMMANDS[variant]!], {
    cwd: ROOT,
    // Chat goes to the console adapter (no tokens): its lines are discarded below.
    env: {
      // npm start's environment (e.g. MALLOC_ARENA_MAX) for the production start only.
      ...(variant === "build" ? START.env : {}),
      PATH: process.env.PATH,
      APP_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: `file:${join(dir, "fw.db")}`,
      ORG_SEED_FILE: "examples/org.example.yaml",
      LOG_LEVEL: "warn",
      // Many simulated tipsters behind a proxy: per-address limits must not turn the load into 429s.
      TRUST_PROXY: "true",
      REPORTS_PER_HOUR: "10000",
      RECEIPT_LOOKUP_MIN_MS: "0",
      ...keys,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
    if (process.env.BENCH_SHOW_STDERR) process.stderr.write(d);
  });
  try {
    await waitHealthy(port, child, () => stderr);
    const idle = memoryOf(child.pid!);
    let maxRss = idle?.rss ?? 0;
    const sampler = setInterval(() => {
      const m = memoryOf(child.pid!);
      if (m && m.rss > maxRss) maxRss = m.rss;
    }, 200);

    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const receipts: string[] = [];
    let requests = 0;
    let errors = 0;
    let n = 0;
    const end = Date.now() + SECONDS * 1000;
    // Each connection alternates: a new tip, then a status lookup of a random earlier receipt.
    const worker = async (w: number) => {
      while (Date.now() < end) {
        const ip = `198.51.${w}.${n++ % 250}`;
        try {
          const tip = await post(agent, port, "/api/v1/reports", validReport({ targetName: `某某医院${n % 500}` }), ip);
          requests++;
          if (tip.status !== 201) errors++;
          else receipts.push((tip.json as { receipt: string }).receipt);
          const receipt = receipts[Math.floor(Math.random() * receipts.length)];
          if (receipt) {
            const status = await post(agent, port, "/api/v1/reports/status", { receipt }, ip);
            requests++;
            if (status.status !== 200) errors++;
          }
        } catch {
          errors++;
        }
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: CONNECTIONS }, (_, w) => worker(w)));
    const elapsed = (Date.now() - started) / 1000;
    clearInterval(sampler);
    agent.destroy();
    const last = memoryOf(child.pid!);
    if (last && last.rss > maxRss) maxRss = last.rss;
    return {
      variant,
      idleRssMb: mb(idle?.rss ?? NaN),
      maxRssMb: mb(maxRss),
      peakHwmMb: mb(last?.hwm ?? NaN),
      requests,
      errors,
      rps: requests / elapsed,
    };
  } finally {
    child.kill("SIGTERM");
    await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once("exit", () => r())));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (!existsSync(join(ROOT, "dist/node.js"))) throw new Error("dist/node.js missing: run `npm run build` (npm run bench does)");
  if (!existsSync("/proc/self/status")) throw new Error("needs Linux /proc to read the resident set size");
  const material = await generateKeyMaterial("bench");
  const keys = { ENCRYPTION_KEYS: material.encryptionKeys, HASH_KEY: material.hashKey, SIGNING_KEY: material.signingKey };
  const only = (process.env.BENCH_VARIANTS ?? "").split(",").filter(Boolean);
  const variants = Object.keys(COMMANDS).filter((v) => only.length === 0 || only.includes(v) || v === "build");
  console.log(`memory: ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds alternating ${variants.join(" / ")}`);
  for (const v of variants) console.log(`  ${v}: ${v === "build" ? Object.entries(START.env).map(([k, e]) => `${k}=${e} `).join("") : ""}node ${[...EXTRA_FLAGS, ...COMMANDS[v]!].join(" ")}`);
  const runs: RunFigures[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const variant of variants) {
      const figures = await measure(variant, keys);
      runs.push(figures);
      console.log(
        `  round ${round} ${variant.padEnd(11)} idle ${figures.idleRssMb.toFixed(1)} MB, max RSS ${figures.maxRssMb.toFixed(1)} MB (VmHWM ${figures.peakHwmMb.toFixed(1)} MB), ${figures.requests} requests, ${figures.rps.toFixed(0)} req/s, ${figures.errors} errors`,
      );
    }
  }
  const of = (v: Variant) => runs.filter((r) => r.variant === v);
  const peak = (v: Variant) => Math.max(...of(v).map((r) => Math.max(r.maxRssMb, r.peakHwmMb)));
  const has = (v: Variant) => of(v).length > 0;
  const idle = (v: Variant) => Math.max(...of(v).map((r) => r.idleRssMb));
  const rps = (v: Variant) => of(v).reduce((s, r) => s + r.rps, 0) / of(v).length;
  const result = {
    bench: "memory",
    maxRssMb: Number(peak("build").toFixed(1)),
    targetMb: TARGET_MB,
    withinTarget: peak("build") <= TARGET_MB,
    idleRssMb: Number(idle("build").toFixed(1)),
    rps: Number(rps("build").toFixed(0)),
    ...(has("tsx")
      ? {
          tsxMaxRssMb: Number(peak("tsx").toFixed(1)),
          tsxIdleRssMb: Number(idle("tsx").toFixed(1)),
          ratioVsTsx: Number((peak("build") / peak("tsx")).toFixed(3)),
          tsxRps: Number(rps("tsx").toFixed(0)),
          rpsRatioVsTsx: Number((rps("build") / rps("tsx")).toFixed(3)),
        }
      : {}),
    ...(has("build-plain")
      ? {
          startFlags: V8_START_FLAGS.join(" "),
          plainMaxRssMb: Number(peak("build-plain").toFixed(1)),
          rpsRatioVsPlain: Number((rps("build") / rps("build-plain")).toFixed(3)),
        }
      : {}),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    seconds: SECONDS,
    connections: CONNECTIONS,
  };
  console.log(`memory: build peak ${result.maxRssMb} MB (target ${TARGET_MB} MB: ${result.withinTarget ? "met" : "MISSED"})${has("tsx") ? `, tsx peak ${peak("tsx").toFixed(1)} MB, ratio ${(peak("build") / peak("tsx")).toFixed(3)}` : ""}`);
  console.log(`RESULT ${JSON.stringify(result)}`);
  if (result.errors > 0) process.exitCode = 1;
}

await main();
