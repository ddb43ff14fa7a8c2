// Leads (线索): a barrel over the use-case modules next to it, so importers outside services/ keep
// working — planning.ts (create, cluster, route), commands.ts and reassign.ts (working a lead),
// refusals.ts, reads.ts (one lead, /mine, /overdue), lead-card-queue.ts and lead-model.ts (shared rules).
// Inside services/, import the module itself, not this barrel.
export { eventRow } from "../events";
export { OPEN_LEAD_STATES, SUMMARY_CHARS, asActor, loadLeadPolicy, mayHandleLead, nextEscalationTime, parseEscalations, type LeadPolicy, type MemberActor } from "./lead-model";
export { commitLead, isLostLeadRace, planLead, type LeadSeed, type PlannedLead } from "./planning";
export {
  leadCommandReads,
  leadCommandViews,
  planLeadCommand,
  plannedWriteResult,
  runLeadCommand,
  writePlannedCommand,
  type CommandResult,
  type LeadCommandView,
  type PlannedCommand,
} from "./commands";
export { planReassign, reassignLead } from "./reassign";
export { logRefusal, logUnknownUser } from "./refusals";
export { cardMessageFor, decryptLeadSummary, getLead, listMyLeads, listOverdueLeads } from "./reads";
export { tipsterReplyStatements } from "./lead-card-queue";
