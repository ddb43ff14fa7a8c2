// The workspace's list of campaigns for one member: coordinators see every campaign, a unit's contact
// the campaigns their unit has work in (counted for that unit only), anyone else none. Each with its
// current phase, its next deadline and how many units are late and how much is done.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { shanghaiDate } from "../../core/time";
import { assignments, campaigns, events, type CampaignRow, type MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { eventRow } from "../events";
import { ACCOUNT_PLATFORMS, ACCOUNT_FIELDS } from "../org/chat-accounts";
import { orgSnapshot } from "../org/org-cache";
import { actorOf } from "./assignment-context";
import { unitPageUrl } from "./links";
import { isCoordinator } from "./units";

/** Finished campaigns listed (the most recent): campaigns are few, a year's fit many times over. */
export const FINISHED_LISTED = 50;

export interface CampaignPhase {
  key: string;
  name: string;
  nameEn?: string;
  startsOn?: string;
  endsOn?: string;
}

export interface CampaignListItem {
  campaign: Pick<CampaignRow, "id" | "name" | "templateId" | "year" | "regionCode" | "status" | "createdAt">;
  /** The phase today falls in (Asia/Shanghai), if any. */
  phase: CampaignPhase | null;
  /** The earliest deadline still ahead of a unit that has not submitted. */
  nextDeadline: number | null;
  units: number;
  lateUnits: number;
  /** Assignments (unit × deliverable × period) submitted or accepted, of `assignments`. */
  done: number;
  assignments: number;
}

export interface CampaignList {
  active: CampaignListItem[];
  finished: CampaignListItem[];
  /** Whose view it is: all campaigns, one unit's, or none (neither a coordinator nor a contact). */
  scope: "all" | "unit" | "none";
}

function phasesOf(json: string): CampaignPhase[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((p): p is CampaignPhase => typeof p?.key === "string" && typeof p?.name === "string") : [];
  } catch {
    return [];
  }
}

/** The phase whose dates hold `today` (YYYY-MM-DD); phases without dates never match. */
export function currentPhase(phasesJson: string, today: string): CampaignPhase | null {
  return phasesOf(phasesJson).find((p) => p.startsOn !== undefined && p.endsOn !== undefined && p.startsOn <= today && today <= p.endsOn) ?? null;
}

export async function listCampaignsFor(deps: ServiceDeps, member: MemberRow): Promise<CampaignList> {
  const unitId = member.active && member.role === "contact" ? member.unitId : null;
  const scope = isCoordinator(member) ? "all" : unitId ? "unit" : "none";
  if (scope === "none") return { active: [], finished: [], scope };
  const db = deps.db;
  const columns = { id: campaigns.id, name: campaigns.name, templateId: campaigns.templateId, year: campaigns.year, regionCode: campaigns.regionCode, status: campaigns.status, createdAt: campaigns.createdAt, phases: campaigns.phases };
  const [active, finished] = await db.batch([
    db.select(columns).from(campaigns).where(eq(campaigns.status, "active")).orderBy(desc(campaigns.createdAt)),
    db.select(columns).from(campaigns).where(eq(campaigns.status, "closed")).orderBy(desc(campaigns.createdAt)).limit(FINISHED_LISTED),
  ]);
  const ids = [...active, ...finished].map((c) => c.id);
  if (ids.length === 0) return { active: [], finished: [], scope };
  const now = deps.now().getTime();
  const waiting = sql`${assignments.state} IN ('open', 'returned')`;
  // One pass over the listed campaigns' assignments by the (campaign_id, unit_id) index.
  const counts = await db
    .select({
      campaignId: assignments.campaignId,
      units: sql<number>`count(DISTINCT ${assignments.unitId})`,
      lateUnits: sql<number>`count(DISTINCT CASE WHEN ${waiting} AND ${assignments.dueAt} < ${now} THEN ${assignments.unitId} END)`,
      done: sql<number>`sum(CASE WHEN ${assignments.state} IN ('submitted', 'accepted') THEN 1 ELSE 0 END)`,
      assignments: sql<number>`count(*)`,
      nextDeadline: sql<number | null>`min(CASE WHEN ${waiting} AND ${assignments.dueAt} >= ${now} THEN ${assignments.dueAt} END)`,
    })
    .from(assignments)
    .where(unitId ? and(inArray(assignments.campaignId, ids), eq(assignments.unitId, unitId)) : inArray(assignments.campaignId, ids))
    .groupBy(assignments.campaignId);
  const byId = new Map(counts.map((c) => [c.campaignId, c]));
  const today = shanghaiDate(deps.now());
  const item = (c: (typeof active)[number]): CampaignListItem | null => {
    const n = byId.get(c.id);
    // A contact's list: only the campaigns their unit has work in.
    if (scope === "unit" && !n) return null;
    const { phases, ...campaign } = c;
    return {
      campaign,
      phase: c.status === "active" ? currentPhase(phases, today) : null,
      nextDeadline: n?.nextDeadline === null || n?.nextDeadline === undefined ? null : Number(n.nextDeadline),
      units: Number(n?.units ?? 0),
      lateUnits: Number(n?.lateUnits ?? 0),
      done: Number(n?.done ?? 0),
      assignments: Number(n?.assignments ?? 0),
    };
  };
  const keep = (x: CampaignListItem | null): x is CampaignListItem => x !== null;
  return { active: active.map(item).filter(keep), finished: finished.map(item).filter(keep), scope };
}

/**
 * The unit page link for a contact opening it from the workspace (the same signed link a reminder
 * carries, path only), logged as chat logs the link it gives. Null for anyone but an active contact.
 */
export async function unitPageLinkFromWorkspace(deps: ServiceDeps, input: { member: MemberRow; sessionId: string }): Promise<string | null> {
  const { member } = input;
  if (!member.active || member.role !== "contact" || !member.unitId) return null;
  const url = new URL(await unitPageUrl(deps, { memberId: member.id, unitId: member.unitId }, deps.now()));
  await deps.db.insert(events).values(eventRow(actorOf(member, "web", input.sessionId), { occurredAt: deps.now().getTime(), entityType: "unit", entityId: member.unitId, action: "unit.link_issued" }));
  return `${url.pathname}${url.search}`;
}

const hasChatAccount = (m: MemberRow) => ACCOUNT_PLATFORMS.some((p) => m[ACCOUNT_FIELDS[p]] !== null);

/**
 * The units (of these) that no active contact with a chat account speaks for: their reminders reach the
 * unit's chat, but nobody can acknowledge or submit from them. Read from the cached organisation.
 */
export async function unitsWithoutEnrolledContact(deps: ServiceDeps, unitIds: readonly string[]): Promise<Set<string>> {
  const org = await orgSnapshot(deps);
  const spoken = new Set<string>();
  for (const m of org.memberById.values()) if (m.active && m.role === "contact" && m.unitId && hasChatAccount(m)) spoken.add(m.unitId);
  return new Set(unitIds.filter((id) => !spoken.has(id)));
}
