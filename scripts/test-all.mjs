// `npm test`: typecheck, vitest, the Worker build and the smoke test, in that order. A failing vitest run
// does not hide whether the Worker still builds and the smoke test still passes: every step after the
// typecheck runs, each is reported, and the exit code is non-zero if any failed. A failing typecheck
// stops at once: the later steps would fail on the same error and say nothing new.
import { spawnSync } from "node:child_process";

const steps = [
  { name: "typecheck", script: "typecheck", stopOnFailure: true },
  { name: "vitest", script: "test:unit" },
  { name: "worker build", script: "build:worker" },
  { name: "smoke", script: "smoke" },
];

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const results = [];
for (const step of steps) {
  const started = Date.now();
  const run = spawnSync(npm, ["run", "--silent", step.script], { stdio: "inherit" });
  const ok = run.status === 0;
  results.push({ name: step.name, ok, seconds: Math.round((Date.now() - started) / 1000), code: run.status ?? run.signal });
  if (!ok && step.stopOnFailure) break;
}
console.log("\nnpm test:");
for (const r of results) console.log(`  ${r.ok ? "ok    " : "FAILED"} ${r.name} (${r.seconds} s${r.ok ? "" : `, exit ${r.code}`})`);
for (const s of steps.slice(results.length)) console.log(`  not run ${s.name} (the typecheck failed)`);
process.exit(results.every((r) => r.ok) && results.length === steps.length ? 0 : 1);
