// THE statistics use case (issue 18): every figure of a period and scope, from one batch of indexed
// aggregate statements (lead-queries.ts) plus the campaign and batch figures; nothing else counts leads.
import { regionDisplayName } from "../../core/regions";
import { REPORT_OUTCOMES } from "../../core/report-status";
import { REWARD_STATUSES } from "../../core/rewards/claims";
import { ratio } from "../../core/statistics/percentiles";
import { emptyStatistics, STATISTICS_MEASURES, STATISTICS_SOURCES } from "../../core/statistics/report-shape";
import type { Distribution } from "../../core/statistics/timeliness";
import type { ServiceDeps } from "../deps";
import { orgSnapshot } from "../org/org-cache";
import { batchFigures } from "./batch-figures";
import { campaignFigures } from "./campaign-figures";
import { legacyElapsed } from "./legacy-elapsed";
import {
  concludedMonthQuery,
  focusQuery,
  histogramQuery,
  measuresQuery,
  monthRanges,
  openQuery,
  receivedMonthQuery,
  regionQuery,
  rewardsQuery,
  tipsQuery,
  violationTypeQuery,
  type ConcludedTotals,
  type ElapsedMeasure,
  type ReceivedTotals,
} from "./lead-queries";
import type { MonthFigures, StatisticsReport, StatisticsScope } from "./report";

const MEASURES_OF: readonly ElapsedMeasure[] = ["ack", "decide", "close"];
const REFERRALS = { referred_police: "police", referred_discipline: "discipline", referred_health_commission: "health_commission" } as const;

type RewardRow = { eligible: number; claimed: number; approved: number; rejected: number; paid: number; paidFen: number };

const num = (v: unknown) => (v == null ? 0 : Number(v));
const add = (record: Record<string, number>, key: string, n: number) => {
  if (n) record[key] = (record[key] ?? 0) + n;
};

type HistogramRow = { v: number; n: number };

/** Median and 90th percentile by nearest rank (as core/statistics/percentiles.ts) from (value, count) pairs. */
function distribution(rows: readonly HistogramRow[], extra: readonly number[]): Distribution {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(Number(r.v), (counts.get(Number(r.v)) ?? 0) + num(r.n));
  for (const v of extra) counts.set(v, (counts.get(v) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, n]) => sum + n, 0);
  if (!total) return { count: 0, median: null, p90: null };
  const at = (p: number) => {
    const rank = Math.max(1, Math.ceil((p / 100) * total));
    let seen = 0;
    for (const [v, n] of sorted) if ((seen += n) >= rank) return v;
    return null;
  };
  return { count: total, median: at(50), p90: at(90) };
}

/**
 * The statistics of `scope` at `now`. Received-in-period figures are over leads.received_at in
 * [startMs, endMs); concluded-in-period figures over leads concluded (state concluded, closed_at in the
 * range); open/overdue now ignore the period; rewards count each step in the period it happened in.
 * One batch of statements (one round trip), plus one more only when leads changed before migration 0020
 * lack their stored elapsed figures.
 */
