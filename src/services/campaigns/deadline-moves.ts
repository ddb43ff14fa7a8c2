// Moving a deliverable's deadline for every unit at once (one batch, all or nothing; every unit is told).
import { eq } from "drizzle-orm";
import { applyAssignmentCommand, type AssignmentRefusal, type AssignmentSnapshot } from "../../core/campaigns/assignment-state";
import { newId } from "../../core/ids";
import { asBatch } from "../../db/client";
import { retryBusyWrite } from "../../db/retry";
import { assignments, campaigns, deliverables, events, reminderSlots, units, type MemberRow, type NewEventRow } from "../../db/schema";
import { enqueueManyStatements, sealEnqueueInput, type EnqueueInput } from "../delivery/outbox";
import type { ServiceDeps } from "../deps";
import { eventRow } from "../events";
import { currentOrg } from "../org/org-cache";
import { unitMessage, type AssignmentMessageContext } from "./messages";
import { chunkedStatements } from "../../db/chunk";
import { isCoordinator } from "./units";
import { actorOf, nextReminderFor, policyFor, type AssignmentPlatform } from "./assignment-context";
import { guardedUpdate, lostBatch, MAX_ATTEMPTS, unitTarget } from "./assignment-change";

export type MoveResult =
  | { status: "done"; moved: number; from: number | null; to: number }
  | { status: "duplicate" }
  | { status: "refused"; reason: "not_permitted" | "unknown_deliverable" | "nothing_to_move" | "changed_meanwhile" | AssignmentRefusal };

/**
 * Moves a deliverable's deadline for every unit: each assignment gets the new date and a new due version
 * (earlier acknowledgements no longer count), every unit is told, and the old dates stay in the log. For a
 * recurring deliverable the earliest period not yet accepted moves. One batch, all or nothing.
 */
