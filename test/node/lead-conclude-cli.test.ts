// `npm run admin -- lead conclude … [--recovered Y] [--fine Y] [--measures a,b]` through test/support/admin-cli.ts (in this process; one call a real process): the
// figures are stored and shown by `lead show`; bad values are refused in words, exit 2, nothing written.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leadReports, leads, members } from "../../src/db/schema";
import { runLeadCommand } from "../../src/services/leads/leads";
import { generateKeyMaterial, type KeyMaterial } from "../../src/security/keys";
import { runAdmin } from "../support/admin-cli";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";
import { CHENGDU, importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
let keys: KeyMaterial;
let leadId = "";
let coordinatorId = "";
const admin = (...args: string[]) => runAdmin(ctx, keys, args);

/** Every table's rows as text: equal before and after means nothing was written. */
async function snapshot(): Promise<string> {
  const tables = (await ctx.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).rows.map((r) => String(r.name));
  const parts: string[] = [];
  for (const t of tables) parts.push(`${t}:${JSON.stringify((await ctx.client.execute(`SELECT * FROM "${t}"`)).rows)}`);
  return parts.join("\n");
}

beforeAll(async () => {
  keys = await generateKeyMaterial();
  ctx = await createTestContext({}, { keyMaterial: keys });
  await importExampleOrg(ctx.deps);
  const { reportId } = (await (await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都追回医院" })))).json()) as { reportId: string };
  leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
  const coordinator = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!;
  coordinatorId = coordinator.id;
  for (const type of ["accept", "investigate"] as const) await runLeadCommand(ctx.deps, { leadId, command: { type }, actor: { member: coordinator, platform: "cli" }, dedupeKey: `conclude-cli:${type}` });
}, 120_000);
afterAll(async () => ctx?.close());

describe("npm run admin -- lead conclude with recovered, fine and measures", () => {
  it("refuses bad values in words with exit 2 and writes nothing", { timeout: 300_000 }, async () => {
    // The CLI's first run records the keys' fingerprint: done before the snapshot.
    expect((await admin("teams")).code).toBe(0);
    const before = await snapshot();
    const base = ["lead", "conclude", leadId, "--as", coordinatorId];
    const cases: [string[], RegExp][] = [
      [["--outcome", "substantiated", "--amount", "1000", "--recovered", "-5"], /--recovered -5: not an amount in yuan/],
      [["--outcome", "substantiated", "--amount", "1000", "--fine", "100000000000000"], /--fine 100000000000000: too large \(at most 10,000,000,000\.00 yuan\)/],
      [["--outcome", "substantiated", "--amount", "1000", "--measures", "interview,warning"], /unknown measure warning \(any of interview, rectification/],
      [["--outcome", "unsubstantiated", "--recovered", "500"], /refused: .*only with a substantiated or partly substantiated outcome/],
    ];
    for (const [flags, message] of cases) {
      const r = await admin(...base, ...flags);
      expect(r.code, r.out).toBe(2);
      expect(r.out).toMatch(message);
    }
    expect(await snapshot()).toBe(before);
  });

  it("stores the figures, logs them in the conclusion event, and lead show prints them", { timeout: 240_000 }, async () => {
    // A real process (the other runs are in-process: test/support/admin-cli.ts).
    const r = await runAdmin(ctx, keys, ["lead", "conclude", leadId, "--outcome", "substantiated", "--amount", "120000", "--recovered", "80000", "--fine", "20000.50", "--measures", "published,interview", "--as", coordinatorId], {}, { process: true });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`${leadId}: investigating → concluded`);
    const lead = (await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))!;
    expect(lead).toMatchObject({ state: "concluded", substantiatedAmountFen: 12_000_000, recoveredFen: 8_000_000, fineFen: 2_000_050, measures: '["interview","published"]' });
    const concluded = (await ctx.db.select().from(events).where(eq(events.entityId, leadId))).filter((e) => e.action === "lead.conclude");
    expect(concluded).toHaveLength(1);
    expect(JSON.parse(concluded[0]!.data!)).toMatchObject({ recoveredFen: 8_000_000, fineFen: 2_000_050, measures: ["interview", "published"] });

    const shown = await admin("lead", "show", leadId);
    expect(shown.code, shown.out).toBe(0);
    expect(shown.out).toMatch(/recovered\s+80,000\.00 yuan/);
    expect(shown.out).toMatch(/fine\s+20,000\.50 yuan/);
    expect(shown.out).toMatch(/measures\s+interview, published/);
  });
});
