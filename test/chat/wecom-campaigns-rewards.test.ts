// Campaign reminders and reward approvals in WeCom over real HTTP (fake WeCom server, signed and encrypted
// callbacks): a unit's contact presses Received then Submitted on the reminder card and answers the note
// prompt privately; a reward claim's card reaches the coordinators as WeCom members, the coordinator
// approves by button, finance gets the card privately and gives the second approval.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignments, events, leadReports, members, rewardClaims } from "../../src/db/schema";
import { importCampaign } from "../../src/services/campaigns/campaigns";
import { runLeadCommand } from "../../src/services/leads/leads";
import { runTick } from "../../src/scheduler/tick";
import { createChatHarness, exampleOrg, type ChatHarness } from "../support/chat-harness";
import { cardKeys } from "../support/fake-wecom";
import { jsonPost, REAL_NAME, validReport } from "../support/fixtures";
import { CHENGDU } from "../support/round-trips";

const UNIT = "users:wulei";
const COORDINATORS = "users:chenjing";
const sh = (local: string) => new Date(`${local}+08:00`);

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let wecom: ChatHarness["wecom"];
let asg = "";

beforeAll(async () => {
  h = await createChatHarness({
    now: sh("2026-12-01T10:00:00"),
    org: exampleOrg((file) => {
      Object.assign(file.units!.find((u) => u.id === "chengdu-wuhou-hospital")!, { platform: "wecom", chatId: UNIT });
      Object.assign(file.teams.find((t) => t.coordinators)!, { platform: "wecom", chatId: COORDINATORS });
    }),
  });
  ({ ctx, wecom } = h);
  await h.enrolWecom("吴磊", "wulei");
  await h.enrolWecom("周敏", "zhoumin");
  await h.enrolWecom("陈静", "chenjing");
  await h.enrolWecom("刘洋", "liuyang");
  const started = await importCampaign(
    ctx.deps,
    { id: "dec-check", name: "年终自查", year: 2026, regionCode: "510100", issuer: "成都市医疗保障局", deliverables: [{ key: "dec-report", title: "年终自查报告", titleEn: "Year-end self-inspection report", unitKinds: ["institution"], due: "2026-12-10" }] },
    { type: "system", platform: "cli" },
  );
  const rows = await ctx.db.select().from(assignments).where(eq(assignments.campaignId, started.campaignId));
  asg = rows.find((r) => r.unitId === "chengdu-wuhou-hospital")!.id;
});

afterAll(async () => {
  await h.close();
});

const assignment = async () => (await ctx.db.query.assignments.findFirst({ where: eq(assignments.id, asg) }))!;

describe("a campaign reminder to a unit's WeCom members", () => {
  let taskId = "";

  it("arrives as a template card with Received, Submitted and the unit page", async () => {
    ctx.setNow(sh("2026-12-03T09:00:30"));
    await runTick(ctx.deps, ctx.deps.now());
    await h.deliver();
    const card = wecom.cardsTo("wulei").at(-1)!;
    expect(JSON.stringify(card.card)).toContain("提醒：距截止还有 7 天");
    expect(cardKeys(card.card)).toEqual([`c-recv|${asg}`, `c-subm|${asg}`, `c-open|${asg}`]);
    taskId = card.taskId;
  });

  it("refuses a contact of another unit, and takes the contact's Received once although WeCom retries", async () => {
    await h.wecomPress("zhoumin", taskId, `c-recv|${asg}`);
    expect(wecom.textsTo("zhoumin").at(-1)).toBe("只有成都市武侯区人民医院已登记的联系人才能执行该操作。请联系：吴磊（单位联系人）。");
    expect((await assignment()).receivedAt).toBeNull();
    const press = h.wecomPressXml("wulei", taskId, `c-recv|${asg}`);
    for (let i = 0; i < 3; i++) expect((await h.wecomCallback(press)).status).toBe(200);
    await h.deliver();
    expect(await assignment()).toMatchObject({ receivedBy: h.memberIds["吴磊"], receivedVersion: 1 });
    expect(await ctx.db.select().from(events).where(and(eq(events.entityId, asg), eq(events.action, "assignment.received")))).toHaveLength(1);
    expect(wecom.textsTo("wulei").filter((t) => t === "已确认收到：年终自查报告")).toHaveLength(1);
  });

  it("takes Submitted, asks for the note privately, and records the submission", async () => {
    await h.wecomPress("wulei", taskId, `c-subm|${asg}`);
    expect(wecom.textsTo("wulei").join("\n")).toContain("已报送");
    await h.wecomText("wulei", "自查报告见 https://pan.example.cn/s/abc");
    await h.deliver();
    expect(wecom.textsTo("wulei").at(-1)).toBe("已报送：年终自查报告，等待审核。");
    expect(await assignment()).toMatchObject({ state: "submitted", submittedBy: h.memberIds["吴磊"] });
  });
});

