// Reward claims end to end over HTTP: a real-name tip in Chengdu asking for a reward, the lead concluded
// substantiated with 1,234,567.89 yuan, the Sichuan reward on the status, the claim through the API, a
// coordinator's then finance's approval, payment, expiry and refusals; nothing readable at rest.
import { readFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { events, leadReports, members, rewardClaims } from "../../src/db/schema";
import { runLeadCommand } from "../../src/services/leads/leads";
import { addRewardTip, expireUnclaimedRewards, otherRewardTips, reviewRewardClaim, viewRewardClaimant } from "../../src/services/rewards/claims";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, REAL_NAME, validReport } from "../support/fixtures";
import { CHENGDU, importExampleOrg } from "../support/round-trips";
import { createPageClient } from "../support/page-client";

/** The status page's "what happens next" box: its kind and its text. */
function nextStep(html: string): { kind: string; text: string } {
  const m = /<section class="next-step" data-testid="next-step" data-kind="([a-z_]+)"[^>]*><h2[^>]*>[^<]*<\/h2><p>([^<]*)<\/p>/.exec(html);
  return { kind: m?.[1] ?? "", text: m?.[2] ?? "" };
}

const BANK_ACCOUNT = "6222020200112233445";
const CLAIM = { identity: { name: "李秀英", idNumber: REAL_NAME.idNumber, phone: "13912345678" }, payout: { method: "bank", account: BANK_ACCOUNT, bankName: "中国工商银行成都分行" } };

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
});
afterEach(async () => ctx.close());

const member = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!;

async function tip(overrides: Record<string, unknown> = {}) {
  const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都某某骨科医院", anonymous: false, reporter: REAL_NAME, wantsReward: true, ...overrides })));
  expect(res.status).toBe(201);
  const body = (await res.json()) as { reportId: string; receipt: string };
  const link = await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, body.reportId) });
  return { ...body, leadId: link!.leadId };
}

async function conclude(leadId: string, amountFen: number, outcome: "substantiated" | "partly_substantiated" | "unsubstantiated" = "substantiated") {
  const actor = { member: await member("陈静"), platform: "cli" as const };
  for (const command of [{ type: "accept" as const }, { type: "investigate" as const }])
    await runLeadCommand(ctx.deps, { leadId, command, actor, dedupeKey: `t:${leadId}:${command.type}:${Math.random()}` });
  const r = await runLeadCommand(ctx.deps, { leadId, command: { type: "conclude", outcome, amountFen: outcome === "unsubstantiated" ? null : amountFen }, actor, dedupeKey: `t:${leadId}:conclude:${Math.random()}` });
  expect(r.status).toBe("done");
}

const status = async (receipt: string) => {
  const res = await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }));
  expect(res.status).toBe(200);
  return (await res.json()) as { reward?: { claimId: string; status: string; amountFen: number; deadline: string; policy: string; deadlineWarning: boolean }; timeline: { kind: string }[] };
};

