// A unit's assignment changing state: received, submitted, accepted or returned by a coordinator,
// deadline moved (whole deliverable) or extended (one unit). Each change writes the assignment, its
// event(s) and its chat messages in ONE batch, guarded by the assignment's version (a concurrent change
// from the same version makes the whole batch fail, and it is planned again from fresh state). Used by
// chat buttons, the unit page and the CLI alike.
import { submissionFileInserts, type SealedSubmissionFile } from "./submission-files";
import { and, asc, eq, inArray, max, sql } from "drizzle-orm";
import { applyAssignmentCommand, type AssignmentCommand, type AssignmentEventAction, type AssignmentRefusal, type AssignmentSnapshot } from "../../core/campaigns/assignment-state";
import { DEFAULT_REMINDER_POLICY, reminderPolicyOverrideSchema, resolvePolicy, type ReminderPolicy } from "../../core/campaigns/reminder-policy";
import { nextReminderAt } from "../../core/campaigns/reminders";
import { newId } from "../../core/ids";
import type { WorkCalendar } from "../../core/work-calendar";
import { asBatch } from "../../db/client";
import { failedConstraint, retryBusyWrite } from "../../db/retry";
import {
  assignments,
  campaigns,
  deliverables,
  events,
  reminderSlots,
  submissionFiles,
  submissions,
  units,
  type AssignmentRow,
  type CampaignRow,
  type DeliverableRow,
  type MemberRow,
  type NewEventRow,
  type TeamRow,
  type UnitRow,
} from "../../db/schema";
import { encryptText } from "../../security/cipher";
import { enqueueManyStatement, enqueueManyStatements, sealEnqueueInput, type EnqueueInput } from "../delivery/outbox";
import type { ServiceDeps } from "../deps";
import { eventRow, type Actor } from "../events";
import { currentOrg, type OrgSnapshot } from "../org/org-cache";
import { acceptedMessage, localeOf, submissionNotice, unitMessage, type AssignmentMessageContext } from "./messages";
import { mayActForUnit } from "./units";
import { chunkedStatements } from "../../db/chunk";

export { mayActForUnit } from "./units";

export type AssignmentPlatform = "telegram" | "slack" | "web" | "cli";

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

interface ActorInput {
  actor: MemberRow;
  platform: AssignmentPlatform;
  platformRef?: string | null;
  dedupeKey?: string;
}

export const actorOf = (member: MemberRow, platform: string, platformRef?: string | null): Actor => ({ type: "member", id: member.id, role: member.role, platform, platformRef: platformRef ?? null });

/** Coordinators review and move deadlines; contacts act for their unit only. */
export const isCoordinator = (member: Pick<MemberRow, "active" | "role">) => member.active && member.role === "coordinator";

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
export function nextReminderFor(a: Pick<AssignmentRow, "dueAt" | "dueVersion" | "state" | "receivedVersion">, policy: ReminderPolicy, cal: WorkCalendar, after: number): number | null {
  return nextReminderAt({ dueAt: a.dueAt, dueVersion: a.dueVersion, state: a.state as AssignmentSnapshot["state"], received: a.receivedVersion === a.dueVersion }, policy, cal, after);
}

/** The coordinators' team of a campaign: its own if set and active, otherwise the organisation's. */
export function coordinatorsOf(org: OrgSnapshot, campaign: Pick<CampaignRow, "coordinatorTeamId">): TeamRow | undefined {
  const own = campaign.coordinatorTeamId ? org.teamById.get(campaign.coordinatorTeamId) : undefined;
  return own?.active ? own : org.coordinators;
}

export const messageContext = (c: AssignmentContext): AssignmentMessageContext => ({ campaign: c.campaign, deliverable: c.deliverable, unit: c.unit, assignment: c.assignment });

