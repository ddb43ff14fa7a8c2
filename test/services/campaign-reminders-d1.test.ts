// The campaign tick through drizzle's D1 driver (the Worker's database), in Node: a binding over the
// test's libSQL database (test/support/fake-d1.ts). Round 1 of the provincial-scale tick wrote its pages
// with raw statements (`db.run(sql…)`) in a batch, which drizzle's D1 session cannot bind: in workerd
// the cron tick queued nothing (npm run smoke). src/db/d1.ts binds every batch item from its SQL.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schema, type Db } from "../../src/db/client";
import { drizzleD1 } from "../../src/db/d1";
import { runCampaignReminders } from "../../src/services/campaigns/reminders";
import { sealEventLog, verifyEventChain } from "../../src/services/audit/event-chain";
import { createTestContext, type TestContext } from "../support/context";
import { fakeD1 } from "../support/fake-d1";
import { seedCampaign } from "../support/campaign-seed";

let ctx: TestContext;
let d1: Db;
const NOW = new Date("2026-12-28T10:00:00+08:00");

beforeEach(async () => {
  ctx = await createTestContext();
  ctx.setNow(new Date("2026-09-01T10:00:00+08:00"));
  d1 = drizzleD1(fakeD1(ctx.client));
});
afterEach(() => ctx.close());

/** The rows `npm run smoke` seeds into the Worker's D1: a minimal campaign (`definition '{}'`) with one assignment due. */
async function seedSmokeRows(now: number) {
  await ctx.client.executeMultiple(
    `INSERT INTO units (id, name, kind, region_code, platform, chat_id, locale, created_at, updated_at) VALUES ('smoke-hospital', '冒烟测试医院', 'institution', '510107', 'telegram', '-100888', 'zh-CN', ${now}, ${now});` +
      ` INSERT INTO campaigns (id, name, year, region_code, issuer, definition, created_at, updated_at) VALUES ('cmp_smoke', '冒烟测试专项', 2026, '510000', '冒烟测试', '{}', ${now}, ${now});` +
      ` INSERT INTO deliverables (id, campaign_id, key, title, unit_kinds, due_on, created_at) VALUES ('dlv_smoke', 'cmp_smoke', 'smoke-report', '冒烟测试报告', '["institution"]', '2026-01-01', ${now});` +
      ` INSERT INTO assignments (id, campaign_id, deliverable_id, unit_id, due_at, next_reminder_at, created_at, updated_at) VALUES ('asg_smoke', 'cmp_smoke', 'dlv_smoke', 'smoke-hospital', ${now + 3 * 86_400_000}, 1, ${now}, ${now});`,
  );
}

describe("the campaign tick over D1", () => {
  it("drizzle's own D1 batch cannot bind a raw statement with parameters (why src/db/d1.ts exists)", async () => {
    const bare = drizzle(fakeD1(ctx.client) as never, { schema }) as unknown as Db;
    await expect(bare.batch([bare.run(sql`SELECT ${1}`)])).rejects.toThrow(/bind/);
    await expect(d1.batch([d1.run(sql`SELECT ${1}`)])).resolves.toHaveLength(1);
  });

  it("the smoke's minimal campaign: the due reminder is queued once, its event logged and sealed", async () => {
    const now = Date.parse("2026-12-07T02:00:00Z");
    ctx.setNow(new Date(now));
    await seedSmokeRows(now);
    const deps = { ...ctx.deps, db: d1 };
    const report = await runCampaignReminders(deps, new Date(now));
    expect(report).toMatchObject({ assignments: 1, reminders: 1, escalations: 0 });
    const rows = (await ctx.client.execute("SELECT dedupe_key, chat_id, payload FROM outbox WHERE dedupe_key LIKE 'reminder:%'")).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ chat_id: "-100888" });
    expect(String(rows[0]!.dedupe_key)).toMatch(/^reminder:asg_smoke:/);
    expect((await ctx.client.execute("SELECT count(*) AS n FROM reminder_slots WHERE assignment_id = 'asg_smoke'")).rows[0]!.n).toBe(1);
    // Another tick at the same instant queues nothing more.
    expect(await runCampaignReminders(deps, new Date(now))).toMatchObject({ assignments: 0, reminders: 0 });
    // The tick's sealing (raw UPDATE … FROM in a batch too) over D1.
    const sealing = await sealEventLog(deps);
    expect(sealing.blocked).toBeNull();
    expect(sealing.sealed).toBeGreaterThan(0);
    expect((await verifyEventChain(ctx.db, ctx.deps.keys)).ok).toBe(true);
  });

  it("a provincial page over D1: every due assignment of a seeded campaign queued in one tick at Workers' page size", async () => {
    const seeded = await seedCampaign(ctx, { units: 30, prefix: "d" });
    await ctx.client.execute({ sql: "UPDATE assignments SET next_reminder_at = due_at WHERE campaign_id = ?", args: [seeded.campaignId] });
    const r = await runCampaignReminders({ ...ctx.deps, db: d1 }, NOW, { pageSize: 200 });
    expect(r).toMatchObject({ assignments: 90, reminders: 90, escalations: 60, outOfTime: false });
    const n = (await ctx.client.execute("SELECT count(*) AS n FROM reminder_slots")).rows[0]!.n;
    expect(n).toBe(150);
  });
});
