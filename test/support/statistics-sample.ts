// A filled statistics report and lead ledger built by hand (emptyStatistics + values), for the export tests:
// every figure distinct, so a value in the wrong row shows.
import { emptyStatistics } from "../../src/core/statistics/report-shape";
import type { LeadLedgerRow, StatisticsReport } from "../../src/services/statistics/report";

export function sampleReport(): StatisticsReport {
  const base = emptyStatistics({ from: "2026-01-01", to: "2026-03-31" });
  return {
    ...base,
    leads: {
      received: 41,
      bySource: { tip: 23, batch: 11, hotline: 7 },
      acknowledged: 38,
      accepted: 30,
      declined: 5,
      openNow: 17,
      overdueNow: 3,
      concluded: 19,
      byOutcome: { substantiated: 8, partly_substantiated: 4, unsubstantiated: 3, referred_police: 2, referred_discipline: 1, referred_health_commission: 1 },
    },
    amounts: { verifiedFen: 123_456_789, recoveredFen: 98_765_432, finesFen: 1_000_050 },
    measures: { interview: 6, rectification: 9, suspend_agreement: 2, terminate_agreement: 1, administrative_penalty: 4, published: 3 },
    rewards: { eligible: 12, claimed: 10, approved: 8, rejected: 2, paid: 6, paidFen: 1_234_500 },
    timeliness: { acknowledgedInTime: 0.875, decidedInTime: 2 / 3, closedInTime: null },
    scope: { regionCode: "510000", regionName: "四川省", teamId: null, teamName: null, source: null, campaignId: null },
    asOf: Date.UTC(2026, 2, 31, 10, 0),
    breakdown: {
      byViolationType: { split_hospitalisation: 13, ghost_admission: 28 },
      byFocusArea: { dialysis: 5, orthopaedics: 14 },
      byRegion: { "510100": 29, "510700": 12 },
      tips: { received: 26, anonymous: 15, realName: 9, insider: 2 },
      corroborated: 4,
      referrals: { police: 2, discipline: 1, health_commission: 1 },
    },
    timelinessDetail: {
      counted: { ack: 32, decide: 27, close: 0 },
      ackWorkingHours: { count: 38, median: 3.25, p90: 20.5 },
      decideWorkingDays: { count: 35, median: 6, p90: 14 },
      closeWorkingDays: { count: 0, median: null, p90: null },
    },
    monthly: [],
    campaigns: [
      {
        campaignId: "c1",
        name: "2026年医保基金监管集中整治",
        deliverables: [
          { deliverableId: "d1", name: "一月统计表", dueDate: "2026-02-10", units: 21, onTime: 16, late: 3, missing: 2, returned: 1 },
          { deliverableId: "d2", name: "二月统计表", dueDate: "2026-03-10", units: 21, onTime: 18, late: 2, missing: 1, returned: 0 },
        ],
        reminders: { sent: 44, acknowledged: 37 },
      },
    ],
    batches: { count: 2, rows: 33, fedBack: 25, byOutcome: { substantiated: 7, unsubstantiated: 9 } },
  };
}

/** Two leads: a concluded one with amounts, measures and a target that looks like a formula; an open one. */
export function sampleLedger(): LeadLedgerRow[] {
  return [
    {
      leadId: "L-0001",
      source: "tip",
      violationType: "ghost_admission",
      focusAreas: ["orthopaedics", "dialysis"],
      regionCode: "510104",
      targetName: '=HYPERLINK("http://evil.example","点击")',
      state: "concluded",
      teamName: "锦江区医保局稽核组",
      handlerName: "王芳",
      corroboration: 3,
      // 2026-01-05 23:30 Shanghai is 15:30 UTC: the ledger shows the Shanghai date, the 5th.
      receivedAt: Date.UTC(2026, 0, 5, 15, 30),
      acknowledgedAt: Date.UTC(2026, 0, 5, 16, 30),
      acceptedAt: Date.UTC(2026, 0, 8, 2, 0),
      closedAt: Date.UTC(2026, 1, 20, 3, 0),
      outcome: "substantiated",
      verifiedFen: 12_345_678,
      recoveredFen: 10_000_000,
      fineFen: 2_500_050,
      measures: ["interview", "published"],
    },
    {
      leadId: "L-0002",
      source: "hotline",
      violationType: "split_hospitalisation",
      focusAreas: [],
      regionCode: "510700",
      targetName: "绵阳某医院",
      state: "investigating",
      teamName: null,
      handlerName: null,
      corroboration: 1,
      receivedAt: Date.UTC(2026, 2, 1, 1, 0),
      acknowledgedAt: null,
      acceptedAt: null,
      closedAt: null,
      outcome: null,
      verifiedFen: null,
      recoveredFen: null,
      fineFen: null,
      measures: [],
    },
  ];
}
