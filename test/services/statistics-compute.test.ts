// The statistics use case over a small history computed by hand (issue 18 item 2): leads across two
// months and two provinces, moved through the real lead commands (which keep the elapsed working time),
// one lead from before migration 0020 (no stored elapsed figures), conclusions with amounts and measures,
// tips anonymous, real-name and insider, and reward claims through eligibility to payment.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeLeadDeadlines } from "../../src/core/deadlines";
import type { LeadCommand } from "../../src/core/lead-lifecycle";
import { emptyStatistics, statisticsSchema } from "../../src/core/statistics/report-shape";
import { leads, members, rewardClaims, teams } from "../../src/db/schema";
import { AppError } from "../../src/services/errors";
import { runLeadCommand, type MemberActor } from "../../src/services/leads/leads";
import { orgSnapshot } from "../../src/services/org/org-cache";
import { computeStatistics } from "../../src/services/statistics/compute";
import type { StatisticsReport } from "../../src/services/statistics/report";
import { resolveStatisticsScope, type StatisticsScopeInput } from "../../src/services/statistics/scope";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
let coordinator: MemberActor;
let chengduTeam: string;
let mianyangTeam: string;
/** The test's clock: Tuesday 2026-11-24 10:00 in Shanghai. */
const NOW = new Date("2026-11-24T02:00:00.000Z");
/** A Shanghai wall-clock time ("2026-11-16 09:00") as an instant. */
const sh = (text: string) => Date.parse(`${text.replace(" ", "T")}:00+08:00`);

type Seed = {
  id: string;
  source: "tip" | "batch" | "hotline";
  region: string;
  team: string | null;
  type: string;
  focus?: string[];
  received: string;
  corroboration?: number;
  /** Inserted with these already set (a lead changed before migration 0020: no elapsed figures). */
  raw?: { state: string; acknowledged?: string; accepted?: string; closed?: string; outcome?: string; amountFen?: number; recoveredFen?: number; fineFen?: number; measures?: string[] };
};

async function insertLead(s: Seed) {
  const org = await orgSnapshot(ctx.deps);
  const received = sh(s.received);
  const d = computeLeadDeadlines(org.policy.calendar, org.policy.workingHours, new Date(received), org.policy.deadlines);
  const r = s.raw;
  await ctx.db.insert(leads).values({
    id: s.id,
    source: s.source,
    subject: "medical_institution",
    violationType: s.type,
    regionCode: s.region,
    targetName: `${s.id} 医院`,
    institutionKey: `${s.id}医院`,
    focusAreas: JSON.stringify(s.focus ?? []),
    summaryEnc: "v1.seed",
    corroborationCount: s.corroboration ?? 1,
    teamId: s.team,
    state: r?.state ?? "new",
    outcome: r?.outcome ?? null,
    substantiatedAmountFen: r?.amountFen ?? null,
    recoveredFen: r?.recoveredFen ?? null,
    fineFen: r?.fineFen ?? null,
    measures: r?.measures ? JSON.stringify(r.measures) : null,
    receivedAt: received,
    lastReportAt: received,
    ackBy: d.ackBy.getTime(),
    acceptBy: d.acceptBy.getTime(),
    finishBy: d.finishBy.getTime(),
    acknowledgedAt: r?.acknowledged ? sh(r.acknowledged) : null,
    acceptedAt: r?.accepted ? sh(r.accepted) : null,
    closedAt: r?.closed ? sh(r.closed) : null,
    createdAt: received,
    updatedAt: received,
  });
}

let reportNo = 0;
async function linkTip(leadId: string, at: string, tip: { anonymous: boolean; insider: boolean; wantsReward: boolean }) {
  const id = `rpt-${++reportNo}`;
  await ctx.client.execute({
    sql: `INSERT INTO reports (id, created_at, updated_at, channel, locale, status, subject, violation_type, province_code, region_code, target_name, occurred_from,
      description_enc, is_anonymous, is_insider, wants_reward, receipt_hash, content_hash, proof_key_id, proof_signature)
      VALUES (?, ?, ?, 'web', 'zh-CN', 'received', 'medical_institution', 'ghost_admission', '510000', '510104', 'x', '2026-01-01', 'v1.seed', ?, ?, ?, ?, 'h', 'k', 's')`,
    args: [id, sh(at), sh(at), tip.anonymous ? 1 : 0, tip.insider ? 1 : 0, tip.wantsReward ? 1 : 0, `receipt-${id}`],
  });
  await ctx.client.execute({ sql: "INSERT INTO lead_reports (lead_id, report_id, added_at) VALUES (?, ?, ?)", args: [leadId, id, sh(at)] });
  return id;
}

