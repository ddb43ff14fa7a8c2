// Use cases around a citizen's report: a barrel over the modules next to it, so importers outside
// services/ keep working — submit-report.ts, receipt-access.ts, status-view.ts, tipster-follow-ups.ts,
// investigator-actions.ts (with report-types.ts and follow-up-quotas.ts). Every change writes its rows
// and its event in one atomic batch before returning. Inside services/, import the module itself.
export type { Actor } from "../events";
export type { OnceStatement, ReportChannel, SubmittedReport } from "./report-types";
export { authenticateReceipt, findReportByReceipt, receiptHash } from "./receipt-access";
export { SUBMISSIONS_RULE, submitReport } from "./submit-report";
export { getStatusView, statusViewWithReward, type RewardSummary, type StatusView } from "./status-view";
export { addReporterEvidence, addReporterMessage } from "./tipster-follow-ups";
export { changeReportStatus, postInvestigatorMessage, revealReporterIdentity } from "./investigator-actions";
