// The reward end to end over HTTP and a fake Telegram server: a real-name tip in Chengdu asking for a
// reward, the lead concluded substantiated with 1,234,567.89 yuan from the chat, the claim through the
// API, the claim card in the coordinators' group, a coordinator's then finance's approval by button,
// payment with a reference by reply — refusals for an inspector, the same approver and a stranger.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leadReports, leads, members, rewardClaims } from "../../src/db/schema";
import { runLeadCommand } from "../../src/services/leads/leads";
import { createChatHarness, exampleOrg, pollUntil, slackBlockAction, type ChatHarness } from "../support/chat-harness";
import { jsonPost, REAL_NAME, validReport } from "../support/fixtures";
import { CHENGDU } from "../support/round-trips";

const COORDINATORS_CHAT = "-1009000000001";
const ACCOUNT = "6222020200112233445";
const USERS = { coordinator: 7001, finance: 7002, inspector: 7003, stranger: 7999 };

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let telegram: ChatHarness["telegram"];
let slack: ChatHarness["slack"];

/** Sends a Slack interactive payload; Slack must get its 200. */
async function slackRequest(payload: string) {
  const res = await h.slackInteraction(payload);
  expect(res.status).toBe(200);
}
const wait = (until: () => Promise<boolean> | boolean) => pollUntil(until);
const deliver = () => h.deliver();

const press = (userId: number, data: string, chatId: string) => h.press(userId, chatId, data);
const replyToLastPrompt = (userId: number, chatId: string, text: string) => h.reply(userId, chatId, text);

const memberId = async (name: string) => h.memberIds[name]!;
const messagesTo = (chatId: string) => h.sentTo(chatId);
const claimRow = async (leadId: string) => (await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.leadId, leadId) }))!;

beforeAll(async () => {
  // The coordinators' destination on Telegram here (the example puts it on Slack).
  const org = exampleOrg((file) => {
    for (const team of file.teams) if (team.coordinators) Object.assign(team, { platform: "telegram", chatId: COORDINATORS_CHAT });
  });
  h = await createChatHarness({ org });
  ({ ctx, telegram, slack } = h);
  await h.enrolTelegram("陈静", USERS.coordinator);
  await h.enrolTelegram("刘洋", USERS.finance);
  await h.enrolTelegram("张明", USERS.inspector);
});

afterAll(async () => {
  await h?.close();
});

