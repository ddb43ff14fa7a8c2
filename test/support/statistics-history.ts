// A known history for the statistics (issue 18 "Done when"), built through the real use cases over two
// months (November and December 2026) and two regions (Chengdu 5101xx, Mianyang 5107xx), with the
// figures computed BY HAND in EXPECTED: tips (anonymous, real-name, insider, one corroborated), batch and
// hotline leads, acknowledgements on time and late, outcomes with amounts and measures, a reward paid
// through the two-person flow, and a campaign with units on time, late, missing and returned.
//
// Calendar: Nov 2 2026 is a Monday, Dec 1 a Tuesday; no holidays in November or December. Working
// hours 09:00–17:30 (the default), acknowledgement within 4 working hours, decision within 15 working
// days, closing within 30 (working days counted as workingDaysBetween does: the day of receipt does not
// count). All times below are Asia/Shanghai.
//
// The leads (L1…L9), each step with its clock:
//   L1 tip, Chengdu 510104 "成都某某骨科医院", ghost_admission, REAL-NAME, wants a reward; focus
//      orthopaedics (骨科) + rehabilitation (理疗, in the default description). Received Mon 11-02 10:00,
//      acknowledged 11:00 (1 wh, in time), accepted Tue 11-03 10:00 (1 wd), investigating, concluded
//      Fri 11-20 16:00 substantiated: verified 1,234,567.89 yuan, recovered 1,000,000.00, fine 200,000.00,
//      measures interview + rectification (closed in 14 wd). Reward 17,845.68 yuan (Sichuan policy):
//      eligible at the conclusion (11-20), claimed Tue 12-01 10:00, coordinator Wed 12-02, finance Thu
//      12-03, paid Thu 12-10.
//   L2 tip, Chengdu 510104 "锦江某某口腔诊所", over_treatment, anonymous; focus dental. Received Mon
//      11-02 14:00; a second anonymous tip about it Tue 11-03 09:15 joins it (corroboration 2).
//      Acknowledged Tue 11-03 11:00: deadline was Tue 09:30 (3.5 h Monday + 0.5 h), late, 5.5 wh.
//      Not accepted Thu 11-05 10:00 (decided and closed in 3 wd).
//   L3 tip, Mianyang 510703 "绵阳某某医院", split_hospitalisation, anonymous INSIDER; no focus. Received
//      Wed 11-11 10:00, acknowledged 15:00 (5 wh > 4, late), accepted Thu 11-12 10:00 (1 wd), concluded
//      Tue 12-15 10:00 partly substantiated: verified 50,000.00, recovered 50,000.00, no fine, measure
//      suspend_agreement (24 wd).
//   L4 hotline, Chengdu 510105 "青羊某某大药房", card_skimming_cash_out. Received Tue 11-17 09:30,
//      acknowledged 10:30 (1 wh), accepted Wed 11-18 10:00 (1 wd), concluded Fri 11-27 10:00
//      referred_police, no amounts, no measures (8 wd).
//   Batch B1 imported Mon 11-09 10:00, two rows:
//   L5 row 1, Chengdu 510105 "青羊某某诊所", duplicate_billing. Acknowledged 11:00 (1 wh), accepted Tue
//      11-10 10:00 (1 wd), concluded Fri 12-04 10:00 unsubstantiated, measure published (19 wd).
//   L6 row 2, Chengdu 510107 "武侯某某医院", above_standard_billing. Never touched: open, overdue
//      (acknowledgement due Mon 11-09 14:00); its decision (Mon 11-30) and closing (Mon 12-21)
//      deadlines have passed too, so it counts late in all three shares.
//   L7 tip, Mianyang 510703 "涪城某某康复医院", ghost_admission, anonymous; focus rehabilitation.
//      Received Tue 12-01 10:00, acknowledged 10:30 (0.5 wh), accepted Wed 12-02 10:00 (1 wd), still
//      investigating (closing due in January 2027: open, not overdue, not counted for closing).
//   L8 hotline, Mianyang 510703 "绵阳某某药店", fake_invoices. Received Mon 12-07 10:00, acknowledged
//      Tue 12-08 10:00 (7.5 + 1 = 8.5 wh, late), accepted Tue 12-08 11:00 (1 wd), concluded Fri 12-18
//      10:00 substantiated: verified 20,000.00, recovered 20,000.00, fine 10,000.00, measures
//      administrative_penalty + published (9 wd).
//   Batch B2 imported Mon 12-14 10:00, one row:
//   L9 Mianyang 510703 "绵阳某某门诊部", falsified_records. Acknowledged 11:00 (1 wh), not accepted Tue
//      12-15 10:00 (1 wd).
//
// The campaign (imported Mon 11-02 09:00 for Sichuan 510000, unit kind institution, so it reaches the
// example organisation's three institutions: 成都市武侯区人民医院 510107, 成都市青羊区惠民大药房 510105
// (no contact: never answers), Mianyang Central Hospital 510703):
//   D1 自查报告 due Wed 11-25: Mianyang acknowledges 11-16, the coordinator nudges 11-24 (Qingyang and
//      Mianyang are waiting: 2 reminders), Wuhou submits 11-20 (on time, accepted 11-23), Mianyang
//      submits 11-27 (late, not yet reviewed), Qingyang never (missing).
//   D2 统计表 due Thu 12-10: Wuhou submits 12-08, returned 12-09 10:00 and never resubmitted (returned,
//      and missing once past due); the coordinator nudges 12-09 14:00 (Wuhou, Qingyang, Mianyang: 3
//      reminders); Mianyang submits 12-10 15:00 (on time, accepted 12-11); Qingyang never (missing).
//   Reminders acknowledged (the unit acknowledged its current deadline or submitted, at NOW): Mianyang's
//   two (D1 submitted, D2 accepted); Qingyang never; Wuhou's D2 was returned without an acknowledgement.
//
// NOW (when the statistics are taken): Thu 2026-12-31 16:00.
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { batchRows, leadReports, members, rewardClaims, type MemberRow } from "../../src/db/schema";
import { monthPeriod, periodFromRange } from "../../src/core/statistics/periods";
import { importCampaign } from "../../src/services/campaigns/campaigns";
import { receiveAssignment, reviewSubmission, submitAssignment } from "../../src/services/campaigns/assignments";
import { nudgeDeliverable } from "../../src/services/campaigns/nudges";
import { runLeadCommand } from "../../src/services/leads/leads";
import type { LeadCommand } from "../../src/core/lead-lifecycle";
import { createHotlineLead, importScreeningBatch } from "../../src/services/leads/lead-sources";
import { reviewRewardClaim } from "../../src/services/rewards/claims";
import type { StatisticsScope } from "../../src/services/statistics/report";
import { assignments } from "../../src/db/schema";
import type { TestContext } from "./context";
import { jsonPost, REAL_NAME, validReport } from "./fixtures";
import { importExampleOrg } from "./round-trips";

