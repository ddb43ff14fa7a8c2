// The acceptance notice (受理告知) owed to real-name tipsters once their lead is accepted. The status
// page shows it; a reporter who has seen it there is recorded (an event with a per-report dedupe key),
// and the escalation job treats the notice as still owed while any real-name tipster of the lead has
// not: then the team is reminded, step by step, to tell them (by phone, the contact is on record).
import { and, eq, inArray, sql } from "drizzle-orm";
import { events, leadReports, reports } from "../../db/schema";
import { retryBusy } from "../../db/retry";
import type { ServiceDeps } from "../deps";

const seenKey = (reportId: string) => `notice_seen:${reportId}`;

/** Reports recorded by this process, so a reporter reloading the page costs no further write. */
const recordedHere = new Set<string>();

export async function recordDecisionNoticeSeen(deps: ServiceDeps, reportId: string): Promise<void> {
  if (recordedHere.has(reportId)) return;
  await deps.db
    .insert(events)
    .values({
      occurredAt: deps.now().getTime(),
      entityType: "report",
      entityId: reportId,
      action: "report.decision_notice_seen",
      actorType: "public",
      platform: "web",
      dedupeKey: seenKey(reportId),
    })
    .onConflictDoNothing();
  if (recordedHere.size > 50_000) recordedHere.clear();
  recordedHere.add(reportId);
}

/**
 * Of these leads, those with a real-name tipster who has not yet seen the notice. Reads the leads'
 * reports through lead_reports' primary key and the seen events through the dedupe-key index.
 */
export async function leadsOwingNotice(deps: ServiceDeps, leadIds: string[]): Promise<Set<string>> {
  const owing = new Set<string>();
  // Pages of 99 ids (D1 binds at most 100 parameters; `false` is the hundredth).
  for (let i = 0; i < leadIds.length; i += 99) {
    const rows = await retryBusy(deps.db, () =>
      deps.db
        .selectDistinct({ leadId: leadReports.leadId })
        .from(leadReports)
        .innerJoin(reports, eq(reports.id, leadReports.reportId))
        .where(
          and(
            inArray(leadReports.leadId, leadIds.slice(i, i + 99)),
            eq(reports.isAnonymous, false),
            sql`NOT EXISTS (SELECT 1 FROM ${events} WHERE ${events.dedupeKey} = 'notice_seen:' || ${reports.id})`,
          ),
        ),
    );
    for (const r of rows) owing.add(r.leadId);
  }
  return owing;
}
