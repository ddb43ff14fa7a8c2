// Benchmark: group commit (src/db/group-commit.ts) under concurrent tips, in one process. Two test
// contexts on their own database files, one with grouping off (FUNDWATCH_GROUP_COMMIT=off when it was
// opened), one with it on; rounds alternate between them. Each round sends `--tips` tips through
// app.request with `--concurrency` in flight, and reports CPU time per tip (what a shared machine
// distorts least), wall time per tip, and how many batches shared a commit. Ends with `RESULT <json>`.
// Run: npx tsx scripts/bench/group-commit.bench.ts [--tips 400] [--concurrency 20] [--rounds 3]
import { loadavg } from "node:os";
import { groupCommitStats } from "../../src/db/group-commit";
import { createTestContext, type TestContext } from "../../test/support/context";
import { jsonPost, validReport } from "../../test/support/fixtures";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const TIPS = Number(arg("tips", "400"));
const CONCURRENCY = Number(arg("concurrency", "20"));
const ROUNDS = Number(arg("rounds", "3"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function openContext(groupCommit: boolean): Promise<TestContext> {
  const previous = process.env.FUNDWATCH_GROUP_COMMIT;
  process.env.FUNDWATCH_GROUP_COMMIT = groupCommit ? "on" : "off";
  try {
    return await createTestContext({ REPORTS_PER_HOUR: "10000" });
  } finally {
    if (previous === undefined) delete process.env.FUNDWATCH_GROUP_COMMIT;
    else process.env.FUNDWATCH_GROUP_COMMIT = previous;
  }
}

let n = 0;
async function burst(ctx: TestContext, tips: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tips) {
      next++;
      n++;
      const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: n % 2 ? `压测医院${n}` : `常见医院${n % 200}` }), { "x-test-client": `198.51.100.${n % 250}` }));
      if (res.status !== 201) throw new Error(`tip answered ${res.status}: ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function main() {
  const contexts = { off: await openContext(false), on: await openContext(true) };
  const cpu: Record<keyof typeof contexts, number[]> = { off: [], on: [] };
  const wall: Record<keyof typeof contexts, number[]> = { off: [], on: [] };
  for (const ctx of Object.values(contexts)) await burst(ctx, 60); // warm-up (JIT, caches)
  console.log(`group commit: ${TIPS} tips per variant and round, ${CONCURRENCY} in flight; load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, ctx] of Object.entries(contexts) as [keyof typeof contexts, TestContext][]) {
      const start = process.cpuUsage();
      const t = performance.now();
      await burst(ctx, TIPS);
      const used = process.cpuUsage(start);
      cpu[name].push((used.user + used.system) / 1000 / TIPS);
      wall[name].push((performance.now() - t) / TIPS);
    }
    console.log(`  round ${r + 1}: CPU per tip off ${cpu.off.at(-1)!.toFixed(2)} ms, on ${cpu.on.at(-1)!.toFixed(2)} ms; wall per tip off ${wall.off.at(-1)!.toFixed(2)} ms, on ${wall.on.at(-1)!.toFixed(2)} ms; load ${loadavg()[0]!.toFixed(2)}`);
  }
  const stats = groupCommitStats(contexts.on.client);
  for (const ctx of Object.values(contexts)) await ctx.close();
  const result = { cpuOff: median(cpu.off), cpuOn: median(cpu.on), wallOff: median(wall.off), wallOn: median(wall.on) };
  console.log(
    `  median CPU per tip: off ${result.cpuOff.toFixed(2)} ms, on ${result.cpuOn.toFixed(2)} ms (${(result.cpuOn / result.cpuOff).toFixed(2)}×); wall per tip: off ${result.wallOff.toFixed(2)} ms, on ${result.wallOn.toFixed(2)} ms (${(result.wallOn / result.wallOff).toFixed(2)}×); ${stats?.groupedBatches ?? 0} batches shared ${stats?.groups ?? 0} commits (${stats?.fallbacks ?? 0} fell back)`,
  );
  console.log(`RESULT ${JSON.stringify({ bench: "group-commit", tips: TIPS, concurrency: CONCURRENCY, rounds: ROUNDS, ...Object.fromEntries(Object.entries(result).map(([k, v]) => [k, Number(v.toFixed(2))])), groups: stats?.groups ?? 0, groupedBatches: stats?.groupedBatches ?? 0, fallbacks: stats?.fallbacks ?? 0, load: loadavg().map((l) => Number(l.toFixed(2))) })}`);
}

await main();
