// What a refusal is about, as data: the code a use case gave and the context needed to say it in
// words (refusal-text.ts). Kept apart so errors.ts can carry one without importing the renderer.
import type { LeadRow, RewardClaimRow } from "../../db/schema";

/** Which use case refused: the same code (not_permitted, changed_meanwhile …) means different things in each. */
export type RefusalScope = "lead" | "reward" | "campaign" | "batch" | "org" | "chat";

export interface Refusal {
  scope: RefusalScope;
  /** The refusal code the use case returned or threw (role_not_allowed, invalid_transition …). */
  code: string;
  /** What was attempted: a lead command (acknowledge, decline, reassign …), a reward step (approve, pay, exclude, add_tip, view_claimant …). */
  action?: string;
  /** Who tried: never offered as someone to ask. */
  actorId?: string;
  lead?: Pick<LeadRow, "id" | "state" | "teamId" | "assigneeId"> | null;
  /** When the lead itself is not known (an unknown id). */
  leadId?: string;
  claim?: Pick<RewardClaimRow, "status" | "coordinatorApprovedBy"> | null;
  /** A campaign unit the refusal is about (not_contact). */
  unit?: { id: string; name: string } | null;
}