describe("a reward claim approved in WeCom", () => {
  it("coordinator then finance approve by button; WeCom's retries of a press count once", async () => {
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都某某骨科医院", anonymous: false, reporter: REAL_NAME, wantsReward: true })));
    const { reportId, receipt } = (await res.json()) as { reportId: string; receipt: string };
    const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
    const actor = { member: (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!, platform: "cli" as const };
    for (const command of [{ type: "accept" as const }, { type: "investigate" as const }, { type: "conclude" as const, outcome: "substantiated" as const, amountFen: 123_456_789 }])
      await runLeadCommand(ctx.deps, { leadId, command, actor, dedupeKey: `wecom-test:${command.type}` });
    const claim = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt, identity: { name: REAL_NAME.name, idNumber: REAL_NAME.idNumber, phone: REAL_NAME.phone }, payout: { method: "bank", account: "6222020200112233445", bankName: "中国工商银行成都分行" } }));
    expect(claim.status).toBe(201);
    await h.deliver();
    const claimRow = async () => (await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.leadId, leadId) }))!;
    const { id: claimId } = await claimRow();
    const card = wecom.cardsTo("chenjing").find((c) => cardKeys(c.card).includes(`r-apr|${claimId}`))!;
    const json = JSON.stringify(card.card);
    expect(json).toContain("17,845.68");
    for (const secret of [REAL_NAME.name, REAL_NAME.idNumber, REAL_NAME.phone, "6222020200112233445"]) expect(json).not.toContain(secret);

    // WeCom delivers the press three times (same CreateTime and code): one approval, one answer, no refusal.
    const texts = wecom.textsTo("chenjing").length;
    const press = h.wecomPressXml("chenjing", card.taskId, `r-apr|${claimId}`);
    for (let i = 0; i < 3; i++) expect((await h.wecomCallback(press)).status).toBe(200);
    await h.deliver();
    expect((await claimRow()).status).toBe("coordinator_approved");
    expect((await ctx.db.select().from(events).where(eq(events.action, "reward.approve"))).filter((e) => e.entityId === claimId)).toHaveLength(1);
    expect((await ctx.db.select().from(events).where(eq(events.action, "reward.refused")))).toHaveLength(0);
    expect(wecom.textsTo("chenjing").slice(texts)).toEqual(["已完成：协调组已审核，待财务复核"]);

    const financeCard = wecom.cardsTo("liuyang").find((c) => cardKeys(c.card).includes(`r-fin|${claimId}`))!;
    expect(JSON.stringify(financeCard.card)).toContain("陈静（协调员）");
    await h.wecomPress("liuyang", financeCard.taskId, `r-fin|${claimId}`);
    expect((await claimRow()).status).toBe("approved");
    // The coordinators get the claim's new state as a new card naming both approvers (by name and role).
    const latest = JSON.stringify(wecom.cardsTo("chenjing").at(-1)!.card);
    expect(latest).toContain("陈静（协调员）");
    expect(latest).toContain("刘洋（财务）");
    expect(latest).not.toMatch(/mem_/);
  });
});
