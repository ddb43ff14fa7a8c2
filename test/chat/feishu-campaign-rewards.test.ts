// Campaign reminders and reward approvals on Feishu over real HTTP (fake Open API, real webhook, real
// outbox and tick): a unit's reminder card pressed Received then Submitted, the note asked and answered in
// the private chat; a reward claim approved by a coordinator and then by finance, two different people,
// with the same coordinator's second approval refused in the toast.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignments, events, leadReports, leads, rewardClaims } from "../../src/db/schema";
import { importCampaign } from "../../src/services/campaigns/campaigns";
import { runTick } from "../../src/scheduler/tick";
import { createChatHarness, exampleOrg, type ChatHarness } from "../support/chat-harness";
import { jsonPost, REAL_NAME, validReport } from "../support/fixtures";
import { CHENGDU } from "../support/round-trips";

const WUHOU_CHAT = "oc_5ad11d72b830411d72b836c20a000104";
const COORDINATORS_CHAT = "oc_5ad11d72b830411d72b836c20a009001";
const WU = "ou_wulei000000000000000000000000001"; // contact of 成都市武侯区人民医院
const CHEN = "ou_chenjing00000000000000000000001"; // coordinator
const LIU = "ou_liuyang000000000000000000000001"; // finance
const ZHOU = "ou_zhoumin000000000000000000000001"; // contact of another unit
const ACCOUNT = "6222020200112233445";
const sh = (local: string) => new Date(`${local}+08:00`);

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let feishu: ChatHarness["feishu"];

/** Presses as `openId` on a card in `chatId`; returns the toast (empty when none), after the 200. */
async function press(openId: string, action: string, id: string, chatId: string) {
  const res = await h.pressFeishu(openId, action, id, { chatId });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { toast?: { type: string; content: string } };
  await h.deliver();
  return body.toast?.content ?? "";
}

/** Types privately to the bot; returns what came back to the private chat. */
async function typePrivately(openId: string, text: string) {
  const before = feishu.sentTo(`user:${openId}`).length;
  expect((await h.messageFeishu(openId, text)).status).toBe(200);
  await h.deliver();
  return feishu.sentTo(`user:${openId}`).slice(before).map((m) => h.feishuCardText(m));
}

beforeAll(async () => {
  h = await createChatHarness({
    now: sh("2026-12-01T10:00:00"),
    org: exampleOrg((file) => {
      for (const team of file.teams) if (team.coordinators) Object.assign(team, { platform: "feishu", chatId: COORDINATORS_CHAT });
      Object.assign(file.units.find((u) => u.id === "chengdu-wuhou-hospital")!, { platform: "feishu", chatId: WUHOU_CHAT });
    }),
  });
  ({ ctx, feishu } = h);
  await h.enrolFeishu("吴磊", WU);
  await h.enrolFeishu("陈静", CHEN);
  await h.enrolFeishu("刘洋", LIU);
  await h.enrolFeishu("周敏", ZHOU);
});

afterAll(async () => {
  await h.close();
});

describe("a campaign reminder in a unit's Feishu group", () => {
  let asg = "";

  it("arrives as a card with Received, Submitted and the unit page", async () => {
    const { campaignId } = await importCampaign(
      ctx.deps,
      { id: "dec-check", name: "年终自查", year: 2026, regionCode: "510100", issuer: "成都市医疗保障局", deliverables: [{ key: "dec-report", title: "年终自查报告", titleEn: "Year-end self-inspection report", unitKinds: ["institution"], due: "2026-12-10" }] },
      { type: "system", platform: "cli" },
    );
    asg = (await ctx.db.select().from(assignments).where(eq(assignments.campaignId, campaignId))).find((r) => r.unitId === "chengdu-wuhou-hospital")!.id;
    ctx.setNow(sh("2026-12-03T09:00:30"));
    await runTick(ctx.deps, ctx.deps.now());
    await h.deliver();
    const reminder = feishu.sentTo(WUHOU_CHAT).at(-1)!;
    expect(reminder.msgType).toBe("interactive");
    expect(h.feishuCardText(reminder)).toContain("提醒：距截止还有 7 天");
    const buttons = h.feishuButtons(reminder);
    expect(buttons.filter((b) => b.a).map((b) => `${b.a}:${b.id}`)).toEqual([`c-recv:${asg}`, `c-subm:${asg}`, `c-open:${asg}`]);
  });

  it("refuses another unit's contact, then takes Received once however often it is delivered", async () => {
    expect(await press(ZHOU, "c-recv", asg, WUHOU_CHAT)).toBe("只有成都市武侯区人民医院已登记的联系人才能执行该操作。请联系：吴磊（单位联系人）。");
    const event = h.pressFeishuEvent(WU, "c-recv", asg, { chatId: WUHOU_CHAT });
    const first = (await (await h.feishuCallback(event)).json()) as any;
    const second = (await (await h.feishuCallback(event)).json()) as any;
    expect(first.toast.content).toBe("已确认收到：年终自查报告");
    expect(second.toast.content).toBe("已处理过。");
    expect(await ctx.db.select().from(events).where(and(eq(events.entityId, asg), eq(events.action, "assignment.received")))).toHaveLength(1);
    expect(await ctx.db.query.assignments.findFirst({ where: eq(assignments.id, asg) })).toMatchObject({ receivedVersion: 1 });
  });

  it("takes Submitted with a note asked privately; the coordinators' Feishu group gets the notice", async () => {
    const coordinatorsBefore = feishu.sentTo(COORDINATORS_CHAT).length;
    const privateBefore = feishu.sentTo(`user:${WU}`).length;
    expect(await press(WU, "c-subm", asg, WUHOU_CHAT)).toBe("已报送");
    const prompt = feishu.sentTo(`user:${WU}`).slice(privateBefore).at(-1)!;
    expect(prompt.msgType).toBe("text");
    const answers = await typePrivately(WU, "自查报告见 https://pan.example.cn/s/abc");
    expect(answers).toEqual(["已报送：年终自查报告，等待审核。"]);
    expect(await ctx.db.query.assignments.findFirst({ where: eq(assignments.id, asg) })).toMatchObject({ state: "submitted", submittedBy: h.memberIds["吴磊"] });
    const notice = feishu.sentTo(COORDINATORS_CHAT).slice(coordinatorsBefore).find((m) => m.msgType === "interactive")!;
    expect(h.feishuButtons(notice).map((b) => `${b.a}:${b.id}`)).toEqual([`c-acc:${asg}`, `c-ret:${asg}`]);
  });
});