async function command(leadId: string, at: string, cmd: LeadCommand) {
  ctx.setNow(new Date(sh(at)));
  const result = await runLeadCommand(ctx.deps, { leadId, command: cmd, actor: coordinator, dedupeKey: `stats-${leadId}-${at}-${cmd.type}` });
  expect(result.status, `${leadId} ${cmd.type}`).toBe("done");
}

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  const member = (await ctx.db.query.members.findFirst({ where: eq(members.role, "coordinator") }))!;
  coordinator = { member, platform: "telegram" };
  const teamRows = await ctx.db.select().from(teams);
  chengduTeam = teamRows.find((t) => t.name === "成都市核查一组")!.id;
  mianyangTeam = teamRows.find((t) => t.name === "Mianyang inspection team")!.id;

  // L1: tip, Chengdu, two tips (real-name insider wanting a reward; anonymous). Acknowledged after 2 working
  // hours, accepted the next working day, substantiated 14 working days after receipt.
  await insertLead({ id: "L1", source: "tip", region: "510104", team: chengduTeam, type: "ghost_admission", focus: ["orthopaedics"], received: "2026-10-19 09:00", corroboration: 2 });
  const r1 = await linkTip("L1", "2026-10-19 09:00", { anonymous: false, insider: true, wantsReward: true });
  const r2 = await linkTip("L1", "2026-10-19 09:00", { anonymous: true, insider: false, wantsReward: false });
  await command("L1", "2026-10-19 11:00", { type: "acknowledge" });
  await command("L1", "2026-10-20 10:00", { type: "accept" });
  await command("L1", "2026-11-06 10:00", { type: "conclude", outcome: "substantiated", amountFen: 100_000, recoveredFen: 80_000, fineFen: 20_000, measures: ["interview", "published"] });
  // L2: hotline, Chengdu, acknowledged late (1 h on the day + 6 h the next = 7 working hours > 4), then declined.
  await insertLead({ id: "L2", source: "hotline", region: "510104", team: chengduTeam, type: "over_treatment", received: "2026-10-20 16:30" });
  await command("L2", "2026-10-21 15:00", { type: "acknowledge" });
  await command("L2", "2026-10-22 10:00", { type: "decline", reason: "不属于医保基金监管范围" });
  // L3: batch, Mianyang, never touched: acknowledgement and decision overdue now.
  await insertLead({ id: "L3", source: "batch", region: "510703", team: mianyangTeam, type: "duplicate_billing", received: "2026-11-02 09:00" });
  // L4: tip (anonymous), Chengdu, acknowledged after half an hour, accepted, investigated, referred to the police.
  await insertLead({ id: "L4", source: "tip", region: "510104", team: chengduTeam, type: "ghost_admission", focus: ["orthopaedics", "dialysis"], received: "2026-11-16 09:00" });
  await linkTip("L4", "2026-11-16 09:00", { anonymous: true, insider: false, wantsReward: false });
  await command("L4", "2026-11-16 09:30", { type: "acknowledge" });
  await command("L4", "2026-11-16 10:00", { type: "accept" });
  await command("L4", "2026-11-17 10:00", { type: "investigate" });
  await command("L4", "2026-11-20 10:00", { type: "conclude", outcome: "referred_police", measures: ["suspend_agreement"] });
  // L5: tip (real name), Nanjing (another province), no team, still new: acknowledgement overdue.
  await insertLead({ id: "L5", source: "tip", region: "320102", team: null, type: "split_hospitalisation", received: "2026-11-18 09:00" });
  await linkTip("L5", "2026-11-18 09:00", { anonymous: false, insider: false, wantsReward: false });
  // L6: received in September (outside), concluded in October (inside): partly substantiated.
  await insertLead({
    id: "L6",
    source: "tip",
    region: "510104",
    team: chengduTeam,
    type: "ghost_admission",
    received: "2026-09-10 09:00",
    raw: { state: "concluded", acknowledged: "2026-09-10 10:00", accepted: "2026-09-11 10:00", closed: "2026-10-22 10:00", outcome: "partly_substantiated", amountFen: 50_000, recoveredFen: 50_000, measures: ["interview", "rectification"] },
  });
  const r5 = await linkTip("L6", "2026-09-10 09:00", { anonymous: false, insider: false, wantsReward: false });
  // L7: hotline, Mianyang, from before migration 0020 (no stored elapsed figures): acknowledged at its
  // deadline exactly (4 working hours: on time), accepted the next working day, still open.
  await insertLead({ id: "L7", source: "hotline", region: "510703", team: mianyangTeam, type: "over_treatment", received: "2026-10-27 09:00", raw: { state: "accepted", acknowledged: "2026-10-27 13:00", accepted: "2026-10-28 09:00" } });
  // L8: received in September, acknowledged, never decided: open and overdue now, in no period figure.
  await insertLead({ id: "L8", source: "tip", region: "510104", team: chengduTeam, type: "ghost_admission", received: "2026-09-15 09:00", raw: { state: "acknowledged", acknowledged: "2026-09-15 10:00" } });

  // Rewards: L1's conclusion made r1 eligible (created 2026-11-06); it was claimed, approved by a
  // coordinator and finance, and paid 30 yuan. r2 was added, claimed and rejected; r5's claim (eligible in
  // September) was claimed in October.
  const [c1] = await ctx.db.select().from(rewardClaims).where(eq(rewardClaims.reportId, r1));
  expect(c1!.createdAt).toBe(sh("2026-11-06 10:00"));
  await ctx.db
    .update(rewardClaims)
    .set({ status: "paid", claimedAt: sh("2026-11-10 10:00"), coordinatorApprovedAt: sh("2026-11-12 10:00"), financeApprovedAt: sh("2026-11-16 10:00"), paidAt: sh("2026-11-20 10:00"), amountFen: 3000, updatedAt: sh("2026-11-20 10:00") })
    .where(eq(rewardClaims.id, c1!.id));
  const claim = (id: string, leadId: string, reportId: string, status: string, created: string, set: Partial<typeof rewardClaims.$inferInsert>, updated: string) =>
    ctx.db.insert(rewardClaims).values({
      id,
      leadId,
      reportId,
      status,
      policyId: "national",
      verifiedAmountFen: 100_000,
      amountFen: 2000,
      computation: "{}",
      noticeAt: sh(created),
      claimDeadline: sh(created) + 60 * 86_400_000,
      createdAt: sh(created),
      updatedAt: sh(updated),
      ...set,
    });
  await claim("rwd-c2", "L1", r2, "rejected", "2026-11-06 10:00", { claimedAt: sh("2026-11-08 10:00"), rejectedAt: sh("2026-11-12 10:00") }, "2026-11-12 10:00");
  await claim("rwd-c3", "L6", r5, "claimed", "2026-09-25 10:00", { claimedAt: sh("2026-10-10 10:00") }, "2026-10-10 10:00");
  ctx.setNow(NOW);
}, 60_000);
afterAll(() => ctx.close());

