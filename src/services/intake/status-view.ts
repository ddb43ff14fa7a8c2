// What the tipster may see of their report (status page, API): public status, timeline, conversation,
// reward summary.
import type { RewardStatus } from "../../core/rewards/claims";
import { rewardViewForReport, type RewardView } from "../rewards/claim-reads";
import { asc, count, eq, sql } from "drizzle-orm";
// Rows written in the same millisecond keep insertion order through SQLite's rowid.
import { isReportOpen, type ReportOutcome, type ReportStatus } from "../../core/report-status";
import { reportAttachments, reportMessages, reportTimeline, type ReportRow } from "../../db/schema";
import { decryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";

export interface StatusView {
  report: {
    id: string;
    status: ReportStatus;
    outcome: ReportOutcome | null;
    submittedAt: string;
    updatedAt: string;
    subject: string;
    violationType: string;
    regionCode: string;
    targetName: string;
    anonymous: boolean;
    attachmentCount: number;
    open: boolean;
  };
  timeline: { at: string; kind: string; status: ReportStatus | null; outcome: ReportOutcome | null }[];
  messages: { id: string; at: string; from: "reporter" | "investigator"; body: string; inReplyTo: string | null }[];
  reward?: RewardSummary;
}

export interface RewardSummary {
  claimId: string;
  status: RewardStatus;
  amountFen: number;
  deadline: string;
  policy: string;
  policyName: string;
  deadlineWarning: boolean;
  question: string | null;
  reconsiderationUntil: string | null;
}

/** What the tipster may see of their report: public status, timeline and the conversation. */
export async function getStatusView(deps: ServiceDeps, report: ReportRow): Promise<StatusView> {
  return (await statusViewWithReward(deps, report)).view;
}

/** The status view and the full reward view it summarises (the status page shows both; read once). */
export async function statusViewWithReward(deps: ServiceDeps, report: ReportRow): Promise<{ view: StatusView; reward: RewardView | null }> {
  const [timeline, messages, [attachments], reward] = await Promise.all([
    deps.db.query.reportTimeline.findMany({ where: eq(reportTimeline.reportId, report.id), orderBy: [asc(reportTimeline.createdAt), asc(sql`rowid`)] }),
    deps.db.query.reportMessages.findMany({ where: eq(reportMessages.reportId, report.id), orderBy: [asc(reportMessages.createdAt), asc(sql`rowid`)] }),
    deps.db.select({ n: count() }).from(reportAttachments).where(eq(reportAttachments.reportId, report.id)),
    rewardViewForReport(deps, report),
  ]);
  const status = report.status as ReportStatus;
  const view: StatusView = {
    report: {
      id: report.id,
      status,
      outcome: (report.outcome as ReportOutcome | null) ?? null,
      submittedAt: new Date(report.createdAt).toISOString(),
      updatedAt: new Date(report.updatedAt).toISOString(),
      subject: report.subject,
      violationType: report.violationType,
      regionCode: report.regionCode,
      targetName: report.targetName,
      anonymous: report.isAnonymous,
      attachmentCount: attachments?.n ?? 0,
      open: isReportOpen(status),
    },
    timeline: timeline.map((e) => ({
      at: new Date(e.createdAt).toISOString(),
      kind: e.kind,
      status: (e.status as ReportStatus | null) ?? null,
      outcome: (e.outcome as ReportOutcome | null) ?? null,
    })),
    messages: await Promise.all(
      messages.map(async (m) => ({
        id: m.id,
        at: new Date(m.createdAt).toISOString(),
        from: m.authorType as "reporter" | "investigator",
        body: await decryptText(deps.keys, m.bodyEnc, `message:${m.id}:body`),
        inReplyTo: m.inReplyTo,
      })),
    ),
    ...(reward
      ? {
          reward: {
            claimId: reward.claimId,
            status: reward.status,
            amountFen: reward.amountFen,
            deadline: reward.deadline,
            policy: reward.policy.id,
            policyName: reward.policy.name,
            deadlineWarning: reward.deadlineWarning,
            question: reward.question,
            reconsiderationUntil: reward.reconsiderationUntil,
          },
        }
      : {}),
  };
  return { view, reward };
}