/** A Shanghai wall-clock time ("2026-11-02 10:00") as an instant. */
export const sh = (text: string) => new Date(`${text.replace(" ", "T")}:00+08:00`);

/** When the statistics are taken. */
export const NOW = sh("2026-12-31 16:00");

export const CHENGDU_REGION = { provinceCode: "510000", cityCode: "510100", districtCode: "510104" };
export const MIANYANG_REGION = { provinceCode: "510000", cityCode: "510700", districtCode: "510703" };

export interface StatisticsHistory {
  /** Lead ids by their name in the comment above (L1 … L9). */
  leads: Record<"L1" | "L2" | "L3" | "L4" | "L5" | "L6" | "L7" | "L8" | "L9", string>;
  batchIds: { B1: string; B2: string };
  campaignId: string;
  deliverableIds: { D1: string; D2: string };
  rewardClaimId: string;
  /** Tip receipts (L1's is the real-name tipster's): only for tests that play the tipster. */
  receipts: { L1: string };
}

/** The scopes EXPECTED is computed for. */
export const SCOPES = {
  /** November and December 2026, everything. */
  both: { period: periodFromRange("2026-11-01", "2026-12-31") },
  /** December 2026 only. */
  december: { period: monthPeriod(2026, 12) },
  /** Both months, Mianyang (city 510700 and everything under it). */
  mianyang: { period: periodFromRange("2026-11-01", "2026-12-31"), regionCode: "510700" },
} satisfies Record<string, StatisticsScope>;
export type HistoryScope = keyof typeof SCOPES;

const BANK_CLAIM = { identity: { name: REAL_NAME.name, idNumber: REAL_NAME.idNumber, phone: REAL_NAME.phone }, payout: { method: "bank", account: "6222020200112233445", bankName: "中国工商银行成都分行" } };