const stats = async (input: StatisticsScopeInput) => {
  const report = await computeStatistics(ctx.deps, await resolveStatisticsScope(ctx.deps, input, NOW), NOW);
  statisticsSchema.parse(report);
  return report;
};
const TWO_MONTHS = { from: "2026-10-01", to: "2026-11-30" };

describe("computeStatistics over a hand-computed history", () => {
  let all: StatisticsReport;
  beforeAll(async () => {
    all = await stats(TWO_MONTHS);
  });

  it("keeps the elapsed working time on each lead as the commands move it (and fills in older leads)", async () => {
    const rows = await ctx.db.select({ id: leads.id, a: leads.ackWorkHours, d: leads.decideWorkDays, c: leads.closeWorkDays }).from(leads).where(sql`id IN ('L1','L2','L3','L4','L7')`).orderBy(leads.id);
    expect(rows).toEqual([
      { id: "L1", a: 2, d: 1, c: 14 },
      { id: "L2", a: 7, d: 2, c: 2 },
      { id: "L3", a: null, d: null, c: null },
      { id: "L4", a: 0.5, d: 0, c: 4 },
      // From before 0020: computed from its timestamps by the first report, and stored for the next.
      { id: "L7", a: 4, d: 1, c: null },
    ]);
  });

  it("counts leads received in the period by source, and what became of them", () => {
    expect(all.period).toEqual({ from: "2026-10-01", to: "2026-11-30" });
    expect(all.leads).toEqual({
      received: 6, // L1 L2 L3 L4 L5 L7
      bySource: { tip: 3, batch: 1, hotline: 2 },
      acknowledged: 4, // L1 L2 L4 L7
      accepted: 3, // L1 L4 L7
      declined: 1, // L2
      openNow: 4, // L3 L5 L7 L8 (whatever the period)
      overdueNow: 3, // L3 (ack), L5 (ack), L8 (decision)
      concluded: 3, // L1 L4 L6 (closed in the period); L2 was declined, not concluded
      byOutcome: { substantiated: 1, partly_substantiated: 1, unsubstantiated: 0, referred_police: 1, referred_discipline: 0, referred_health_commission: 0 },
    });
  });

  it("sums the amounts and measures of the leads concluded in the period", () => {
    expect(all.amounts).toEqual({ verifiedFen: 150_000, recoveredFen: 130_000, finesFen: 20_000 });
    expect(all.measures).toEqual({ interview: 2, rectification: 1, suspend_agreement: 1, terminate_agreement: 0, administrative_penalty: 0, published: 1 });
    expect(all.breakdown.referrals).toEqual({ police: 1, discipline: 0, health_commission: 0 });
  });

  it("breaks the received leads down by type, focus area, province, tips and corroboration", () => {
    expect(all.breakdown.byViolationType).toEqual({ ghost_admission: 2, over_treatment: 2, duplicate_billing: 1, split_hospitalisation: 1 });
    expect(all.breakdown.byFocusArea).toEqual({ orthopaedics: 2, dialysis: 1 });
    expect(all.breakdown.byRegion).toEqual({ "510000": 5, "320000": 1 });
    expect(all.breakdown.tips).toEqual({ received: 4, anonymous: 2, realName: 2, insider: 1 });
    expect(all.breakdown.corroborated).toBe(1);
  });

  it("gives the timeliness shares and percentiles, including the lead from before 0020", () => {
    // ack: L1 2h, L4 0.5h, L7 4h (at its deadline) on time; L2 7h late; L3, L5 never acknowledged, past due.
    // decide: L1 1, L2 2, L4 0, L7 1 working days on time; L3 past its 15 working days; L5 not yet due.
    // close: L1 14, L2 2, L4 4 on time; the others not yet due.
    expect(all.timeliness).toEqual({ acknowledgedInTime: 3 / 6, decidedInTime: 4 / 5, closedInTime: 1 });
    expect(all.timelinessDetail).toEqual({
      counted: { ack: 6, decide: 5, close: 3 },
      ackWorkingHours: { count: 4, median: 2, p90: 7 }, // [0.5, 2, 4, 7]
      decideWorkingDays: { count: 4, median: 1, p90: 2 }, // [0, 1, 1, 2]
      closeWorkingDays: { count: 3, median: 4, p90: 14 }, // [2, 4, 14]
    });
  });

  it("counts reward steps in the period each happened in", () => {
    expect(all.rewards).toEqual({ eligible: 2, claimed: 3, approved: 1, rejected: 1, paid: 1, paidFen: 3000 });
  });

  it("gives each month's received leads by source and concluded leads", () => {
    expect(all.monthly).toEqual([
      { month: "2026-10", received: { tip: 1, batch: 0, hotline: 2 }, concluded: 1 },
      { month: "2026-11", received: { tip: 2, batch: 1, hotline: 0 }, concluded: 2 },
    ]);
    expect(all.scope).toEqual({ regionCode: null, regionName: null, teamId: null, teamName: null, source: null, campaignId: null });
    expect(all.asOf).toBe(NOW.getTime());
  });
});

