// The files and identity behind a case: the stripped copy for anyone who may handle the lead, the
// original file and the tipster's identity only for coordinators and finance with a stated reason.
// Each is written to the event log before a byte is read or decrypted.
import { decryptText } from "../../security/cipher";
import type { ReporterIdentity } from "../../core/report-input";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { readAttachmentBytes } from "../intake/evidence";
import { revealReporterIdentity } from "../intake/reports";
import { asActor } from "../leads/leads";
import { caseAttachmentsOf, findCaseAttachment, isReportOfLead, mayRevealIdentity, recordCaseEvent, type CaseAccess, type CaseAttachment } from "./case-access";

export interface CaseFile {
  attachment: CaseAttachment;
  bytes: Uint8Array;
  /** Its number among the report's files (as the case page shows it): the download is named by it. */
  number: number;
}

/** The number a file has on the case page: a report's files are few (per-report quotas). */
async function numberOf(deps: ServiceDeps, attachment: CaseAttachment): Promise<number> {
  return (await caseAttachmentsOf(deps, attachment.reportId)).findIndex((a) => a.id === attachment.id) + 1;
}

/** The copy with metadata stripped; a file kept only as its original is refused. */
export async function downloadStrippedCaseFile(deps: ServiceDeps, access: CaseAccess, attachmentId: string): Promise<CaseFile> {
  const attachment = await findCaseAttachment(deps, access.lead.id, attachmentId);
  if (attachment.strippedChunkCount === null) throw new AppError("forbidden", "no stripped copy", { messageKey: "case.original_only" });
  await recordCaseEvent(deps, access.member, access.lead.id, "lead.attachment_downloaded", { attachmentId: attachment.id, variant: "stripped" }, access.platformRef);
  const bytes = (await readAttachmentBytes(deps, attachment, "stripped"))!;
  return { attachment, bytes, number: await numberOf(deps, attachment) };
}

/** Refuses a member who may not see identities or originals (before any form is read). */
export function requireRevealRight(access: CaseAccess, what: "originals" | "identity"): void {
  if (!mayRevealIdentity(access.member)) throw new AppError("forbidden", `${what} ${what === "originals" ? "are" : "is"} restricted`);
}

/** The original file, byte for byte, released with the reason logged first. */
export async function releaseOriginalCaseFile(deps: ServiceDeps, access: CaseAccess, attachment: CaseAttachment, reason: string): Promise<CaseFile> {
  requireRevealRight(access, "originals");
  await recordCaseEvent(deps, access.member, access.lead.id, "lead.attachment_original_released", { attachmentId: attachment.id, reportId: attachment.reportId, reason }, access.platformRef);
  const bytes = (await readAttachmentBytes(deps, attachment, "original"))!;
  return { attachment, bytes, number: await numberOf(deps, attachment) };
}

export interface RevealedCase {
  identity: ReporterIdentity | null;
  /** The report's files in upload order with the names they were uploaded under. */
  files: { attachment: CaseAttachment; name: string }[];
}

/** The tipster's identity and original file names of one of the lead's reports, logged with the reason first. */
export async function revealCaseIdentity(deps: ServiceDeps, access: CaseAccess, reportId: string, reason: string): Promise<RevealedCase> {
  requireRevealRight(access, "identity");
  if (!(await isReportOfLead(deps, access.lead.id, reportId))) throw new AppError("not_found", "report not part of this lead");
  // Logged (with the reason) before anything is decrypted; the original file names are part of it.
  const identity = await revealReporterIdentity(deps, { reportId, actor: asActor({ member: access.member, platform: "web", platformRef: access.platformRef ?? null }), reason });
  const files = await Promise.all(
    (await caseAttachmentsOf(deps, reportId)).map(async (attachment) => ({ attachment, name: await decryptText(deps.keys, attachment.fileNameEnc, `attachment:${attachment.id}:name`) })),
  );
  return { identity, files };
}
