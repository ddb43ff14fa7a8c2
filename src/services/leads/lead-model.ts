// What every lead use case shares: the open states, the escalation schedule, who may work a lead, and
// the member acting on it.
import { nextEscalationAt, notifyByOf, type EscalationState } from "../../core/deadlines";
import type { LeadState } from "../../core/lead-lifecycle";
import type { Platform } from "../../chat/types";
import type { LeadRow, MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import type { Actor } from "../events";
import { currentOrg, type LeadPolicy } from "../org/org-cache";

export type { LeadPolicy } from "../org/org-cache";

export const OPEN_LEAD_STATES: LeadState[] = ["new", "acknowledged", "accepted", "investigating"];
export const SUMMARY_CHARS = 280;

/** The lead policy (calendar with the installation's own days, deadlines, cluster window), from the org cache. */
export async function loadLeadPolicy(deps: ServiceDeps): Promise<LeadPolicy> {
  return (await currentOrg(deps)).policy;
}

/** The escalation schedule of a lead in `state` with these deadlines and steps sent (see core/deadlines). */
export function nextEscalationTime(
  policy: LeadPolicy,
  lead: { state: string; ackBy: number; acceptBy: number; finishBy: number; source?: string | null; acceptedAt?: number | null },
  sent: EscalationState,
): number | null {
  const next = nextEscalationAt({
    state: lead.state as LeadState,
    deadlines: { ackBy: new Date(lead.ackBy), acceptBy: new Date(lead.acceptBy), finishBy: new Date(lead.finishBy), notifyBy: notifyByOf(policy.calendar, lead, policy.deadlines) },
    sent,
    cal: policy.calendar,
    wh: policy.workingHours,
    policy: policy.deadlines,
  });
  return next ? next.getTime() : null;
}

export function parseEscalations(lead: LeadRow): EscalationState {
  try {
    return { ack: 0, accept: 0, finish: 0, ...(JSON.parse(lead.escalations) as Partial<EscalationState>) };
  } catch {
    return { ack: 0, accept: 0, finish: 0 };
  }
}

export interface MemberActor {
  member: MemberRow;
  platform: Platform | "web" | "cli";
  platformRef?: string | null;
}

export const asActor = (a: MemberActor): Actor => ({ type: "member", id: a.member.id, role: a.member.role, platform: a.platform, platformRef: a.platformRef ?? null });

/** Who may work a lead: its assignee, a team lead of its team, or a coordinator. */
export function mayHandleLead(member: MemberRow, lead: LeadRow): boolean {
  if (!member.active) return false;
  if (member.role === "coordinator") return true;
  if (lead.assigneeId === member.id) return true;
  return member.role === "team_lead" && member.teamId !== null && member.teamId === lead.teamId;
}
