// What every assignment use case shares: its result and actor shapes, the reminder policy that applies,
// and the assignment read with its campaign, deliverable and unit.
import { eq } from "drizzle-orm";
import type { AssignmentEventAction, AssignmentRefusal, AssignmentSnapshot } from "../../core/campaigns/assignment-state";
import { DEFAULT_REMINDER_POLICY, reminderPolicyOverrideSchema, resolvePolicy, type ReminderPolicy } from "../../core/campaigns/reminder-policy";
import { nextReminderAt } from "../../core/campaigns/reminders";
import type { AccountPlatform } from "../../chat/types";
import type { WorkCalendar } from "../../core/work-calendar";
import { assignments, campaigns, deliverables, units, type AssignmentRow, type CampaignRow, type DeliverableRow, type MemberRow, type TeamRow, type UnitRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import type { Actor } from "../events";
import type { OrgSnapshot } from "../org/org-cache";
import type { AssignmentMessageContext } from "./messages";

export type AssignmentPlatform = AccountPlatform | "web" | "cli";

/** A file already stored (encrypted, by the unit page) for this assignment, to attach to the submission. */
export interface StoredFileRef {
  id: string;
  mediaType?: string;
  sizeBytes?: number;
}

export type AssignmentResult =
  | { status: "done"; action: AssignmentEventAction; assignment: AssignmentRow; from: string; to: string; submissionId?: string }
  /** The same request (dedupe key) was carried out before: nothing new was written. */
  | { status: "duplicate"; assignment: AssignmentRow | null }
  | {
      status: "refused";
      reason: AssignmentRefusal | "not_permitted" | "unknown_assignment" | "changed_meanwhile";
      assignment?: AssignmentRow;
    };

export interface ActorInput {
  actor: MemberRow;
  platform: AssignmentPlatform;
  platformRef?: string | null;
  dedupeKey?: string;
}

export const actorOf = (member: MemberRow, platform: string, platformRef?: string | null): Actor => ({ type: "member", id: member.id, role: member.role, platform, platformRef: platformRef ?? null });

export interface AssignmentContext {
  assignment: AssignmentRow;
  deliverable: DeliverableRow;
  campaign: CampaignRow;
  unit: UnitRow;
}

function parseOverride(json: string | null) {
  if (!json) return null;
  try {
    const parsed = reminderPolicyOverrideSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The effective reminder policy of a deliverable (its own over its campaign's over the defaults). */
export function policyFor(campaign: Pick<CampaignRow, "reminderPolicy">, deliverable: Pick<DeliverableRow, "reminderPolicy">): ReminderPolicy {
  return resolvePolicy(DEFAULT_REMINDER_POLICY, parseOverride(campaign.reminderPolicy), parseOverride(deliverable.reminderPolicy));
}

/** When the tick must next look at an assignment in this state, strictly after `after`. */
export function nextReminderFor(a: Pick<AssignmentRow, "dueAt" | "dueVersion" | "state" | "receivedVersion"> & { notifiedAt?: number | null }, policy: ReminderPolicy, cal: WorkCalendar, after: number): number | null {
  return nextReminderAt({ dueAt: a.dueAt, dueVersion: a.dueVersion, state: a.state as AssignmentSnapshot["state"], received: a.receivedVersion === a.dueVersion, notifiedAt: a.notifiedAt ?? null }, policy, cal, after);
}

/** The coordinators' team of a campaign: its own if set and active, otherwise the organisation's. */
export function coordinatorsOf(org: OrgSnapshot, campaign: Pick<CampaignRow, "coordinatorTeamId">): TeamRow | undefined {
  const own = campaign.coordinatorTeamId ? org.teamById.get(campaign.coordinatorTeamId) : undefined;
  return own?.active ? own : org.coordinators;
}

export const messageContext = (c: AssignmentContext): AssignmentMessageContext => ({ campaign: c.campaign, deliverable: c.deliverable, unit: c.unit, assignment: c.assignment });

/** An assignment with its deliverable, campaign and unit, in one query. */
export function contextQuery(deps: ServiceDeps, assignmentId: string) {
  return deps.db
    .select({ assignment: assignments, deliverable: deliverables, campaign: campaigns, unit: units })
    .from(assignments)
    .innerJoin(deliverables, eq(deliverables.id, assignments.deliverableId))
    .innerJoin(campaigns, eq(campaigns.id, assignments.campaignId))
    .innerJoin(units, eq(units.id, assignments.unitId))
    .where(eq(assignments.id, assignmentId));
}

export async function getAssignmentContext(deps: ServiceDeps, assignmentId: string): Promise<AssignmentContext | null> {
  return (await contextQuery(deps, assignmentId))[0] ?? null;
}