export async function computeStatistics(deps: ServiceDeps, scope: StatisticsScope, now: Date): Promise<StatisticsReport> {
  const db = deps.db;
  const nowMs = now.getTime();
  const months = monthRanges(scope.period);
  // One batch, one round trip: per month the received and concluded figures, then the breakdowns.
  const statements = [
    ...months.map((m) => db.all<ReceivedTotals>(receivedMonthQuery(scope, m, nowMs))),
    ...months.map((m) => db.all<ConcludedTotals>(concludedMonthQuery(scope, m))),
    db.all<{ key: string; n: number }>(violationTypeQuery(scope)),
    db.all<{ key: string; n: number }>(regionQuery(scope)),
    db.all<{ area: string; n: number }>(focusQuery(scope)),
    db.all<{ n: number; anonymous: number; insider: number }>(tipsQuery(scope)),
    db.all<{ measure: string; n: number }>(measuresQuery(scope)),
    db.all<{ open: number; overdue: number }>(openQuery(scope, nowMs)),
    db.all<RewardRow>(rewardsQuery(scope, REWARD_STATUSES)),
    ...MEASURES_OF.map((m) => db.all<HistogramRow>(histogramQuery(scope, m))),
  ];
  const [results, org, campaigns, batches] = await Promise.all([
    db.batch(statements as unknown as [(typeof statements)[number], ...(typeof statements)[number][]]),
    orgSnapshot(deps),
    campaignFigures(deps, scope, now),
    batchFigures(deps, scope),
  ]);
  const all = results as unknown[][];
  const receivedMonths = all.slice(0, months.length) as ReceivedTotals[][];
  const concludedMonths = all.slice(months.length, 2 * months.length) as ConcludedTotals[][];
  const [typeRows, regionRows, focusRows, tipRows, measureRows, openRows, rewardRows, ...histograms] = all.slice(2 * months.length) as [
    { key: string; n: number }[],
    { key: string; n: number }[],
    { area: string; n: number }[],
    { n: number; anonymous: number; insider: number }[],
    { measure: string; n: number }[],
    { open: number; overdue: number }[],
    RewardRow[],
    ...HistogramRow[][],
  ];

  const base = emptyStatistics(scope.period);
  const leads = base.leads;
  const amounts = base.amounts;
  const breakdown: StatisticsReport["breakdown"] = {
    byViolationType: {},
    byFocusArea: {},
    byRegion: {},
    tips: { received: 0, anonymous: 0, realName: 0, insider: 0 },
    corroborated: 0,
    referrals: { police: 0, discipline: 0, health_commission: 0 },
  };
  const t = { ackCounted: 0, ackInTime: 0, decideCounted: 0, decideInTime: 0, closeCounted: 0, closeInTime: 0, missing: 0 };
  const monthly: MonthFigures[] = months.map(({ month }, i) => {
    const r = receivedMonths[i]![0];
    const c = concludedMonths[i]![0];
    const received = { tip: num(r?.tip), batch: num(r?.batch), hotline: num(r?.hotline) };
    leads.received += num(r?.n);
    for (const source of STATISTICS_SOURCES) leads.bySource[source] += received[source];
    leads.acknowledged += num(r?.acknowledged);
    leads.accepted += num(r?.accepted);
    leads.declined += num(r?.declined);
    breakdown.corroborated += num(r?.corroborated);
    for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += num(r?.[k]);
    leads.concluded += num(c?.n);
    for (const outcome of REPORT_OUTCOMES) leads.byOutcome[outcome] += num(c?.[outcome]);
    amounts.verifiedFen += num(c?.verifiedFen);
    amounts.recoveredFen += num(c?.recoveredFen);
    amounts.finesFen += num(c?.fineFen);
    return { month, received, concluded: num(c?.n) };
  });
  for (const [outcome, body] of Object.entries(REFERRALS)) breakdown.referrals[body] = leads.byOutcome[outcome as keyof typeof REFERRALS];
  for (const g of typeRows) add(breakdown.byViolationType, String(g.key), num(g.n));
  for (const g of regionRows) add(breakdown.byRegion, String(g.key), num(g.n));
  for (const f of focusRows) add(breakdown.byFocusArea, String(f.area), num(f.n));
  for (const m of measureRows) if ((STATISTICS_MEASURES as readonly string[]).includes(m.measure)) base.measures[m.measure as (typeof STATISTICS_MEASURES)[number]] += num(m.n);
  const tips = tipRows[0];
  breakdown.tips = { received: num(tips?.n), anonymous: num(tips?.anonymous), realName: num(tips?.n) - num(tips?.anonymous), insider: num(tips?.insider) };
  leads.openNow = num(openRows[0]?.open);
  leads.overdueNow = num(openRows[0]?.overdue);
  const r = rewardRows[0];
  base.rewards = { eligible: num(r?.eligible), claimed: num(r?.claimed), approved: num(r?.approved), rejected: num(r?.rejected), paid: num(r?.paid), paidFen: num(r?.paidFen) };
  base.timeliness = { acknowledgedInTime: ratio(t.ackInTime, t.ackCounted), decidedInTime: ratio(t.decideInTime, t.decideCounted), closedInTime: ratio(t.closeInTime, t.closeCounted) };

  // Leads changed before migration 0020 have events without stored elapsed figures: compute theirs from
  // the timestamps (one more read, only while such leads exist; legacy-elapsed.ts stores them for next
  // time) and add them to the histograms.
  const legacy = t.missing > 0 ? await legacyElapsed(deps, scope, org) : { ack: [], decide: [], close: [] };
  const [ackWorkingHours, decideWorkingDays, closeWorkingDays] = MEASURES_OF.map((m, i) => distribution(histograms[i] ?? [], legacy[m])) as [Distribution, Distribution, Distribution];

  const team = scope.teamId ? org.teamById.get(scope.teamId) : undefined;
  return {
    ...base,
    scope: {
      regionCode: scope.regionCode ?? null,
      regionName: scope.regionCode ? regionDisplayName(scope.regionCode) || null : null,
      teamId: scope.teamId ?? null,
      teamName: team?.name ?? null,
      source: scope.source ?? null,
      campaignId: scope.campaignId ?? null,
    },
    asOf: nowMs,
    breakdown,
    timelinessDetail: { counted: { ack: t.ackCounted, decide: t.decideCounted, close: t.closeCounted }, ackWorkingHours, decideWorkingDays, closeWorkingDays },
    monthly,
    campaigns,
    batches,
  };
}
