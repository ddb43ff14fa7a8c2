// A lead as an operator reads it (`npm run admin -- lead show`): the lead with names instead of ids,
// its timeline (the lead's events and its tips' messages and evidence) and the conversation with each
// tipster, scrubbed of the tipster's identity and labelled by tip number. Never identity or file names.
import { and, asc, desc, eq } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import { excerpt, knownIdentityOf, scrubText } from "../../core/scrub";
import type { ReporterIdentity } from "../../core/report-input";
import { events, reportAttachments, reportMessages, reports, type EventRow, type LeadRow } from "../../db/schema";
import { decryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { eventRow, type Actor } from "../events";
import { currentOrg, type OrgSnapshot } from "../org/org-cache";
import { getLead } from "./reads";
import { listLeadTips, type LeadTip } from "./tips";

/** At most this many events and messages are read (newest kept): a lead's history stays far below it. */
const HISTORY_LIMIT = 500;

export interface HistoryEvent {
  at: number;
  action: string;
  /** Who: a member id (name it with member-names), "system", or the tip number of a tipster. */
  actor: { kind: "member"; memberId: string } | { kind: "system" } | { kind: "tipster"; tipNo: number | null } | { kind: "outsider" };
  fromState: string | null;
  toState: string | null;
  /** For lead.reassigned: the members before and after (ids; named by the caller). */
  reassigned?: { from: string | null; to: string | null };
  /** Files a tipster added, counted (never named). */
  files?: number;
  /** For lead.refused: what was tried and the code. */
  refused?: { attempted: string; reason: string };
}

export interface HistoryMessage {
  at: number;
  tipNo: number;
  from: "tipster" | "investigator";
  /** The investigator who wrote it (member id), null for the tipster. */
  authorId: string | null;
  /** Scrubbed of the tipster's known identity and of identity patterns. */
  body: string;
  files: number;
}

export interface LeadHistory {
  lead: LeadRow;
  org: OrgSnapshot;
  tips: LeadTip[];
  timeline: HistoryEvent[];
  messages: HistoryMessage[];
}

function parseData(data: string | null): Record<string, unknown> {
  if (!data) return {};
  try {
    const v = JSON.parse(data) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function eventOf(e: EventRow, tipOf: Map<string, number>): HistoryEvent {
  const data = parseData(e.data);
  const actor: HistoryEvent["actor"] =
    e.actorType === "member" && e.actorId
      ? { kind: "member", memberId: e.actorId }
      : e.actorType === "public"
        ? e.entityType === "report"
          ? { kind: "tipster", tipNo: tipOf.get(e.entityId) ?? null }
          : { kind: "outsider" }
        : { kind: "system" };
  const out: HistoryEvent = { at: e.occurredAt, action: e.action, actor, fromState: e.fromState, toState: e.toState };
  if (e.action === "lead.reassigned") {
    out.reassigned = { from: e.fromState, to: e.toState };
    out.fromState = out.toState = null;
  }
  if (e.action === "report.evidence_added" && Array.isArray(data.attachments)) out.files = data.attachments.length;
  if (e.action === "report.reporter_message" && typeof data.attachments === "number" && data.attachments > 0) out.files = data.attachments;
  if (e.action === "lead.refused") out.refused = { attempted: String(data.attempted ?? ""), reason: String(data.reason ?? "") };
  return out;
}

/** The lead, its timeline and its messages; null when there is no such lead. The look is logged first (lead.viewed). */
export async function leadHistory(deps: ServiceDeps, leadId: string, viewer: Actor): Promise<LeadHistory | null> {
  const lead = await getLead(deps, leadId);
  if (!lead) return null;
  await deps.db.insert(events).values(eventRow(viewer, { occurredAt: deps.now().getTime(), entityType: "lead", entityId: lead.id, action: "lead.viewed", data: JSON.stringify({ command: "lead show" }) }));
  const [org, tips] = await Promise.all([currentOrg(deps), listLeadTips(deps, lead.id)]);
  const reportIds = tips.map((t) => t.reportId);
  const tipOf = new Map(tips.map((t) => [t.reportId, t.tipNo]));
  const [leadEvents, reportEvents, messageRows, reportRows, attachmentRows] = await Promise.all([
    deps.db.select().from(events).where(and(eq(events.entityType, "lead"), eq(events.entityId, lead.id))).orderBy(desc(events.id)).limit(HISTORY_LIMIT),
    reportIds.length ? deps.db.select().from(events).where(and(eq(events.entityType, "report"), inJsonArray(events.entityId, reportIds))).orderBy(desc(events.id)).limit(HISTORY_LIMIT) : [],
    reportIds.length ? deps.db.select().from(reportMessages).where(inJsonArray(reportMessages.reportId, reportIds)).orderBy(asc(reportMessages.createdAt)).limit(HISTORY_LIMIT) : [],
    reportIds.length ? deps.db.select({ id: reports.id, reporterEnc: reports.reporterEnc }).from(reports).where(inJsonArray(reports.id, reportIds)) : [],
    reportIds.length
      ? deps.db.select({ messageId: reportAttachments.messageId }).from(reportAttachments).where(inJsonArray(reportAttachments.reportId, reportIds))
      : [],
  ]);
  const filesOf = new Map<string, number>();
  for (const a of attachmentRows) if (a.messageId) filesOf.set(a.messageId, (filesOf.get(a.messageId) ?? 0) + 1);
  // The tipster's identity only to know what to scrub; it never leaves this function.
  const known = new Map<string, ReturnType<typeof knownIdentityOf>>();
  for (const r of reportRows) {
    const identity = r.reporterEnc ? (JSON.parse(await decryptText(deps.keys, r.reporterEnc, `report:${r.id}:reporter`)) as ReporterIdentity) : null;
    known.set(r.id, knownIdentityOf(identity));
  }
  const messages: HistoryMessage[] = await Promise.all(
    messageRows.map(async (m) => ({
      at: m.createdAt,
      tipNo: tipOf.get(m.reportId) ?? 0,
      from: m.authorType === "investigator" ? ("investigator" as const) : ("tipster" as const),
      authorId: m.authorType === "investigator" ? m.authorRef : null,
      body: excerpt(scrubText(await decryptText(deps.keys, m.bodyEnc, `message:${m.id}:body`), known.get(m.reportId) ?? {}), 2000),
      files: filesOf.get(m.id) ?? 0,
    })),
  );
  const timeline = [...leadEvents, ...reportEvents].sort((a, b) => a.id - b.id).map((e) => eventOf(e, tipOf));
  return { lead, org, tips, timeline, messages };
}
