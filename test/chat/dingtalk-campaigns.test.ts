// Campaign reminders and reward approvals on DingTalk over real HTTP (fake DingTalk on loopback, the real
// webhook, outbox and tick): a unit's contact presses Received then Submitted on the reminder card and
// types the note privately; a reward claim's card reaches the coordinators' DingTalk group, the
// coordinator approves it there and finance approves the card it gets in its private chat.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignments, events, leadReports, leads, rewardClaims } from "../../src/db/schema";
import { runTick } from "../../src/scheduler/tick";
import { importCampaign } from "../../src/services/campaigns/campaigns";
import { createChatHarness, exampleOrg, type ChatHarness } from "../support/chat-harness";
import { jsonPost, REAL_NAME, validReport } from "../support/fixtures";
import { CHENGDU } from "../support/round-trips";

const WUHOU = "cidWuhouHospital01==";
const CHENGDU_GROUP = "cidChengdu01==";
const COORDINATORS = "cidCoordinators01==";
const WU = "staff-wu";
const CHEN = "staff-chen";
const LIU = "staff-liu";
const ZHANG = "staff-zhang";
const sh = (local: string) => new Date(`${local}+08:00`);

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let memberIds: ChatHarness["memberIds"];
const deliver = () => h.deliver({ rounds: 10 });

beforeAll(async () => {
  const org = exampleOrg((file) => {
    Object.assign(file.units!.find((u) => u.id === "chengdu-wuhou-hospital")!, { platform: "dingtalk", chatId: WUHOU });
    Object.assign(file.teams.find((t) => t.name === "成都市核查一组")!, { platform: "dingtalk", chatId: CHENGDU_GROUP });
    Object.assign(file.teams.find((t) => t.name === "成都市骨科血透专项组")!, { platform: "dingtalk", chatId: "cidChengduOrtho==" });
    Object.assign(file.teams.find((t) => t.coordinators)!, { platform: "dingtalk", chatId: COORDINATORS });
  });
  h = await createChatHarness({ org, now: sh("2026-12-01T10:00:00") });
  ({ ctx, memberIds } = h);
  await h.enrolDingtalk("吴磊", WU);
  await h.enrolDingtalk("陈静", CHEN);
  await h.enrolDingtalk("刘洋", LIU);
  await h.enrolDingtalk("张明", ZHANG);
});

afterAll(async () => {
  await h?.close();
});

describe("a campaign reminder in a unit's DingTalk group", () => {
  let asg = "";

  it("arrives as a card with Received, Submitted and the unit page", async () => {
    const started = await importCampaign(
      ctx.deps,
      { id: "dec-check", name: "年终自查", year: 2026, regionCode: "510100", issuer: "成都市医疗保障局", deliverables: [{ key: "dec-report", title: "年终自查报告", titleEn: "Year-end self-inspection report", unitKinds: ["institution"], due: "2026-12-10" }] },
      { type: "system", platform: "cli" },
    );
    asg = (await ctx.db.select().from(assignments).where(eq(assignments.campaignId, started.campaignId))).find((r) => r.unitId === "chengdu-wuhou-hospital")!.id;
    ctx.setNow(sh("2026-12-03T09:00:30"));
    await runTick(ctx.deps, ctx.deps.now());
    await deliver();
    const cards = h.dingtalk.cardsIn(WUHOU);
    expect(cards).toHaveLength(1);
    expect(`${cards[0]!.params.markdown}${cards[0]!.params.title}`).toContain("年终自查报告");
    expect(h.dingtalkButtons(cards[0]!).map((b) => `${b.action}:${b.id}`)).toEqual([`c-recv:${asg}`, `c-subm:${asg}`, `c-open:${asg}`]);
  });

  it("takes Received once, then Submitted with a note typed privately", async () => {
    const card = h.dingtalk.cardsIn(WUHOU)[0]!;
    expect((await h.dingtalkPress(WU, card, "c-recv")).status).toBe(200);
    expect((await h.dingtalkPress(WU, card, "c-recv")).status).toBe(200);
    await deliver();
    expect(await ctx.db.select().from(events).where(and(eq(events.entityId, asg), eq(events.action, "assignment.received")))).toHaveLength(1);
    expect(h.dingtalk.textsTo(`user:${WU}`)).toContain("已确认收到：年终自查报告");

    expect((await h.dingtalkPress(WU, card, "c-subm")).status).toBe(200);
    await deliver();
    const typed = await h.dingtalkTyped(WU, "自查报告已上传至政务网盘");
    expect(typed.privately.join("\n")).toContain("已报送：年终自查报告，等待审核。");
    expect((await ctx.db.query.assignments.findFirst({ where: eq(assignments.id, asg) }))).toMatchObject({ state: "submitted", submittedBy: memberIds["吴磊"] });
  });
});

