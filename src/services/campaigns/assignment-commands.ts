// The unit's and coordinators' commands on one assignment: received, submitted, accepted or returned, deadline extended.
import { submissionFileInserts, type SealedSubmissionFile } from "./submission-files";
import { and, asc, eq, inArray, max } from "drizzle-orm";
import { newId } from "../../core/ids";
import { reminderSlots, submissionFiles, submissions } from "../../db/schema";
import { encryptText } from "../../security/cipher";
import { enqueueManyStatement, sealEnqueueInput, type EnqueueInput } from "../delivery/outbox";
import type { ServiceDeps } from "../deps";
import { acceptedMessage, localeOf, submissionNotice, unitMessage } from "./messages";
import { mayActForUnit } from "./units";
import { isCoordinator } from "./units";
import { coordinatorsOf, messageContext, type ActorInput, type AssignmentPlatform, type AssignmentResult, type StoredFileRef } from "./assignment-context";
import { changeAssignment, unitTarget } from "./assignment-change";

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
