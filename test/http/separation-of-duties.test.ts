// Separation of duties for reward payments and enrolment, through the real interfaces (webhooks and a
// fake Telegram/Slack on loopback, the admin CLI through test/support/admin-cli.ts, one call a real process). Reproduces both bypasses a review
// found — a coordinator minting a finance member from chat for the second approval, and an invite that
// silently moves a bound member's chat account — and shows the operator's path still works: import and
// invite a finance member, the coordinators told, two people approve, paid; a lost phone re-enrolled.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, invites, leadReports, members, rewardClaims } from "../../src/db/schema";
import { t } from "../../src/i18n";
import { runLeadCommand } from "../../src/services/leads/leads";
import { createInvite, deactivateMember, importOrganisation, orgFileSchema, type OrgFile } from "../../src/services/org/org";
import { reviewRewardClaim } from "../../src/services/rewards/claims";
import { generateKeyMaterial, type KeyMaterial } from "../../src/security/keys";
import { createChatHarness, exampleOrg, type ChatHarness } from "../support/chat-harness";
import { jsonPost, REAL_NAME, validReport } from "../support/fixtures";
import { CHENGDU } from "../support/round-trips";
import { runAdmin } from "../support/admin-cli";

const COORDINATORS_CHAT = "-1009000000001";
const USERS = { coordinator: 8001, finance: 8002, inspector: 8003, newFinance: 8004, coordinatorSecondPhone: 8101, newPhone: 8012, stranger: 8999 };
const operator = { type: "system" as const, platform: "cli" };

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let keys: KeyMaterial;
let telegram: ChatHarness["telegram"];
let org: OrgFile;
let tips = 0;

/** `npm run admin -- …` on the test's database and keys (in this process unless told: test/support/admin-cli.ts). */
const admin = (...args: string[]) => runAdmin(ctx, keys, args, h.chatEnv);

const deliver = () => h.deliver();
const messagesTo = (chatId: string | number) => h.sentTo(chatId);
/** A command in the sender's private chat with the bot; returns the texts the bot sent back there. */
const command = async (userId: number, text: string): Promise<string[]> => (await h.typed(userId, text)).privately;
const press = (userId: number, data: string, chatId: string) => h.press(userId, chatId, data);
const replyToLastPrompt = (userId: number, chatId: string, text: string) => h.reply(userId, chatId, text);

/** `/fundwatch <text>` in the coordinator's direct messages; returns the answer's text. */
async function slackCommand(userId: string, text: string): Promise<string> {
  const res = await h.slackCommand(userId, text, { channel: "D0CHEN", channelName: "directmessage" });
  expect(res.status).toBe(200);
  return ((await res.json()) as { text: string }).text;
}

const member = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!;
const claimRow = async (id: string) => (await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, id) }))!;
const eventsOf = (action: string) => ctx.db.select().from(events).where(eq(events.action, action));
const inviteCount = async () => (await ctx.db.select({ id: invites.id }).from(invites)).length;

async function redeem(userId: number, code: string) {
  return command(userId, `/start ${code}`);
}

/** A substantiated Chengdu lead, claimed through the API and approved by the coordinator from the group. */
async function claimApprovedByCoordinator(): Promise<string> {
  tips++;
  const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: `成都某某骨科医院${tips}号院区`, anonymous: false, reporter: REAL_NAME, wantsReward: true }), { "x-test-client": `198.51.100.${tips}` }));
  expect(res.status).toBe(201);
  const { reportId, receipt } = (await res.json()) as { reportId: string; receipt: string };
  const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
  const actor = { member: await member("陈静"), platform: "cli" as const };
  for (const c of [{ type: "accept" as const }, { type: "investigate" as const }, { type: "conclude" as const, outcome: "substantiated" as const, amountFen: 5_000_000 }])
    await runLeadCommand(ctx.deps, { leadId, command: c, actor, dedupeKey: `sod:${leadId}:${c.type}` });
  const claimed = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt, identity: { name: REAL_NAME.name, idNumber: REAL_NAME.idNumber, phone: REAL_NAME.phone }, payout: { method: "bank", account: "6222020200112233445", bankName: "中国银行" } }));
  expect(claimed.status).toBe(201);
  const claim = (await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.leadId, leadId) }))!;
  await press(USERS.coordinator, `fw:r-apr:${claim.id}`, COORDINATORS_CHAT);
  expect(await claimRow(claim.id)).toMatchObject({ status: "coordinator_approved", coordinatorApprovedBy: actor.member.id, coordinatorApprovedVia: `telegram:${USERS.coordinator}` });
  return claim.id;
}