describe("a reward claim approved on DingTalk", () => {
  it("concluded from the lead card, claimed, approved by the coordinator in the group and by finance privately", async () => {
    ctx.setNow(sh("2026-12-04T10:00:00"));
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都某某骨科医院", anonymous: false, reporter: REAL_NAME, wantsReward: true })));
    expect(res.status).toBe(201);
    const { reportId, receipt } = (await res.json()) as { reportId: string; receipt: string };
    const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
    await deliver();
    const leadCard = () => [...h.dingtalk.cards.values()].find((c) => h.dingtalkButtons(c).some((b) => b.id === leadId))!;
    for (const action of ["accept", "investigate", "substantiated"]) {
      expect((await h.dingtalkPress(CHEN, leadCard(), action)).status).toBe(200);
      await deliver();
    }
    await h.dingtalkTyped(CHEN, "1,234,567.89");
    expect(await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) })).toMatchObject({ state: "concluded", substantiatedAmountFen: 123_456_789 });

    const claim = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt, identity: { name: REAL_NAME.name, idNumber: REAL_NAME.idNumber, phone: REAL_NAME.phone }, payout: { method: "bank", account: "6222020200112233445", bankName: "中国工商银行成都分行" } }));
    expect(claim.status).toBe(201);
    await deliver();
    const claimRow = async () => (await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.leadId, leadId) }))!;
    const { id: claimId } = await claimRow();
    const claimCard = h.dingtalk.cardsIn(COORDINATORS).find((c) => h.dingtalkButtons(c).some((b) => b.action === "r-apr" && b.id === claimId))!;
    expect(JSON.stringify(claimCard.params)).toContain("17,845.68");
    for (const secret of [REAL_NAME.name, REAL_NAME.idNumber, REAL_NAME.phone, "6222020200112233445"]) expect(JSON.stringify(claimCard.params)).not.toContain(secret);

    // An inspector may not approve; the coordinator may, once.
    expect((await h.dingtalkPress(ZHANG, claimCard, "r-apr")).status).toBe(200);
    await deliver();
    expect((await claimRow()).status).toBe("claimed");
    expect((await h.dingtalkPress(CHEN, claimCard, "r-apr")).status).toBe(200);
    expect((await h.dingtalkPress(CHEN, claimCard, "r-apr")).status).toBe(200);
    await deliver();
    expect((await claimRow()).status).toBe("coordinator_approved");
    expect((await ctx.db.select().from(events).where(and(eq(events.action, "reward.approve"), eq(events.entityId, claimId))))).toHaveLength(1);

    // Finance gets its card in the private chat with the bot (IM_ROBOT) and approves there.
    const financeCard = h.dingtalk.cardsIn(`user:${LIU}`).find((c) => h.dingtalkButtons(c).some((b) => b.action === "r-fin"))!;
    expect(h.dingtalk.callsTo("card/instances/createAndDeliver").some((c) => c.body.openSpaceId === `dtv1.card//IM_ROBOT.${LIU}`)).toBe(true);
    expect(JSON.stringify(financeCard.params)).toContain("陈静（协调员）");
    expect((await h.dingtalkPress(LIU, financeCard, "r-fin")).status).toBe(200);
    await deliver();
    expect((await claimRow()).status).toBe("approved");
  });
});
