// Who may open the case behind a lead, and the audit line every case view, download and reveal
// writes first: the access rule and the event of the case page live here, not in the page.
import { and, asc, eq, sql } from "drizzle-orm";
import { events, leadReports, members, reportAttachments, type LeadRow, type MemberRow } from "../../db/schema";
import { verifyCaseLinkToken } from "../chat-actions";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { asActor, eventRow, getLead, mayHandleLead } from "../leads/leads";

export type { LeadRow, MemberRow } from "../../db/schema";
export type CaseAttachment = typeof reportAttachments.$inferSelect;

/** A member the signed case link was issued to, still active and still allowed to handle the lead. */
export interface CaseAccess {
  member: MemberRow;
  lead: LeadRow;
  /** The workspace session the member acts in (null from a signed case link). */
  platformRef?: string | null;
}

export async function authoriseCaseLink(deps: ServiceDeps, leadId: string, token: string | undefined): Promise<CaseAccess> {
  const memberId = token ? await verifyCaseLinkToken(deps, leadId, token) : null;
  const member = memberId ? await deps.db.query.members.findFirst({ where: and(eq(members.id, memberId), eq(members.active, true)) }) : undefined;
  const lead = member ? await getLead(deps, leadId) : null;
  if (!member || !lead || !mayHandleLead(member, lead)) throw new AppError("forbidden", "case link invalid or expired");
  return { member, lead };
}

/** The tipster's identity and original files: coordinators and finance only, always with a reason. */
export const mayRevealIdentity = (member: MemberRow) => member.role === "coordinator" || member.role === "finance";

/** One line in the event log for something a member did on the case page (written before the thing is shown). */
export async function recordCaseEvent(deps: ServiceDeps, member: MemberRow, leadId: string, action: string, data: Record<string, unknown> = {}, platformRef: string | null = null): Promise<void> {
  await deps.db.insert(events).values(
    eventRow(asActor({ member, platform: "web", platformRef }), { occurredAt: deps.now().getTime(), entityType: "lead", entityId: leadId, action, data: JSON.stringify(data) }),
  );
}

/** The report's files in upload order; the order gives each its neutral number. */
export async function caseAttachmentsOf(deps: ServiceDeps, reportId: string): Promise<CaseAttachment[]> {
  // Rows of one submission share created_at; rowid keeps their upload order.
  return deps.db.select().from(reportAttachments).where(eq(reportAttachments.reportId, reportId)).orderBy(asc(reportAttachments.createdAt), asc(sql`rowid`));
}

/** A file of one of the lead's reports (not_found for any other file). */
export async function findCaseAttachment(deps: ServiceDeps, leadId: string, attachmentId: string): Promise<CaseAttachment> {
  const attachment = await deps.db.query.reportAttachments.findFirst({ where: eq(reportAttachments.id, attachmentId) });
  const link = attachment ? await deps.db.query.leadReports.findFirst({ where: and(eq(leadReports.leadId, leadId), eq(leadReports.reportId, attachment.reportId)) }) : undefined;
  if (!attachment || !link) throw new AppError("not_found", "attachment not found");
  return attachment;
}

/** Whether a report is one of the lead's. */
export async function isReportOfLead(deps: ServiceDeps, leadId: string, reportId: string): Promise<boolean> {
  return (await deps.db.query.leadReports.findFirst({ where: and(eq(leadReports.leadId, leadId), eq(leadReports.reportId, reportId)) })) !== undefined;
}