describe("a reward from the chat", () => {
  it("Chengdu tip → substantiated 1,234,567.89 yuan in chat → 17,845.68 under sichuan → claim → coordinator → finance → paid", async () => {
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都某某骨科医院", anonymous: false, reporter: REAL_NAME, wantsReward: true })));
    expect(res.status).toBe(201);
    const { reportId, receipt } = (await res.json()) as { reportId: string; receipt: string };
    const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
    await deliver();

    // The coordinator works the lead from the chat: accept, investigate, substantiated with the amount.
    const team = (await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))!;
    expect(team.state).toBe("new");
    for (const action of ["accept", "investigate"]) await press(USERS.coordinator, `fw:${action}:${leadId}`, COORDINATORS_CHAT);
    await press(USERS.coordinator, `fw:substantiated:${leadId}`, COORDINATORS_CHAT);
    await replyToLastPrompt(USERS.coordinator, COORDINATORS_CHAT, "1,234,567.89");
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))).toMatchObject({ state: "concluded", substantiatedAmountFen: 123_456_789 });

    const status = async () => ((await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as { reward?: { status: string; amountFen: number; policy: string } }).reward;
    expect(await status()).toMatchObject({ status: "eligible", amountFen: 1_784_568, policy: "sichuan" });

    const before = messagesTo(COORDINATORS_CHAT).length;
    const claim = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt, identity: { name: REAL_NAME.name, idNumber: REAL_NAME.idNumber, phone: REAL_NAME.phone }, payout: { method: "bank", account: ACCOUNT, bankName: "中国工商银行成都分行" } }));
    expect(claim.status).toBe(201);
    await deliver();
    const cards = messagesTo(COORDINATORS_CHAT).slice(before);
    expect(cards).toHaveLength(1);
    const card = JSON.stringify(cards[0]!.body);
    expect(card).toContain("17,845.68");
    expect(card).toContain("2,345.68"); // the third band's share, step by step
    expect(card).toContain("四川省");
    for (const secret of [REAL_NAME.name, REAL_NAME.idNumber, REAL_NAME.phone, ACCOUNT]) expect(card).not.toContain(secret);
    const { id: claimId } = await claimRow(leadId);
    expect(card).toContain(`fw:r-apr:${claimId}`);

    // Not for inspectors, nor for strangers; both attempts logged, and each told in words who can.
    await press(USERS.inspector, `fw:r-apr:${claimId}`, COORDINATORS_CHAT);
    expect(telegram.callsTo("answerCallbackQuery").at(-1)?.body.text).toBe("只有协调员才能对奖励申领作出第一道审核。请联系：陈静（协调员）。");
    await press(USERS.stranger, `fw:r-apr:${claimId}`, COORDINATORS_CHAT);
    expect(telegram.callsTo("answerCallbackQuery").at(-1)?.body.text).toBe("您尚未登记使用 FundWatch，不能执行该操作；协调员可以为您发放邀请码。请联系：陈静（协调员）。");
    expect((await claimRow(leadId)).status).toBe("claimed");

    const approveUpdate = h.takeUpdateId();
    await h.pressTelegram(USERS.coordinator, COORDINATORS_CHAT, `fw:r-apr:${claimId}`, 1, approveUpdate);
    await h.deliver();
    expect((await claimRow(leadId)).status).toBe("coordinator_approved");
    const firstAnswer = telegram.callsTo("answerCallbackQuery").at(-1)?.body.text;
    const refusalsBefore = (await ctx.db.select().from(events).where(eq(events.action, "reward.refused"))).length;
    // Telegram redelivers the same press (its answer was lost): answered as the first time, not refused as a
    // second approval by the same person, and nothing new logged or queued.
    expect((await h.pressTelegram(USERS.coordinator, COORDINATORS_CHAT, `fw:r-apr:${claimId}`, 1, approveUpdate)).status).toBe(200);
    await h.deliver();
    expect(telegram.callsTo("answerCallbackQuery").at(-1)?.body.text).toBe(firstAnswer);
    expect((await ctx.db.select().from(events).where(eq(events.action, "reward.refused"))).length).toBe(refusalsBefore);
    expect((await ctx.db.select().from(events).where(eq(events.action, "reward.approve"))).filter((e) => e.entityId === claimId)).toHaveLength(1);
    // Finance gets the card privately, with its own approval button.
    expect(JSON.stringify(messagesTo(String(USERS.finance)).at(-1)?.body)).toContain(`fw:r-fin:${claimId}`);
    // The card names who approved: by name and role, never by member id.
    const financeCard = JSON.stringify(messagesTo(String(USERS.finance)).at(-1)?.body);
    expect(financeCard).toContain("协调组审核");
    expect(financeCard).toContain("陈静（协调员）");
    expect(financeCard).not.toMatch(/mem_/);
    // The coordinator cannot give the second approval, and is told who can.
    await press(USERS.coordinator, `fw:r-fin:${claimId}`, COORDINATORS_CHAT);
    expect((await claimRow(leadId)).status).toBe("coordinator_approved");
    expect(telegram.callsTo("answerCallbackQuery").at(-1)?.body.text).toBe("只有财务人员才能对奖励申领作出第二道复核。请联系：刘洋（财务）。");
    await press(USERS.finance, `fw:r-fin:${claimId}`, String(USERS.finance));
    expect((await claimRow(leadId)).status).toBe("approved");
    await press(USERS.finance, `fw:r-pay:${claimId}`, String(USERS.finance));
    await replyToLastPrompt(USERS.finance, String(USERS.finance), "ICBC-20261201-0001");
    expect((await claimRow(leadId))).toMatchObject({ status: "paid", paidBy: await memberId("刘洋") });
    // The coordinators' card after payment names both approvers.
    const lastCard = JSON.stringify(messagesTo(COORDINATORS_CHAT).at(-1)?.body);
    expect(lastCard).toContain("协调组审核");
    expect(lastCard).toContain("陈静（协调员）");
    expect(lastCard).toContain("刘洋（财务）");
    expect(lastCard).not.toMatch(/mem_/);
    expect((await status())?.status).toBe("paid");

    const log = await ctx.db.select({ action: events.action, actorId: events.actorId, data: events.data }).from(events).where(and(eq(events.entityType, "reward_claim"), eq(events.entityId, claimId)));
    expect(log.map((e) => e.action)).toEqual(["reward.eligible", "reward.claim", "reward.refused", "reward.approve", "reward.refused", "reward.approve", "reward.pay"]);
    expect(log.find((e) => e.action === "reward.refused")?.data).toContain("role_not_allowed");
    const stranger = await ctx.db.select().from(events).where(and(eq(events.action, "lead.refused"), eq(events.actorId, `telegram:${USERS.stranger}`)));
    expect(stranger).toHaveLength(1);
  });

  it("on Slack: Reject opens a modal; the reason reaches the claimant, who may ask once for reconsideration", async () => {
    // 陈静 has Telegram already: the operator invites her Slack account as an additional one.
    const { code } = await h.invite("陈静", { additionalAccount: true });
    expect((await h.slackCommand("U0CHEN", `join ${code}`, { channel: "D0CHEN", trigger: "trig-join" })).status).toBe(200);
    await wait(async () => Boolean((await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))?.slackUserId));

    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都某某血透中心", anonymous: true, wantsReward: true })));
    const { reportId, receipt } = (await res.json()) as { reportId: string; receipt: string };
    const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
    const actor = { member: (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!, platform: "cli" as const };
    for (const command of [{ type: "accept" as const }, { type: "investigate" as const }, { type: "conclude" as const, outcome: "substantiated" as const, amountFen: 5_000_000 }])
      await runLeadCommand(ctx.deps, { leadId, command, actor, dedupeKey: `slack-test:${command.type}` });
    expect((await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt, identity: { name: "王芳", idNumber: REAL_NAME.idNumber, phone: "13800138000" }, payout: { method: "bank", account: ACCOUNT, bankName: "中国银行" } }))).status).toBe(201);
    const { id: claimId } = await claimRow(leadId);

    const opened = slack.callsTo("views.open").length;
    const press = JSON.stringify(slackBlockAction({ user: "U0CHEN", channel: "C0COORDINATE", trigger: "trig-rej", messageTs: "1700000000.000200", actionId: "fw:r-rej", blockId: "fw_actions_0", value: claimId, actionTs: "1764000400.001" }));
    await slackRequest(press);
    await wait(() => slack.callsTo("views.open").length > opened);
    const view = slack.callsTo("views.open").at(-1)!.body.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe("fw_rprompt");
    const submission = JSON.stringify({
      type: "view_submission",
      user: { id: "U0CHEN" },
      team: { id: "T1" },
      view: { id: "VREJ1", callback_id: "fw_rprompt", private_metadata: view.private_metadata, state: { values: { answer: { text: { type: "plain_text_input", value: "该线索系部门已掌握的事项。" } } } } },
      api_app_id: "A1",
      token: "x",
    });
    await slackRequest(submission);
    await wait(async () => (await claimRow(leadId)).status === "rejected");
    expect((await claimRow(leadId)).status).toBe("rejected");
    // Tampered metadata naming another claim id shape is ignored.
    await slackRequest(JSON.stringify({ type: "view_submission", user: { id: "U0CHEN" }, team: { id: "T1" }, view: { id: "VREJ2", callback_id: "fw_rprompt", private_metadata: '{"purpose":"reward_pay","claimId":"../x"}', state: { values: { answer: { text: { value: "x" } } } } }, api_app_id: "A1", token: "x" }));

    const status = (await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as { reward: { status: string; reconsiderationUntil: string | null } };
    expect(status.reward.status).toBe("rejected");
    expect(status.reward.reconsiderationUntil).not.toBeNull();
    const again = await ctx.app.request("/api/v1/reports/reward-claim/reconsideration", jsonPost({ receipt, text: "我提供了新的证据。" }));
    expect(((await again.json()) as { status: string }).status).toBe("reconsideration");
  });
});
