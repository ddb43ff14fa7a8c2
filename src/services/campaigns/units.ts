// Campaign units as recipients: which units a campaign for a region reaches, their contacts, the
// region containment rule (a province code covers its cities and districts), and who may act for a
// unit or review its work.
import { and, eq, inArray } from "drizzle-orm";
import { members, units, type MemberRow, type UnitRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";

/** The code prefix a GB/T 2260 area covers: 510000 → "51", 510100 → "5101", 510106 → "510106", 000000 → "". */
export function regionPrefix(area: string): string {
  if (area === "000000") return "";
  if (area.endsWith("0000")) return area.slice(0, 2);
  if (area.endsWith("00")) return area.slice(0, 4);
  return area;
}

/** True when `code` lies in `area` (the area itself included). */
export function regionContains(area: string, code: string): boolean {
  return code.startsWith(regionPrefix(area));
}

/** Active units of these kinds inside the area, in a stable order (by id). */
export async function unitsInRegion(deps: ServiceDeps, area: string, kinds: readonly string[]): Promise<UnitRow[]> {
  if (kinds.length === 0) return [];
  // Units are few (hundreds at most): the kind index narrows, the prefix test runs here.
  const rows = await deps.db.select().from(units).where(and(inArray(units.kind, [...kinds]), eq(units.active, true)));
  return rows.filter((u) => regionContains(area, u.regionCode)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The unit's active contacts (members with role `contact` and this unit). */
export async function contactsOfUnit(deps: ServiceDeps, unitId: string): Promise<MemberRow[]> {
  return deps.db.select().from(members).where(and(eq(members.unitId, unitId), eq(members.role, "contact"), eq(members.active, true)));
}

/** Contacts may act for their own unit only; nobody else may press a unit's buttons or use its page. */
export function mayActForUnit(member: Pick<MemberRow, "active" | "role" | "unitId">, unitId: string): boolean {
  return member.active && member.role === "contact" && member.unitId === unitId;
}

/** Coordinators review and move deadlines; contacts act for their unit only. */
export const isCoordinator = (member: Pick<MemberRow, "active" | "role">) => member.active && member.role === "coordinator";