describe("reward claims", () => {
  it("Chengdu, 1,234,567.89 yuan: eligible for 17,845.68 under Sichuan → claimed → coordinator → finance → paid", async () => {
    const t = await tip();
    expect((await status(t.receipt)).reward).toBeUndefined();
    await conclude(t.leadId, 123_456_789);
    const eligible = (await status(t.receipt)).reward!;
    expect(eligible).toMatchObject({ status: "eligible", amountFen: 1_784_568, policy: "sichuan", deadlineWarning: false });
    // 2 calendar months from the notice (2026-11-24 in Shanghai), to the end of that day.
    expect(eligible.deadline).toBe("2027-01-24T15:59:59.999Z");

    const claimed = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt: t.receipt, ...CLAIM }));
    expect(claimed.status).toBe(201);
    expect(await claimed.json()).toEqual({ claimId: eligible.claimId, status: "claimed" });
    const again = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt: t.receipt, ...CLAIM }));
    expect(again.status).toBe(409);

    const coordinator = await member("陈静");
    const finance = await member("刘洋");
    const inspector = await member("张明");
    await expect(reviewRewardClaim(ctx.deps, { claimId: eligible.claimId, action: "approve", member: inspector, platform: "cli" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(reviewRewardClaim(ctx.deps, { claimId: eligible.claimId, action: "approve", member: finance, platform: "cli" })).rejects.toMatchObject({ code: "forbidden" });
    expect((await reviewRewardClaim(ctx.deps, { claimId: eligible.claimId, action: "approve", member: coordinator, platform: "cli" })).status).toBe("coordinator_approved");
    // The same person cannot give the second approval, even if they held the finance role too.
    await expect(reviewRewardClaim(ctx.deps, { claimId: eligible.claimId, action: "approve", member: { ...coordinator, role: "finance" }, platform: "cli" })).rejects.toMatchObject({ options: { details: { reason: "same_approver" } } });
    await expect(reviewRewardClaim(ctx.deps, { claimId: eligible.claimId, action: "pay", member: finance, platform: "cli", text: "ICBC-2026-001" })).rejects.toMatchObject({ code: "conflict" });
    expect((await reviewRewardClaim(ctx.deps, { claimId: eligible.claimId, action: "approve", member: finance, platform: "cli" })).status).toBe("approved");
    expect((await reviewRewardClaim(ctx.deps, { claimId: eligible.claimId, action: "pay", member: finance, platform: "cli", text: "ICBC-2026-001" })).status).toBe("paid");

    const done = await status(t.receipt);
    expect(done.reward?.status).toBe("paid");
    expect(done.timeline.map((e) => e.kind).filter((k) => k.startsWith("reward_"))).toEqual(["reward_eligible", "reward_claimed", "reward_coordinator_approved", "reward_approved", "reward_paid"]);
    const log = await ctx.db.select({ action: events.action }).from(events).where(and(eq(events.entityType, "reward_claim"), eq(events.entityId, eligible.claimId)));
    expect(log.map((e) => e.action)).toEqual(["reward.eligible", "reward.claim", "reward.refused", "reward.refused", "reward.refused", "reward.approve", "reward.refused", "reward.refused", "reward.approve", "reward.pay"]);

    // Only finance reads the claimant, and the view is logged.
    await expect(viewRewardClaimant(ctx.deps, { claimId: eligible.claimId, member: coordinator, platform: "cli", reason: "check" })).rejects.toMatchObject({ code: "forbidden" });
    const seen = await viewRewardClaimant(ctx.deps, { claimId: eligible.claimId, member: finance, platform: "cli", reason: "payment" });
    expect(seen?.identity.idNumber).toBe(REAL_NAME.idNumber);
    expect(seen?.payout).toMatchObject({ method: "bank", account: BANK_ACCOUNT });
  });

  it("the raw database file holds no identity or account number in plain text", async () => {
    if (ctx.database !== "file") return;
    const t = await tip({ anonymous: true, reporter: undefined });
    await conclude(t.leadId, 500_000_00);
    const res = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt: t.receipt, ...CLAIM }));
    expect(res.status).toBe(201);
    ctx.client.close();
    const raw = readFileSync(ctx.dbPath).toString("latin1") + (() => { try { return readFileSync(`${ctx.dbPath}-wal`).toString("latin1"); } catch { return ""; } })();
    for (const secret of [BANK_ACCOUNT, REAL_NAME.idNumber, "13912345678", Buffer.from("李秀英").toString("latin1")]) expect(raw.includes(secret)).toBe(false);
  });

  it("a claim after the deadline is refused with a clear message, and the tick records the forfeit", async () => {
    const t = await tip();
    await conclude(t.leadId, 10_000_00);
    const { reward } = await status(t.receipt);
    expect(reward?.amountFen).toBe(200_00); // the floor
    ctx.setNow(new Date(Date.parse(reward!.deadline) - 13 * 86_400_000));
    expect((await status(t.receipt)).reward?.deadlineWarning).toBe(true);
    ctx.setNow(new Date(Date.parse(reward!.deadline) + 1000));
    const late = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt: t.receipt, ...CLAIM }, { "accept-language": "en" }));
    expect(late.status).toBe(409);
    const body = (await late.json()) as { error: { message: string; details?: unknown } };
    expect(body.error.message).toMatch(/claim period has ended/);
    expect((await expireUnclaimedRewards(ctx.deps)).expired).toBe(1);
    expect((await expireUnclaimedRewards(ctx.deps)).expired).toBe(0);
    expect((await status(t.receipt)).reward?.status).toBe("expired");
  });

  it("validates identity and payout details; a rejected request changes nothing", async () => {
    const t = await tip();
    await conclude(t.leadId, 123_456_789);
    const bad = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt: t.receipt, identity: { ...CLAIM.identity, idNumber: "110105194912310021" }, payout: { method: "bank", account: "12ab", bankName: "" } }, { "accept-language": "en" }));
    expect(bad.status).toBe(400);
    const fields = ((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields;
    expect(Object.keys(fields).sort()).toEqual(["identity.idNumber", "payout.account", "payout.bankName"]);
    const other = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt: t.receipt, ...CLAIM, payout: { method: "alipay", account: "li@example.cn" } }));
    expect(other.status).toBe(400); // the installation offers bank transfers only (REWARD_PAYOUT_METHODS)
    const row = await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.leadId, t.leadId) });
    expect(row).toMatchObject({ status: "eligible", identityEnc: null, payoutEnc: null });
  });

  it("the first tip asking for a reward is the one; a coordinator may exclude it with a reason", async () => {
    const first = await tip({ wantsReward: false });
    ctx.setNow("2026-11-24T03:00:00Z");
    const second = await tip({ wantsReward: true });
    ctx.setNow("2026-11-24T04:00:00Z");
    const third = await tip({ wantsReward: true });
    expect(second.leadId).toBe(first.leadId);
    expect(third.leadId).toBe(first.leadId);
    await conclude(first.leadId, 123_456_789);
    expect((await status(first.receipt)).reward).toBeUndefined();
    expect((await status(second.receipt)).reward?.status).toBe("eligible");
    expect((await status(third.receipt)).reward).toBeUndefined();
    // A reviewer may exclude it, with a reason the log keeps.
    const claim = (await status(second.receipt)).reward!;
    await expect(reviewRewardClaim(ctx.deps, { claimId: claim.claimId, action: "exclude", member: await member("刘洋"), platform: "cli", text: "x", exclusionReason: "department_staff" })).rejects.toMatchObject({ code: "forbidden" });
    await reviewRewardClaim(ctx.deps, { claimId: claim.claimId, action: "exclude", member: await member("陈静"), platform: "cli", text: "举报人系该院职工。", exclusionReason: "department_staff" });
    expect((await status(second.receipt)).reward?.status).toBe("excluded");
    // The later tip on the same facts is shown to reviewers and may be added, with a reason.
    expect(await otherRewardTips(ctx.deps, first.leadId)).toEqual([3]);
    await expect(addRewardTip(ctx.deps, { leadId: first.leadId, tipNo: 3, reason: "首位举报人不符合条件。", member: await member("张明"), platform: "cli" })).rejects.toMatchObject({ code: "forbidden" });
    await addRewardTip(ctx.deps, { leadId: first.leadId, tipNo: 3, reason: "首位举报人不符合条件。", member: await member("陈静"), platform: "cli" });
    expect((await status(third.receipt)).reward).toMatchObject({ status: "eligible", amountFen: 1_784_568 });
    expect(await otherRewardTips(ctx.deps, first.leadId)).toEqual([]);
  });

  it("questions reach the status page and answers return the claim; one reconsideration within 30 days", async () => {
    const t = await tip();
    await conclude(t.leadId, 123_456_789);
    const { reward } = await status(t.receipt);
    await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt: t.receipt, ...CLAIM }));
    const coordinator = await member("陈静");
    await reviewRewardClaim(ctx.deps, { claimId: reward!.claimId, action: "ask", member: coordinator, platform: "cli", text: "请补充开户支行。" });
    const asked = (await status(t.receipt)).reward as unknown as { status: string; question: string };
    expect(asked).toMatchObject({ status: "question", question: "请补充开户支行。" });
    const answered = await ctx.app.request("/api/v1/reports/reward-claim/answer", jsonPost({ receipt: t.receipt, text: "春熙路支行。" }));
    expect(await answered.json()).toMatchObject({ status: "claimed" });
    await reviewRewardClaim(ctx.deps, { claimId: reward!.claimId, action: "reject", member: coordinator, platform: "cli", text: "属于已掌握线索。" });
    const rejected = (await status(t.receipt)).reward as unknown as { reconsiderationUntil: string };
    expect(rejected.reconsiderationUntil).toBe("2026-12-24T15:59:59.999Z");
    const asks = await ctx.app.request("/api/v1/reports/reward-claim/reconsideration", jsonPost({ receipt: t.receipt, text: "该线索是我最先举报的。" }));
    expect(await asks.json()).toMatchObject({ status: "reconsideration" });
    await reviewRewardClaim(ctx.deps, { claimId: reward!.claimId, action: "reject", member: coordinator, platform: "cli", text: "维持原决定。" });
    const twice = await ctx.app.request("/api/v1/reports/reward-claim/reconsideration", jsonPost({ receipt: t.receipt, text: "再次申请。" }));
    expect(twice.status).toBe(409);
  });

  it("on the status page: the notice, a claim whose errors sit on their fields, then each step", async () => {
    const t = await tip({ anonymous: true, reporter: undefined });
    await conclude(t.leadId, 123_456_789);
    const browser = createPageClient(ctx.app);
    const opened = await browser.post("/status?lang=en", new URLSearchParams({ receipt: t.receipt, lang: "en" }));
    expect(opened.status).toBe(200);
    expect(opened.html).toContain('data-testid="reward" data-status="eligible"');
    expect(opened.html).toContain("CNY\u00a017,845.68 (provisional)");
    expect(opened.html).toContain("2027-01-24");
    // The next step is the claim, with its amount and deadline (not "nothing more to do").
    expect(nextStep(opened.html)).toEqual({ kind: "reward_claim", text: "Your report was substantiated and you may claim a reward of CNY\u00a017,845.68. Fill in the claim form below by the end of 2027-01-24; after that the reward is forfeited." });
    expect(opened.html).not.toContain("nothing more you need to do");
    // The policy in the page's language, the region's province in English.
    expect(opened.html).toContain("<dd>Sichuan reward rules</dd>");
    expect(opened.html).toContain("Sichuan 成都市");
    expect(opened.html).toContain("2,345.68"); // the third band's share in the computation

    const bad = await browser.post("/status/reward/claim?lang=en", new URLSearchParams({ name: "李秀英", idNumber: "110105194912310021", phone: "13912345678", method: "bank", account: "6222", bankName: "" }));
    expect(bad.status).toBe(400);
    expect(bad.html).toMatch(/id="claim-id-number"[^>]*aria-invalid="true"[^>]*aria-describedby="claim-id-number-error"|aria-invalid="true"[^>]*id="claim-id-number"/);
    expect(bad.html).toContain('id="claim-account-error"');
    expect(bad.html).toContain('id="claim-bank-error"');
    expect(bad.html).not.toContain("110105194912310021"); // the ID number is not echoed back
    expect(bad.html).toContain('value="李秀英"');
    expect((await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.leadId, t.leadId) }))?.status).toBe("eligible");

    const good = await browser.post("/status/reward/claim?lang=en", new URLSearchParams({ name: "李秀英", idNumber: REAL_NAME.idNumber, phone: "13912345678", method: "bank", account: BANK_ACCOUNT, bankName: "中国工商银行成都分行" }));
    expect(good.hops).toEqual([303, 200]);
    expect(good.html).toContain("Your claim was received");
    expect(good.html).toContain('data-status="claimed"');
    expect(good.html).not.toContain(BANK_ACCOUNT);
    expect(nextStep(good.html).kind).toBe("reward_review");
    expect(nextStep(good.html).text).toContain("A coordinator reviews it first; then the finance staff approve it and pay the reward");
    const repeat = await browser.post("/status/reward/claim?lang=en", new URLSearchParams({ name: "李秀英", idNumber: REAL_NAME.idNumber, phone: "13912345678", method: "bank", account: BANK_ACCOUNT, bankName: "x" }));
    expect(repeat.status).toBe(409);

    const claimId = (await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.leadId, t.leadId) }))!.id;
    await reviewRewardClaim(ctx.deps, { claimId, action: "ask", member: await member("陈静"), platform: "cli", text: "Which branch?" });
    const question = await browser.get("/status/view?lang=en");
    expect(question.html).toContain("Question from the reviewers: Which branch?");
    const answered = await browser.post("/status/reward/answer?lang=en", new URLSearchParams({ text: "Chunxi Road branch." }));
    expect(answered.html).toContain("Your answer was sent");
    expect(answered.html).toContain('data-status="claimed"');

    // Two approvals by two people, then the payment: its date and amount on the page, in either language.
    ctx.setNow("2026-12-03T06:00:00Z");
    // Days later: the status session has ended, so the receipt is entered again.
    const view = (lang: "en" | "zh-CN") => browser.post(`/status?lang=${lang}`, new URLSearchParams({ receipt: t.receipt, lang }));
    await reviewRewardClaim(ctx.deps, { claimId, action: "approve", member: await member("陈静"), platform: "cli" });
    expect(nextStep((await view("en")).html).text).toContain("The finance staff now review it");
    await reviewRewardClaim(ctx.deps, { claimId, action: "approve", member: await member("刘洋"), platform: "cli" });
    expect(nextStep((await view("en")).html).text).toContain("the payment date will be shown on this page");
    await reviewRewardClaim(ctx.deps, { claimId, action: "pay", member: await member("刘洋"), platform: "cli", text: "ICBC-2026-007" });
    const paid = await view("en");
    expect(paid.html).toContain('data-testid="reward-paid-on"><time datetime="2026-12-03T06:00:00.000Z">2026-12-03</time>');
    expect(nextStep(paid.html)).toEqual({ kind: "reward_paid", text: "The reward of CNY\u00a017,845.68 was paid on 2026-12-03. There is nothing more you need to do." });
    expect(paid.html).not.toContain("ICBC-2026-007"); // the payment reference is for staff
    const paidZh = await view("zh-CN");
    expect(nextStep(paidZh.html).text).toBe("奖励 17,845.68\u00a0元 已于 2026-12-03 发放。您无需再做什么。");
    expect(paidZh.html).toContain('data-testid="reward-amount">17,845.68\u00a0元</dd>');
    expect(paidZh.html).not.toMatch(/\d ¥/);
  });
});
