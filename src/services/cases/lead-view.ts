// A lead opened in the workspace by a signed-in member: the same need-to-know as the case page (who may
// handle the lead; scrubbed text; neutral file labels; identity only by the logged reveal) plus what the
// member needs to work it — its tips by number, its history, its outcome and amounts, and the steps
// their role may take now. The view is logged (platform web, the session as reference) before reading.
import type { LeadState } from "../../core/lead-lifecycle";
import { isLeadOpen } from "../../core/lead-lifecycle";
import { decryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { asActor, mayHandleLead } from "../leads/lead-model";
import { decryptLeadSummary, getLead } from "../leads/reads";
import { logRefusal } from "../leads/refusals";
import { leadTimeline, type TimelineEntry } from "../leads/lead-timeline";
import { listLeadTips, type LeadTip } from "../leads/tips";
import { currentOrg } from "../org/org-cache";
import { mayRevealIdentity, recordCaseEvent, type CaseAccess, type LeadRow, type MemberRow } from "./case-access";
import { readCaseReports, type CaseReport } from "./open-case";
import { readersOf, type ChatReader } from "../read-receipts/readers";

/** The steps a member may take on the lead now (the chat card's buttons for its state, and the role's rights). */
export interface LeadActions {
  acknowledge: boolean;
  accept: boolean;
  decline: boolean;
  investigate: boolean;
  conclude: boolean;
  refer: boolean;
  ask: boolean;
  reassign: boolean;
}

export function leadActionsFor(member: MemberRow, lead: LeadRow, tipCount: number): LeadActions {
  const may = mayHandleLead(member, lead);
  const state = lead.state as LeadState;
  const open = isLeadOpen(state);
  const deciding = state === "new" || state === "acknowledged";
  const working = state === "accepted" || state === "investigating";
  return {
    acknowledge: may && state === "new",
    accept: may && deciding,
    decline: may && deciding,
    investigate: may && state === "accepted",
    conclude: may && working,
    refer: may && working,
    ask: may && open && tipCount > 0,
    // planReassign's rule: a team lead of the lead's team, or a coordinator.
    reassign: open && member.active && (member.role === "coordinator" || (member.role === "team_lead" && member.teamId !== null && member.teamId === lead.teamId)),
  };
}

/**
 * The lead for this member, or not_found — the same answer for a lead that does not exist and one the
 * member may not handle, so ids cannot be probed; the refused look is logged.
 */
export async function authoriseLeadForMember(deps: ServiceDeps, input: { member: MemberRow; leadId: string; sessionId: string; attempted: string }): Promise<CaseAccess> {
  const lead = await getLead(deps, input.leadId);
  if (lead && mayHandleLead(input.member, lead)) return { member: input.member, lead, platformRef: input.sessionId };
  if (lead) await logRefusal(deps, asActor({ member: input.member, platform: "web", platformRef: input.sessionId }), lead.id, input.attempted, "not_permitted", null);
  throw new AppError("not_found", "no such lead for this member", { messageKey: "workspace.leads.not_found" });
}

export interface LeadView {
  lead: LeadRow;
  /** The card's scrubbed excerpt (for batch and hotline leads, what the lead says). */
  summary: string;
  declineReason: string | null;
  teamName: string | null;
  assigneeName: string | null;
  tips: LeadTip[];
  /** The tips' reports, each with its tip number (null: a report not among the tips, which does not happen). */
  reports: CaseReport[];
  timeline: TimelineEntry[];
  canReveal: boolean;
  actions: LeadActions;
  /** Whom the lead may be reassigned to, by name and team. */
  reassignTargets: { id: string; name: string; teamName: string }[];
  /** Members who may handle it and read its card (Feishu, DingTalk read receipts) while nobody has acknowledged it: "read, not acknowledged". */
  readNotAcknowledged: ChatReader[];
}

export async function openLeadView(deps: ServiceDeps, input: { member: MemberRow; leadId: string; sessionId: string }): Promise<LeadView> {
  const access = await authoriseLeadForMember(deps, { ...input, attempted: "view" });
  await recordCaseEvent(deps, input.member, input.leadId, "lead.case_viewed", { via: "workspace" }, input.sessionId);
  // Read again after the event: the page shows the lead as it is now.
  const lead = (await getLead(deps, input.leadId)) ?? access.lead;
  const [tips, reports, org, summary, readers] = await Promise.all([
    listLeadTips(deps, lead.id),
    readCaseReports(deps, lead.id),
    currentOrg(deps),
    decryptLeadSummary(deps, lead),
    lead.state === "new" ? readersOf(deps, "lead", [lead.id]) : null,
  ]);
  const actions = leadActionsFor(input.member, lead, tips.length);
  const teamName = (id: string | null) => (id ? (org.teamById.get(id)?.name ?? null) : null);
  const reassignTargets = actions.reassign
    ? [...org.memberById.values()]
        .filter((m) => m.active && m.teamId && (m.role === "inspector" || m.role === "team_lead") && m.id !== lead.assigneeId)
        .filter((m) => input.member.role === "coordinator" || m.teamId === input.member.teamId)
        .map((m) => ({ id: m.id, name: m.displayName, teamName: teamName(m.teamId) ?? "" }))
        .sort((a, b) => a.teamName.localeCompare(b.teamName) || a.name.localeCompare(b.name))
    : [];
  return {
    lead,
    summary,
    declineReason: lead.declineReasonEnc ? await decryptText(deps.keys, lead.declineReasonEnc, `lead:${lead.id}:decline_reason`) : null,
    teamName: teamName(lead.teamId),
    assigneeName: lead.assigneeId ? (org.memberById.get(lead.assigneeId)?.displayName ?? null) : null,
    tips,
    reports,
    timeline: await leadTimeline(deps, lead.id, tips),
    canReveal: mayRevealIdentity(input.member),
    actions,
    reassignTargets,
    // Only those who could have acknowledged it (its assignee, the team lead, coordinators).
    readNotAcknowledged: (readers?.get(lead.id) ?? []).filter((r) => {
      const m = org.memberById.get(r.memberId);
      return m !== undefined && mayHandleLead(m, lead);
    }),
  };
}