describe("computeStatistics narrowed by scope", () => {
  it("a province counts everything under it and breaks down by city", async () => {
    const r = await stats({ ...TWO_MONTHS, regionCode: "510000" });
    expect(r.leads.received).toBe(5);
    expect(r.breakdown.byRegion).toEqual({ "510100": 3, "510700": 2 });
    expect([r.leads.openNow, r.leads.overdueNow, r.leads.concluded]).toEqual([3, 2, 3]);
    expect(r.scope.regionName).toBe("四川省");
  });

  it("a city counts its districts, a district itself", async () => {
    const city = await stats({ ...TWO_MONTHS, regionCode: "510100" });
    expect([city.leads.received, city.leads.concluded, city.leads.openNow]).toEqual([3, 3, 1]);
    expect(city.breakdown.byRegion).toEqual({ "510104": 3 });
    const mianyang = await stats({ ...TWO_MONTHS, regionCode: "510703" });
    expect(mianyang.leads).toMatchObject({ received: 2, bySource: { tip: 0, batch: 1, hotline: 1 }, openNow: 2, overdueNow: 1, concluded: 0 });
    expect(mianyang.breakdown.byRegion).toEqual({ "510703": 2 });
    expect(mianyang.rewards).toEqual({ eligible: 0, claimed: 0, approved: 0, rejected: 0, paid: 0, paidFen: 0 });
    const nanjing = await stats({ ...TWO_MONTHS, regionCode: "320000" });
    expect(nanjing.leads).toMatchObject({ received: 1, openNow: 1, overdueNow: 1, concluded: 0 });
    expect(nanjing.breakdown.tips).toEqual({ received: 1, anonymous: 0, realName: 1, insider: 0 });
  });

  it("a team counts its own leads and names the team", async () => {
    const r = await stats({ ...TWO_MONTHS, teamId: chengduTeam });
    expect(r.leads).toMatchObject({ received: 3, concluded: 3, openNow: 1, overdueNow: 1 });
    expect(r.rewards).toEqual({ eligible: 2, claimed: 3, approved: 1, rejected: 1, paid: 1, paidFen: 3000 });
    expect(r.scope.teamName).toBe("成都市核查一组");
    const m = await stats({ ...TWO_MONTHS, teamId: mianyangTeam });
    expect(m.leads).toMatchObject({ received: 2, concluded: 0, openNow: 2 });
    expect(m.timelinessDetail.ackWorkingHours).toEqual({ count: 1, median: 4, p90: 4 });
  });

  it("a source counts its own leads", async () => {
    const tip = await stats({ ...TWO_MONTHS, source: "tip" });
    expect(tip.leads).toMatchObject({ received: 3, bySource: { tip: 3, batch: 0, hotline: 0 }, concluded: 3, openNow: 2 });
    const hotline = await stats({ ...TWO_MONTHS, source: "hotline" });
    expect(hotline.leads).toMatchObject({ received: 2, concluded: 0, declined: 1, openNow: 1, overdueNow: 0 });
    expect(hotline.amounts).toEqual({ verifiedFen: 0, recoveredFen: 0, finesFen: 0 });
  });

  it("a period with nothing in it is the empty report (open and overdue now still count)", async () => {
    const r = await stats({ period: "2026-08" });
    const empty = emptyStatistics(r.period);
    expect({ ...r.leads, openNow: 0, overdueNow: 0 }).toEqual(empty.leads);
    expect([r.leads.openNow, r.leads.overdueNow]).toEqual([4, 3]);
    expect(r.amounts).toEqual(empty.amounts);
    expect(r.measures).toEqual(empty.measures);
    expect(r.rewards).toEqual(empty.rewards);
    expect(r.timeliness).toEqual({ acknowledgedInTime: null, decidedInTime: null, closedInTime: null });
    expect(r.timelinessDetail.ackWorkingHours).toEqual({ count: 0, median: null, p90: null });
    expect(r.breakdown.byRegion).toEqual({});
    expect(r.monthly).toEqual([{ month: "2026-08", received: { tip: 0, batch: 0, hotline: 0 }, concluded: 0 }]);
  });
});

