// Opening the case behind a lead from a signed link (the "Open case" button in chat): checks the
// link and the member's right to the lead, writes the case-view event first, then reads the lead's
// reports need-to-know: descriptions and messages scrubbed of the tipster's identity, files listed.
import { asc, eq } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import { scrubText } from "../../core/scrub";
import type { ReporterIdentity } from "../../core/report-input";
import { leadReports, reports, type ReportRow } from "../../db/schema";
import { decryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { getStatusView, type StatusView } from "../intake/reports";
import { getLead } from "../leads/leads";
import { authoriseCaseLink, caseAttachmentsOf, mayRevealIdentity, recordCaseEvent, type CaseAttachment, type LeadRow, type MemberRow } from "./case-access";

export type { ReportRow } from "../../db/schema";

export interface CaseReport {
  report: ReportRow;
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
  return { member, lead, reports: await readCaseReports(deps, input.leadId), canReveal: mayRevealIdentity(member) };
}

/** The lead's reports, oldest first, need-to-know: descriptions and messages scrubbed, files listed (call after the view event). */
export async function readCaseReports(deps: ServiceDeps, leadId: string): Promise<CaseReport[]> {
  const linked = await deps.db.select({ reportId: leadReports.reportId }).from(leadReports).where(eq(leadReports.leadId, leadId));
  const reportRows = linked.length ? await deps.db.select().from(reports).where(inJsonArray(reports.id, linked.map((l) => l.reportId))).orderBy(asc(reports.createdAt)) : [];
  return Promise.all(
    reportRows.map(async (r) => {
      const identity = await knownIdentity(deps, r);
      const known = identity ? { names: [identity.name], phones: [identity.phone], idNumbers: [identity.idNumber], emails: identity.email ? [identity.email] : [] } : {};
      const view = await getStatusView(deps, r);
      return {
        report: r,
        description: scrubText(await decryptText(deps.keys, r.descriptionEnc, `report:${r.id}:description`), known),
        messages: view.messages.map((m) => ({ ...m, body: scrubText(m.body, known) })),
        attachments: await caseAttachmentsOf(deps, r.id),
      };
    }),
  );
}
