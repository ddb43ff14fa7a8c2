// Submitting a report: validated input, evidence and the lead it joins, written in one batch; the
// receipt is returned once.
import { newId, newReportId } from "../../core/ids";
import { RECEIPT_RANDOM_BYTES, normaliseReceipt, receiptFromBytes } from "../../core/receipt";
import type { Locale, ReportInput, ReporterIdentity } from "../../core/report-input";
import { resolveRegion } from "../../core/regions";
import { shanghaiDate } from "../../core/time";
import { events, reports, reportTimeline } from "../../db/schema";
import { encryptText } from "../../security/cipher";
import { randomBytes } from "../../security/encoding";
import { contentHashOf, signProof } from "../../security/proof";
import type { ServiceDeps } from "../deps";
import { eventRow } from "../events";
import { AppError } from "../errors";
import { rateLimitGuard } from "./rate-limit";
import { commitLead } from "../leads/planning";
import { signingKeyRecorded, signingKeyStatements } from "./proof-keys";
import { prepareAttachmentInserts, type CheckedFile } from "./evidence";
import { storeStrippedCopies } from "./strip-evidence";
import { PUBLIC_ACTOR, type OnceStatement, type ReportChannel, type SubmittedReport } from "./report-types";
import { receiptHash } from "./receipt-access";
import { queuedBy } from "../delivery/wake-plan";

export const SUBMISSIONS_RULE = (deps: ServiceDeps) => ({ bucket: "report-submissions", limit: deps.config.REPORTS_PER_HOUR, windowMs: 3_600_000 });

/**
 * Stores a validated report with its evidence and its lead; returns the receipt, which exists nowhere
 * else. With `throttle` the submission is counted against REPORTS_PER_HOUR (per `clientAddress`) in
 * its own write batch: a tip costs two round trips (one read-only batch, one write batch, so one
 * commit) with warm caches.
 */
