// Profiles the production server (dist/node.js, `npm start`'s flags plus --cpu-prof) under the
// out-of-process load generator, then prints the profile's top self-time items and a grouping by
// package/area, so the tip path's hot spots can be compared before and after a change.
// Run: npx tsx scripts/bench/profile-intake.ts [--seconds 8] [--out /tmp/fw-prof] [--top 25]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeyMaterial } from "../../src/security/keys";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SECONDS = Number(arg("seconds", "8"));
const OUT = arg("out", mkdtempSync(join(tmpdir(), "fw-prof-")));
const TOP = Number(arg("top", "25"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package name, a src/ area, or a V8 pseudo-frame. */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native/builtin)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith("node:")) return url;
  const src = /src\/([^/]+\/?[^/]*)/.exec(url);
  return src ? `src/${src[1]}` : url.replace(/^.*\//, "");
}

/** Self time per node over the profile's last `windowUs` (the load, not the start's module loading). */
function summarise(file: string, windowUs: number) {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const at: number[] = [];
  let t = 0;
  for (const d of p.timeDeltas) at.push((t += d));
  const from = t - windowUs;
  for (let i = 0; i < p.samples.length; i++) if (at[i]! >= from) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([id]) => byId.get(id)!.callFrame.functionName === "(idle)").reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, t] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") continue;
    const key = `${functionName || "(anonymous)"} ${url ? `${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(dist|src)\//, "$1/")}:${lineNumber + 1}` : ""}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
  console.log(`busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled`);
  console.log("top self time by area (share of busy time):");
  for (const [k, t] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(t)}  ${k}`);
  console.log("top self time by function:");
  for (const [k, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${pct(t)}  ${k}`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const material = await generateKeyMaterial("profile");
  const port = 20000 + Math.floor(Math.random() * 20000);
  const dir = mkdtempSync(join(tmpdir(), "fw-prof-db-"));
  const start = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
  const flags = /\bnode\s+(.*?)\s*dist\/node\.js/.exec(start)![1]!.split(/\s+/).filter(Boolean);
  const server = spawn(process.execPath, [...flags, "--cpu-prof", "--cpu-prof-dir", OUT, "dist/node.js"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      PATH: process.env.PATH,
      APP_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: `file:${join(dir, "fw.db")}`,
      SECRETS_FILE: join(dir, "secrets.json"),
      ORG_SEED_FILE: "examples/org.example.yaml",
      TRUST_PROXY: "true",
      REPORTS_PER_HOUR: "10000",
      ENCRYPTION_KEYS: material.encryptionKeys,
      HASH_KEY: material.hashKey,
      SIGNING_KEY: material.signingKey,
    },
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      if (i > 900 || server.exitCode !== null) throw new Error("server did not start");
    }
    await sleep(100);
  }
  await sleep(3000);
  const load = spawn(process.execPath, ["--import", "tsx", "scripts/bench/loadgen.ts", "--port", String(port), "--ms", String(SECONDS * 1000)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const loadStarted = performance.now();
  let out = "";
  load.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise((r) => load.once("close", r));
  console.log(`load: ${out.trim().split("\n").pop()}`);
  const loadUs = (performance.now() - loadStarted) * 1000;
  const stopping = performance.now();
  server.kill("SIGTERM");
  await new Promise((r) => server.once("close", r));
  // The window ends where the server stopped sampling: its shutdown is included, its start is not.
  const windowUs = loadUs + (performance.now() - stopping) * 1000;
  const file = readdirSync(OUT).filter((f) => f.endsWith(".cpuprofile")).sort().pop();
  if (!file) throw new Error(`no profile written in ${OUT}`);
  console.log(`profile: ${join(OUT, file)}`);
  summarise(join(OUT, file), windowUs);
  rmSync(dir, { recursive: true, force: true });
}

await main();
