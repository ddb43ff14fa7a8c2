// Who may open a campaign's staff pages from a signed link: a unit's page for an active contact of
// that unit, the board for an active coordinator. Null when the link or the member no longer fits.
import type { MemberRow, UnitRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { findMember } from "../org/member-lookups";
import { isCoordinator } from "./assignments";
import { verifyBoardLinkToken, verifyUnitLinkToken } from "./links";
import { mayActForUnit } from "./units";
import { getUnit } from "./unit-view";

export type { AssignmentRow, MemberRow, SubmissionRow, UnitRow } from "../../db/schema";

/** The contact the unit link was issued to, if still an active contact of this unit, with the unit. */
export async function authoriseUnitContact(deps: ServiceDeps, unitId: string, token: string | undefined): Promise<{ member: MemberRow; unit: UnitRow } | null> {
  const memberId = await verifyUnitLinkToken(deps, unitId, token);
  if (!memberId) return null;
  const member = await findMember(deps, memberId);
  if (!member || !mayActForUnit(member, unitId)) return null;
  const unit = await getUnit(deps, unitId);
  if (!unit) return null;
  return { member, unit };
}

/** The coordinator the board link was issued to, if still an active coordinator. */
export async function authoriseBoardCoordinator(deps: ServiceDeps, campaignId: string, token: string | undefined): Promise<MemberRow | null> {
  const memberId = await verifyBoardLinkToken(deps, campaignId, token);
  if (!memberId) return null;
  const member = await findMember(deps, memberId);
  return member && isCoordinator(member) ? member : null;
}
