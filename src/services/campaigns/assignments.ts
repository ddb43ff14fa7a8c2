// A unit's assignment changing state: a barrel over the modules next to it, so importers outside
// services/ keep working — assignment-context.ts (shapes, policy, the read), assignment-change.ts (the
// version-guarded change batch), assignment-commands.ts (received, submitted, accepted/returned,
// extended), deadline-moves.ts (a deliverable's deadline for every unit), units.ts (who may act).
// Inside services/, import the module itself.
export { isCoordinator, mayActForUnit } from "./units";
export {
  actorOf,
  coordinatorsOf,
  getAssignmentContext,
  messageContext,
  nextReminderFor,
  policyFor,
  type AssignmentContext,
  type AssignmentPlatform,
  type AssignmentResult,
  type StoredFileRef,
} from "./assignment-context";
export { logPressRefused } from "./assignment-change";
export { extendDeadline, receiveAssignment, reviewSubmission, submitAssignment } from "./assignment-commands";
export { moveDeadline, type MoveResult } from "./deadline-moves";
