// The tips behind a clustered lead, each its own channel to its tipster: numbered in the order they
// joined (how inspectors name a tipster without knowing who), and declined one by one when one tip is
// out of scope while the lead goes on with the others.
import { and, asc, count, eq, sql } from "drizzle-orm";
import { newId } from "../../core/ids";
import { canMoveReport, isReportOpen, type ReportStatus } from "../../core/report-status";
import { asBatch } from "../../db/client";
import { events, leadReports, reportMessages, reports, reportTimeline } from "../../db/schema";
import { encryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { eventRow, isUniqueViolation, type Actor } from "../events";

export interface LeadTip {
  /** 1, 2, … in the order the tips joined the lead. */
  tipNo: number;
  reportId: string;
  addedAt: number;
  channel: string;
  status: ReportStatus;
}

/** The tips behind a lead, numbered in the order they joined it (stable: tips are never removed). */
export async function listLeadTips(deps: ServiceDeps, leadId: string): Promise<LeadTip[]> {
  const rows = await deps.db
    .select({ reportId: leadReports.reportId, addedAt: leadReports.addedAt, channel: reports.channel, status: reports.status })
    .from(leadReports)
    .innerJoin(reports, eq(reports.id, leadReports.reportId))
    .where(eq(leadReports.leadId, leadId))
    .orderBy(asc(leadReports.addedAt), asc(leadReports.reportId));
  return rows.map((r, i) => ({ ...r, tipNo: i + 1, status: r.status as ReportStatus }));
}

/** One tip's number, by the same order as listLeadTips: the tips that joined before it, plus one. */
export async function tipNumberOf(deps: ServiceDeps, leadId: string, reportId: string): Promise<number> {
  const link = await deps.db.query.leadReports.findFirst({ where: and(eq(leadReports.leadId, leadId), eq(leadReports.reportId, reportId)) });
  if (!link) return 1;
  const [{ n } = { n: 1 }] = await deps.db
    .select({ n: count() })
    .from(leadReports)
    .where(and(eq(leadReports.leadId, leadId), sql`(${leadReports.addedAt}, ${leadReports.reportId}) <= (${link.addedAt}, ${link.reportId})`));
  return n;
}

/** "#2 question…", "＃２：question…" → tip 2 and the rest, which is kept exactly as typed. */
export function parseTipAddress(text: string): { tipNo: number | null; body: string } {
  const m = /^\s*[#＃]\s*([0-9０-９]{1,4})\s*[:：,，.、]?\s*([\s\S]*)$/.exec(text);
  if (!m) return { tipNo: null, body: text.trim() };
  return { tipNo: Number(m[1]!.normalize("NFKC")), body: m[2]!.trim() };
}

export type DeclineTipResult = { status: "done" } | { status: "duplicate" } | { status: "closed" };

/**
 * Declines one tip of a lead: that tipster's report is not accepted and its page shows the reason;
 * the other tips and the lead itself are untouched. `dedupeKey` makes a redelivery take effect once.
 */
export async function declineTip(deps: ServiceDeps, input: { leadId: string; tip: LeadTip; reason: string; actor: Actor; dedupeKey: string }): Promise<DeclineTipResult> {
  const { tip } = input;
  if (!isReportOpen(tip.status) || !canMoveReport(tip.status, "not_accepted")) return { status: "closed" };
  const now = deps.now().getTime();
  const messageId = newId("msg");
  const statements = [
    deps.db.insert(events).values(
      eventRow(input.actor, {
        occurredAt: now,
        entityType: "lead",
        entityId: input.leadId,
        action: "lead.tip_declined",
        data: JSON.stringify({ reportId: tip.reportId, tipNo: tip.tipNo, reasonGiven: true }),
        dedupeKey: input.dedupeKey,
      }),
    ),
    // Conditional on the status read above: a concurrent change to this tip makes the update a no-op.
    deps.db.update(reports).set({ status: "not_accepted", outcome: null, updatedAt: now }).where(and(eq(reports.id, tip.reportId), eq(reports.status, tip.status))),
    deps.db.insert(reportTimeline).values({ id: newId("tl"), reportId: tip.reportId, createdAt: now, kind: "status_changed", status: "not_accepted", outcome: null }),
    deps.db.insert(events).values(
      eventRow(input.actor, { occurredAt: now, entityType: "report", entityId: tip.reportId, action: "report.status_changed", fromState: tip.status, toState: "not_accepted", data: JSON.stringify({ leadId: input.leadId, tipNo: tip.tipNo }) }),
    ),
    deps.db.insert(reportMessages).values({
      id: messageId,
      reportId: tip.reportId,
      createdAt: now,
      authorType: "investigator",
      authorRef: input.actor.id ?? null,
      inReplyTo: null,
      bodyEnc: await encryptText(deps.keys, input.reason, `message:${messageId}:body`),
    }),
    deps.db.insert(reportTimeline).values({ id: newId("tl"), reportId: tip.reportId, createdAt: now, kind: "investigator_message" }),
  ];
  try {
    await deps.db.batch(asBatch(statements));
  } catch (err) {
    if (isUniqueViolation(err)) return { status: "duplicate" };
    throw err;
  }
  return { status: "done" };
}
