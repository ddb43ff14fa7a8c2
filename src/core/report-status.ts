// The public life of a report as the tipster sees it. Internal lead states (assignment, escalation)
// map onto these few, so the page says what is true without exposing who handles it.

export const REPORT_STATUSES = [
  "received", // 已接收: stored, not yet looked at
  "in_review", // 处理中: an inspector has acknowledged it
  "accepted", // 已受理: formally accepted for investigation
  "investigating", // 核查中
  "concluded", // 已办结: closed with an outcome
  "not_accepted", // 不予受理
] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const REPORT_OUTCOMES = [
  "substantiated",
  "partly_substantiated",
  "unsubstantiated",
  "referred_police",
  "referred_discipline",
  "referred_health_commission",
] as const;
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];

const NEXT: Record<ReportStatus, readonly ReportStatus[]> = {
  received: ["in_review", "accepted", "not_accepted", "investigating", "concluded"],
  in_review: ["accepted", "not_accepted", "investigating", "concluded"],
  accepted: ["investigating", "concluded"],
  investigating: ["concluded"],
  concluded: [],
  not_accepted: [],
};

export function canMoveReport(from: ReportStatus, to: ReportStatus): boolean {
  return NEXT[from].includes(to);
}

/** Closed reports take no more replies or evidence from the tipster. */
export function isReportOpen(status: ReportStatus): boolean {
  return status !== "concluded" && status !== "not_accepted";
}
