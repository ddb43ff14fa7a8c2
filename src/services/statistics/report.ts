// The contract of the statistics use case (issue 18): the scope a coordinator asks about and the report
// every surface shows (CLI JSON/CSV/XLSX, /staff/statistics, chat /stats, the weekly digest, pre-filled
// statistics deliverables). One use case computes it (compute.ts); nothing else counts leads.
import { z } from "zod";
import type { Period } from "../../core/statistics/periods";
import type { Statistics, StatisticsSource } from "../../core/statistics/report-shape";
import type { Distribution } from "../../core/statistics/timeliness";
import { STATISTICS_SOURCES } from "../../core/statistics/report-shape";

/** What the figures are about. Period is required; every other filter narrows. */
export interface StatisticsScope {
  period: Period;
  /** A 6-digit region code (province 320000, city 320100, district 320102): that region and everything under it. */
  regionCode?: string;
  teamId?: string;
  source?: StatisticsSource;
  /** Narrows the campaign figures to one campaign (lead figures are not tied to campaigns). */
  campaignId?: string;
}

/** The filters as they arrive from a URL, the CLI or chat, before the period is resolved. */
export const statisticsFiltersSchema = z.object({
  regionCode: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  teamId: z.string().min(1).max(64).optional(),
  source: z.enum(STATISTICS_SOURCES).optional(),
  campaignId: z.string().min(1).max(64).optional(),
});
export type StatisticsFilters = z.infer<typeof statisticsFiltersSchema>;

export interface CampaignDeliverableFigures {
  deliverableId: string;
  /** The deliverable's name as the campaign defines it. */
  name: string;
  /** Due date (YYYY-MM-DD, Shanghai) for most units; per-unit moves are counted by each unit's own date. */
  dueDate: string;
  units: number;
  onTime: number;
  late: number;
  /** Past due and nothing submitted (accepted or pending). */
  missing: number;
  returned: number;
}

export interface CampaignFigures {
  campaignId: string;
  name: string;
  deliverables: CampaignDeliverableFigures[];
  reminders: { sent: number; acknowledged: number };
}

/** One month of the "leads per month by source" chart. */
export interface MonthFigures {
  month: string; // YYYY-MM
  received: Record<StatisticsSource, number>;
  concluded: number;
}

/**
 * The full report: the JSON shape (`Statistics`, checked by statisticsSchema) plus the breakdowns
 * the page, the ledger sheet and the digest need. Extra keys never replace or rename the keys.
 */
export interface StatisticsReport extends Statistics {
  /** The scope as asked, with names for people (never ids alone). */
  scope: { regionCode: string | null; regionName: string | null; teamId: string | null; teamName: string | null; source: StatisticsSource | null; campaignId: string | null };
  /** When `openNow`/`overdueNow` were taken (ms). */
  asOf: number;
  breakdown: {
    byViolationType: Record<string, number>;
    byFocusArea: Record<string, number>;
    /** Received leads by the next region level below the scope's region (provinces when unscoped). */
    byRegion: Record<string, number>;
    tips: { received: number; anonymous: number; realName: number; insider: number };
    /** Leads received in the period that more than one tip fed. */
    corroborated: number;
    referrals: { police: number; discipline: number; health_commission: number };
  };
  timelinessDetail: {
    counted: { ack: number; decide: number; close: number };
    ackWorkingHours: Distribution;
    decideWorkingDays: Distribution;
    closeWorkingDays: Distribution;
  };
  monthly: MonthFigures[];
  campaigns: CampaignFigures[];
  batches: { count: number; rows: number; fedBack: number; byOutcome: Record<string, number> };
}

/** One row of the lead ledger (one per lead received or concluded in scope). Never a tipster's identity. */
export interface LeadLedgerRow {
  leadId: string;
  source: StatisticsSource;
  violationType: string;
  focusAreas: string[];
  regionCode: string;
  targetName: string;
  state: string;
  teamName: string | null;
  /** The handler's display name (assignee, or whoever concluded). */
  handlerName: string | null;
  corroboration: number;
  receivedAt: number;
  acknowledgedAt: number | null;
  acceptedAt: number | null;
  closedAt: number | null;
  outcome: string | null;
  verifiedFen: number | null;
  recoveredFen: number | null;
  fineFen: number | null;
  measures: string[];
}
