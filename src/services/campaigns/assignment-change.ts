// The one way an assignment changes state: plan from fresh state, write the change, its event(s) and
// chat messages in one version-guarded batch, re-plan a lost race; refused presses are logged.
import { eq, sql } from "drizzle-orm";
import { applyAssignmentCommand, type AssignmentCommand, type AssignmentSnapshot } from "../../core/campaigns/assignment-state";
import { asBatch } from "../../db/client";
import { failedConstraint, retryBusyWrite } from "../../db/retry";
import { assignments, events, type AssignmentRow, type MemberRow, type UnitRow } from "../../db/schema";
import type { EnqueueInput } from "../delivery/outbox";
import type { ServiceDeps } from "../deps";
import { eventRow, type Actor } from "../events";
import { currentOrg, type OrgSnapshot } from "../org/org-cache";
import { actorOf, contextQuery, nextReminderFor, policyFor, type ActorInput, type AssignmentContext, type AssignmentResult } from "./assignment-context";

/**
 * The guarded update: sets `version` to NULL (a NOT NULL violation, failing the whole batch) unless the
 * row is still at the version this change was planned from.
 */
export function guardedUpdate(deps: ServiceDeps, assignmentId: string, fromVersion: number, set: Partial<AssignmentRow>) {
  return deps.db
    .update(assignments)
    .set({ ...set, version: sql`CASE WHEN ${assignments.version} = ${fromVersion} THEN ${fromVersion + 1} ELSE NULL END` })
    .where(eq(assignments.id, assignmentId));
}

/** How a change batch failed: a repeated dedupe key, a lost race on the version, or something else. */
export function lostBatch(err: unknown): "duplicate" | "changed" | null {
  const c = failedConstraint(err);
  if (!c) return null;
  if (c.kind === "unique" && c.columns === "events.dedupe_key") return "duplicate";
  if (c.kind === "not_null" && c.columns === "assignments.version") return "changed";
  if (c.kind === "unique" && c.columns.startsWith("submissions.")) return "changed";
  return null;
}

export const MAX_ATTEMPTS = 4;

interface Planned {
  /** Extra statements after the guarded update and the event. */
  statements: unknown[];
  eventData: Record<string, unknown>;
  submissionId?: string;
  set?: Partial<AssignmentRow>;
}

/** Logs a refused press or request (someone other than the unit's contacts, a non-coordinator reviewing). */
export async function logPressRefused(deps: ServiceDeps, input: { assignmentId: string; actor: Actor; attempted: string; reason: string; dedupeKey?: string | null }) {
  try {
    await deps.db.insert(events).values(
      eventRow(input.actor, {
        occurredAt: deps.now().getTime(),
        entityType: "assignment",
        entityId: input.assignmentId,
        action: "assignment.press_refused",
        data: JSON.stringify({ attempted: input.attempted, reason: input.reason }),
        dedupeKey: input.dedupeKey ? `${input.dedupeKey}:refused` : null,
      }),
    );
  } catch (err) {
    if (failedConstraint(err)?.kind !== "unique") throw err;
  }
}

/**
 * One state change of one assignment: plan from fresh state, write in one batch, re-plan if a concurrent
 * change won the version (at most a few times).
 */
export async function changeAssignment(
  deps: ServiceDeps,
  input: ActorInput & {
    assignmentId: string;
    command: AssignmentCommand;
    permitted: (member: MemberRow, ctx: AssignmentContext) => boolean;
    plan: (ctx: AssignmentContext, next: AssignmentSnapshot, now: number, org: OrgSnapshot, newVersion: number) => Promise<Planned>;
  },
): Promise<AssignmentResult> {
  const actor = actorOf(input.actor, input.platform, input.platformRef);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const db = deps.db;
    const [rows, earlier] = await db.batch([
      contextQuery(deps, input.assignmentId),
      db
        .select({ action: events.action, entityId: events.entityId })
        .from(events)
        .where(eq(events.dedupeKey, input.dedupeKey ?? "\u0000none")),
    ]);
    const ctx = rows[0];
    if (earlier[0]) return { status: "duplicate", assignment: ctx?.assignment ?? null };
    if (!ctx) return { status: "refused", reason: "unknown_assignment" };
    if (!input.permitted(input.actor, ctx)) {
      await logPressRefused(deps, { assignmentId: ctx.assignment.id, actor, attempted: input.command.type, reason: "not_permitted", dedupeKey: input.dedupeKey ?? null });
      return { status: "refused", reason: "not_permitted", assignment: ctx.assignment };
    }
    const a = ctx.assignment;
    const now = deps.now().getTime();
    const outcome = applyAssignmentCommand(
      { state: a.state as AssignmentSnapshot["state"], dueAt: a.dueAt, dueVersion: a.dueVersion, receivedAt: a.receivedAt, receivedVersion: a.receivedVersion, submittedAt: a.submittedAt, reviewedAt: a.reviewedAt },
      input.command,
      now,
    );
    if (!outcome.ok) return { status: "refused", reason: outcome.refusal, assignment: a };
    const next = outcome.next;
    const org = await currentOrg(deps);
    const policy = policyFor(ctx.campaign, ctx.deliverable);
    const planned = await input.plan(ctx, next, now, org, a.version + 1);
    const set: Partial<AssignmentRow> = {
      state: next.state,
      dueAt: next.dueAt,
      dueVersion: next.dueVersion,
      receivedAt: next.receivedAt,
      receivedVersion: next.receivedVersion,
      submittedAt: next.submittedAt,
      reviewedAt: next.reviewedAt,
      nextReminderAt: nextReminderFor({ ...next, receivedVersion: next.receivedVersion, notifiedAt: a.notifiedAt }, policy, org.policy.calendar, now),
      updatedAt: now,
      ...planned.set,
    };
    const event = db.insert(events).values(
      eventRow(actor, {
        occurredAt: now,
        entityType: "assignment",
        entityId: a.id,
        action: outcome.action,
        fromState: a.state,
        toState: next.state,
        data: JSON.stringify({ campaignId: a.campaignId, deliverableId: a.deliverableId, unitId: a.unitId, period: a.period, dueVersion: next.dueVersion, ...planned.eventData }),
        dedupeKey: input.dedupeKey ?? null,
      }),
    );
    try {
      // The event first: a redelivered request fails on its dedupe key before anything else is tried.
      await retryBusyWrite(db, () => db.batch(asBatch([event, guardedUpdate(deps, a.id, a.version, set), ...planned.statements])));
    } catch (err) {
      const lost = lostBatch(err);
      if (lost === "duplicate") return { status: "duplicate", assignment: a };
      if (lost === "changed") continue;
      throw err;
    }
    deps.notifyOutbox?.();
    const updated = { ...a, ...set, version: a.version + 1 } as AssignmentRow;
    return { status: "done", action: outcome.action, assignment: updated, from: a.state, to: next.state, ...(planned.submissionId ? { submissionId: planned.submissionId } : {}) };
  }
  return { status: "refused", reason: "changed_meanwhile" };
}

export const unitTarget = (unit: UnitRow) => ({ platform: unit.platform as EnqueueInput["platform"], chatId: unit.chatId });
