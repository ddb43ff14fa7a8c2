// Use cases around a citizen's report: submit, look up by receipt, talk both ways, add evidence, and
// the investigators' side (message, status change, audited identity view). Every change writes its
// rows and its event in one atomic batch before returning.
import type { RewardStatus } from "../../core/rewards/claims";
import { rewardViewForReport, type RewardView } from "../rewards/claims";
import { and, asc, count, eq, sql } from "drizzle-orm";
// Rows written in the same millisecond keep insertion order through SQLite's rowid.
import { newId, newReportId } from "../../core/ids";
import { RECEIPT_RANDOM_BYTES, normaliseReceipt, receiptFromBytes } from "../../core/receipt";
import type { Locale, ReportInput, ReporterIdentity } from "../../core/report-input";
import { canMoveReport, isReportOpen, type ReportOutcome, type ReportStatus } from "../../core/report-status";
import { resolveRegion } from "../../core/regions";
import { shanghaiDate } from "../../core/time";
import { asBatch } from "../../db/client";
import { retryBusyWrite } from "../../db/retry";
import { events, reportAttachments, reportMessages, reports, reportTimeline, type ReportRow } from "../../db/schema";
import { decryptText, encryptText, keyedHash } from "../../security/cipher";
import { randomBytes } from "../../security/encoding";
import { contentHashOf, signProof, type ProofOfSubmission } from "../../security/proof";
import type { ServiceDeps } from "../deps";
import { eventRow, type Actor } from "../events";
export type { Actor } from "../events";
import { AppError } from "../errors";
import { rateLimitGuard } from "./rate-limit";
import { countReceiptLookup, refundReceiptFailure } from "./receipt-lookups";
import { tipsterReplyStatements } from "../leads/lead-card-queue";
import { commitLead } from "../leads/planning";
import { signingKeyRecorded, signingKeyStatements } from "./proof-keys";
import { prepareAttachmentInserts, type CheckedFile } from "./evidence";
import { storeStrippedCopies } from "./strip-evidence";

export type ReportChannel = "web" | "api";

/**
 * A statement the caller adds to the creating batch once the result is known: the submit-once key
 * (src/services/intake/submission-keys.ts), so a repeat of the same request creates nothing. Wrapped
 * in an object because drizzle statements are thenables (awaiting one bare would run it).
 */
export type OnceStatement<R> = (result: R) => Promise<{ statement: unknown }>;

const PUBLIC_ACTOR = (platform: ReportChannel): Actor => ({ type: "public", platform });

export function receiptHash(deps: ServiceDeps, normalisedReceipt: string): Promise<string> {
  return keyedHash(deps.keys, "receipt", normalisedReceipt);
}

export interface SubmittedReport {
  reportId: string;
  receipt: string;
  submittedAt: string;
  proof: ProofOfSubmission;
}

export const SUBMISSIONS_RULE = (deps: ServiceDeps) => ({ bucket: "report-submissions", limit: deps.config.REPORTS_PER_HOUR, windowMs: 3_600_000 });

/**
 * Quotas that protect the teams from one receipt or one client flooding their chat: follow-up
 * messages and evidence uploads, per report and per client. Counted inside the write batch (over the
 * limit, nothing is stored and the answer is 429 with Retry-After).
 */
const QUOTAS = {
  message: (deps: ServiceDeps) => ({
    perReport: { bucket: "report-messages", limit: deps.config.MESSAGES_PER_REPORT_PER_HOUR, windowMs: 3_600_000 },
    perClient: { bucket: "client-messages", limit: deps.config.MESSAGES_PER_CLIENT_PER_HOUR, windowMs: 3_600_000 },
  }),
  evidence: (deps: ServiceDeps) => ({
    perReport: { bucket: "report-evidence", limit: deps.config.EVIDENCE_UPLOADS_PER_REPORT_PER_DAY, windowMs: 86_400_000 },
    perClient: { bucket: "client-evidence", limit: deps.config.EVIDENCE_UPLOADS_PER_CLIENT_PER_HOUR, windowMs: 3_600_000 },
  }),
};