export async function moveDeadline(
  deps: ServiceDeps,
  input: { deliverableId: string; dueAt: number; reason: string; actor: MemberRow; platform?: AssignmentPlatform; platformRef?: string | null; dedupeKey?: string },
): Promise<MoveResult> {
  const actor = actorOf(input.actor, input.platform ?? "cli", input.platformRef);
  const reason = input.reason.trim().slice(0, 1000);
  if (!isCoordinator(input.actor)) return { status: "refused", reason: "not_permitted" };
  const db = deps.db;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const [deliverableRows, rows, earlier] = await db.batch([
      db.select({ deliverable: deliverables, campaign: campaigns }).from(deliverables).innerJoin(campaigns, eq(campaigns.id, deliverables.campaignId)).where(eq(deliverables.id, input.deliverableId)),
      db.select({ assignment: assignments, unit: units }).from(assignments).innerJoin(units, eq(units.id, assignments.unitId)).where(eq(assignments.deliverableId, input.deliverableId)),
      db.select({ id: events.id }).from(events).where(eq(events.dedupeKey, input.dedupeKey ?? "\u0000none")),
    ]);
    if (earlier[0]) return { status: "duplicate" };
    const found = deliverableRows[0];
    if (!found) return { status: "refused", reason: "unknown_deliverable" };
    const { deliverable, campaign } = found;
    // Recurring: the earliest period that still has work in it.
    const periods = [...new Set(rows.filter((r) => r.assignment.state !== "accepted").map((r) => r.assignment.period))].sort();
    const period = deliverable.recurrence ? periods[0] : "";
    const chosen = rows.filter((r) => r.assignment.period === period);
    if (chosen.length === 0 || period === undefined) return { status: "refused", reason: "nothing_to_move" };
    const now = deps.now().getTime();
    const org = await currentOrg(deps);
    const policy = policyFor(campaign, deliverable);
    const statements: unknown[] = [];
    const outbox: EnqueueInput[] = [];
    const assignmentEvents: NewEventRow[] = [];
    const previous = chosen.map((r) => r.assignment.dueAt);
    const from = previous.every((p) => p === previous[0]) ? previous[0]! : null;
    for (const { assignment: a, unit } of chosen) {
      const outcome = applyAssignmentCommand(
        { state: a.state as AssignmentSnapshot["state"], dueAt: a.dueAt, dueVersion: a.dueVersion, receivedAt: a.receivedAt, receivedVersion: a.receivedVersion, submittedAt: a.submittedAt, reviewedAt: a.reviewedAt },
        { type: "move", dueAt: input.dueAt },
        now,
      );
      if (!outcome.ok) {
        // A unit already on that date (an extension) keeps it; anything else refuses the whole move.
        if (outcome.refusal === "same_deadline") continue;
        return { status: "refused", reason: outcome.refusal };
      }
      const next = outcome.next;
      statements.push(
        guardedUpdate(deps, a.id, a.version, {
          dueAt: next.dueAt,
          dueVersion: next.dueVersion,
          receivedAt: null,
          receivedVersion: null,
          receivedBy: null,
          escalatedAt: null,
          nextReminderAt: nextReminderFor({ ...a, dueAt: next.dueAt, dueVersion: next.dueVersion, receivedVersion: null }, policy, org.policy.calendar, now),
          updatedAt: now,
        }),
      );
      assignmentEvents.push(
        eventRow(actor, {
          occurredAt: now,
          entityType: "assignment",
          entityId: a.id,
          action: "deliverable.moved",
          fromState: a.state,
          toState: a.state,
          data: JSON.stringify({ deliverableId: deliverable.id, unitId: a.unitId, period: a.period, from: a.dueAt, to: next.dueAt, dueVersion: next.dueVersion, reason }),
        }),
      );
      const outboxId = newId("out");
      statements.push(db.insert(reminderSlots).values({ assignmentId: a.id, slot: `v${next.dueVersion}:moved`, kind: "moved", sendAt: now, dueAt: next.dueAt, claimedAt: now, outboxId }).onConflictDoNothing());
      const ctx: AssignmentMessageContext = { campaign, deliverable, unit, assignment: { ...a, dueAt: next.dueAt, dueVersion: next.dueVersion, receivedVersion: null } };
      outbox.push(
        await sealEnqueueInput(deps, { id: outboxId, dedupeKey: `asg:${a.id}:v${a.version + 1}:moved`, ...unitTarget(unit), kind: "text", payload: { message: unitMessage(ctx, "moved", { fromDueAt: a.dueAt, reason }) } }),
      );
    }
    if (assignmentEvents.length === 0) return { status: "refused", reason: "same_deadline" };
    const deliverableEvent = db.insert(events).values(
      eventRow(actor, {
        occurredAt: now,
        entityType: "deliverable",
        entityId: deliverable.id,
        action: "deliverable.moved",
        data: JSON.stringify({ campaignId: campaign.id, period, from, to: input.dueAt, reason, assignments: assignmentEvents.length }),
        dedupeKey: input.dedupeKey ?? null,
      }),
    );
    const dueDate = new Date(input.dueAt + 8 * 3600_000).toISOString();
    const endOfDay = dueDate.slice(11, 23) === "23:59:59.999";
    if (!deliverable.recurrence) statements.push(db.update(deliverables).set({ dueOn: dueDate.slice(0, 10), dueTime: endOfDay ? null : dueDate.slice(11, 16) }).where(eq(deliverables.id, deliverable.id)));
    try {
      await retryBusyWrite(db, () => db.batch(asBatch([deliverableEvent, ...chunkedStatements(assignmentEvents, (part) => db.insert(events).values(part)), ...statements, ...enqueueManyStatements(deps, outbox)])));
    } catch (err) {
      const lost = lostBatch(err);
      if (lost === "duplicate") return { status: "duplicate" };
      if (lost === "changed") continue;
      throw err;
    }
    deps.notifyOutbox?.();
    return { status: "done", moved: assignmentEvents.length, from, to: input.dueAt };
  }
  return { status: "refused", reason: "changed_meanwhile" };
}
