// Benchmark: the campaign job of the tick at provincial scale: 50,000 units × 3 deliverables, every
// assignment due (overdue, two of three escalating). Seeds once (multi-row INSERTs), then runs, on a
// fresh copy of that database each time and alternating, one tick of runCampaignReminders and the
// baseline: the pre-issue-20 code path (scripts/bench/legacy-campaign-reminders.ts: a single-row UPDATE
// per assignment, 25 pages of 200 a tick) ticked until everything is queued. Reports wall time, database
// time (inside @libsql/client calls), statements and round trips; ends with one line `RESULT <json>`.
// Run: npm run bench -- campaign-tick   (or npx tsx scripts/bench/campaign-tick.bench.ts [--units 50000] [--rounds 2] [--page 200]
// [--no-baseline]: the new job only, for iterating; its RESULT has no baseline figures)
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Client, InStatement } from "@libsql/client";
import { parseConfig } from "../../src/config";
import { applyMigrations, openLibsqlDatabase } from "../../src/db/libsql-file";
import { runCampaignReminders } from "../../src/services/campaigns/reminders";
import { sealEventLog } from "../../src/services/audit/event-chain";
import type { ServiceDeps } from "../../src/services/deps";
import { generateKeyMaterial, importKeyRing } from "../../src/security/keys";
import { nodeSyncCrypto } from "../../src/security/node-crypto";
import { runLegacyCampaignReminders } from "./legacy-campaign-reminders";
import { importExampleOrg } from "./org";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const UNITS = arg("units", 50_000);
const ROUNDS = arg("rounds", 2);
const PAGE = arg("page", 0);
// --profile: the new job alone, each batch's statements run one by one in a transaction and timed by table.
const PROFILE = process.argv.includes("--profile");
// --seal: after the run (not in its figures), seal the event log as the tick does (5 s a tick) and report
// how long that takes in all and in how many ticks' worth.
const SEAL = process.argv.includes("--seal");
// --no-baseline: skip the legacy path (~4 min at 50k units): for iterating on the new job only.
const BASELINE = !process.argv.includes("--no-baseline");
const TARGET_MS = 15_000;
// Monday 28 December 2026, 10:00 Shanghai: deliverables due 20 Nov, 10 Dec and 25 Dec are all overdue.
const NOW = new Date("2026-12-28T10:00:00+08:00");
const CREATED = Date.parse("2026-09-01T02:00:00Z");
const DUE = ["2026-11-20", "2026-12-10", "2026-12-25"].map((d) => Date.parse(`${d}T15:59:59.999Z`));

/** What a statement writes or reads: its verb and first table. */
const statementKind = (sqlText: string) => {
  const m = /^\s*(insert into|update|select|delete from)\s+"?(\w+)"?/i.exec(sqlText);
  return m ? `${m[1]!.split(" ")[0]!.toLowerCase()} ${m[2]}` : sqlText.trim().slice(0, 30);
};

/** --profile: each batch as a write transaction of single statements, timed per kind (ms, count). */
function profile(client: Client) {
  const byKind = new Map<string, { ms: number; n: number }>();
  (client as unknown as Record<string, unknown>).batch = async (stmts: InStatement[]) => {
    const tx = await client.transaction("write");
    try {
      const out = [];
      for (const st of stmts) {
        const text = typeof st === "string" ? st : st.sql;
        const t = performance.now();
        out.push(await tx.execute(st));
        const k = statementKind(text);
        const e = byKind.get(k) ?? { ms: 0, n: 0 };
        e.ms += performance.now() - t;
        e.n++;
        byKind.set(k, e);
      }
      const t = performance.now();
      await tx.commit();
      const e = byKind.get("commit") ?? { ms: 0, n: 0 };
      e.ms += performance.now() - t;
      e.n++;
      byKind.set("commit", e);
      return out;
    } finally {
      tx.close();
    }
  };
  const execute = client.execute.bind(client);
  (client as unknown as Record<string, unknown>).execute = async (st: InStatement) => {
    const t = performance.now();
    try {
      return await execute(st);
    } finally {
      const k = `read: ${statementKind(typeof st === "string" ? st : st.sql)}`;
      const e = byKind.get(k) ?? { ms: 0, n: 0 };
      e.ms += performance.now() - t;
      e.n++;
      byKind.set(k, e);
    }
  };
  return byKind;
}

