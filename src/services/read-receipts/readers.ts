// Who read a lead card or a campaign reminder, as the pages and /board show it: the `chat.read` events
// (one per member and lead or assignment) with each member's name, through the events' partial index.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import { assignments, events, members } from "../../db/schema";
import type { AccountPlatform } from "../../chat/types";
import type { ServiceDeps } from "../deps";
import { accountColumn, isAccountPlatform } from "../org/chat-accounts";
import { currentOrg } from "../org/org-cache";

export const CHAT_READ_ACTION = "chat.read";

/** One member who read a message about the lead or assignment, when the read was first seen. */
export interface ChatReader {
  memberId: string;
  name: string;
  at: number;
  /** What decides whether the reader was the one to acknowledge (a unit's contact, the lead's handler). */
  role: string;
  unitId: string | null;
  active: boolean;
}

/** The dedupe key of a member's read of a lead or assignment: each is recorded once, however often it is seen. */
export const readDedupeKey = (entityType: string, entityId: string, memberId: string) => `read:${entityType}:${entityId}:${memberId}`;

async function withNames(deps: ServiceDeps, rows: { entityId: string; actorId: string | null; at: number }[]): Promise<Map<string, ChatReader[]>> {
  const out = new Map<string, ChatReader[]>();
  if (rows.length === 0) return out;
  const org = await currentOrg(deps);
  for (const r of rows) {
    if (!r.actorId) continue;
    const list = out.get(r.entityId) ?? [];
    const m = org.memberById.get(r.actorId);
    list.push({ memberId: r.actorId, name: m?.displayName ?? "?", at: r.at, role: m?.role ?? "", unitId: m?.unitId ?? null, active: m?.active ?? false });
    out.set(r.entityId, list);
  }
  return out;
}

/** The readers of these leads or assignments, by id, first readers first. */
export async function readersOf(deps: ServiceDeps, entityType: "lead" | "assignment", entityIds: readonly string[]): Promise<Map<string, ChatReader[]>> {
  if (entityIds.length === 0) return new Map();
  const rows = await deps.db
    .select({ entityId: events.entityId, actorId: events.actorId, at: events.occurredAt })
    .from(events)
    .where(and(eq(events.action, CHAT_READ_ACTION), eq(events.entityType, entityType), inJsonArray(events.entityId, entityIds)))
    .orderBy(asc(events.id));
  return withNames(deps, rows);
}

/**
 * The reads of a campaign's assignments (of these deliverables, or all), for the caller's batch (then
 * namedReaders): one index search per assignment of the campaign, each in the small index of reads only.
 */
export function campaignReadsQuery(deps: ServiceDeps, campaignId: string, deliverableIds?: readonly string[]) {
  const ofCampaign = deps.db
    .select({ id: assignments.id })
    .from(assignments)
    .where(deliverableIds ? and(eq(assignments.campaignId, campaignId), inArray(assignments.deliverableId, [...deliverableIds])) : eq(assignments.campaignId, campaignId));
  return deps.db
    .select({ entityId: events.entityId, actorId: events.actorId, at: events.occurredAt })
    .from(events)
    .where(and(eq(events.action, CHAT_READ_ACTION), eq(events.entityType, "assignment"), inArray(events.entityId, ofCampaign)))
    .orderBy(asc(events.id));
}

/** Reads as read by campaignReadsQuery, by entity id, each member with their name. */
export const namedReaders = withNames;

/** The active members behind these platform user ids (findMemberByChatUser's rule, for many at once). */
export async function membersByChatUsers(deps: ServiceDeps, platform: string, userIds: readonly string[]): Promise<{ id: string; role: string }[]> {
  if (userIds.length === 0 || !isAccountPlatform(platform)) return [];
  const column = accountColumn(platform as AccountPlatform);
  return deps.db
    .select({ id: members.id, role: members.role })
    .from(members)
    .where(and(inJsonArray(column, [...new Set(userIds)]), eq(members.active, true), sql`${column} IS NOT NULL`));
}
