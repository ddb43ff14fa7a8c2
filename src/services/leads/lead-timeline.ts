// A lead's history as people read it: its own events and those of its tips' reports, oldest first,
// each with who acted (a member by name and role, a tipster by their tip's number, the system) and from
// where (web, Telegram, Slack, the CLI, the scheduler). Views and repeats stay in the log, out of this list.
import { and, desc, eq, or } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import { events } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { currentOrg } from "../org/org-cache";
import type { LeadTip } from "./tips";

/** At most this many entries (the newest): a lead's history is short, a runaway one is not rendered whole. */
export const TIMELINE_MAX = 300;

// Views are audit lines; a tip's status change repeats the lead step that made it (same actor, same time).
const NOT_HISTORY = new Set(["lead.case_viewed", "lead.viewed", "lead.case_link_issued", "lead.attachment_downloaded", "report.status_changed"]);

export interface TimelineEntry {
  at: number;
  action: string;
  /** member: by name (and role); tipster: by tip number; system: the service itself. */
  actor: { kind: "member"; name: string; role: string | null } | { kind: "tipster"; tipNo: number | null } | { kind: "system" };
  platform: string;
  fromState: string | null;
  toState: string | null;
  /** The tip the entry is about (report events), by number. */
  tipNo: number | null;
}

export async function leadTimeline(deps: ServiceDeps, leadId: string, tips: LeadTip[]): Promise<TimelineEntry[]> {
  const tipOf = new Map(tips.map((t) => [t.reportId, t.tipNo]));
  const reportIds = tips.map((t) => t.reportId);
  const rows = await deps.db
    .select()
    .from(events)
    .where(
      or(
        and(eq(events.entityType, "lead"), eq(events.entityId, leadId)),
        reportIds.length ? and(eq(events.entityType, "report"), inJsonArray(events.entityId, reportIds)) : undefined,
      ),
    )
    .orderBy(desc(events.id))
    .limit(TIMELINE_MAX);
  const org = await currentOrg(deps);
  return rows
    .filter((e) => !NOT_HISTORY.has(e.action))
    .reverse()
    .map((e) => {
      const tipNo = e.entityType === "report" ? (tipOf.get(e.entityId) ?? null) : null;
      const member = e.actorType === "member" && e.actorId ? org.memberById.get(e.actorId) : undefined;
      const actor: TimelineEntry["actor"] =
        e.actorType === "member"
          ? { kind: "member", name: member?.displayName ?? "?", role: e.actorRole }
          : e.actorType === "public"
            ? { kind: "tipster", tipNo }
            : { kind: "system" };
      return { at: e.occurredAt, action: e.action, actor, platform: e.platform, fromState: e.fromState, toState: e.toState, tipNo };
    });
}