beforeAll(async () => {
  keys = await generateKeyMaterial();
  // The coordinators' destination on Telegram here (the example puts it on Slack).
  org = exampleOrg((file) => {
    for (const team of file.teams) if (team.coordinators) Object.assign(team, { platform: "telegram", chatId: COORDINATORS_CHAT });
  });
  h = await createChatHarness({ org, context: { keyMaterial: keys } });
  ({ ctx, telegram } = h);
  // The operator enrols the coordinator, finance and an inspector (out of band, as the README says).
  for (const [name, userId] of [["陈静", USERS.coordinator], ["刘洋", USERS.finance], ["张明", USERS.inspector]] as const) {
    const { code } = await createInvite(ctx.deps, { memberId: (await member(name)).id, actor: operator });
    await redeem(userId, code);
  }
  expect((await member("刘洋")).telegramUserId).toBe(String(USERS.finance));
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe("bypass 1: a coordinator mints the second approver from chat", () => {
  it("/addmember finance|coordinator and /invite <finance id> are refused with the operator's way, logged, and issue no invite", async () => {
    const claimId = await claimApprovedByCoordinator();
    const finance = await member("刘洋");
    const invitesBefore = await inviteCount();
    const membersBefore = (await ctx.db.select({ id: members.id }).from(members)).length;

    for (const text of ["/addmember finance - 某某", "/addmember coordinator - 某某", `/invite ${finance.id}`, `/invite ${(await member("陈静")).id}`]) {
      const replies = await command(USERS.coordinator, text);
      expect(replies).toEqual([t("zh-CN", "chat.operator_only_role")]);
      // No code, in either message.
      for (const r of replies) expect(r).not.toMatch(/邀请码：[0-9A-Z]{10}/);
    }
    expect(t("zh-CN", "chat.operator_only_role")).toContain("npm run admin -- import");
    expect(t("zh-CN", "chat.operator_only_role")).toContain("npm run admin -- invite");
    expect(t("en", "chat.operator_only_role")).toContain("npm run admin -- import");
    expect(t("en", "chat.operator_only_role")).toContain("npm run admin -- invite");

    expect(await inviteCount()).toBe(invitesBefore);
    expect((await ctx.db.select({ id: members.id }).from(members)).length).toBe(membersBefore);
    const refused = await eventsOf("member.invite_refused");
    expect(refused).toHaveLength(4);
    const coordinatorId = (await member("陈静")).id;
    expect(refused.every((e) => e.actorId === coordinatorId && e.platform === "telegram")).toBe(true);
    expect(refused.map((e) => JSON.parse(e.data!).role)).toEqual(["finance", "coordinator", "finance", "coordinator"]);
    expect(refused.filter((e) => e.entityId === finance.id)).toHaveLength(1);

    // The same through Slack's /fundwatch (the coordinator's Slack account, added by the operator).
    const { code } = await createInvite(ctx.deps, { memberId: (await member("陈静")).id, actor: operator, additionalAccount: true });
    expect(await slackCommand("U0CHEN", `join ${code}`)).toContain("登记成功：陈静");
    expect(await slackCommand("U0CHEN", "addmember finance - 某某")).toContain("npm run admin -- import");
    expect(await slackCommand("U0CHEN", `invite ${finance.id}`)).toContain("npm run admin -- invite");
    expect(await inviteCount()).toBe(invitesBefore + 1);
    expect((await eventsOf("member.invite_refused")).filter((e) => e.platform === "slack")).toHaveLength(2);

    // The claim waits for the real finance member.
    expect((await claimRow(claimId)).status).toBe("coordinator_approved");
  });

  it("refuses chat /deactivate of finance, of another coordinator and of oneself (an operator's job), as the People page does", { timeout: 120_000 }, async () => {
    const finance = await member("刘洋");
    const coordinator = await member("陈静");
    expect(await command(USERS.coordinator, `/deactivate ${finance.id}`)).toEqual([t("zh-CN", "chat.deactivate_operator_only")]);
    expect(await command(USERS.coordinator, `/deactivate ${coordinator.id}`)).toEqual([t("zh-CN", "chat.deactivate_operator_only")]);
    expect(t("en", "chat.deactivate_operator_only")).toContain("npm run admin -- deactivate");
    // Still active, still able to act: the second person of the reward rule cannot be removed by the first.
    expect((await member("刘洋")).active).toBe(true);
    expect((await member("陈静")).active).toBe(true);
    const refused = await eventsOf("member.deactivate_refused");
    expect(refused.map((e) => [e.entityId, JSON.parse(e.data!).role])).toEqual([
      [finance.id, "finance"],
      [coordinator.id, "coordinator"],
    ]);
    expect(await command(USERS.coordinator, `/deactivate ${coordinator.id}`)).toEqual([t("zh-CN", "chat.deactivate_operator_only")]);
    expect(await command(USERS.coordinator, "/deactivate mem_NOSUCHMEMBER000")).toEqual([t("zh-CN", "chat.unknown_member")]);
  });
});

describe("bypass 2: an invite moves a bound member's chat account", () => {
  it("is refused at creation: service, admin CLI (exit 2, 'deactivate first') and chat /invite", { timeout: 120_000 }, async () => {
    const finance = await member("刘洋");
    const before = await inviteCount();
    await expect(createInvite(ctx.deps, { memberId: finance.id, actor: operator })).rejects.toMatchObject({ code: "conflict", options: { details: { reason: "member_bound" } } });
    // A real process (the other runs are in-process: test/support/admin-cli.ts).
    const cli = await runAdmin(ctx, keys, ["invite", finance.id], h.chatEnv, { process: true });
    expect(cli.code).toBe(2);
    expect(cli.out).toContain(`deactivate them first (npm run admin -- deactivate ${finance.id}`);
    expect(cli.out).not.toMatch(/invite code: /);
    // An inspector (chat /invite is allowed for inspectors) who is already enrolled.
    const inspector = await member("张明");
    expect(await command(USERS.coordinator, `/invite ${inspector.id}`)).toEqual([t("zh-CN", "chat.invite_member_bound", { name: "张明", id: inspector.id })]);
    expect(await inviteCount()).toBe(before);
    expect((await member("刘洋")).telegramUserId).toBe(String(USERS.finance));
  });

  it("is refused at redemption: a second outstanding invite never takes over the binding, and the attempt is logged", async () => {
    const wang = await member("王强");
    expect(wang.telegramUserId).toBeNull();
    // Two invites issued while 王强 had no account (e.g. one lost in the mail): the first binds him …
    const first = await createInvite(ctx.deps, { memberId: wang.id, actor: operator });
    const second = await createInvite(ctx.deps, { memberId: wang.id, actor: operator });
    expect((await redeem(8201, first.code))[0]).toContain("登记成功：王强");
    // … the second, redeemed from someone else's account, is refused and moves nothing.
    expect(await redeem(USERS.coordinatorSecondPhone, second.code)).toEqual([t("zh-CN", "chat.invite_invalid")]);
    expect((await member("王强")).telegramUserId).toBe("8201");
    const refusal = (await eventsOf("member.enrolment_refused")).filter((e) => e.entityId === wang.id);
    expect(refusal).toHaveLength(1);
    expect(JSON.parse(refusal[0]!.data!)).toMatchObject({ platformUserId: String(USERS.coordinatorSecondPhone), reason: "member_bound" });
    // An operator's additional-account invite adds the other platform only: on Telegram it is refused too.
    const extra = await createInvite(ctx.deps, { memberId: (await member("刘洋")).id, actor: operator, additionalAccount: true });
    expect(await redeem(USERS.coordinatorSecondPhone, extra.code)).toEqual([t("zh-CN", "chat.invite_invalid")]);
    expect((await member("刘洋")).telegramUserId).toBe(String(USERS.finance));
    // And the real finance member still acts.
    expect(await command(USERS.finance, "/mine")).toEqual(["您目前没有未办结的线索。"]);
  });
});

describe("the legitimate paths", () => {
  it("an operator imports and invites a new finance member; the coordinators are told (no code); two people approve; paid", { timeout: 120_000 }, async () => {
    const file = join(ctx.dir, "org.json");
    writeFileSync(file, JSON.stringify({ ...org, members: [...org.members, { name: "孙会计", role: "finance", locale: "zh-CN", active: true }] }));
    expect((await admin("import", file)).code).toBe(0);
    const sun = await member("孙会计");
    expect(sun.role).toBe("finance");
    const invited = await admin("invite", sun.id);
    expect(invited.code).toBe(0);
    const code = /invite code: ([0-9A-Z]{10})/.exec(invited.out)![1]!;

    const before = messagesTo(COORDINATORS_CHAT).length;
    expect((await redeem(USERS.newFinance, code))[0]).toContain("登记成功：孙会计（财务）");
    const announced = messagesTo(COORDINATORS_CHAT).slice(before).map((c) => String(c.body.text));
    expect(announced).toEqual([t("zh-CN", "chat.enrolment_announced", { name: "孙会计", role: "财务", platform: "Telegram" })]);
    expect(announced[0]).not.toContain(code);
    const claimId = await claimApprovedByCoordinator();
    await press(USERS.newFinance, `fw:r-fin:${claimId}`, String(USERS.newFinance));
    expect(await claimRow(claimId)).toMatchObject({ status: "approved", financeApprovedBy: sun.id });
    await press(USERS.newFinance, `fw:r-pay:${claimId}`, String(USERS.newFinance));
    await replyToLastPrompt(USERS.newFinance, String(USERS.newFinance), "BOC-20261201-0002");
    expect(await claimRow(claimId)).toMatchObject({ status: "paid", paidBy: sun.id });
  });

  it("/addmember inspector and /invite <inspector> still work from chat, and their enrolment is not announced", async () => {
    const team = (await ctx.db.query.teams.findFirst({ where: (tm, { eq }) => eq(tm.name, "成都市核查一组") }))!;
    const added = await command(USERS.coordinator, `/addmember inspector ${team.id} 赵 敏`);
    const code = added.map((r) => /邀请码：([0-9A-Z]{10})/.exec(r)?.[1]).find(Boolean)!;
    expect(code).toBeTruthy();
    const before = messagesTo(COORDINATORS_CHAT).length;
    expect((await redeem(8301, code))[0]).toContain("登记成功：赵 敏");
    expect(messagesTo(COORDINATORS_CHAT).length).toBe(before);

    // /invite for an inspector without a chat account (Tom Lee) returns a code privately.
    const tom = await member("Tom Lee");
    const invited = await command(USERS.coordinator, `/invite ${tom.id}`);
    expect(invited.some((r) => /邀请码：[0-9A-Z]{10}/.test(r))).toBe(true);
  });

  it("lost phone: the operator deactivates (the old account is told), earlier invites lapse, a new invite re-enrols and reactivates — all logged", { timeout: 120_000 }, async () => {
    const liu = await member("刘洋");
    // An invite an operator issued earlier for another account must not outlive the deactivation.
    const stale = await createInvite(ctx.deps, { memberId: liu.id, actor: operator, additionalAccount: true });
    const deactivated = await admin("deactivate", liu.id);
    expect(deactivated.code).toBe(0);
    // The CLI runs on the real clock: catch the test's clock up with it.
    ctx.setNow(new Date(Math.max(Date.now(), ctx.deps.now().getTime())));
    await deliver();
    expect(messagesTo(USERS.finance).map((c) => String(c.body.text))).toContain(t("zh-CN", "chat.binding_released", { name: "刘洋" }));
    expect(await member("刘洋")).toMatchObject({ active: false, telegramUserId: null, slackUserId: null });
    expect((await command(USERS.finance, "/mine"))[0]).toContain("尚未登记");
    expect(await redeem(USERS.newPhone, stale.code)).toEqual([t("zh-CN", "chat.invite_invalid")]);

    const invited = await admin("invite", liu.id);
    expect(invited.code).toBe(0);
    const code = /invite code: ([0-9A-Z]{10})/.exec(invited.out)![1]!;
    const before = messagesTo(COORDINATORS_CHAT).length;
    expect((await redeem(USERS.newPhone, code))[0]).toContain("登记成功：刘洋");
    expect(await member("刘洋")).toMatchObject({ active: true, telegramUserId: String(USERS.newPhone) });
    expect(messagesTo(COORDINATORS_CHAT).slice(before).map((c) => String(c.body.text))).toEqual([t("zh-CN", "chat.enrolment_announced", { name: "刘洋", role: "财务", platform: "Telegram" })]);
    expect(await command(USERS.newPhone, "/mine")).toEqual(["您目前没有未办结的线索。"]);

    const log = await ctx.db.select({ action: events.action, data: events.data }).from(events).where(and(eq(events.entityType, "member"), eq(events.entityId, liu.id), like(events.action, "member.%")));
    const actions = log.map((e) => e.action);
    expect(actions.slice(actions.lastIndexOf("member.deactivated"))).toEqual(["member.deactivated", "member.invited", "member.enrolled", "member.reactivated"]);
    expect(JSON.parse(log.findLast((e) => e.action === "member.invited")!.data!)).toMatchObject({ reactivates: true });
  });
});

describe("the two approvals come from two chat accounts", () => {
  it("a second approval from the coordinator's own account under another member is refused and logged; the claim never reaches paid", { timeout: 120_000 }, async () => {
    const claimId = await claimApprovedByCoordinator();
    const coordinator = await member("陈静");
    // The operator adds a finance member; the coordinator's own Telegram account redeems the invite
    // (an account belongs to one member: it moves from 陈静 to the new member).
    await importOrganisation(ctx.deps, orgFileSchema.parse({ ...org, members: [...org.members, { name: "孙会计", role: "finance" }, { name: "钱会计", role: "finance" }] }), operator);
    const qian = await member("钱会计");
    const { code } = await createInvite(ctx.deps, { memberId: qian.id, actor: operator });
    expect((await redeem(USERS.coordinator, code))[0]).toContain("登记成功：钱会计");

    await press(USERS.coordinator, `fw:r-fin:${claimId}`, String(USERS.coordinator));
    expect((await claimRow(claimId)).status).toBe("coordinator_approved");
    // In words, naming the other finance members who can give it (never the one pressing, never an id).
    const refusedText = String(telegram.callsTo("answerCallbackQuery").at(-1)?.body.text);
    expect(refusedText).toContain(t("zh-CN", "refusal.reward.same_chat_account"));
    expect(refusedText).toContain("请联系：刘洋（财务）");
    expect(refusedText).not.toContain("钱会计");
    expect(refusedText).not.toMatch(/mem_/);
    // Defensively also from the CLI: 钱会计 was enrolled from the account that gave the first approval.
    await expect(reviewRewardClaim(ctx.deps, { claimId, action: "approve", member: await member("钱会计"), platform: "cli" })).rejects.toMatchObject({ code: "forbidden", options: { details: { reason: "same_chat_account" } } });
    await expect(reviewRewardClaim(ctx.deps, { claimId, action: "pay", member: await member("钱会计"), platform: "cli", text: "X-1" })).rejects.toMatchObject({ code: "conflict" });

    const refusals = await ctx.db.select({ actorId: events.actorId, platform: events.platform, data: events.data }).from(events).where(and(eq(events.entityId, claimId), eq(events.action, "reward.refused")));
    expect(refusals.filter((r) => JSON.parse(r.data!).reason === "same_chat_account")).toEqual([
      expect.objectContaining({ actorId: qian.id, platform: "telegram" }),
      expect.objectContaining({ actorId: qian.id, platform: "cli" }),
    ]);
    expect((await claimRow(claimId)).status).toBe("coordinator_approved");
    expect((await claimRow(claimId)).paidAt).toBeNull();
    expect(coordinator.id).not.toBe(qian.id);

    // A genuinely different finance member (孙会计, on their own account) can still approve.
    await deactivateMember(ctx.deps, { memberId: qian.id, actor: operator });
    await press(USERS.newFinance, `fw:r-fin:${claimId}`, String(USERS.newFinance));
    expect((await claimRow(claimId)).status).toBe("approved");
  });
});