export async function submitReport(
  deps: ServiceDeps,
  input: {
    report: ReportInput;
    files: CheckedFile[];
    channel: ReportChannel;
    locale: Locale;
    clientAddress?: string | undefined;
    throttle?: boolean;
    once?: OnceStatement<SubmittedReport>;
    /** The HTTP request's log fields: the outcome goes on the request's one line instead of a line of its own. */
    logFields?: Record<string, unknown>;
  },
): Promise<SubmittedReport> {
  const now = deps.now();
  const createdAt = now.getTime();
  const { report } = input;
  const region = resolveRegion(report.region);
  if (!region.ok) throw new AppError("validation_failed", "region does not resolve");

  const reportId = newReportId(shanghaiDate(now));
  const receipt = receiptFromBytes(randomBytes(RECEIPT_RANDOM_BYTES));
  const amountEstimateFen = report.amountEstimate === undefined ? null : Math.round(report.amountEstimate * 100);
  const prepared = await prepareAttachmentInserts(deps, { reportId, messageId: null, uploadedBy: "reporter", files: input.files, createdAt });
  const submittedAt = now.toISOString();
  const contentHash = await contentHashOf(deps.keys, {
    reportId,
    submittedAt,
    subject: report.subject,
    violationType: report.violationType,
    regionCode: region.value.regionCode,
    targetName: report.targetName,
    targetAddress: report.targetAddress ?? null,
    occurredFrom: report.occurredFrom,
    occurredTo: report.occurredTo ?? null,
    amountEstimateFen,
    description: report.description,
    anonymous: report.anonymous,
    insider: report.insider,
    wantsReward: report.wantsReward,
    attachments: prepared.attachments.map((a) => a.sha256),
  });
  const identity: ReporterIdentity | undefined = report.anonymous ? undefined : report.reporter;
  const [proof, descriptionEnc, reporterEnc, receiptHashValue] = await Promise.all([
    signProof(deps.keys, {
      reportId,
      submittedAt,
      contentHash,
      attachments: prepared.attachments.map(({ sha256, sizeBytes, mediaType }) => ({ sha256, sizeBytes, mediaType })),
    }),
    encryptText(deps.keys, report.description, `report:${reportId}:description`),
    identity ? encryptText(deps.keys, JSON.stringify(identity), `report:${reportId}:reporter`) : Promise.resolve(null),
    receiptHash(deps, normaliseReceipt(receipt)!),
  ]);
  const reportRows = [
    deps.db.insert(reports).values({
      id: reportId,
      createdAt,
      updatedAt: createdAt,
      channel: input.channel,
      locale: report.locale ?? input.locale,
      status: "received",
      outcome: null,
      subject: report.subject,
      violationType: report.violationType,
      ...region.value,
      targetName: report.targetName,
      targetAddress: report.targetAddress ?? null,
      occurredFrom: report.occurredFrom,
      occurredTo: report.occurredTo ?? null,
      amountEstimateFen,
      descriptionEnc,
      isAnonymous: report.anonymous,
      reporterEnc,
      isInsider: report.insider,
      wantsReward: report.wantsReward,
      receiptHash: receiptHashValue,
      contentHash,
      proofKeyId: proof.keyId,
      proofSignature: proof.signature,
    }),
    ...prepared.statements,
    deps.db.insert(reportTimeline).values({ id: newId("tl"), reportId, createdAt, kind: "submitted", status: "received" }),
    deps.db.insert(events).values(
      eventRow(PUBLIC_ACTOR(input.channel), {
        occurredAt: createdAt,
        entityType: "report",
        entityId: reportId,
        action: "report.submitted",
        fromState: null,
        toState: "received",
        data: JSON.stringify({
          subject: report.subject,
          violationType: report.violationType,
          regionCode: region.value.regionCode,
          anonymous: report.anonymous,
          attachments: prepared.attachments.length,
        }),
      }),
    ),
    // The public key that signed this proof stays published after a rotation (no-op once known).
    ...signingKeyStatements(deps),
  ];
  // First in the batch: a repeat of the same submission fails on its key before anything else is tried.
  const onceRows = input.once ? [(await input.once({ reportId, receipt, submittedAt, proof })).statement] : [];
  const throttle = input.throttle ?? input.clientAddress !== undefined;
  // Counted in the write batch itself: over the limit, the whole batch fails and nothing is stored.
  const limit = throttle ? await rateLimitGuard(deps, SUBMISSIONS_RULE(deps), input.clientAddress) : null;
  // Every accepted tip becomes (or corroborates) a lead in the same atomic batch: nothing is lost
  // between the two, and a lost race (another tip took the cluster slot) re-plans the lead only.
  let lead: Awaited<ReturnType<typeof commitLead>>;
  try {
    lead = await commitLead(deps, {
      seed: {
        source: "tip",
        subject: report.subject,
        violationType: report.violationType,
        regionCode: region.value.regionCode,
        targetName: report.targetName,
        occurredFrom: report.occurredFrom,
        occurredTo: report.occurredTo ?? null,
        amountEstimateFen,
        description: report.description,
        identity: identity ?? null,
        reportId,
        receivedAt: now,
      },
      actor: { type: "system", platform: "service" },
      alongside: () => [...onceRows, ...(limit?.statements ?? []), ...reportRows],
    });
  } catch (err) {
    if (limit?.isRefusal(err)) throw new AppError("rate_limited", "too many reports from this client", { retryAfterSeconds: limit.retryAfterSeconds });
    throw err;
  }
  // Only now, with the submission accepted and stored: a throttled client's files cost no strip.
  await storeStrippedCopies(deps, prepared.toStrip);
  signingKeyRecorded(deps);
  const outcome = { reportId, leadId: lead.leadId, newLead: lead.created, channel: input.channel, attachments: prepared.attachments.length };
  if (input.logFields) Object.assign(input.logFields, { event: "report submitted", ...outcome });
  else deps.log.info("report submitted", outcome);
  deps.notifyOutbox?.(queuedBy(lead.statements));
  return { reportId, receipt, submittedAt, proof };
}
