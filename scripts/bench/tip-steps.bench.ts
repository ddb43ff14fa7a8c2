// Benchmark: CPU per tip, step by step, in one process (no HTTP socket, no load generator): tips go
// through app.request on a real file database, and the process's own CPU time (user + system) is
// divided by the tips. Variants alternate round by round: (a) statements prepared anew and WebCrypto
// (as before issue 20), (b) the statement cache (src/db/statement-cache.ts), (c) plus Node's
// synchronous crypto (src/security/node-crypto.ts). CPU time is what a busy shared machine distorts
// least; the ratios between variants are the figure. Ends with `RESULT <json>`.
// Run: npx tsx scripts/bench/tip-steps.bench.ts [--tips 200] [--rounds 3]
import { loadavg } from "node:os";
import { installStatementCache } from "../../src/db/statement-cache";
import { generateKeyMaterial, importKeyRing } from "../../src/security/keys";
import { nodeSyncCrypto } from "../../src/security/node-crypto";
import { createTestContext } from "../../test/support/context";
import { jsonPost, validReport } from "../../test/support/fixtures";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const TIPS = Number(arg("tips", "200"));
const ROUNDS = Number(arg("rounds", "3"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const material = await generateKeyMaterial("bench");
  const web = await importKeyRing(material);
  const node = await importKeyRing(material, { syncCrypto: nodeSyncCrypto });
  const ctx = await createTestContext({ REPORTS_PER_HOUR: "10000" }, { keyMaterial: material });
  const variants = {
    before: { cache: 0, keys: web },
    cache: { cache: 256, keys: web },
    cacheAndNodeCrypto: { cache: 256, keys: node },
  } as const;
  const cpu: Record<keyof typeof variants, number[]> = { before: [], cache: [], cacheAndNodeCrypto: [] };
  let n = 0;
  const tip = async () => {
    n++;
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: n % 2 ? `压测医院${n}` : `常见医院${n % 200}` }), { "x-test-client": `198.51.100.${n % 250}` }));
    if (res.status !== 201) throw new Error(`tip answered ${res.status}: ${await res.text()}`);
  };
  for (let i = 0; i < 50; i++) await tip(); // warm-up (JIT, caches)
  console.log(`CPU per tip in one process, ${TIPS} sequential tips per variant and round; load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, v] of Object.entries(variants) as [keyof typeof variants, (typeof variants)[keyof typeof variants]][]) {
      installStatementCache(v.cache);
      ctx.deps.keys = v.keys;
      for (let i = 0; i < 10; i++) await tip();
      const start = process.cpuUsage();
      for (let i = 0; i < TIPS; i++) await tip();
      const used = process.cpuUsage(start);
      cpu[name].push((used.user + used.system) / 1000 / TIPS);
    }
    console.log(`  round ${r + 1}: ${Object.entries(cpu).map(([k, xs]) => `${k} ${xs.at(-1)!.toFixed(2)} ms`).join(", ")}; load ${loadavg()[0]!.toFixed(2)}`);
  }
  await ctx.close();
  const result = Object.fromEntries(Object.entries(cpu).map(([k, xs]) => [k, Number(median(xs).toFixed(2))])) as Record<keyof typeof variants, number>;
  console.log(`  median ms CPU per tip: before ${result.before}, statement cache ${result.cache} (${(result.cache / result.before).toFixed(2)}×), plus Node crypto ${result.cacheAndNodeCrypto} (${(result.cacheAndNodeCrypto / result.before).toFixed(2)}×)`);
  console.log(`RESULT ${JSON.stringify({ bench: "tip-steps", tips: TIPS, rounds: ROUNDS, msCpuPerTip: result, load: loadavg().map((l) => Number(l.toFixed(2))) })}`);
}

await main();
