// Benchmark: the Cloudflare Worker bundle. Builds it as `npm run build:worker` does (`wrangler deploy
// --dry-run`, into a temporary folder, with esbuild's metafile) and reports its raw and gzipped size, the
// largest packages in it, and the share reachable only through @slack/* (modules the Worker would lose if
// the Slack path stopped importing them). Ends with one line `RESULT <json>`.
// Run: npx tsx scripts/bench/bundle.bench.ts [--top 15]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const TOP = Number(process.argv[process.argv.indexOf("--top") + 1] ?? 15) || 15;
const TARGET_GZIP_KB = 450;

interface Metafile {
  inputs: Record<string, { bytes: number; imports: { path: string; external?: boolean }[] }>;
  outputs: Record<string, { entryPoint?: string; bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** The package a module belongs to ("@slack/bolt", "zod"), or "(project) src/…" for the project's own code. */
export function packageOf(path: string): string {
  const i = path.lastIndexOf("node_modules/");
  if (i < 0) {
    if (path.startsWith("src/")) return `(project) ${path.split("/").slice(0, 2).join("/")}`;
    if (path.startsWith("locales/")) return "(project) locales";
    return "(wrangler shims)";
  }
  const parts = path.slice(i + "node_modules/".length).split("/");
  return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

const kb = (bytes: number) => Number((bytes / 1024).toFixed(1));
const pct = (part: number, whole: number) => Number(((100 * part) / whole).toFixed(1));

function main() {
  const out = mkdtempSync(join(tmpdir(), "fw-bench-bundle-"));
  try {
    const meta = join(out, "meta.json");
    const started = performance.now();
    const wrangler = spawnSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", out, "--metafile", meta], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    if (wrangler.status !== 0) {
      console.error(wrangler.stdout, wrangler.stderr);
      throw new Error(`wrangler deploy --dry-run exited ${wrangler.status}`);
    }
    const buildMs = performance.now() - started;
    const bundle = readFileSync(join(out, "worker.js"));
    const raw = bundle.length;
    const gzip = gzipSync(bundle, { level: 9 }).length;
    // Wrangler's own figure ("Total Upload: … KiB / gzip: … KiB") is what Cloudflare's size limit counts.
    const upload = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(wrangler.stdout + wrangler.stderr);
    const wranglerGzipKb = upload ? Number(upload[2]) : null;
    console.log(`worker.js: ${kb(raw)} KB raw, ${kb(gzip)} KB gzipped (level 9; wrangler reports ${wranglerGzipKb ?? "?"} KiB), built in ${(buildMs / 1000).toFixed(1)} s; target gzipped ≤ ${TARGET_GZIP_KB} KB`);

    const metafile = JSON.parse(readFileSync(meta, "utf8")) as Metafile;
    const output = Object.values(metafile.outputs).find((o) => o.entryPoint)!;
    const inOutput = output.inputs;
    const modulesBytes = Object.values(inOutput).reduce((s, i) => s + i.bytesInOutput, 0);

    // Largest packages by their bytes in the output (minified since wrangler.toml sets `minify = true`).
    const byPackage = new Map<string, number>();
    for (const [path, i] of Object.entries(inOutput)) byPackage.set(packageOf(path), (byPackage.get(packageOf(path)) ?? 0) + i.bytesInOutput);
    const top = [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP);
    console.log(`largest packages (bytes in the output, ${byPackage.size} packages, ${Object.keys(inOutput).length} modules):`);
    for (const [name, bytes] of top) console.log(`  ${name.padEnd(34)} ${String(kb(bytes)).padStart(8)} KB  ${String(pct(bytes, modulesBytes)).padStart(5)} %`);

    // Reachable only through @slack/*: what the entry cannot reach once every @slack/* module is removed
    // from the import graph (those modules included).
    const isSlack = (path: string) => packageOf(path).startsWith("@slack/");
    const reached = new Set<string>();
    const queue = [output.entryPoint!];
    while (queue.length) {
      const path = queue.pop()!;
      if (reached.has(path) || isSlack(path) || !metafile.inputs[path]) continue;
      reached.add(path);
      for (const imp of metafile.inputs[path]!.imports) if (!imp.external) queue.push(imp.path);
    }
    const slackOnly = new Map<string, number>();
    for (const [path, i] of Object.entries(inOutput)) if (!reached.has(path)) slackOnly.set(packageOf(path), (slackOnly.get(packageOf(path)) ?? 0) + i.bytesInOutput);
    const slackOnlyBytes = [...slackOnly.values()].reduce((s, b) => s + b, 0);
    console.log(`reachable only through @slack/*: ${kb(slackOnlyBytes)} KB, ${pct(slackOnlyBytes, modulesBytes)} % of the bundle's module bytes; by package:`);
    for (const [name, bytes] of [...slackOnly.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${name.padEnd(34)} ${String(kb(bytes)).padStart(8)} KB`);

    console.log(
      `RESULT ${JSON.stringify({
        bench: "bundle",
        rawKb: kb(raw),
        gzipKb: kb(gzip),
        wranglerGzipKb,
        targetGzipKb: TARGET_GZIP_KB,
        met: gzip / 1024 <= TARGET_GZIP_KB,
        slackOnlyPct: pct(slackOnlyBytes, modulesBytes),
        top5: Object.fromEntries(top.slice(0, 5).map(([n, b]) => [n, `${pct(b, modulesBytes)}%`])),
      })}`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main();
