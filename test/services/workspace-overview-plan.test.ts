// The overview at scale: on 100,000 open leads (a tenth of them from a screening batch) every statement
// the overview runs for a coordinator, a team lead, an inspector and finance is an index search — no
// table scan of leads, assignments, batches or claims, and no sort of leads (the first few come out of
// the index in order) — checked with EXPLAIN QUERY PLAN on the statements actually sent.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedOpenLeads } from "../../scripts/bench/seed-leads";
import { members } from "../../src/db/schema";
import { loadOverview } from "../../src/services/workspace/overview";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";
import { statementsOf } from "../support/statements-of";

const LEADS = 100_000;
const DUE = 30_000;
const BATCH = "0123456789abcdef";
const WATCHED = /\b(leads|assignments|screening_batches|reward_claims)\b/;

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  const now = ctx.deps.now().getTime();
  await seedOpenLeads(ctx.client, { count: LEADS, due: DUE, now });
  // A tenth of them came from one screening batch.
  await ctx.client.batch(
    [
      { sql: `UPDATE leads SET source = 'batch', source_ref = 'screening.csv:${BATCH}:' || id WHERE rowid % 10 = 0`, args: [] },
      { sql: "INSERT INTO screening_batches (id, source, reference, row_count, imported_at, feedback_due_on) VALUES (?, 'screening.csv', NULL, 10000, ?, '2026-12-31')", args: [BATCH, now] },
    ],
    "write",
  );
}, 120_000);
afterAll(() => ctx.close());


const memberNamed = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!;

describe("the overview on 100,000 leads", () => {
  it("answers every figure from an index: no table scan, no sort of leads", async () => {
    const plans: string[] = [];
    const used = new Set<string>();
    for (const name of ["陈静", "李娜", "张明", "刘洋"]) {
      const member = await memberNamed(name);
      const statements = await statementsOf(ctx.client, () => loadOverview(ctx.deps, member));
      for (const s of statements.filter((x) => WATCHED.test(x.sql))) {
        const rows = (await ctx.client.execute({ sql: `EXPLAIN QUERY PLAN ${s.sql}`, args: s.args as never })).rows.map((r) => String(r.detail));
        const plan = `${s.sql}\n  ${rows.join("\n  ")}`;
        plans.push(plan);
        for (const line of rows) {
          for (const m of line.matchAll(/INDEX (\w+)/g)) used.add(m[1]!);
          // The only scans: all open leads in deadline order (read up to the LIMIT, or counted from the
          // partial index of open leads alone) and the newest batches (up to the LIMIT).
          if (/^SCAN (leads|assignments|screening_batches|reward_claims)\b/.test(line)) expect(line, plan).toMatch(/USING (COVERING )?INDEX (leads_open_due_idx|screening_batches_imported_idx)$/);
          if (/^SEARCH leads .*count/.test(line) || (/count\(\*\)/.test(s.sql) && /^SEARCH leads/.test(line))) expect(line, plan).toMatch(/COVERING INDEX/);
          if (/\bleads\b/.test(s.sql)) expect(line, plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
        }
      }
    }
    for (const index of ["leads_open_due_idx", "leads_team_open_due_idx", "leads_assignee_open_due_idx", "leads_batch_open_idx", "screening_batches_imported_idx", "assignments_pending_due_idx", "reward_claims_status_idx"])
      expect([...used], plans.join("\n\n")).toContain(index);
  }, 120_000);

  it("counts what the seed holds: all open and overdue for a coordinator, the team's for a team lead, the batch's open leads", async () => {
    const overview = await loadOverview(ctx.deps, await memberNamed("陈静"));
    expect(overview.all).toMatchObject({ open: LEADS, overdue: DUE });
    expect(overview.all!.first).toHaveLength(10);
    expect(overview.all!.first.every((l) => l.overdue)).toBe(true);
    expect(overview.batches).toMatchObject({ count: 1, first: [{ id: BATCH, openLeads: LEADS / 10 }] });
    const lead = await memberNamed("李娜");
    const team = (await loadOverview(ctx.deps, lead)).team!;
    const [{ n }] = (await ctx.client.execute({ sql: "SELECT count(*) AS n FROM leads WHERE team_id = ?", args: [lead.teamId!] })).rows as unknown as [{ n: number }];
    expect(team.open).toBe(Number(n));
  }, 60_000);
});