/** Wraps the client: wall time inside its calls, round trips, and statements sent. */
function meter(client: Client) {
  const m = { ms: 0, trips: 0, statements: 0 };
  for (const method of ["execute", "batch", "transaction", "executeMultiple"] as const) {
    const original = (client[method] as (...a: unknown[]) => Promise<unknown>).bind(client);
    (client as unknown as Record<string, unknown>)[method] = async (...a: unknown[]) => {
      const t = performance.now();
      m.trips++;
      m.statements += Array.isArray(a[0]) ? (a[0] as InStatement[]).length : 1;
      try {
        return await original(...a);
      } finally {
        m.ms += performance.now() - t;
      }
    };
  }
  return m;
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The campaign, its deliverables, UNITS institutions and one due assignment per unit and deliverable. */
async function seed(client: Client) {
  const statements: string[] = [
    `INSERT INTO campaigns (id, template_id, name, year, region_code, issuer, phases, definition, created_at, updated_at) VALUES ('cmp_bench', 'jilin-2020', '医保基金专项治理（基准）', 2026, '510000', '四川省医疗保障局', '[]', '{}', ${CREATED}, ${CREATED})`,
    `INSERT INTO deliverables (id, campaign_id, key, title, title_en, due_on, unit_kinds, created_at) VALUES ${["self-inspection", "statistics", "summary"].map((k, i) => `('dlv_bench_${i}', 'cmp_bench', '${k}', '报告${i}', 'Report ${i}', '${["2026-11-20", "2026-12-10", "2026-12-25"][i]}', '["institution"]', ${CREATED})`).join(", ")}`,
  ];
  const ROWS = 1000;
  for (let from = 0; from < UNITS; from += ROWS) {
    const unitRows: string[] = [];
    const assignmentRows: string[] = [];
    for (let u = from; u < Math.min(UNITS, from + ROWS); u++) {
      const id = `bench-inst-${String(u).padStart(6, "0")}`;
      unitRows.push(`(${q(id)}, ${q(`定点机构${u}`)}, 'institution', '${u % 2 ? "510703" : "510106"}', 'console', ${q(`unit-${u}`)}, ${CREATED}, ${CREATED})`);
      for (let d = 0; d < 3; d++) assignmentRows.push(`('asg_bench_${u}_${d}', 'cmp_bench', 'dlv_bench_${d}', ${q(id)}, ${DUE[d]}, ${DUE[d]}, ${CREATED}, ${CREATED})`);
    }
    statements.push(`INSERT INTO units (id, name, kind, region_code, platform, chat_id, created_at, updated_at) VALUES ${unitRows.join(", ")}`);
    statements.push(`INSERT INTO assignments (id, campaign_id, deliverable_id, unit_id, due_at, next_reminder_at, created_at, updated_at) VALUES ${assignmentRows.join(", ")}`);
  }
  await client.batch(statements, "write");
}

interface Run {
  wallMs: number;
  /** This process's CPU time (user + system) during the run: steadier than wall time on a shared machine. */
  cpuMs: number;
  dbMs: number;
  statements: number;
  trips: number;
  ticks: number;
  assignments: number;
  queued: number;
  /** Rows the run added to the event log (each one the tick's sealing then chains). */
  events: number;
  /** --seal: wall time to seal what the run logged, and the tick-sized (5 s) sealing runs it took. */
  seal?: { ms: number; runs: number };
}

async function runOn(template: string, dir: string, name: string, which: "after" | "baseline", base: Omit<ServiceDeps, "db">): Promise<Run> {
  const file = join(dir, `${name}.db`);
  copyFileSync(template, file);
  const { db, client } = await openLibsqlDatabase(`file:${file}`);
  try {
    const deps: ServiceDeps = { ...base, db };
    const profiled = PROFILE ? profile(client) : null;
    const m = meter(client);
    const t = performance.now();
    const cpu = process.cpuUsage();
    let ticks = 0;
    let assignments = 0;
    let queued = 0;
    for (;;) {
      const r = which === "after" ? await runCampaignReminders(deps, NOW, PAGE ? { pageSize: PAGE } : {}) : await runLegacyCampaignReminders(deps, NOW);
      ticks++;
      assignments += r.assignments;
      queued += r.reminders + r.escalations;
      // The new job finishes in one tick (or reports its budget ran out); the old one stops at 25 pages.
      if (r.assignments === 0 || ("outOfTime" in r ? !r.outOfTime : r.pages < 25)) break;
    }
    const used = process.cpuUsage(cpu);
    const wallMs = performance.now() - t;
    const metered = { ...m };
    const logged = await client.execute("SELECT count(*) AS n FROM events WHERE platform = 'scheduler'");
    let seal: Run["seal"];
    if (SEAL) {
      const s = performance.now();
      let runs = 0;
      for (;;) {
        runs++;
        const r = await sealEventLog(deps);
        if (r.blocked) throw new Error(`sealing blocked at event ${r.blocked.id}`);
        const left = await client.execute({ sql: "SELECT count(*) AS n FROM events WHERE id > ?", args: [r.head.id] });
        if (Number(left.rows[0]!.n) === 0) break;
      }
      seal = { ms: performance.now() - s, runs };
    }
    if (profiled) for (const [k, v] of [...profiled].sort((x, y) => y[1].ms - x[1].ms)) console.log(`    ${k.padEnd(28)} ${String(Math.round(v.ms)).padStart(7)} ms  ×${v.n}`);
    return { wallMs, cpuMs: (used.user + used.system) / 1000, dbMs: metered.ms, statements: metered.statements, trips: metered.trips, ticks, assignments, queued, events: Number(logged.rows[0]!.n), ...(seal && { seal }) };
  } finally {
    client.close();
    rmSync(file, { force: true });
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "fundwatch-campaign-tick-bench-"));
  try {
    const template = join(dir, "template.db");
    const config = parseConfig({ APP_ENV: "test", DATABASE_URL: `file:${template}`, LOG_LEVEL: "silent" });
    const base = { config, keys: await importKeyRing(await generateKeyMaterial(), { syncCrypto: nodeSyncCrypto }), now: () => NOW, log: { debug() {}, info() {}, warn() {}, error() {} } };
    {
      const { db, client } = await openLibsqlDatabase(`file:${template}`);
      await applyMigrations(db);
      await importExampleOrg({ ...base, db, now: () => new Date(CREATED) });
      const t = performance.now();
      await seed(client);
      await client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      client.close();
      console.log(`seeded ${UNITS} units × 3 deliverables (${UNITS * 3} due assignments) in ${Math.round(performance.now() - t)} ms`);
    }
    const after: Run[] = [];
    const baseline: Run[] = [];
    if (PROFILE) {
      const r = await runOn(template, dir, "profile", "after", base);
      console.log(`  profile  ticks=${r.ticks} assignments=${r.assignments} queued=${r.queued} wall=${Math.round(r.wallMs)} ms cpu=${Math.round(r.cpuMs)} ms db=${Math.round(r.dbMs)} ms`);
      return;
    }
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating, so a noisy neighbour hurts both sides alike.
      const order = round % 2 ? (["baseline", "after"] as const) : (["after", "baseline"] as const);
      for (const which of order.filter((w) => BASELINE || w === "after")) {
        const r = await runOn(template, dir, `${which}-${round}`, which, base);
        (which === "after" ? after : baseline).push(r);
        console.log(`  ${which.padEnd(8)} ticks=${r.ticks} assignments=${r.assignments} queued=${r.queued} wall=${Math.round(r.wallMs)} ms cpu=${Math.round(r.cpuMs)} ms db=${Math.round(r.dbMs)} ms statements=${r.statements} round trips=${r.trips} events=${r.events}${r.seal ? ` sealing=${Math.round(r.seal.ms)} ms in ${r.seal.runs} run(s)` : ""}`);
      }
    }
    const best = (runs: Run[]) => runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    const a = best(after);
    const b = baseline.length ? best(baseline) : null;
    const load = loadavg()[0]!;
    const allInOne = a.ticks === 1 && a.assignments === UNITS * 3;
    console.log(`after: ${a.assignments} assignments in ${a.ticks} tick(s), ${Math.round(a.wallMs)} ms wall (${Math.round(a.cpuMs)} ms CPU, ${Math.round(a.dbMs)} ms database); baseline: ${b ? `${b.ticks} ticks, ${Math.round(b.wallMs)} ms (${Math.round(b.cpuMs)} ms CPU)` : "not run"}; load average ${load.toFixed(2)}`);
    console.log(`target: all queued in one tick within ${TARGET_MS} ms: ${allInOne && a.wallMs <= TARGET_MS ? "met" : "missed"}`);
    console.log(
      `RESULT ${JSON.stringify({
        bench: "campaign-tick",
        assignments: UNITS * 3,
        ticks: a.ticks,
        wallMs: Math.round(a.wallMs),
        cpuMs: Math.round(a.cpuMs),
        dbMs: Math.round(a.dbMs),
        statements: a.statements,
        roundTrips: a.trips,
        events: a.events,
        ...(b && {
          baselineTicks: b.ticks,
          baselineWallMs: Math.round(b.wallMs),
          baselineCpuMs: Math.round(b.cpuMs),
          cpuRatio: b.cpuMs / a.cpuMs,
          baselineDbMs: Math.round(b.dbMs),
          baselineStatements: b.statements,
          baselineRoundTrips: b.trips,
          baselineEvents: b.events,
          speedup: b.wallMs / a.wallMs,
        }),
        load,
        targetMet: allInOne && a.wallMs <= TARGET_MS,
      })}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
