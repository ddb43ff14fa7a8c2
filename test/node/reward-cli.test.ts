// The reward commands of the admin CLI (an interface operators rely on), through test/support/admin-cli.ts (in this process; one call a real process), against
// the test's database and keys: list, approve (coordinator, then finance), pay, claimant (finance only),
// refusals with a clear message and exit code 2.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leadReports, members } from "../../src/db/schema";
import { runLeadCommand } from "../../src/services/leads/leads";
import { generateKeyMaterial, type KeyMaterial } from "../../src/security/keys";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, REAL_NAME, validReport } from "../support/fixtures";
import { CHENGDU, importExampleOrg } from "../support/round-trips";
import { runAdmin } from "../support/admin-cli";

let ctx: TestContext;
let keys: KeyMaterial;

const admin = (...args: string[]) => runAdmin(ctx, keys, args);

const memberId = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!.id;

beforeAll(async () => {
  keys = await generateKeyMaterial();
  ctx = await createTestContext({}, { keyMaterial: keys });
  await importExampleOrg(ctx.deps);
});
afterAll(async () => ctx?.close());

describe("npm run admin -- reward …", () => {
  it("lists, approves twice by two people, pays, and shows the claimant to finance only", { timeout: 180_000 }, async () => {
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都某某骨科医院", anonymous: false, reporter: REAL_NAME, wantsReward: true })));
    const { reportId, receipt } = (await res.json()) as { reportId: string; receipt: string };
    const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
    const actor = { member: (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!, platform: "cli" as const };
    for (const command of [{ type: "accept" as const }, { type: "investigate" as const }, { type: "conclude" as const, outcome: "substantiated" as const, amountFen: 123_456_789 }])
      await runLeadCommand(ctx.deps, { leadId, command, actor, dedupeKey: `cli-test:${command.type}` });
    expect((await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt, identity: { name: REAL_NAME.name, idNumber: REAL_NAME.idNumber, phone: REAL_NAME.phone }, payout: { method: "bank", account: "6222020200112233445", bankName: "中国工商银行成都分行" } }))).status).toBe(201);

    const list = await admin("reward", "list");
    expect(list.code).toBe(0);
    const claimId = /^(rwd_\w+)\tclaimed\t17,845\.68 yuan\tsichuan\tlead /m.exec(list.out)?.[1];
    expect(claimId, list.out).toBeTruthy();

    const coordinator = await memberId("陈静");
    const finance = await memberId("刘洋");
    const inspector = await memberId("张明");
    // A real process: the refusal's exit code and words (the other runs are in-process: test/support/admin-cli.ts).
    const refused = await runAdmin(ctx, keys, ["reward", "approve", claimId!, "--as", inspector], {}, { process: true });
    expect(refused).toMatchObject({ code: 2 });
    // In words, naming who can do it (by name and role, never an id), with the code for scripts.
    expect(refused.out).toContain("refused: Only a coordinator can give a reward claim its first approval. Ask one of: 陈静 (coordinator)");
    expect(refused.out).toContain("(role_not_allowed)");
    expect(refused.out).not.toMatch(/mem_/);
    expect((await admin("reward", "approve", claimId!, "--as", coordinator)).out).toContain(`${claimId}: coordinator_approved`);
    const second = await admin("reward", "approve", claimId!, "--as", coordinator);
    expect(second.out).toContain("refused: Only finance can give a reward claim its second approval. Ask one of: 刘洋 (finance)");
    expect(second.out).not.toMatch(/mem_/);
    expect((await admin("reward", "approve", claimId!, "--as", finance)).out).toContain(`${claimId}: approved`);
    expect((await admin("reward", "pay", claimId!, "--as", finance)).out).toContain("--ref <text> is required");
    expect((await admin("reward", "pay", claimId!, "--ref", "ICBC-0001", "--as", finance)).out).toContain(`${claimId}: paid`);

    const hidden = await admin("reward", "claimant", claimId!, "--reason", "audit", "--as", coordinator);
    expect(hidden.code).toBe(2);
    expect(hidden.out).not.toContain(REAL_NAME.idNumber);
    const shown = await admin("reward", "claimant", claimId!, "--reason", "payment", "--as", finance);
    expect(shown.out).toContain(REAL_NAME.idNumber);
    expect(shown.out).toContain("6222020200112233445");
    const status = (await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as { reward: { status: string } };
    expect(status.reward.status).toBe("paid");
  });
});
