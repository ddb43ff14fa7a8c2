// Where a member belongs, by name, for the workspace header and lists: their team (from the cached
// organisation, no round trip when current enough) or, for a unit's contact, their unit.
import { eq } from "drizzle-orm";
import { units, type MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { orgSnapshot } from "../org/org-cache";

/** The team's or unit's name, or null for a member of neither. */
export async function memberPlaceName(deps: ServiceDeps, member: Pick<MemberRow, "teamId" | "unitId">): Promise<string | null> {
  if (member.teamId) return (await orgSnapshot(deps)).teamById.get(member.teamId)?.name ?? null;
  if (member.unitId) return (await deps.db.query.units.findFirst({ columns: { name: true }, where: eq(units.id, member.unitId) }))?.name ?? null;
  return null;
}