describe("resolveStatisticsScope", () => {
  const refusal = async (input: StatisticsScopeInput) => {
    try {
      await resolveStatisticsScope(ctx.deps, input, NOW);
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      return { code: (e as AppError).code, ...(e as AppError).options.details };
    }
    throw new Error("not refused");
  };

  it("defaults to this month so far and reads period texts and ranges", async () => {
    expect((await resolveStatisticsScope(ctx.deps, {}, NOW)).period).toMatchObject({ from: "2026-11-01", to: "2026-11-24" });
    expect((await resolveStatisticsScope(ctx.deps, { period: "2026-Q3" }, NOW)).period).toMatchObject({ from: "2026-07-01", to: "2026-09-30" });
    const s = await resolveStatisticsScope(ctx.deps, { from: "2026-10-01", to: "2026-10-31", regionCode: "510104", teamId: chengduTeam, source: "tip" }, NOW);
    expect(s).toMatchObject({ period: { from: "2026-10-01", to: "2026-10-31" }, regionCode: "510104", teamId: chengduTeam, source: "tip" });
  });

  it("refuses an unknown team or region and an unreadable period, with a code", async () => {
    expect(await refusal({ teamId: "team-nope" })).toMatchObject({ code: "validation_failed", reason: "unknown_team" });
    expect(await refusal({ regionCode: "999999" })).toMatchObject({ code: "validation_failed", reason: "unknown_region" });
    expect(await refusal({ period: "someday" })).toMatchObject({ reason: "invalid_period", periodCode: "invalid_format" });
    expect(await refusal({ from: "2026-11-30", to: "2026-11-01" })).toMatchObject({ reason: "invalid_period", periodCode: "reversed" });
    expect(await refusal({ from: "2026-02-30", to: "2026-03-01" })).toMatchObject({ reason: "invalid_period", periodCode: "impossible_date" });
    expect(await refusal({ from: "2026-11-01" })).toMatchObject({ reason: "invalid_period" });
    expect(await refusal({ regionCode: "51" })).toMatchObject({ reason: "invalid_filters" });
  });
});
