// Opening the case behind a lead from a signed link (the "Open case" button in chat): checks the
// link and the member's right to the lead, writes the case-view event first, then reads the lead's
// reports need-to-know: descriptions and messages scrubbed of the tipster's identity, files listed,
// each tip by its number on the lead, with its reward (amount and state, never the claimant).
import { asc, eq } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import { scrubText } from "../../core/scrub";
import type { ReporterIdentity } from "../../core/report-input";
import { reports, rewardClaims, type ReportRow } from "../../db/schema";
import type { RewardStatus } from "../../core/rewards/claims";
import { listLeadTips } from "../leads/tips";
import { decryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { getStatusView, type StatusView } from "../intake/reports";
import { getLead } from "../leads/leads";
import { authoriseCaseLink, caseAttachmentsOf, mayRevealIdentity, recordCaseEvent, type CaseAttachment, type LeadRow, type MemberRow } from "./case-access";

export type { ReportRow } from "../../db/schema";

export interface CaseReport {
  report: ReportRow;
  /** The tip's number on the lead (1, 2, … in the order tips joined): how staff name a tipster. */
  tipNo: number;
  /** The reward this tip earned, if any: amount and state only. */
  reward: { status: RewardStatus; amountFen: number; paidAt: number | null } | null;
  /** The description with the tipster's known identity and identity patterns scrubbed. */
  description: string;
  messages: (StatusView["messages"][number] & { body: string })[];
  attachments: CaseAttachment[];
}

export interface CaseView {
  member: MemberRow;
  lead: LeadRow;
  reports: CaseReport[];
  /** Whether this member may ask for the identity and original files (with a reason). */
  canReveal: boolean;
}

/** The tipster's identity, only to know what to scrub; it never leaves this module. */
async function knownIdentity(deps: ServiceDeps, report: ReportRow): Promise<ReporterIdentity | null> {
  if (!report.reporterEnc) return null;
  return JSON.parse(await decryptText(deps.keys, report.reporterEnc, `report:${report.id}:reporter`)) as ReporterIdentity;
}

export async function openCase(deps: ServiceDeps, input: { leadId: string; token: string | undefined }): Promise<CaseView> {
  const { member } = await authoriseCaseLink(deps, input.leadId, input.token);
  await recordCaseEvent(deps, member, input.leadId, "lead.case_viewed");
  // Read again after the event: the page shows the lead as it is now.
  const lead = (await getLead(deps, input.leadId))!;
  const [tips, claims] = await Promise.all([
    listLeadTips(deps, input.leadId),
    deps.db.select({ reportId: rewardClaims.reportId, status: rewardClaims.status, amountFen: rewardClaims.amountFen, paidAt: rewardClaims.paidAt }).from(rewardClaims).where(eq(rewardClaims.leadId, input.leadId)),
  ]);
  const tipNo = new Map(tips.map((tip) => [tip.reportId, tip.tipNo]));
  const rows = tips.length ? await deps.db.select().from(reports).where(inJsonArray(reports.id, tips.map((tip) => tip.reportId))).orderBy(asc(reports.createdAt)) : [];
  // In tip order, so "#2" on the page is tip #2 in chat.
  const reportRows = rows.sort((a, b) => (tipNo.get(a.id) ?? 0) - (tipNo.get(b.id) ?? 0));
  const details = await Promise.all(
    reportRows.map(async (r) => {
      const claim = claims.find((c) => c.reportId === r.id);
      const identity = await knownIdentity(deps, r);
      const known = identity ? { names: [identity.name], phones: [identity.phone], idNumbers: [identity.idNumber], emails: identity.email ? [identity.email] : [] } : {};
      const view = await getStatusView(deps, r);
      return {
        report: r,
        tipNo: tipNo.get(r.id) ?? 1,
        reward: claim ? { status: claim.status as RewardStatus, amountFen: claim.amountFen, paidAt: claim.paidAt } : null,
        description: scrubText(await decryptText(deps.keys, r.descriptionEnc, `report:${r.id}:description`), known),
        messages: view.messages.map((m) => ({ ...m, body: scrubText(m.body, known) })),
        attachments: await caseAttachmentsOf(deps, r.id),
      };
    }),
  );
  return { member, lead, reports: details, canReveal: mayRevealIdentity(member) };
}
