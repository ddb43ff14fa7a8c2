// Who may see which statistics on the workspace page and its exports, in the page's terms: everything
// (coordinators), one team (other staff of a team: the team filter is forced to theirs), or refused (unit
// contacts, staff without a team). The rule itself is statisticsTeamOf (member-statistics.ts), the one
// chat /stats uses too, so the page and chat can never disagree.
import type { MemberRow } from "../org/member-lookups";
import { statisticsTeamOf } from "./member-statistics";
import type { StatisticsFilters } from "./report";

export type StatisticsViewer = { kind: "all" } | { kind: "team"; teamId: string } | { kind: "refused" };

export function statisticsViewerOf(member: Pick<MemberRow, "role" | "teamId" | "active">): StatisticsViewer {
  const allowed = statisticsTeamOf(member);
  if (!allowed) return { kind: "refused" };
  return allowed.teamId ? { kind: "team", teamId: allowed.teamId } : { kind: "all" };
}

/** The filters as this viewer may use them: a team viewer's team filter is always their own team. */
export function filtersForViewer<F extends StatisticsFilters>(viewer: Exclude<StatisticsViewer, { kind: "refused" }>, filters: F): F {
  return viewer.kind === "team" ? { ...filters, teamId: viewer.teamId } : filters;
}