const BATCH_HEADER = "rule,institution,region_code,subject,violation_type,period_from,period_to,amount_yuan,details,ref";

/**
 * Builds the history above in `ctx` (a fresh test context): imports the example organisation, then walks
 * the clock through every step. Leaves the clock at NOW.
 */
export async function seedStatisticsHistory(ctx: TestContext): Promise<StatisticsHistory> {
  await importExampleOrg(ctx.deps);
  const member = async (name: string): Promise<MemberRow> => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!;
  const coordinator = await member("陈静");
  const finance = await member("刘洋");
  const wuhouContact = await member("吴磊");
  const mianyangContact = await member("Amy Wang");
  const staff = { type: "member" as const, id: coordinator.id, role: coordinator.role, platform: "cli" };
  const at = (text: string) => ctx.setNow(sh(text));
  let client = 0;
  let step = 0;

  const tip = async (when: string, overrides: Record<string, unknown>) => {
    at(when);
    // A different client address per tip: the intake's per-address limits are not what this history is about.
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ wantsReward: false, ...overrides }), { "x-test-client": `198.51.100.${++client}` }));
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { reportId: string; receipt: string };
    const link = await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, body.reportId) });
    return { leadId: link!.leadId, receipt: body.receipt };
  };
  const command = async (when: string, leadId: string, cmd: LeadCommand) => {
    at(when);
    const r = await runLeadCommand(ctx.deps, { leadId, command: cmd, actor: { member: coordinator, platform: "cli" }, dedupeKey: `history:${++step}` });
    expect(r.status, `${cmd.type} on ${leadId} at ${when}: ${JSON.stringify(r)}`).toBe("done");
  };
  const batch = async (when: string, rows: string[]) => {
    at(when);
    const result = await importScreeningBatch(ctx.deps, [BATCH_HEADER, ...rows].join("\n") + "\n", staff);
    const linked = await ctx.db.select({ leadId: batchRows.leadId }).from(batchRows).where(eq(batchRows.batchId, result.batchId)).orderBy(batchRows.rowNo);
    return { batchId: result.batchId, leadIds: linked.map((r) => r.leadId) };
  };
  const hotline = async (when: string, call: { callRef: string; subject: "medical_institution" | "pharmacy"; violationType: string; regionCode: string; targetName: string; description: string }) => {
    at(when);
    return (await createHotlineLead(ctx.deps, call as Parameters<typeof createHotlineLead>[1], staff)).leadId;
  };

  // The campaign first (it starts before any duty falls due).
  at("2026-11-02 09:00");
  const started = await importCampaign(
    ctx.deps,
    {
      id: "stats-history-2026",
      name: "2026年医保基金使用专项检查",
      year: 2026,
      regionCode: "510000",
      issuer: "四川省医疗保障局",
      deliverables: [
        { key: "self-inspection", title: "自查报告", unitKinds: ["institution"], due: "2026-11-25" },
        { key: "statistics", title: "统计表", unitKinds: ["institution"], due: "2026-12-10" },
      ],
    },
    { type: "system", platform: "cli" },
  );
  const campaignAssignments = await ctx.db.select().from(assignments).where(eq(assignments.campaignId, started.campaignId));
  const dels = [...new Set(campaignAssignments.map((a) => a.deliverableId))];
  const d1 = campaignAssignments.find((a) => a.dueAt === sh("2026-11-25 23:59").getTime() + 59_999)?.deliverableId ?? dels[0]!;
  const d2 = dels.find((d) => d !== d1)!;
  const asg = (unitId: string, deliverableId: string) => campaignAssignments.find((a) => a.unitId === unitId && a.deliverableId === deliverableId)!.id;
  const done = (r: { status: string }, what: string) => expect(r.status, what).toBe("done");

  // November.
  const l1 = await tip("2026-11-02 10:00", { region: CHENGDU_REGION, targetName: "成都某某骨科医院", anonymous: false, reporter: REAL_NAME, wantsReward: true });
  await command("2026-11-02 11:00", l1.leadId, { type: "acknowledge" });
  const l2 = await tip("2026-11-02 14:00", { region: CHENGDU_REGION, targetName: "锦江某某口腔诊所", violationType: "over_treatment", description: "诊所给参保人做不必要的种植牙并用医保结算。" });
  const l2b = await tip("2026-11-03 09:15", { region: CHENGDU_REGION, targetName: "锦江某某口腔诊所", violationType: "over_treatment", description: "同一家诊所多收医保费用，收费明细与实际不符。" });
  expect(l2b.leadId, "the second tip joins L2").toBe(l2.leadId);
  await command("2026-11-03 10:00", l1.leadId, { type: "accept" });
  await command("2026-11-03 10:05", l1.leadId, { type: "investigate" });
  await command("2026-11-03 11:00", l2.leadId, { type: "acknowledge" });
  await command("2026-11-05 10:00", l2.leadId, { type: "decline", reason: "证据不足，无法核实" });

  const b1 = await batch("2026-11-09 10:00", [
    "重复收费规则,青羊某某诊所,510105,medical_institution,duplicate_billing,2026-07-01,2026-07-31,12000.00,同一项目重复结算,B1-001",
    "超标准收费规则,武侯某某医院,510107,medical_institution,above_standard_billing,2026-07-01,2026-07-31,8000.00,收费高于标准,B1-002",
  ]);
  const [l5, l6] = b1.leadIds as [string, string];
  await command("2026-11-09 11:00", l5, { type: "acknowledge" });
  await command("2026-11-10 10:00", l5, { type: "accept" });
  await command("2026-11-10 10:05", l5, { type: "investigate" });

  const l3 = await tip("2026-11-11 10:00", { region: MIANYANG_REGION, targetName: "绵阳某某医院", violationType: "split_hospitalisation", insider: true, description: "医院把一次住院拆成两次结算，科室内部人员反映。" });
  await command("2026-11-11 15:00", l3.leadId, { type: "acknowledge" });
  await command("2026-11-12 10:00", l3.leadId, { type: "accept" });
  await command("2026-11-12 10:05", l3.leadId, { type: "investigate" });

  at("2026-11-16 10:00");
  done(await receiveAssignment(ctx.deps, { actor: mianyangContact, platform: "cli", assignmentId: asg("mianyang-central-hospital", d1) }), "Mianyang acknowledges D1");

  const l4 = await hotline("2026-11-17 09:30", { callRef: "12393-20261117-001", subject: "pharmacy", violationType: "card_skimming_cash_out", regionCode: "510105", targetName: "青羊某某大药房", description: "来电反映药店刷医保卡套现。" });
  await command("2026-11-17 10:30", l4, { type: "acknowledge" });
  await command("2026-11-18 10:00", l4, { type: "accept" });
  await command("2026-11-18 10:05", l4, { type: "investigate" });

  at("2026-11-20 10:00");
  done(await submitAssignment(ctx.deps, { actor: wuhouContact, platform: "cli", assignmentId: asg("chengdu-wuhou-hospital", d1), note: "自查报告已上传" }), "Wuhou submits D1");
  await command("2026-11-20 16:00", l1.leadId, { type: "conclude", outcome: "substantiated", amountFen: 123_456_789, recoveredFen: 100_000_000, fineFen: 20_000_000, measures: ["interview", "rectification"] });
  at("2026-11-23 10:00");
  done(await reviewSubmission(ctx.deps, { actor: coordinator, platform: "cli", assignmentId: asg("chengdu-wuhou-hospital", d1), decision: "accept" }), "D1 Wuhou accepted");
  at("2026-11-24 10:00");
  const nudge1 = await nudgeDeliverable(ctx.deps, { deliverableId: d1, actor: coordinator, platform: "cli", dedupeKey: "history:nudge:1" });
  expect(nudge1.status === "done" ? nudge1.nudged.map((u) => u.id).sort() : nudge1).toEqual(["chengdu-qingyang-pharmacy", "mianyang-central-hospital"]);
  at("2026-11-27 10:00");
  done(await submitAssignment(ctx.deps, { actor: mianyangContact, platform: "cli", assignmentId: asg("mianyang-central-hospital", d1), note: "late report" }), "Mianyang submits D1 late");
  await command("2026-11-27 10:00", l4, { type: "conclude", outcome: "referred_police", amountFen: null });

  // December.
  at("2026-12-01 10:00");
  const claimed = await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt: l1.receipt, ...BANK_CLAIM }, { "x-test-client": "198.51.100.200" }));
  expect(claimed.status, await claimed.clone().text()).toBe(201);
  const claim = (await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.leadId, l1.leadId) }))!;
  const l7 = await tip("2026-12-01 10:00", { region: MIANYANG_REGION, targetName: "涪城某某康复医院", description: "康复科长期挂床住院，病人白天不在。" });
  await command("2026-12-01 10:30", l7.leadId, { type: "acknowledge" });
  at("2026-12-02 10:00");
  expect((await reviewRewardClaim(ctx.deps, { claimId: claim.id, action: "approve", member: coordinator, platform: "cli" })).status).toBe("coordinator_approved");
  await command("2026-12-02 10:00", l7.leadId, { type: "accept" });
  await command("2026-12-02 10:05", l7.leadId, { type: "investigate" });
  at("2026-12-03 10:00");
  expect((await reviewRewardClaim(ctx.deps, { claimId: claim.id, action: "approve", member: finance, platform: "cli" })).status).toBe("approved");
  await command("2026-12-04 10:00", l5, { type: "conclude", outcome: "unsubstantiated", amountFen: null, measures: ["published"] });

  const l8 = await hotline("2026-12-07 10:00", { callRef: "12393-20261207-001", subject: "pharmacy", violationType: "fake_invoices", regionCode: "510703", targetName: "绵阳某某药店", description: "来电反映药店虚开发票。" });
  at("2026-12-08 10:00");
  done(await submitAssignment(ctx.deps, { actor: wuhouContact, platform: "cli", assignmentId: asg("chengdu-wuhou-hospital", d2), note: "统计表" }), "Wuhou submits D2");
  await command("2026-12-08 10:00", l8, { type: "acknowledge" });
  await command("2026-12-08 11:00", l8, { type: "accept" });
  await command("2026-12-08 11:05", l8, { type: "investigate" });
  at("2026-12-09 10:00");
  done(await reviewSubmission(ctx.deps, { actor: coordinator, platform: "cli", assignmentId: asg("chengdu-wuhou-hospital", d2), decision: "return", reason: "缺少附表" }), "D2 Wuhou returned");
  at("2026-12-09 14:00");
  const nudge2 = await nudgeDeliverable(ctx.deps, { deliverableId: d2, actor: coordinator, platform: "cli", dedupeKey: "history:nudge:2" });
  expect(nudge2.status === "done" ? nudge2.nudged.map((u) => u.id).sort() : nudge2).toEqual(["chengdu-qingyang-pharmacy", "chengdu-wuhou-hospital", "mianyang-central-hospital"]);
  at("2026-12-10 10:00");
  expect((await reviewRewardClaim(ctx.deps, { claimId: claim.id, action: "pay", member: finance, platform: "cli", text: "ICBC-2026-1210" })).status).toBe("paid");
  at("2026-12-10 15:00");
  done(await submitAssignment(ctx.deps, { actor: mianyangContact, platform: "cli", assignmentId: asg("mianyang-central-hospital", d2), note: "statistics table" }), "Mianyang submits D2");
  at("2026-12-11 10:00");
  done(await reviewSubmission(ctx.deps, { actor: coordinator, platform: "cli", assignmentId: asg("mianyang-central-hospital", d2), decision: "accept" }), "D2 Mianyang accepted");

  const b2 = await batch("2026-12-14 10:00", ["病历不实规则,绵阳某某门诊部,510703,medical_institution,falsified_records,2026-09-01,2026-09-30,5000.00,病历记录与结算不符,B2-001"]);
  const l9 = b2.leadIds[0]!;
  await command("2026-12-14 11:00", l9, { type: "acknowledge" });
  await command("2026-12-15 10:00", l3.leadId, { type: "conclude", outcome: "partly_substantiated", amountFen: 5_000_000, recoveredFen: 5_000_000, fineFen: null, measures: ["suspend_agreement"] });
  await command("2026-12-15 10:00", l9, { type: "decline", reason: "经核查不属于本辖区" });
  await command("2026-12-18 10:00", l8, { type: "conclude", outcome: "substantiated", amountFen: 2_000_000, recoveredFen: 2_000_000, fineFen: 1_000_000, measures: ["administrative_penalty", "published"] });

  ctx.setNow(NOW);
  return {
    leads: { L1: l1.leadId, L2: l2.leadId, L3: l3.leadId, L4: l4, L5: l5, L6: l6, L7: l7.leadId, L8: l8, L9: l9 },
    batchIds: { B1: b1.batchId, B2: b2.batchId },
    campaignId: started.campaignId,
    deliverableIds: { D1: d1, D2: d2 },
    rewardClaimId: claim.id,
    receipts: { L1: l1.receipt },
  };
}

