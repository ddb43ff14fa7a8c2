// `npm run bench [-- name…]`: builds the production bundle, then runs every scripts/bench/*.bench.ts (or
// the named ones) one after another as child processes, streaming each one's output, and ends with a
// summary table of each bench's last `RESULT <json>` line. Not part of `npm test`: the figures depend on
// the machine, so each bench reports ratios against a baseline it measures in the same run.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH_DIR, "../..");

interface Outcome {
  name: string;
  code: number;
  seconds: number;
  result: Record<string, unknown> | null;
}

function runNode(args: string[], onLine: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let pending = "";
    const feed = (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    };
    child.stdout.on("data", feed);
    child.stderr.on("data", feed);
    // Ctrl-C reaches the child through the terminal's process group; just wait for it to end.
    child.on("error", (err) => onLine(`spawn error: ${err.message}`));
    child.on("close", (code, signal) => {
      if (pending) onLine(pending);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

function parseResult(line: string): Record<string, unknown> | null {
  const m = /^RESULT (\{.*\})\s*$/.exec(line);
  if (!m) return null;
  try {
    return JSON.parse(m[1]!) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function table(outcomes: Outcome[]): string {
  const rows = outcomes.map((o) => {
    const r = o.result ?? {};
    const figures = Object.entries(r)
      .filter(([k]) => k !== "bench")
      .map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toFixed(3)) : typeof v === "object" ? JSON.stringify(v) : String(v)}`)
      .join(" ");
    return [o.name, o.code === 0 ? "ok" : `exit ${o.code}`, `${o.seconds.toFixed(0)} s`, o.result ? figures : "(no RESULT line)"];
  });
  const header = ["bench", "status", "time", "result"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...rows.map(fmt)].join("\n");
}

async function main() {
  const wanted = process.argv.slice(2);
  const all = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".bench.ts"))
    .sort();
  const chosen = wanted.length ? all.filter((f) => wanted.some((w) => f === w || f === `${w}.bench.ts`)) : all;
  if (chosen.length === 0) {
    console.error(`no bench matches ${wanted.join(", ")}; available: ${all.map((f) => basename(f, ".bench.ts")).join(", ")}`);
    process.exit(2);
  }
  console.log(`bench: building dist/node.js`);
  const built = await runNode(["scripts/build-node.mjs"], (l) => console.log(`  ${l}`));
  if (built !== 0) process.exit(built);

  const outcomes: Outcome[] = [];
  for (const file of chosen) {
    const name = basename(file, ".bench.ts");
    console.log(`\n=== ${name} (${relative(ROOT, join(BENCH_DIR, file))})`);
    const started = Date.now();
    let result: Record<string, unknown> | null = null;
    const code = await runNode(["--import", "tsx", join(BENCH_DIR, file)], (line) => {
      console.log(line);
      result = parseResult(line) ?? result;
    });
    outcomes.push({ name, code, seconds: (Date.now() - started) / 1000, result });
  }
  console.log(`\n=== summary\n${table(outcomes)}`);
  process.exit(outcomes.every((o) => o.code === 0 && o.result) ? 0 : 1);
}

await main();
