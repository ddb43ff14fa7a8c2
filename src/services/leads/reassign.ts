// Reassigning a lead (team lead or coordinator) to another active member: the same versioned write as
// the other lead commands, plus the card moving to the new team's chat.
import { and, eq } from "drizzle-orm";
import type { LeadState } from "../../core/lead-lifecycle";
import { retryBusy } from "../../db/retry";
import { events, leads, leadVersions, members, type MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { eventRow } from "../events";
import { orgSnapshot } from "../org/org-cache";
import { dedupeKeyUsed, leadCommandReads, leadCommandViews, writePlannedCommand, type CommandResult, type LeadCommandView, type PlannedCommand } from "./commands";
import { cardEnqueue } from "./lead-card-queue";
import { asActor, nextEscalationTime, parseEscalations, type MemberActor } from "./lead-model";

/**
 * Plans a reassignment from what leadCommandReads returned and the target member (no I/O): team
 * leads of the lead's team and coordinators may move a lead to another active member of a team.
 */
export function planReassign(
  deps: ServiceDeps,
  view: LeadCommandView | undefined,
  target: MemberRow | undefined,
  org: Awaited<ReturnType<typeof orgSnapshot>>,
  input: { leadId: string; actor: MemberActor; dedupeKey: string },
): PlannedCommand {
  const db = deps.db;
  const lead = view?.lead;
  if (!lead || !view) return { kind: "answer", result: { status: "refused", reason: "unknown_lead" } };
  const m = input.actor.member;
  const allowed = m.role === "coordinator" || (m.role === "team_lead" && m.teamId === lead.teamId);
  if (!allowed) return { kind: "answer", result: { status: "refused", reason: "not_permitted", lead } };
  if (!target || !target.active || !target.teamId) return { kind: "answer", result: { status: "refused", reason: "invalid_transition", lead } };
  const now = deps.now().getTime();
  const version = lead.version + 1;
  const newTeam = org.teamById.get(target.teamId);
  const statements: unknown[] = [
    db.insert(leadVersions).values({ leadId: lead.id, version, createdAt: now }),
    db
      .update(leads)
      .set({ assigneeId: target.id, teamId: target.teamId, version, updatedAt: now, nextEscalationAt: nextEscalationTime(org.policy, lead, parseEscalations(lead)) })
      .where(and(eq(leads.id, lead.id), eq(leads.version, lead.version)))
      .returning(),
    db.insert(events).values(
      eventRow(asActor(input.actor), {
        occurredAt: now,
        entityType: "lead",
        entityId: lead.id,
        action: "lead.reassigned",
        fromState: lead.assigneeId,
        toState: target.id,
        data: JSON.stringify({ fromTeam: lead.teamId, toTeam: target.teamId }),
        dedupeKey: input.dedupeKey,
      }),
    ),
  ];
  // A batch lead moved within its team keeps living on its batch card; moved to another team, it gets a card there.
  if (view.hasCard || lead.teamId !== target.teamId) statements.push(...cardEnqueue(deps, { id: lead.id, version }, newTeam));
  if (view.hasCard && newTeam && lead.teamId !== target.teamId) statements.push(...cardEnqueue(deps, { id: lead.id, version }, lead.teamId ? org.teamById.get(lead.teamId) : undefined));
  return { kind: "write", leadId: lead.id, statements, from: lead.state as LeadState, to: lead.state as LeadState, fallback: lead };
}

/** Reassigns a lead (team lead or coordinator) to another active member. */
export async function reassignLead(deps: ServiceDeps, input: { leadId: string; toMemberId: string; actor: MemberActor; dedupeKey: string }): Promise<CommandResult> {
  const db = deps.db;
  const commandReads = leadCommandReads(db, [input.leadId]);
  const results = (await retryBusy(db, () => db.batch([...commandReads, db.select().from(members).where(and(eq(members.id, input.toMemberId), eq(members.active, true))), dedupeKeyUsed(db, input.dedupeKey)]))) as unknown as unknown[];
  if ((results[commandReads.length + 1] as unknown[]).length > 0) return { status: "duplicate" };
  const read = leadCommandViews(results.slice(0, commandReads.length));
  const org = await orgSnapshot(deps, read.orgVersion);
  const plan = planReassign(deps, read.views.get(input.leadId), (results[commandReads.length] as MemberRow[])[0], org, input);
  if (plan.kind === "answer") return plan.result;
  return writePlannedCommand(deps, plan, input.dedupeKey);
}
