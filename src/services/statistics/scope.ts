// Turns the statistics filters as a URL, the CLI or chat give them (period text or from/to, region,
// team, source, campaign) into a checked StatisticsScope, or an AppError saying what is wrong.
import { getRegion } from "../../core/regions";
import { parsePeriod, PeriodError, periodFromRange, relativePeriod, type Period } from "../../core/statistics/periods";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { orgSnapshot } from "../org/org-cache";
import { statisticsFiltersSchema, type StatisticsFilters, type StatisticsScope } from "./report";

export type StatisticsScopeInput = { period?: string; from?: string; to?: string } & StatisticsFilters;

/** Why a scope was refused: details.reason of the AppError (and its i18n key statistics.error.<reason>). */
export type StatisticsScopeProblem = "invalid_filters" | "invalid_period" | "unknown_region" | "unknown_team";

function refuse(reason: StatisticsScopeProblem, message: string, details: Record<string, string> = {}): AppError {
  // A period's own words say what would be accepted (statistics.period_error.<PeriodError code>).
  const messageKey = reason === "invalid_period" && details.periodCode ? `statistics.period_error.${details.periodCode}` : `statistics.error.${reason}`;
  return new AppError("validation_failed", message, { messageKey, details: { reason, ...details }, params: details });
}

function periodOf(input: StatisticsScopeInput, now: Date): Period {
  try {
    if (input.from !== undefined || input.to !== undefined) {
      if (input.from === undefined || input.to === undefined) throw new PeriodError("invalid_format", "a date range needs both from and to (YYYY-MM-DD)");
      return periodFromRange(input.from, input.to);
    }
    if (input.period !== undefined) return parsePeriod(input.period.slice(0, 60), now);
    // Default: this month so far.
    return relativePeriod("month", now);
  } catch (e) {
    if (e instanceof PeriodError) throw refuse("invalid_period", e.message, { periodCode: e.code });
    throw e;
  }
}

/**
 * The scope of a statistics request. Refuses (AppError validation_failed, details.reason) a period that
 * cannot be read (invalid_period, details.periodCode the PeriodError code), a region code that names no
 * region (unknown_region), a team that does not exist (unknown_team), or malformed filters.
 */
export async function resolveStatisticsScope(deps: ServiceDeps, input: StatisticsScopeInput, now: Date): Promise<StatisticsScope> {
  const filters = statisticsFiltersSchema.safeParse({ regionCode: input.regionCode, teamId: input.teamId, source: input.source, campaignId: input.campaignId });
  if (!filters.success) throw refuse("invalid_filters", filters.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const period = periodOf(input, now);
  const { regionCode, teamId, source, campaignId } = filters.data;
  if (regionCode !== undefined && !getRegion(regionCode)) throw refuse("unknown_region", `no region has the code ${regionCode}`, { regionCode });
  if (teamId !== undefined && !(await orgSnapshot(deps)).teamById.has(teamId)) throw refuse("unknown_team", "no team has that id", {});
  return {
    period,
    ...(regionCode !== undefined ? { regionCode } : {}),
    ...(teamId !== undefined ? { teamId } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(campaignId !== undefined ? { campaignId } : {}),
  };
}
