// The campaign commands of the admin CLI on the test's database, through test/support/admin-cli.ts (in this process; one call a real process): `campaign list` (one
// line per campaign with its id and name), `campaign start … --dry-run` (the preview as text, naming the
// deadlines already past; the database is byte-for-byte the same row counts afterwards), and a plain
// start with past deadlines that still starts and says what it did.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyMaterial, type KeyMaterial } from "../../src/security/keys";
import { runAdmin } from "../support/admin-cli";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
let keys: KeyMaterial;
const admin = (...args: string[]) => runAdmin(ctx, keys, args);

beforeAll(async () => {
  keys = await generateKeyMaterial();
  ctx = await createTestContext({}, { keyMaterial: keys });
  await importExampleOrg(ctx.deps);
});
afterAll(async () => ctx?.close());

/** Rows in every table (the migrations' bookkeeping included). */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = (await ctx.db.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)).map((t) => t.name);
  const out: Record<string, number> = {};
  for (const name of tables) out[name] = (await ctx.db.all<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM "${name}"`)))[0]!.n;
  return out;
}

describe("npm run admin -- campaign …", () => {
  it("lists, previews without creating anything, then starts a campaign whose deadlines are all past", { timeout: 240_000 }, async () => {
    const empty = await admin("campaign", "list");
    expect(empty.code).toBe(0);
    expect(empty.out).toContain("no campaigns yet");

    const before = await rowCounts();
    const dry = await admin("campaign", "start", "jilin-2020", "--year", "2020", "--region", "510000", "--dry-run");
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out).toContain("DRY RUN: nothing was created");
    expect(dry.out).toContain("3 deliverables, 11 assignments for 7 units");
    expect(dry.out).toContain("WARNING: 3 deadlines already past:");
    expect(dry.out).toMatch(/plan-filing\tdue 2020-07-07 23:59 \(Beijing time\)/);
    expect(dry.out).toContain("due 2020-10-20 23:59 (Beijing time)  ALREADY PAST");
    expect(dry.out).toContain("start message to each of 7 units");
    expect(dry.out).toMatch(/ESCALATION to coordinators and supervising unit\t4 units/);
    // The example organisation has contacts for some units but none enrolled.
    expect(dry.out).toMatch(/chengdu-wuhou-hospital\t.*NO ENROLLED CONTACT \(contact not enrolled yet\)/);
    expect(dry.out).toMatch(/sichuan-bureau\t.*NO ENROLLED CONTACT \(no contact\)/);
    expect(await rowCounts()).toEqual(before);

    const future = await admin("campaign", "start", "jilin-2020", "--year", "2099", "--region", "510000", "--dry-run");
    expect(future.out).toContain("No deadline is past.");
    expect(future.out).toMatch(/2099-10-13 09:00\tself-inspection\t7 days before\t3 units/);
    expect(future.out).not.toContain("start message");
    const moved = await admin("campaign", "start", "jilin-2020", "--year", "2099", "--shift", "10", "--due", "plan-filing=2099-09-01", "--dry-run");
    expect(moved.out).toContain("moved dates: every deadline +10 days plan-filing=2099-09-01");
    expect(moved.out).toContain("due 2099-10-30 23:59 (Beijing time)");
    expect((await admin("campaign", "start", "jilin-2020", "--year", "2099", "--due", "nope=2099-09-01", "--dry-run")).out).toContain("no deliverable nope");
    expect(await rowCounts()).toEqual(before);

    // A real process (the other runs are in-process: test/support/admin-cli.ts).
    const started = await runAdmin(ctx, keys, ["campaign", "start", "jilin-2020", "--year", "2020", "--region", "510000"], {}, { process: true });
    expect(started.code, started.out).toBe(0);
    expect(started.out).toContain("3 deadlines already past: no reminder for a past day; one start message to each of 7 units");
    const campaignId = started.out.trim().split("\n").at(-1)!;
    expect(campaignId).toMatch(/^cmp_/);

    const list = await admin("campaign", "list");
    const line = list.out.split("\n").find((l) => l.startsWith(campaignId));
    expect(line).toMatch(new RegExp(`^${campaignId}\\t定点医疗机构使用医保基金行为联合抽查复查\\tactive\\t2020\\t510000\\tstarted \\d{4}-\\d{2}-\\d{2}\\tdeadlines 2020-07-07 – 2020-10-31\\t11/11 open$`));
  });
});
