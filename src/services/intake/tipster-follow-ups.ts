// The tipster's side after submitting: follow-up messages (with optional evidence) and more evidence,
// while the report is open.
import { and, eq } from "drizzle-orm";
import { newId } from "../../core/ids";
import { isReportOpen, type ReportStatus } from "../../core/report-status";
import { asBatch } from "../../db/client";
import { retryBusyWrite } from "../../db/retry";
import { events, reportMessages, reports, reportTimeline, type ReportRow } from "../../db/schema";
import { encryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { eventRow } from "../events";
import { AppError } from "../errors";
import { tipsterReplyStatements } from "../leads/lead-card-queue";
import { evidenceNoticeStatements } from "../leads/evidence-notices";
import { prepareAttachmentInserts, type CheckedFile } from "./evidence";
import { storeStrippedCopies } from "./strip-evidence";
import { PUBLIC_ACTOR, type OnceStatement, type ReportChannel } from "./report-types";
import { quotaGuards } from "./follow-up-quotas";

function assertOpen(report: ReportRow) {
  if (!isReportOpen(report.status as ReportStatus)) throw new AppError("report_closed", "report is closed");
}

/** The tipster's follow-up or answer; optional evidence rides along in the same batch. */
export async function addReporterMessage(
  deps: ServiceDeps,
  report: ReportRow,
  input: { body: string; inReplyTo?: string | undefined; files?: CheckedFile[]; channel: ReportChannel; once?: OnceStatement<{ messageId: string }>; clientAddress?: string | undefined },
): Promise<{ messageId: string }> {
  assertOpen(report);
  const createdAt = deps.now().getTime();
  const messageId = newId("msg");
  let inReplyTo: string | null = null;
  if (input.inReplyTo) {
    const question = await deps.db.query.reportMessages.findFirst({
      where: and(eq(reportMessages.id, input.inReplyTo), eq(reportMessages.reportId, report.id), eq(reportMessages.authorType, "investigator")),
    });
    if (!question) throw new AppError("not_found", "question not found for this report");
    inReplyTo = question.id;
  }
  const prepared = await prepareAttachmentInserts(deps, { reportId: report.id, messageId, uploadedBy: "reporter", files: input.files ?? [], createdAt });
  // The team sees it through a digest rendered (and scrubbed with the known identity) at delivery.
  const toTeam = await tipsterReplyStatements(deps, { reportId: report.id, messageId });
  const once = input.once ? [(await input.once({ messageId })).statement] : [];
  const quota = await quotaGuards(deps, "message", report.id, input.clientAddress);
  await retryBusyWrite(deps.db, async () =>
    deps.db.batch(asBatch([
      ...quota.statements,
      ...toTeam,
      deps.db.insert(reportMessages).values({
        id: messageId,
        reportId: report.id,
        createdAt,
        authorType: "reporter",
        authorRef: null,
        inReplyTo,
        bodyEnc: await encryptText(deps.keys, input.body, `message:${messageId}:body`),
      }),
      ...prepared.statements,
      deps.db.insert(reportTimeline).values({ id: newId("tl"), reportId: report.id, createdAt, kind: "reporter_message" }),
      deps.db.update(reports).set({ updatedAt: createdAt }).where(eq(reports.id, report.id)),
      deps.db.insert(events).values(
        eventRow(PUBLIC_ACTOR(input.channel), {
          occurredAt: createdAt,
          entityType: "report",
          entityId: report.id,
          action: "report.reporter_message",
          data: JSON.stringify({ messageId, inReplyTo, attachments: prepared.attachments.length }),
        }),
      ),
      ...once,
    ])),
  ).catch((err: unknown) => {
    throw quota.refusal(err) ?? err;
  });
  await storeStrippedCopies(deps, prepared.toStrip); // after the quota accepted the message
  if (toTeam.length) deps.notifyOutbox?.();
  return { messageId };
}

/** More evidence from the tipster after submission. */
export async function addReporterEvidence(
  deps: ServiceDeps,
  report: ReportRow,
  input: { files: CheckedFile[]; channel: ReportChannel; once?: OnceStatement<{ attachments: { id: string }[] }>; clientAddress?: string | undefined },
): Promise<{ attachments: { id: string; sha256: string; sizeBytes: number; mediaType: string }[] }> {
  assertOpen(report);
  if (input.files.length === 0) throw new AppError("validation_failed", "no files", { fields: {} });
  const createdAt = deps.now().getTime();
  const prepared = await prepareAttachmentInserts(deps, { reportId: report.id, messageId: null, uploadedBy: "reporter", files: input.files, createdAt });
  // The lead's thread hears of it in this same batch: a repeated submission (its once-row refused) queues nothing.
  const toTeam = await evidenceNoticeStatements(deps, { reportId: report.id, submissionKey: prepared.attachments[0]!.id, since: createdAt });
  const once = input.once ? [(await input.once({ attachments: prepared.attachments })).statement] : [];
  const quota = await quotaGuards(deps, "evidence", report.id, input.clientAddress);
  await retryBusyWrite(deps.db, async () =>
    deps.db.batch(asBatch([
      ...quota.statements,
      ...prepared.statements,
      ...toTeam,
      deps.db.insert(reportTimeline).values({ id: newId("tl"), reportId: report.id, createdAt, kind: "evidence_added" }),
      deps.db.update(reports).set({ updatedAt: createdAt }).where(eq(reports.id, report.id)),
      deps.db.insert(events).values(
        eventRow(PUBLIC_ACTOR(input.channel), {
          occurredAt: createdAt,
          entityType: "report",
          entityId: report.id,
          action: "report.evidence_added",
          data: JSON.stringify({ attachments: prepared.attachments.map((a) => a.id) }),
        }),
      ),
      ...once,
    ])),
  ).catch((err: unknown) => {
    throw quota.refusal(err) ?? err;
  });
  await storeStrippedCopies(deps, prepared.toStrip); // after the quota accepted the upload
  if (toTeam.length) deps.notifyOutbox?.();
  return { attachments: prepared.attachments };
}
