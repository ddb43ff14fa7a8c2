// The link into the workspace statistics page (/staff/statistics) with the filters of a scope, for chat
// answers and the digest. It carries no secret: the page asks for a staff session.
import type { ServiceDeps } from "../deps";
import { publicBaseUrl } from "../workspace/session-rules";
import type { StatisticsScope } from "./report";

/**
 * The query of the page for a scope, in the keys the page reads (http/staff/workspace/statistics-query.ts):
 * the period as fixed from/to dates (a "this month" link still shows the same days tomorrow), and each
 * filter that narrows it.
 */
export function statisticsPageQuery(scope: StatisticsScope): string {
  const q = new URLSearchParams({ from: scope.period.from, to: scope.period.to });
  if (scope.regionCode) q.set("region", scope.regionCode);
  if (scope.teamId) q.set("team", scope.teamId);
  if (scope.source) q.set("source", scope.source);
  if (scope.campaignId) q.set("campaign", scope.campaignId);
  return q.toString();
}

export function statisticsPageUrl(deps: ServiceDeps, scope: StatisticsScope): string {
  return `${publicBaseUrl(deps)}/staff/statistics?${statisticsPageQuery(scope)}`;
}
