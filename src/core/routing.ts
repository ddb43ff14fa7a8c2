// Which team gets a lead and who in it: the most specific team covering the lead's region, focus area
// and violation type; within it, the inspector with the fewest open leads. Nothing matches → the
// coordinators' destination, unassigned.

export interface RoutingTeam {
  id: string;
  /** 000000 whole country, 510000 a province, 510100 a city, 510104 a district. */
  regionCode: string;
  focusAreas: string[];
  violationTypes: string[];
  isCoordinators: boolean;
  active: boolean;
}

export interface RoutingMember {
  id: string;
  teamId: string;
  role: "inspector" | "team_lead" | "coordinator" | "finance";
  active: boolean;
  openLeads: number;
}

export interface RoutableLead {
  regionCode: string;
  focusAreas: string[];
  violationType: string;
}

export interface RouteResult {
  teamId: string | null;
  assigneeId: string | null;
  matched: boolean;
}

/** The code prefix a team's scope covers: "" for the whole country, "51" for Sichuan, "5101" for Chengdu. */
export function regionScopePrefix(code: string): string {
  if (code === "000000") return "";
  if (code.endsWith("0000")) return code.slice(0, 2);
  if (code.endsWith("00")) return code.slice(0, 4);
  return code;
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function routeLead(lead: RoutableLead, teams: RoutingTeam[], members: RoutingMember[]): RouteResult {
  const candidates = teams
    .filter((t) => t.active && !t.isCoordinators)
    .map((t) => {
      const prefix = regionScopePrefix(t.regionCode);
      const focusMatch = t.focusAreas.length === 0 ? 0 : lead.focusAreas.some((f) => t.focusAreas.includes(f)) ? 1 : -1;
      const typeMatch = t.violationTypes.length === 0 ? 0 : t.violationTypes.includes(lead.violationType) ? 1 : -1;
      const open = members.filter((m) => m.teamId === t.id && m.active).reduce((n, m) => n + m.openLeads, 0);
      return { team: t, covers: lead.regionCode.startsWith(prefix) && focusMatch >= 0 && typeMatch >= 0, depth: prefix.length, focusMatch, typeMatch, open };
    })
    .filter((c) => c.covers)
    .sort((a, b) => b.depth - a.depth || b.focusMatch - a.focusMatch || b.typeMatch - a.typeMatch || a.open - b.open || compareIds(a.team.id, b.team.id));

  const chosen = candidates[0]?.team;
  if (!chosen) {
    const coordinators = teams.filter((t) => t.active && t.isCoordinators).sort((a, b) => compareIds(a.id, b.id))[0];
    return { teamId: coordinators?.id ?? null, assigneeId: null, matched: false };
  }
  const assignee = members
    .filter((m) => m.teamId === chosen.id && m.active && (m.role === "inspector" || m.role === "team_lead"))
    // Inspectors before team leads at equal load: leads supervise first and take cases second.
    .sort((a, b) => a.openLeads - b.openLeads || (a.role === b.role ? 0 : a.role === "inspector" ? -1 : 1) || compareIds(a.id, b.id))[0];
  return { teamId: chosen.id, assigneeId: assignee?.id ?? null, matched: true };
}

/**
 * Teams whose members' load can decide the route of this lead (the covering teams): routing reads
 * open-lead counts of these teams' members only.
 */
export function coveringTeamIds(lead: RoutableLead, teams: RoutingTeam[]): string[] {
  return teams
    .filter((t) => {
      if (!t.active || t.isCoordinators) return false;
      const focusOk = t.focusAreas.length === 0 || lead.focusAreas.some((f) => t.focusAreas.includes(f));
      const typeOk = t.violationTypes.length === 0 || t.violationTypes.includes(lead.violationType);
      return lead.regionCode.startsWith(regionScopePrefix(t.regionCode)) && focusOk && typeOk;
    })
    .map((t) => t.id);
}
