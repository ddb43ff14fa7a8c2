// Members as a list a person reads (CLI `members`, people pages): each with the name of their team or,
// for a unit's contact, their unit — read once for the whole list, never per row.
import { units, type MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { currentOrg } from "./org-cache";

export interface DirectoryEntry {
  member: MemberRow;
  /** The team's name, the contact's unit's name, or null for neither. */
  place: string | null;
  placeKind: "team" | "unit" | null;
}

export async function listMemberDirectory(deps: ServiceDeps): Promise<DirectoryEntry[]> {
  const [org, unitRows] = await Promise.all([currentOrg(deps), deps.db.select({ id: units.id, name: units.name }).from(units)]);
  const unitName = new Map(unitRows.map((u) => [u.id, u.name]));
  return [...org.memberById.values()].map((member) => {
    const team = member.teamId ? org.teamById.get(member.teamId)?.name : undefined;
    if (team) return { member, place: team, placeKind: "team" as const };
    const unit = member.unitId ? unitName.get(member.unitId) : undefined;
    if (unit) return { member, place: unit, placeKind: "unit" as const };
    return { member, place: null, placeKind: null };
  });
}