type LeadName = keyof StatisticsHistory["leads"];

/** A campaign's expected figures, by names (ids are made at run time). */
export interface ExpectedCampaign {
  name: string;
  deliverables: { name: string; dueDate: string; units: number; onTime: number; late: number; missing: number; returned: number }[];
  reminders: { sent: number; acknowledged: number };
}

const zeroMeasures = { interview: 0, rectification: 0, suspend_agreement: 0, terminate_agreement: 0, administrative_penalty: 0, published: 0 };
const noOutcomes = { substantiated: 0, partly_substantiated: 0, unsubstantiated: 0, referred_police: 0, referred_discipline: 0, referred_health_commission: 0 };
const CAMPAIGN = "2026年医保基金使用专项检查";

/**
 * Every figure of each scope, by hand from the history in the header comment. Rules assumed (those of
 * the statistics engine's brief): received/acknowledged/accepted/declined over leads RECEIVED in the
 * period; concluded, outcomes, amounts and measures over leads CONCLUDED in it (a lead not accepted is
 * declined, not concluded); openNow/overdueNow at NOW regardless of the period; timeliness over leads
 * received in the period (a lead still open counts late once its deadline has passed, is not counted
 * before); rewards by the period each step happened in; tips = the reports of leads received in it.
 * Percentiles are nearest-rank (core/statistics/percentiles: median of 8 values is the 4th).
 */
