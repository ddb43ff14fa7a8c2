// Who may see which statistics: coordinators any scope; other staff with a team only their own team's
// figures (the team filter is forced to theirs); members with neither (unit contacts, staff without a
// team) none. The page, its exports and their log all ask here, so the rule lives in one place.
import type { MemberRow } from "../org/member-lookups";
import type { StatisticsFilters } from "./report";

export type StatisticsViewer = { kind: "all" } | { kind: "team"; teamId: string } | { kind: "refused" };

export function statisticsViewerOf(member: Pick<MemberRow, "role" | "teamId" | "active">): StatisticsViewer {
  if (!member.active || member.role === "contact") return { kind: "refused" };
  if (member.role === "coordinator") return { kind: "all" };
  return member.teamId ? { kind: "team", teamId: member.teamId } : { kind: "refused" };
}

/** The filters as this viewer may use them: a team viewer's team filter is always their own team. */
export function filtersForViewer<F extends StatisticsFilters>(viewer: Exclude<StatisticsViewer, { kind: "refused" }>, filters: F): F {
  return viewer.kind === "team" ? { ...filters, teamId: viewer.teamId } : filters;
}
