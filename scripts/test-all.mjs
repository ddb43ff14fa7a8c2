// `npm test`: typecheck, vitest, the Worker build and the smoke test, all at once (the smoke as soon as the
// Worker it starts is built). None reads another's output; vitest spends most of its time waiting on
// servers, browsers and child processes, so the CPU the others take is mostly idle time otherwise, and the
// smoke's checks have generous timeouts, not timing bounds. vitest's output streams live; the others' is
// held and printed as each finishes (after vitest if it is still streaming), so the logs do not
// interleave. A failing vitest run does not hide whether the Worker still builds and the smoke test still
// passes: every step runs, each is reported, and the exit code is non-zero if any failed. A failing
// typecheck stops everything at once: the later steps would fail on the same error and say nothing new.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
/** Steps still running, to stop on Ctrl+C. */
const active = new Set();

/** Runs `npm run <script>`; `live` streams its output, otherwise it is collected for later. */
function runScript(step, live) {
  const started = Date.now();
  const npmArgs = ["run", "--silent", step.script, ...(step.args ? ["--", ...step.args] : [])];
  // A step with slack (the typecheck finishes long before vitest) yields the CPU to the one that sets the
  // total time: `nice` where there is one (Linux, macOS), as is elsewhere.
  const [command, args] = step.nice && process.platform !== "win32" ? ["nice", ["-n", String(step.nice), npm, ...npmArgs]] : [npm, npmArgs];
  // Its own process group, so stopping it stops what it started (vitest workers, wrangler's children).
  const child = spawn(command, args, { stdio: live ? "inherit" : ["ignore", "pipe", "pipe"], detached: process.platform !== "win32" });
  let output = "";
  if (!live) {
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
  }
  const done = new Promise((resolve) =>
    child.once("exit", (code, signal) => resolve({ name: step.name, ok: code === 0, seconds: Math.round((Date.now() - started) / 1000), code: code ?? signal, output })),
  );
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
  };
  const run = { done, stop };
  active.add(run);
  void done.then(() => active.delete(run));
  return run;
}

function show(result) {
  if (result.output) process.stdout.write(`\n── ${result.name} ──\n${result.output}${result.output.endsWith("\n") ? "" : "\n"}`);
}

// vitest also writes its results as JSON, so the failures can be listed again at the very end: a CI log
// is often read from its tail, and vitest's own report of a failure scrolls far above it.
const reportDir = mkdtempSync(join(tmpdir(), "fundwatch-test-"));
const vitestReport = join(reportDir, "vitest.json");
const typecheck = { name: "typecheck", script: "typecheck", nice: 5 };
const concurrent = [
  { name: "vitest", script: "test:unit", live: true, args: ["--reporter=default", "--reporter=json", `--outputFile.json=${vitestReport}`] },
  { name: "worker build", script: "build:worker" },
];
const smoke = { name: "smoke", script: "smoke" };
const order = [typecheck, ...concurrent, smoke];

const startedAt = Date.now();
const results = new Map();
const typecheckRun = runScript(typecheck, false);
const others = concurrent.map((step) => ({ step, run: runScript(step, step.live) }));
// The steps run in their own process groups, which Ctrl+C does not reach: pass it on.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    for (const run of active) run.stop();
    process.exit(130);
  });
}
// Held output is printed when its step ends; if it ends while vitest streams, after vitest.
const vitestDone = others[0].run.done;
let stopped = false;
/** The smoke, once the Worker build has let it start. */
let smokeRun = null;
const typecheckResult = typecheckRun.done.then(async (r) => {
  results.set(r.name, r);
  if (!r.ok) {
    stopped = true;
    for (const o of others) o.run.stop();
    smokeRun?.stop();
  }
  await vitestDone;
  show(r);
  return r;
});
const otherResults = others.map(({ step, run }) =>
  run.done.then(async (r) => {
    results.set(r.name, r);
    if (!step.live) {
      await vitestDone;
      show(r);
    }
    return r;
  }),
);
// The smoke starts the Worker the build wrote: it waits for the build, not for vitest.
const smokeResult = others[1].run.done.then(async (build) => {
  if (!build.ok || stopped) return null;
  smokeRun = runScript(smoke, false);
  const r = await smokeRun.done;
  results.set(r.name, r);
  await vitestDone;
  show(r);
  return r;
});
await Promise.all([typecheckResult, ...otherResults, smokeResult]);

const totalSeconds = Math.round((Date.now() - startedAt) / 1000);
console.log(`\nnpm test (${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s):`);
for (const step of order) {
  const r = results.get(step.name);
  if (!r) console.log(`  not run ${step.name} (${stopped ? "the typecheck failed" : "the Worker build failed"})`);
  else if (stopped && step !== typecheck) console.log(`  stopped ${step.name} (the typecheck failed)`);
  else console.log(`  ${r.ok ? "ok    " : "FAILED"} ${r.name} (${r.seconds} s${r.ok ? "" : `, exit ${r.code}`})`);
}
const failures = vitestFailures(vitestReport);
rmSync(reportDir, { recursive: true, force: true });
if (failures.length > 0) {
  console.log(`\nvitest failures (${failures.length}):`);
  for (const line of failures.slice(0, 20)) console.log(line);
  if (failures.length > 20) console.log(`  … and ${failures.length - 20} more (above)`);
}
process.exit(!stopped && order.every((s) => results.get(s.name)?.ok) ? 0 : 1);

/** One line per failed test (project, file, name) and the first line of its error; [] without a report. */
function vitestFailures(path) {
  let report;
  try {
    report = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return [];
  }
  const lines = [];
  for (const file of report.testResults ?? []) {
    const name = file.name.replace(`${process.cwd()}/`, "");
    const failed = (file.assertionResults ?? []).filter((t) => t.status === "failed");
    // A file that fails before any test runs (an import error, a hook) has a message and no failed test.
    if (failed.length === 0 && file.status === "failed") lines.push(`  ${name}: ${firstLine(file.message)}`);
    for (const t of failed) lines.push(`  ${name} > ${t.fullName}\n      ${firstLine(t.failureMessages?.[0])}`);
  }
  return lines;
}

function firstLine(text) {
  return String(text ?? "").split("\n").find((l) => l.trim() !== "")?.trim().slice(0, 300) ?? "";
}