export const EXPECTED = {
  both: {
    period: { from: "2026-11-01", to: "2026-12-31" },
    leads: {
      received: 9, // L1–L9
      bySource: { tip: 4, batch: 3, hotline: 2 }, // tips L1 L2 L3 L7; batch L5 L6 L9; hotline L4 L8
      acknowledged: 8, // all but L6
      accepted: 6, // L1 L3 L4 L5 L7 L8
      declined: 2, // L2 L9
      openNow: 2, // L6 (new), L7 (investigating)
      overdueNow: 1, // L6: acknowledgement due 11-09 14:00; L7's closing is due 2027-01-13
      concluded: 5, // L1 (11-20), L4 (11-27), L5 (12-04), L3 (12-15), L8 (12-18)
      byOutcome: { ...noOutcomes, substantiated: 2, partly_substantiated: 1, unsubstantiated: 1, referred_police: 1 }, // L1 L8 | L3 | L5 | L4
    },
    amounts: {
      verifiedFen: 130_456_789, // 123,456,789 (L1) + 5,000,000 (L3) + 2,000,000 (L8)
      recoveredFen: 107_000_000, // 100,000,000 + 5,000,000 + 2,000,000
      finesFen: 21_000_000, // 20,000,000 (L1) + 1,000,000 (L8)
    },
    measures: { ...zeroMeasures, interview: 1, rectification: 1, suspend_agreement: 1, administrative_penalty: 1, published: 2 }, // L1 L1 L3 L8 L5+L8
    rewards: { eligible: 1, claimed: 1, approved: 1, rejected: 0, paid: 1, paidFen: 1_784_568 }, // L1's claim, Sichuan bands 200,000 + 1,350,000 + 234,568
    timeliness: {
      acknowledgedInTime: 5 / 9, // on time L1 L4 L5 L7 L9; late L2 L3 L8, L6 never (deadline passed)
      decidedInTime: 8 / 9, // all decided in ≤ 3 wd; L6 undecided past 11-30
      closedInTime: 7 / 8, // L1 L2 L3 L4 L5 L8 L9 closed in ≤ 24 wd; L6 open past 12-21; L7 not yet counted
    },
    breakdown: {
      byViolationType: { ghost_admission: 2, over_treatment: 1, split_hospitalisation: 1, card_skimming_cash_out: 1, duplicate_billing: 1, above_standard_billing: 1, fake_invoices: 1, falsified_records: 1 },
      byFocusArea: { orthopaedics: 1, rehabilitation: 2, dental: 1 }, // L1 | L1 L7 | L2
      byRegion: { "510000": 9 }, // unscoped: by province, all in Sichuan
      tips: { received: 5, anonymous: 4, realName: 1, insider: 1 }, // L1 (real name), L2 ×2, L3 (insider, anonymous), L7
      corroborated: 1, // L2
      referrals: { police: 1, discipline: 0, health_commission: 0 }, // L4
    },
    timelinessDetail: {
      counted: { ack: 9, decide: 9, close: 8 },
      ackWorkingHours: { count: 8, median: 1, p90: 8.5 }, // 0.5 (L7), 1 (L1 L4 L5 L9), 5 (L3), 5.5 (L2), 8.5 (L8): 4th = 1, 8th = 8.5
      decideWorkingDays: { count: 8, median: 1, p90: 3 }, // 1 ×7, 3 (L2): 4th = 1, 8th = 3
      closeWorkingDays: { count: 7, median: 9, p90: 24 }, // 1 (L9), 3 (L2), 8 (L4), 9 (L8), 14 (L1), 19 (L5), 24 (L3): 4th = 9, 7th = 24
    },
    monthly: [
      { month: "2026-11", received: { tip: 3, batch: 2, hotline: 1 }, concluded: 2 }, // L1 L2 L3 | L5 L6 | L4; concluded L1 L4
      { month: "2026-12", received: { tip: 1, batch: 1, hotline: 1 }, concluded: 3 }, // L7 | L9 | L8; concluded L5 L3 L8
    ],
    campaigns: [
      {
        name: CAMPAIGN,
        deliverables: [
          { name: "自查报告", dueDate: "2026-11-25", units: 3, onTime: 1, late: 1, missing: 1, returned: 0 }, // Wuhou | Mianyang | Qingyang
          { name: "统计表", dueDate: "2026-12-10", units: 3, onTime: 1, late: 0, missing: 2, returned: 1 }, // Mianyang | Wuhou (returned) + Qingyang | Wuhou
        ],
        reminders: { sent: 5, acknowledged: 2 }, // nudges 11-24 (Qingyang, Mianyang) + 12-09 (Wuhou, Qingyang, Mianyang); Mianyang's two acknowledged
      },
    ] as ExpectedCampaign[],
    batches: { count: 2, rows: 3, fedBack: 2, byOutcome: { unsubstantiated: 1, open: 1, not_accepted: 1 } }, // B1: L5 concluded, L6 open; B2: L9 declined
    /** Ledger rows in order (L5 and L6 share a receipt time: between them, by lead id). */
    ledger: ["L1", "L2", "L5|L6", "L3", "L4", "L7", "L8", "L9"] as string[],
  },
  december: {
    period: { from: "2026-12-01", to: "2026-12-31" },
    leads: {
      received: 3, // L7 L8 L9
      bySource: { tip: 1, batch: 1, hotline: 1 },
      acknowledged: 3,
      accepted: 2, // L7 L8
      declined: 1, // L9
      openNow: 2, // as of NOW, whatever the period: L6, L7
      overdueNow: 1, // L6
      concluded: 3, // L5 (12-04), L3 (12-15), L8 (12-18)
      byOutcome: { ...noOutcomes, substantiated: 1, partly_substantiated: 1, unsubstantiated: 1 }, // L8 | L3 | L5
    },
    amounts: { verifiedFen: 7_000_000, recoveredFen: 7_000_000, finesFen: 1_000_000 }, // L3 5,000,000 + L8 2,000,000; fine L8
    measures: { ...zeroMeasures, suspend_agreement: 1, administrative_penalty: 1, published: 2 }, // L3 | L8 | L5 L8
    rewards: { eligible: 0, claimed: 1, approved: 1, rejected: 0, paid: 1, paidFen: 1_784_568 }, // eligible 11-20 (November); claimed 12-01, approved 12-03, paid 12-10
    timeliness: {
      acknowledgedInTime: 2 / 3, // L7 L9 on time, L8 late
      decidedInTime: 1, // L7 L8 L9 in 1 wd
      closedInTime: 1, // L8 (9 wd), L9 (1 wd); L7 not counted
    },
    breakdown: {
      byViolationType: { ghost_admission: 1, fake_invoices: 1, falsified_records: 1 },
      byFocusArea: { rehabilitation: 1 }, // L7
      byRegion: { "510000": 3 },
      tips: { received: 1, anonymous: 1, realName: 0, insider: 0 }, // L7
      corroborated: 0,
      referrals: { police: 0, discipline: 0, health_commission: 0 }, // L4 was concluded in November
    },
    timelinessDetail: {
      counted: { ack: 3, decide: 3, close: 2 },
      ackWorkingHours: { count: 3, median: 1, p90: 8.5 }, // 0.5, 1, 8.5: 2nd, 3rd
      decideWorkingDays: { count: 3, median: 1, p90: 1 },
      closeWorkingDays: { count: 2, median: 1, p90: 9 }, // 1, 9: 1st, 2nd
    },
    monthly: [{ month: "2026-12", received: { tip: 1, batch: 1, hotline: 1 }, concluded: 3 }],
    campaigns: [
      {
        name: CAMPAIGN,
        deliverables: [{ name: "统计表", dueDate: "2026-12-10", units: 3, onTime: 1, late: 0, missing: 2, returned: 1 }], // D1 fell due in November
        reminders: { sent: 3, acknowledged: 1 }, // the 12-09 nudge; Mianyang's acknowledged
      },
    ] as ExpectedCampaign[],
    batches: { count: 1, rows: 1, fedBack: 1, byOutcome: { not_accepted: 1 } }, // B2
    /** Concluded in December but received before it (L5, L3) come first, by receipt. */
    ledger: ["L5", "L3", "L7", "L8", "L9"] as string[],
  },
  mianyang: {
    period: { from: "2026-11-01", to: "2026-12-31" },
    leads: {
      received: 4, // L3 L7 L8 L9
      bySource: { tip: 2, batch: 1, hotline: 1 }, // L3 L7 | L9 | L8
      acknowledged: 4,
      accepted: 3, // L3 L7 L8
      declined: 1, // L9
      openNow: 1, // L7
      overdueNow: 0,
      concluded: 2, // L3 L8
      byOutcome: { ...noOutcomes, substantiated: 1, partly_substantiated: 1 },
    },
    amounts: { verifiedFen: 7_000_000, recoveredFen: 7_000_000, finesFen: 1_000_000 },
    measures: { ...zeroMeasures, suspend_agreement: 1, administrative_penalty: 1, published: 1 }, // L3 | L8 | L8
    rewards: { eligible: 0, claimed: 0, approved: 0, rejected: 0, paid: 0, paidFen: 0 }, // the reward is Chengdu's
    timeliness: {
      acknowledgedInTime: 2 / 4, // L7 L9 on time; L3 L8 late
      decidedInTime: 1, // all in 1 wd
      closedInTime: 1, // L3 24, L8 9, L9 1; L7 not counted
    },
    breakdown: {
      byViolationType: { split_hospitalisation: 1, ghost_admission: 1, fake_invoices: 1, falsified_records: 1 },
      byFocusArea: { rehabilitation: 1 },
      byRegion: { "510703": 4 }, // a city scope: by district
      tips: { received: 2, anonymous: 2, realName: 0, insider: 1 }, // L3 (insider), L7
      corroborated: 0,
      referrals: { police: 0, discipline: 0, health_commission: 0 },
    },
    timelinessDetail: {
      counted: { ack: 4, decide: 4, close: 3 },
      ackWorkingHours: { count: 4, median: 1, p90: 8.5 }, // 0.5, 1, 5, 8.5: 2nd, 4th
      decideWorkingDays: { count: 4, median: 1, p90: 1 },
      closeWorkingDays: { count: 3, median: 9, p90: 24 }, // 1, 9, 24: 2nd, 3rd
    },
    monthly: [
      { month: "2026-11", received: { tip: 1, batch: 0, hotline: 0 }, concluded: 0 }, // L3
      { month: "2026-12", received: { tip: 1, batch: 1, hotline: 1 }, concluded: 2 }, // L7 L9 L8; L3 L8
    ],
    campaigns: [
      {
        name: CAMPAIGN,
        deliverables: [
          { name: "自查报告", dueDate: "2026-11-25", units: 1, onTime: 0, late: 1, missing: 0, returned: 0 }, // Mianyang Central Hospital
          { name: "统计表", dueDate: "2026-12-10", units: 1, onTime: 1, late: 0, missing: 0, returned: 0 },
        ],
        reminders: { sent: 2, acknowledged: 2 },
      },
    ] as ExpectedCampaign[],
    batches: { count: 1, rows: 1, fedBack: 1, byOutcome: { not_accepted: 1 } }, // B2 (B1's rows are in Chengdu)
    ledger: ["L3", "L7", "L8", "L9"] as string[],
  },
} satisfies Record<HistoryScope, unknown>;

/** The ledger's expected lead ids for a scope, L5/L6's tie resolved by id as the ledger orders it. */
export function expectedLedgerIds(history: StatisticsHistory, scope: HistoryScope): string[] {
  return EXPECTED[scope].ledger.flatMap((name) => name.split("|").map((n) => history.leads[n as LeadName]).sort());
}
