// The assignment state machine, pure: which commands a unit or coordinator may give in which state, and
// the resulting fields. A moved or extended deadline bumps dueVersion and clears the acknowledgement.
export type AssignmentState = "open" | "submitted" | "accepted" | "returned";

export interface AssignmentSnapshot {
  state: AssignmentState;
  dueAt: number;
  dueVersion: number;
  receivedAt: number | null;
  /** The dueVersion the unit acknowledged; it counts as received only while equal to dueVersion. */
  receivedVersion: number | null;
  submittedAt: number | null;
  reviewedAt: number | null;
}

export type AssignmentCommand =
  | { type: "receive" }
  | { type: "submit" }
  | { type: "accept" }
  | { type: "return"; reason: string }
  /** The deliverable's deadline moved for every unit. */
  | { type: "move"; dueAt: number }
  /** This unit's deadline extended. */
  | { type: "extend"; dueAt: number };

export type AssignmentRefusal =
  | "already_received" // receive: acknowledged for this deadline already
  | "already_submitted" // receive / submit while a submission awaits review
  | "already_accepted" // anything but move on an accepted assignment
  | "not_submitted" // accept / return without a pending submission
  | "reason_required" // return without a reason
  | "invalid_deadline" // move / extend: not a usable instant
  | "deadline_in_past" // move / extend to a moment already gone
  | "same_deadline" // move / extend to the current deadline
  | "not_later"; // extend to an earlier deadline (use move)

export type AssignmentEventAction =
  | "assignment.received"
  | "assignment.submitted"
  | "assignment.accepted"
  | "assignment.returned"
  | "deliverable.moved"
  | "assignment.extended";

export type AssignmentOutcome =
  | { ok: true; next: AssignmentSnapshot; action: AssignmentEventAction }
  | { ok: false; refusal: AssignmentRefusal };

export const isReceived = (a: Pick<AssignmentSnapshot, "receivedVersion" | "dueVersion">) => a.receivedVersion === a.dueVersion;

const refuse = (refusal: AssignmentRefusal): AssignmentOutcome => ({ ok: false, refusal });

export function applyAssignmentCommand(a: AssignmentSnapshot, command: AssignmentCommand, now: number): AssignmentOutcome {
  switch (command.type) {
    case "receive":
      if (a.state === "accepted") return refuse("already_accepted");
      if (a.state === "submitted") return refuse("already_submitted");
      if (isReceived(a)) return refuse("already_received");
      return { ok: true, action: "assignment.received", next: { ...a, receivedAt: now, receivedVersion: a.dueVersion } };
    case "submit":
      if (a.state === "accepted") return refuse("already_accepted");
      if (a.state === "submitted") return refuse("already_submitted");
      return { ok: true, action: "assignment.submitted", next: { ...a, state: "submitted", submittedAt: now } };
    case "accept":
    case "return":
      if (a.state === "accepted") return refuse("already_accepted");
      if (a.state !== "submitted") return refuse("not_submitted");
      if (command.type === "return") {
        if (!command.reason.trim()) return refuse("reason_required");
        return { ok: true, action: "assignment.returned", next: { ...a, state: "returned", reviewedAt: now } };
      }
      return { ok: true, action: "assignment.accepted", next: { ...a, state: "accepted", reviewedAt: now } };
    case "move":
    case "extend": {
      const dueAt = command.dueAt;
      if (!Number.isSafeInteger(dueAt) || dueAt <= 0) return refuse("invalid_deadline");
      if (dueAt <= now) return refuse("deadline_in_past");
      if (dueAt === a.dueAt) return refuse("same_deadline");
      if (command.type === "extend") {
        // An accepted delivery needs no more time; a move still records the new date for everyone.
        if (a.state === "accepted") return refuse("already_accepted");
        if (dueAt < a.dueAt) return refuse("not_later");
      }
      return {
        ok: true,
        action: command.type === "move" ? "deliverable.moved" : "assignment.extended",
        next: { ...a, dueAt, dueVersion: a.dueVersion + 1, receivedAt: null, receivedVersion: null },
      };
    }
  }
}
