// The investigators' side of a report: a message to the tipster, a public status change, the audited
// identity view.
import { and, eq } from "drizzle-orm";
import { newId } from "../../core/ids";
import type { ReporterIdentity } from "../../core/report-input";
import { canMoveReport, type ReportOutcome, type ReportStatus } from "../../core/report-status";
import { asBatch } from "../../db/client";
import { retryBusyWrite } from "../../db/retry";
import { events, reportMessages, reports, reportTimeline, type ReportRow } from "../../db/schema";
import { decryptText, encryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { eventRow, type Actor } from "../events";
import { AppError } from "../errors";

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