async function quotaGuards(deps: ServiceDeps, kind: keyof typeof QUOTAS, reportId: string, clientAddress: string | undefined) {
  const rules = QUOTAS[kind](deps);
  const guards = [await rateLimitGuard(deps, rules.perReport, `report:${reportId}`), ...(clientAddress !== undefined ? [await rateLimitGuard(deps, rules.perClient, clientAddress)] : [])];
  return {
    statements: guards.flatMap((g) => g.statements),
    /** The refusal to answer when the batch failed on one of the quotas, else null. */
    refusal(err: unknown): AppError | null {
      const hit = guards.find((g) => g.isRefusal(err));
      return hit ? new AppError("rate_limited", `${kind} quota reached`, { retryAfterSeconds: hit.retryAfterSeconds, messageKey: `errors.quota_${kind}` }) : null;
    },
  };
}

/**
 * Stores a validated report with its evidence and its lead; returns the receipt, which exists nowhere
 * else. With `throttle` the submission is counted against REPORTS_PER_HOUR (per `clientAddress`) in
 * its own write batch: a tip costs two round trips (one read-only batch, one write batch, so one
 * commit) with warm caches.
 */
export async function submitReport(
  deps: ServiceDeps,
  input: { report: ReportInput; files: CheckedFile[]; channel: ReportChannel; locale: Locale; clientAddress?: string | undefined; throttle?: boolean; once?: OnceStatement<SubmittedReport> },
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
  deps.log.info("report submitted", { reportId, leadId: lead.leadId, newLead: lead.created, channel: input.channel, attachments: prepared.attachments.length });
  deps.notifyOutbox?.();
  return { reportId, receipt, submittedAt, proof };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Finds the report a receipt belongs to. The answer takes at least RECEIPT_LOOKUP_MIN_MS whether or
 * not the receipt is known, so response time tells a guesser nothing.
 */
export async function findReportByReceipt(deps: ServiceDeps, receipt: string): Promise<ReportRow | null> {
  const started = Date.now();
  const normalised = normaliseReceipt(receipt);
  const hash = await receiptHash(deps, normalised ?? `invalid:${receipt}`);
  const row = (await deps.db.query.reports.findFirst({ where: eq(reports.receiptHash, hash) })) ?? null;
  const remaining = deps.config.RECEIPT_LOOKUP_MIN_MS - (Date.now() - started);
  if (remaining > 0) await sleep(remaining);
  return row;
}

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
  const once = input.once ? [(await input.once({ attachments: prepared.attachments })).statement] : [];
  const quota = await quotaGuards(deps, "evidence", report.id, input.clientAddress);
  await retryBusyWrite(deps.db, async () =>
    deps.db.batch(asBatch([
      ...quota.statements,
      ...prepared.statements,
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
  return { attachments: prepared.attachments };
}

async function getReportOrThrow(deps: ServiceDeps, reportId: string): Promise<ReportRow> {
  const report = await deps.db.query.reports.findFirst({ where: eq(reports.id, reportId) });
  if (!report) throw new AppError("not_found", `report ${reportId} not found`);
  return report;
}

/** An investigator's message or question to the tipster; it shows on the status page. */
export async function postInvestigatorMessage(
  deps: ServiceDeps,
  input: { reportId: string; body: string; actor: Actor },
): Promise<{ messageId: string }> {
  const report = await getReportOrThrow(deps, input.reportId);
  const createdAt = deps.now().getTime();
  const messageId = newId("msg");
  await retryBusyWrite(deps.db, async () =>
    deps.db.batch(asBatch([
      deps.db.insert(reportMessages).values({
        id: messageId,
        reportId: report.id,
        createdAt,
        authorType: "investigator",
        authorRef: input.actor.id ?? null,
        inReplyTo: null,
        bodyEnc: await encryptText(deps.keys, input.body, `message:${messageId}:body`),
      }),
      deps.db.insert(reportTimeline).values({ id: newId("tl"), reportId: report.id, createdAt, kind: "investigator_message" }),
      deps.db.update(reports).set({ updatedAt: createdAt }).where(eq(reports.id, report.id)),
      deps.db.insert(events).values(
        eventRow(input.actor, { occurredAt: createdAt, entityType: "report", entityId: report.id, action: "report.investigator_message", data: JSON.stringify({ messageId }) }),
      ),
    ])),
  );
  return { messageId };
}

/** Moves the public status forward (e.g. acknowledged → in_review, closed → concluded with outcome). */
export async function changeReportStatus(
  deps: ServiceDeps,
  input: { reportId: string; to: ReportStatus; outcome?: ReportOutcome | null; actor: Actor },
): Promise<void> {
  const report = await getReportOrThrow(deps, input.reportId);
  const from = report.status as ReportStatus;
  if (from === input.to) return;
  if (!canMoveReport(from, input.to)) throw new AppError("conflict", `report cannot move from ${from} to ${input.to}`);
  const outcome = input.to === "concluded" ? (input.outcome ?? null) : null;
  if (input.to === "concluded" && !outcome) throw new AppError("validation_failed", "a concluded report needs an outcome");
  const at = deps.now().getTime();
  await retryBusyWrite(deps.db, async () =>
    deps.db.batch(asBatch([
      // The WHERE on the old status makes a concurrent change lose instead of overwriting silently.
      deps.db.update(reports).set({ status: input.to, outcome, updatedAt: at }).where(and(eq(reports.id, report.id), eq(reports.status, from))),
      deps.db.insert(reportTimeline).values({ id: newId("tl"), reportId: report.id, createdAt: at, kind: "status_changed", status: input.to, outcome }),
      deps.db.insert(events).values(
        eventRow(input.actor, {
          occurredAt: at,
          entityType: "report",
          entityId: report.id,
          action: "report.status_changed",
          fromState: from,
          toState: input.to,
          data: outcome ? JSON.stringify({ outcome }) : null,
        }),
      ),
    ])),
  );
}

/**
 * Decrypts a real-name tipster's identity for a staff member with a stated reason. The view itself
 * is written to the event log before the identity is returned.
 */
export async function revealReporterIdentity(
  deps: ServiceDeps,
  input: { reportId: string; actor: Actor; reason: string },
): Promise<ReporterIdentity | null> {
  const report = await getReportOrThrow(deps, input.reportId);
  await deps.db.insert(events).values(
    eventRow(input.actor, {
      occurredAt: deps.now().getTime(),
      entityType: "report",
      entityId: report.id,
      action: "report.identity_viewed",
      data: JSON.stringify({ reason: input.reason, anonymous: report.isAnonymous }),
    }),
  );
  if (!report.reporterEnc) return null;
  return JSON.parse(await decryptText(deps.keys, report.reporterEnc, `report:${report.id}:reporter`)) as ReporterIdentity;
}

/**
 * Resolves a receipt typed by a tipster, throttling failures per client: after
 * RECEIPT_FAILURES_PER_WINDOW misses in the window, even a right receipt is refused until it ends;
 * every lookup also counts against RECEIPT_LOOKUPS_PER_WINDOW (see receipt-lookups.ts).
 */
export async function authenticateReceipt(deps: ServiceDeps, receipt: string, clientAddress: string | undefined): Promise<ReportRow> {
  // Counted as a failure before the lookup, in one atomic statement, and refunded on a hit: parallel
  // guesses cannot all pass a check made before any of them is counted.
  await countReceiptLookup(deps, clientAddress, "code");
  const report = await findReportByReceipt(deps, receipt);
  if (!report) throw new AppError("not_found", "no report for this receipt");
  await refundReceiptFailure(deps, clientAddress);
  return report;
}