describe("a reward claim approved on Feishu", () => {
  it("coordinator then finance — two different people — approve from their cards", async () => {
    ctx.setNow(sh("2026-12-04T10:00:00"));
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都某某骨科医院", anonymous: false, reporter: REAL_NAME, wantsReward: true })));
    expect(res.status).toBe(201);
    const { reportId, receipt } = (await res.json()) as { reportId: string; receipt: string };
    const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
    await h.deliver();
    // The coordinator concludes it from chat; the amount is asked privately and typed there.
    for (const action of ["accept", "investigate", "substantiated"]) await press(CHEN, action, leadId, COORDINATORS_CHAT);
    await typePrivately(CHEN, "1,234,567.89");
    expect(await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) })).toMatchObject({ state: "concluded", substantiatedAmountFen: 123_456_789 });

    const before = feishu.sentTo(COORDINATORS_CHAT).length;
    const claim = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt, identity: { name: REAL_NAME.name, idNumber: REAL_NAME.idNumber, phone: REAL_NAME.phone }, payout: { method: "bank", account: ACCOUNT, bankName: "中国工商银行成都分行" } }));
    expect(claim.status).toBe(201);
    await h.deliver();
    const claimId = (await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.leadId, leadId) }))!.id;
    const card = feishu.sentTo(COORDINATORS_CHAT).slice(before).find((m) => h.feishuButtons(m).some((b) => b.a === "r-apr"))!;
    expect(h.feishuCardText(card)).toContain("17,845.68");
    for (const secret of [REAL_NAME.name, REAL_NAME.idNumber, REAL_NAME.phone, ACCOUNT]) expect(JSON.stringify(card.content)).not.toContain(secret);
    expect(h.feishuButtons(card).find((b) => b.a === "r-apr")?.id).toBe(claimId);

    await press(CHEN, "r-apr", claimId, COORDINATORS_CHAT);
    expect((await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, claimId) }))?.status).toBe("coordinator_approved");
    // Finance gets its card privately, with its own button; the coordinator cannot give the second approval.
    const financeCard = feishu.sentTo(`user:${LIU}`).at(-1)!;
    expect(h.feishuButtons(financeCard).some((b) => b.a === "r-fin" && b.id === claimId)).toBe(true);
    expect(h.feishuCardText(financeCard)).toContain("陈静（协调员）");
    expect(await press(CHEN, "r-fin", claimId, COORDINATORS_CHAT)).toBe("只有财务人员才能对奖励申领作出第二道复核。请联系：刘洋（财务）。");
    expect((await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, claimId) }))?.status).toBe("coordinator_approved");
    await press(LIU, "r-fin", claimId, `user:${LIU}`);
    expect((await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, claimId) }))?.status).toBe("approved");
    const approvals = await ctx.db.select().from(events).where(and(eq(events.entityId, claimId), eq(events.action, "reward.approve")));
    expect(approvals.map((e) => e.actorId)).toEqual([h.memberIds["陈静"], h.memberIds["刘洋"]]);
    expect(approvals.every((e) => e.platform === "feishu")).toBe(true);
  });
});
