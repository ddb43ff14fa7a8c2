// `npm run admin -- lead show`, `leads` and `members` through test/support/admin-cli.ts (in this process; one call a real process): members by name and role (a
// unit's contact by their unit), never by id; the lead's timeline with who did what and its messages
// labelled by tip number, scrubbed of the tipster's identity; an unknown lead is an error (exit 2).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leadReports, members } from "../../src/db/schema";
import { postInvestigatorMessage } from "../../src/services/intake/reports";
import { reassignLead, runLeadCommand } from "../../src/services/leads/leads";
import { generateKeyMaterial, type KeyMaterial } from "../../src/security/keys";
import { runAdmin } from "../support/admin-cli";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, REAL_NAME, validReport } from "../support/fixtures";
import { importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
let keys: KeyMaterial;
let leadId = "";
const admin = (...args: string[]) => runAdmin(ctx, keys, args);
const member = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!;

beforeAll(async () => {
  keys = await generateKeyMaterial();
  ctx = await createTestContext({}, { keyMaterial: keys });
  await importExampleOrg(ctx.deps);
  // A real-name tip whose tipster writes their own name and phone into a reply: neither may show.
  const tip = { region: { districtCode: "510104" }, subject: "pharmacy", violationType: "drugs_for_daily_goods", targetName: "成都某某大药房", anonymous: false, reporter: REAL_NAME };
  const { reportId, receipt } = (await (await ctx.app.request("/api/v1/reports", jsonPost(validReport(tip)))).json()) as { reportId: string; receipt: string };
  leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
  const lina = await member("李娜");
  await runLeadCommand(ctx.deps, { leadId, command: { type: "acknowledge" }, actor: { member: lina, platform: "cli" }, dedupeKey: "t:ack" });
  await reassignLead(ctx.deps, { leadId, toMemberId: (await member("张明")).id, actor: { member: lina, platform: "cli" }, dedupeKey: "t:reassign" });
  await postInvestigatorMessage(ctx.deps, { reportId, body: "请问是哪一天看到的？", actor: { type: "member", id: lina.id, role: lina.role, platform: "cli" } });
  const question = ((await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as { messages: { id: string }[] }).messages[0]!;
  await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt, body: `上周三，我是${REAL_NAME.name}，电话${REAL_NAME.phone}。`, inReplyTo: question.id }));
});
afterAll(async () => ctx?.close());

describe("npm run admin -- lead show / leads / members", () => {
  it("shows the lead, its timeline and its messages with names and tip numbers, scrubbed, and logs the look", { timeout: 240_000 }, async () => {
    // A real process (the other runs are in-process: test/support/admin-cli.ts).
    const shown = await runAdmin(ctx, keys, ["lead", "show", leadId], {}, { process: true });
    expect(shown.code, shown.out).toBe(0);
    const out = shown.out;
    expect(out).toContain(`lead ${leadId}`);
    expect(out).toMatch(/state\s+Acknowledged/);
    expect(out).toMatch(/team\s+成都市核查一组/);
    expect(out).toMatch(/assignee\s+张明 \(inspector\)/);
    expect(out).toMatch(/finish by\s+\d{4}-\d{2}-\d{2}/);
    // The timeline: who did what, by name; the reassignment from whom to whom.
    expect(out).toMatch(/lead\.acknowledge\s+new → acknowledged\s+by 李娜 \(team lead\)/);
    expect(out).toMatch(/lead\.reassigned\s+.* → 张明 \(inspector\)\s+by 李娜 \(team lead\)/);
    expect(out).toMatch(/report\.reporter_message\s+by tipster of tip #1/);
    // The messages, each with its tip's number, scrubbed.
    expect(out).toContain("李娜 (team lead) to tip #1:");
    expect(out).toContain("请问是哪一天看到的？");
    expect(out).toContain("tipster of tip #1:");
    expect(out).toContain("上周三");
    for (const secret of [REAL_NAME.name, REAL_NAME.phone, REAL_NAME.idNumber]) expect(out).not.toContain(secret);
    expect(out).not.toMatch(/mem_/);
    const looks = await ctx.db.select().from(events).where(eq(events.entityId, leadId));
    expect(looks.filter((e) => e.action === "lead.viewed" && e.platform === "cli")).toHaveLength(1);

    const unknown = await admin("lead", "show", "lead_DOESNOTEXIST");
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain("no lead lead_DOESNOTEXIST");
  });

  it("lists leads with the assignee's name and members with their team or unit", { timeout: 240_000 }, async () => {
    const leads = await admin("leads");
    expect(leads.code).toBe(0);
    expect(leads.out).toContain(`${leadId}\tacknowledged`);
    expect(leads.out).toContain("assignee 张明 (inspector)");
    expect(leads.out).not.toMatch(/assignee mem_/);

    const people = await admin("members");
    expect(people.code).toBe(0);
    const line = (name: string) => people.out.split("\n").find((l) => l.split("\t")[1] === name) ?? "";
    expect(line("周敏").split("\t").slice(2, 4)).toEqual(["contact", "成都市金牛区医疗保障局"]);
    expect(line("张明").split("\t").slice(2, 4)).toEqual(["inspector", "成都市核查一组"]);
  });
});
