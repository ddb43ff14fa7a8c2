// THE statistics use case (issue 18): every figure of a period and scope, from one batch of indexed
// aggregate statements (lead-queries.ts) plus the campaign and batch figures; nothing else counts leads.
import { regionDisplayName } from "../../core/regions";
import { REPORT_OUTCOMES } from "../../core/report-status";
import { REWARD_STATUSES } from "../../core/rewards/claims";
import { elapsedFigures } from "../../core/statistics/elapsed";
import { ratio } from "../../core/statistics/percentiles";
import { monthsInPeriod } from "../../core/statistics/periods";
import { emptyStatistics, STATISTICS_MEASURES, STATISTICS_SOURCES, type StatisticsSource } from "../../core/statistics/report-shape";
import type { Distribution } from "../../core/statistics/timeliness";
import type { ServiceDeps } from "../deps";
import { orgSnapshot, type OrgSnapshot } from "../org/org-cache";
import { batchFigures } from "./batch-figures";
import { campaignFigures } from "./campaign-figures";
import {
  concludedQuery,
  focusQuery,
  legacyQuery,
  measuresQuery,
  openQuery,
  percentileQuery,
  receivedGroupsQuery,
  receivedTotalsQuery,
  rewardsQuery,
  tipsQuery,
  type ConcludedGroup,
  type ElapsedMeasure,
  type LegacyLead,
  type ReceivedGroup,
  type ReceivedTotals,
} from "./lead-queries";
import type { MonthFigures, StatisticsReport, StatisticsScope } from "./report";

const MEASURES_OF: readonly ElapsedMeasure[] = ["ack", "decide", "close"];
const REFERRALS = { referred_police: "police", referred_discipline: "discipline", referred_health_commission: "health_commission" } as const;

const num = (v: unknown) => (v == null ? 0 : Number(v));
const add = (record: Record<string, number>, key: string, n: number) => {
  if (n) record[key] = (record[key] ?? 0) + n;
};

type PercentileRow = { v: number; rn: number; n: number };

function distribution(rows: readonly PercentileRow[]): Distribution {
  const n = num(rows[0]?.n);
  if (!n) return { count: 0, median: null, p90: null };
  const at = (rank: number) => {
    const row = rows.find((r) => num(r.rn) === rank);
    return row ? Number(row.v) : null;
  };
  return { count: n, median: at(Math.max(1, Math.ceil(n * 0.5))), p90: at(Math.max(1, Math.ceil(n * 0.9))) };
}