/** An assignment with its deliverable, campaign and unit, in one query. */
function contextQuery(deps: ServiceDeps, assignmentId: string) {
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

/**
 * The guarded update: sets `version` to NULL (a NOT NULL violation, failing the whole batch) unless the
 * row is still at the version this change was planned from.
 */
function guardedUpdate(deps: ServiceDeps, assignmentId: string, fromVersion: number, set: Partial<AssignmentRow>) {
  return deps.db
    .update(assignments)
    .set({ ...set, version: sql`CASE WHEN ${assignments.version} = ${fromVersion} THEN ${fromVersion + 1} ELSE NULL END` })
    .where(eq(assignments.id, assignmentId));
}

/** How a change batch failed: a repeated dedupe key, a lost race on the version, or something else. */
function lostBatch(err: unknown): "duplicate" | "changed" | null {
  const c = failedConstraint(err);
  if (!c) return null;
  if (c.kind === "unique" && c.columns === "events.dedupe_key") return "duplicate";
  if (c.kind === "not_null" && c.columns === "assignments.version") return "changed";
  if (c.kind === "unique" && c.columns.startsWith("submissions.")) return "changed";
  return null;
}

const MAX_ATTEMPTS = 4;

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
async function changeAssignment(
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
      nextReminderAt: nextReminderFor({ ...next, receivedVersion: next.receivedVersion }, policy, org.policy.calendar, now),
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

const unitTarget = (unit: UnitRow) => ({ platform: unit.platform as EnqueueInput["platform"], chatId: unit.chatId });

/** "Received": the unit acknowledges the current deadline (before-day reminders stop). Contacts only. */
export function receiveAssignment(deps: ServiceDeps, input: ActorInput & { assignmentId: string }): Promise<AssignmentResult> {
  return changeAssignment(deps, {
    ...input,
    command: { type: "receive" },
    permitted: (m, ctx) => mayActForUnit(m, ctx.unit.id),
    plan: async () => ({ statements: [], eventData: {}, set: { receivedBy: input.actor.id } }),
  });
}

/**
 * "Submitted": a new submission (attempt n) with the contact's note (encrypted) and the files stored for
 * it; the coordinators get a notice with Accept and Return. All reminders for the unit stop.
 */
export function submitAssignment(
  deps: ServiceDeps,
  input: ActorInput & {
    assignmentId: string;
    note?: string;
    /** Files already stored for this assignment, linked to the submission in its batch. */
    files?: StoredFileRef[];
    /** Files prepared (checked and encrypted) but not stored: written in the submission's own batch, so a refused or repeated submit stores none of them. */
    sealedFiles?: readonly SealedSubmissionFile[];
    submissionId?: string;
  },
): Promise<AssignmentResult> {
  const note = input.note?.trim() ? input.note.trim().slice(0, 4000) : null;
  return changeAssignment(deps, {
    ...input,
    command: { type: "submit" },
    permitted: (m, ctx) => mayActForUnit(m, ctx.unit.id),
    plan: async (ctx, next, now, org, newVersion) => {
      const db = deps.db;
      const [last] = await db.select({ attempt: max(submissions.attempt) }).from(submissions).where(eq(submissions.assignmentId, ctx.assignment.id));
      const attempt = (last?.attempt ?? 0) + 1;
      const submissionId = input.submissionId ?? newId("sub");
      const sealed = input.sealedFiles ?? [];
      const fileIds = [...(input.files ?? []).map((f) => f.id), ...sealed.map((f) => f.id)];
      const statements: unknown[] = [
        db.insert(submissions).values({
          id: submissionId,
          assignmentId: ctx.assignment.id,
          attempt,
          noteEnc: note ? await encryptText(deps.keys, note, `submission:${submissionId}:note`) : null,
          submittedBy: input.actor.id,
          platform: input.platform,
          submittedAt: now,
          status: "submitted",
        }),
      ];
      const stored = (input.files ?? []).map((f) => f.id);
      if (stored.length)
        statements.push(db.update(submissionFiles).set({ submissionId }).where(and(inArray(submissionFiles.id, stored), eq(submissionFiles.assignmentId, ctx.assignment.id))));
      if (sealed.length) statements.push(...submissionFileInserts(deps, sealed, { submissionId, assignmentId: ctx.assignment.id, uploadedBy: input.actor.id, createdAt: now }));
      const coordinators = coordinatorsOf(org, ctx.campaign);
      if (coordinators) {
        const message = submissionNotice(
          { ...messageContext(ctx), assignment: { ...ctx.assignment, state: next.state } },
          { locale: localeOf(coordinators.locale), attempt, submittedBy: input.actor.displayName, note, fileCount: fileIds.length, late: now > ctx.assignment.dueAt },
        );
        statements.push(
          enqueueManyStatement(deps, [
            await sealEnqueueInput(deps, {
              dedupeKey: `asg:${ctx.assignment.id}:v${newVersion}:submitted`,
              platform: coordinators.platform as EnqueueInput["platform"],
              chatId: coordinators.chatId,
              kind: "text",
              payload: { message },
            }),
          ]),
        );
      }
      return { statements, submissionId, eventData: { submissionId, attempt, files: fileIds, hasNote: note !== null }, set: { submittedBy: input.actor.id } };
    },
  });
}

/** A coordinator accepts the pending submission, or returns it with a reason (the unit must submit again). */
export function reviewSubmission(
  deps: ServiceDeps,
  input: ActorInput & { assignmentId: string; decision: "accept" | "return"; reason?: string; platform?: AssignmentPlatform },
): Promise<AssignmentResult> {
  const reason = input.reason?.trim().slice(0, 1000) ?? "";
  return changeAssignment(deps, {
    ...input,
    platform: input.platform ?? "cli",
    command: input.decision === "accept" ? { type: "accept" } : { type: "return", reason },
    permitted: (m) => isCoordinator(m),
    plan: async (ctx, next, now, _org, newVersion) => {
      const db = deps.db;
      const [pending] = await db
        .select({ id: submissions.id, attempt: submissions.attempt })
        .from(submissions)
        .where(and(eq(submissions.assignmentId, ctx.assignment.id), eq(submissions.status, "submitted")))
        .orderBy(asc(submissions.attempt))
        .limit(1);
      const statements: unknown[] = [];
      if (pending)
        statements.push(
          db
            .update(submissions)
            .set({
              status: input.decision === "accept" ? "accepted" : "returned",
              reviewedBy: input.actor.id,
              reviewedAt: now,
              reviewReasonEnc: reason ? await encryptText(deps.keys, reason, `submission:${pending.id}:review`) : null,
            })
            .where(eq(submissions.id, pending.id)),
        );
      const after = { ...messageContext(ctx), assignment: { ...ctx.assignment, state: next.state, receivedVersion: next.receivedVersion } };
      const message = input.decision === "accept" ? acceptedMessage(after) : unitMessage(after, "returned", { reason });
      statements.push(
        enqueueManyStatement(deps, [
          await sealEnqueueInput(deps, { dedupeKey: `asg:${ctx.assignment.id}:v${newVersion}:${input.decision}`, ...unitTarget(ctx.unit), kind: "text", payload: { message } }),
        ]),
      );
      // The reason is written to the unit (encrypted at rest); the log records that one was given.
      return { statements, eventData: { submissionId: pending?.id ?? null, attempt: pending?.attempt ?? null, hasReason: reason.length > 0 }, set: { reviewedBy: input.actor.id } };
    },
  });
}

/** One unit gets a later deadline (it must acknowledge again); the old date stays in the event. */
export function extendDeadline(deps: ServiceDeps, input: ActorInput & { assignmentId: string; dueAt: number; reason: string; platform?: AssignmentPlatform }): Promise<AssignmentResult> {
  const reason = input.reason.trim().slice(0, 1000);
  return changeAssignment(deps, {
    ...input,
    platform: input.platform ?? "cli",
    command: { type: "extend", dueAt: input.dueAt },
    permitted: (m) => isCoordinator(m),
    plan: async (ctx, next, now, _org, newVersion) => {
      const after = { ...messageContext(ctx), assignment: { ...ctx.assignment, dueAt: next.dueAt, dueVersion: next.dueVersion, receivedVersion: null, state: next.state } };
      const message = unitMessage(after, "extended", { fromDueAt: ctx.assignment.dueAt, reason });
      const slot = `v${next.dueVersion}:moved`;
      const outboxId = newId("out");
      return {
        statements: [
          deps.db.insert(reminderSlots).values({ assignmentId: ctx.assignment.id, slot, kind: "moved", sendAt: now, dueAt: next.dueAt, claimedAt: now, outboxId }).onConflictDoNothing(),
          enqueueManyStatement(deps, [await sealEnqueueInput(deps, { id: outboxId, dedupeKey: `asg:${ctx.assignment.id}:v${newVersion}:extended`, ...unitTarget(ctx.unit), kind: "text", payload: { message } })]),
        ],
        eventData: { from: ctx.assignment.dueAt, to: next.dueAt, reason },
        set: { receivedBy: null, escalatedAt: null },
      };
    },
  });
}

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