/** Elapsed figures of leads changed before migration 0020, computed from their timestamps. */
function legacyValues(rows: readonly LegacyLead[], org: OrgSnapshot): Record<ElapsedMeasure, number[]> {
  const out: Record<ElapsedMeasure, number[]> = { ack: [], decide: [], close: [] };
  const ctx = { cal: org.policy.calendar, wh: org.policy.workingHours, policy: org.policy.deadlines };
  for (const r of rows) {
    const e = elapsedFigures({ receivedAt: num(r.receivedAt), acknowledgedAt: r.acknowledgedAt, decidedAt: r.acceptedAt, closedAt: r.closedAt, ackBy: num(r.ackBy) }, ctx);
    if (r.ackWorkHours == null && e.ackWorkHours != null) out.ack.push(e.ackWorkHours);
    if (r.decideWorkDays == null && e.decideWorkDays != null) out.decide.push(e.decideWorkDays);
    if (r.closeWorkDays == null && e.closeWorkDays != null) out.close.push(e.closeWorkDays);
  }
  return out;
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
  const none: number[] = [];
  const statements = [
    db.all<ReceivedTotals>(receivedTotalsQuery(scope, nowMs)),
    db.all<ReceivedGroup>(receivedGroupsQuery(scope)),
    db.all<ConcludedGroup>(concludedQuery(scope)),
    db.all<{ measure: string; n: number }>(measuresQuery(scope)),
    db.all<{ open: number; overdue: number }>(openQuery(scope, nowMs)),
    db.all<{ eligible: number; claimed: number; approved: number; rejected: number; paid: number; paidFen: number }>(rewardsQuery(scope, REWARD_STATUSES)),
    db.all<{ area: string; n: number }>(focusQuery(scope)),
    db.all<{ n: number; anonymous: number; insider: number }>(tipsQuery(scope)),
    ...MEASURES_OF.map((m) => db.all<PercentileRow>(percentileQuery(scope, m, none))),
  ] as const;
  const [results, org, campaigns, batches] = await Promise.all([db.batch(statements), orgSnapshot(deps), campaignFigures(deps, scope, now), batchFigures(deps, scope)]);
  const [totalRows, receivedRows, concludedRows, measureRows, openRows, rewardRows, focusRows, tipRows, ...percentileRows] = results as unknown as [
    ReceivedTotals[],
    ReceivedGroup[],
    ConcludedGroup[],
    { measure: string; n: number }[],
    { open: number; overdue: number }[],
    { eligible: number; claimed: number; approved: number; rejected: number; paid: number; paidFen: number }[],
    { area: string; n: number }[],
    { n: number; anonymous: number; insider: number }[],
    ...PercentileRow[][],
  ];

  const base = emptyStatistics(scope.period);
  const leads = base.leads;
  const breakdown: StatisticsReport["breakdown"] = {
    byViolationType: {},
    byFocusArea: {},
    byRegion: {},
    tips: { received: 0, anonymous: 0, realName: 0, insider: 0 },
    corroborated: 0,
    referrals: { police: 0, discipline: 0, health_commission: 0 },
  };
  const months = monthsInPeriod(scope.period);
  const monthly = new Map<string, MonthFigures>(months.map((m) => [m, { month: m, received: { tip: 0, batch: 0, hotline: 0 }, concluded: 0 }]));
  for (const g of receivedRows) {
    const n = num(g.n);
    leads.received += n;
    if ((STATISTICS_SOURCES as readonly string[]).includes(g.source)) {
      leads.bySource[g.source as StatisticsSource] += n;
      const month = monthly.get(g.month);
      if (month) month.received[g.source as StatisticsSource] += n;
    }
    add(breakdown.byViolationType, g.violationType, n);
    add(breakdown.byRegion, g.region, n);
  }
  const t = Object.fromEntries(Object.entries(totalRows[0] ?? {}).map(([k, v]) => [k, num(v)])) as Record<keyof ReceivedTotals, number>;
  leads.acknowledged = num(t.acknowledged);
  leads.accepted = num(t.accepted);
  leads.declined = num(t.declined);
  breakdown.corroborated = num(t.corroborated);

  const amounts = base.amounts;
  for (const g of concludedRows) {
    const n = num(g.n);
    leads.concluded += n;
    if (g.outcome && (REPORT_OUTCOMES as readonly string[]).includes(g.outcome)) leads.byOutcome[g.outcome as (typeof REPORT_OUTCOMES)[number]] += n;
    const body = g.outcome ? REFERRALS[g.outcome as keyof typeof REFERRALS] : undefined;
    if (body) breakdown.referrals[body] += n;
    amounts.verifiedFen += num(g.verifiedFen);
    amounts.recoveredFen += num(g.recoveredFen);
    amounts.finesFen += num(g.fineFen);
    const month = monthly.get(g.month);
    if (month) month.concluded += n;
  }
  for (const m of measureRows) if ((STATISTICS_MEASURES as readonly string[]).includes(m.measure)) base.measures[m.measure as (typeof STATISTICS_MEASURES)[number]] += num(m.n);

  leads.openNow = num(openRows[0]?.open);
  leads.overdueNow = num(openRows[0]?.overdue);
  const r = rewardRows[0];
  base.rewards = { eligible: num(r?.eligible), claimed: num(r?.claimed), approved: num(r?.approved), rejected: num(r?.rejected), paid: num(r?.paid), paidFen: num(r?.paidFen) };
  for (const f of focusRows) add(breakdown.byFocusArea, String(f.area), num(f.n));
  const tips = tipRows[0];
  breakdown.tips = { received: num(tips?.n), anonymous: num(tips?.anonymous), realName: num(tips?.n) - num(tips?.anonymous), insider: num(tips?.insider) };

  base.timeliness = { acknowledgedInTime: ratio(num(t.ackInTime), num(t.ackCounted)), decidedInTime: ratio(num(t.decideInTime), num(t.decideCounted)), closedInTime: ratio(num(t.closeInTime), num(t.closeCounted)) };

  // Leads changed before migration 0020 have events without stored elapsed figures: compute theirs from
  // the timestamps and take the percentiles again over both (a second round trip, only while such leads exist).
  let distributions = percentileRows.map(distribution);
  if (num(t.missing) > 0) {
    const legacy = legacyValues(await db.all<LegacyLead>(legacyQuery(scope)), org);
    const again = await db.batch([
      db.all<PercentileRow>(percentileQuery(scope, "ack", legacy.ack)),
      db.all<PercentileRow>(percentileQuery(scope, "decide", legacy.decide)),
      db.all<PercentileRow>(percentileQuery(scope, "close", legacy.close)),
    ]);
    distributions = (again as unknown as PercentileRow[][]).map(distribution);
  }
  const [ackWorkingHours, decideWorkingDays, closeWorkingDays] = distributions as [Distribution, Distribution, Distribution];

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
    timelinessDetail: { counted: { ack: num(t.ackCounted), decide: num(t.decideCounted), close: num(t.closeCounted) }, ackWorkingHours, decideWorkingDays, closeWorkingDays },
    monthly: [...monthly.values()],
    campaigns,
    batches,
  };
}
