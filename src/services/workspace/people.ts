// The workspace's people list (/staff/people): who may see whom (coordinators everyone, team leads their
// own team), and one keyset page of members with their team or unit, chat enrolment, a pending invite
// and their last activity — each an index lookup per member, so a page costs one statement whatever the
// size of the event log. Which actions the page offers on each person is answered here too.
import { and, asc, eq, gt, sql, type SQL } from "drizzle-orm";
import { members, teams, units, type MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { accountsOf, PLATFORM_NAMES } from "../org/chat-accounts";
import { OPERATOR_ONLY_ROLES } from "../org/enrolment-rules";

export const PEOPLE_PAGE_SIZE = 100;

/** Member ids as the page's cursor takes them (newId's shape, and the example org's readable ids). */
export const MEMBER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Whom a viewer sees: everyone (coordinators) or one team (its team lead). */
export type PeopleScope = { kind: "all" } | { kind: "team"; teamId: string; teamName: string | null };

/** Why an action is not offered on a person (the page says it in words). */
export type PersonActionBlock = "not_permitted" | "operator_only" | "enrolled" | "inactive" | "self";

export interface PersonRow {
  id: string;
  name: string;
  role: string;
  /** The team's or unit's name; null for neither (finance, a coordinator without a team). */
  place: string | null;
  active: boolean;
  /** Chat platforms the member is enrolled on, by name (Telegram, Slack …); never the account ids. */
  enrolledOn: string[];
  /** An unused, unexpired invite is waiting. */
  invitePending: boolean;
  /** The member's latest own event on their record (a sign-in, a page opened, a link asked for, enrolment); ms. */
  lastActiveAt: number | null;
  /** Null when the viewer may invite this person from the page, else why not. */
  invite: PersonActionBlock | null;
  deactivate: PersonActionBlock | null;
}

export interface PeoplePage {
  scope: PeopleScope;
  people: PersonRow[];
  /** The cursor of the next page, or null on the last one. */
  nextAfter: string | null;
}

/** The viewer's scope, or null when they may not see the list (inspectors, finance, contacts). */
export function peopleScopeOf(viewer: Pick<MemberRow, "role" | "teamId" | "active">, teamName: string | null = null): PeopleScope | null {
  if (!viewer.active) return null;
  if (viewer.role === "coordinator") return { kind: "all" };
  if (viewer.role === "team_lead" && viewer.teamId) return { kind: "team", teamId: viewer.teamId, teamName };
  return null;
}

/** The refusal for a viewer outside every scope (403 with the words of workspace.people.forbidden). */
export const peopleForbidden = () => new AppError("forbidden", "the people list is for coordinators and team leads", { messageKey: "workspace.people.forbidden", details: { reason: "role_not_allowed" } });

/**
 * Inviting from the page follows chat's /invite: coordinators only; finance and coordinators are invited
 * by an operator only; a member with a chat account is not invited again (deactivate first).
 */
export function inviteBlock(viewer: Pick<MemberRow, "role">, target: Pick<MemberRow, "role"> & Parameters<typeof accountsOf>[0]): PersonActionBlock | null {
  if (viewer.role !== "coordinator") return "not_permitted";
  if (OPERATOR_ONLY_ROLES.has(target.role)) return "operator_only";
  if (accountsOf(target).length > 0) return "enrolled";
  return null;
}

/** Deactivating from the page follows chat's /deactivate, and leaves finance and coordinators to an operator. */
export function deactivateBlock(viewer: Pick<MemberRow, "id" | "role">, target: Pick<MemberRow, "id" | "role" | "active">): PersonActionBlock | null {
  if (viewer.role !== "coordinator") return "not_permitted";
  if (!target.active) return "inactive";
  if (OPERATOR_ONLY_ROLES.has(target.role)) return "operator_only";
  if (target.id === viewer.id) return "self";
  return null;
}

/** Whether a target member is within the viewer's scope. */
export function inScope(scope: PeopleScope, target: Pick<MemberRow, "teamId">): boolean {
  return scope.kind === "all" || target.teamId === scope.teamId;
}

/**
 * One page of people in id order (keyset: `after` is the last id of the previous page). The scope's
 * filter and the cursor ride the primary key or members_team_idx; the pending invite probes
 * invites_member_idx and the last activity walks events_entity_idx backwards from the member's newest
 * event to their newest own one.
 */
export async function listPeople(deps: ServiceDeps, input: { viewer: MemberRow; viewerTeamName?: string | null; after?: string }): Promise<PeoplePage> {
  const scope = peopleScopeOf(input.viewer, input.viewerTeamName ?? null);
  if (!scope) throw peopleForbidden();
  const now = deps.now().getTime();
  const where: SQL[] = [];
  if (scope.kind === "team") where.push(eq(members.teamId, scope.teamId));
  if (input.after !== undefined && MEMBER_ID_PATTERN.test(input.after)) where.push(gt(members.id, input.after));
  const rows = await deps.db
    .select({
      member: members,
      teamName: teams.name,
      unitName: units.name,
      invitePending: sql<number>`EXISTS (SELECT 1 FROM invites i WHERE i.member_id = ${members.id} AND i.redeemed_at IS NULL AND i.expires_at > ${now})`,
      lastActiveAt: sql<number | null>`(SELECT e.occurred_at FROM events e INDEXED BY events_actor_idx WHERE e.actor_id = ${members.id} ORDER BY e.id DESC LIMIT 1)`,
    })
    .from(members)
    .leftJoin(teams, eq(teams.id, members.teamId))
    .leftJoin(units, eq(units.id, members.unitId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(members.id))
    .limit(PEOPLE_PAGE_SIZE + 1);
  const page = rows.slice(0, PEOPLE_PAGE_SIZE);
  return {
    scope,
    people: page.map(({ member, teamName, unitName, invitePending, lastActiveAt }) => ({
      id: member.id,
      name: member.displayName,
      role: member.role,
      place: teamName ?? unitName ?? null,
      active: member.active,
      enrolledOn: accountsOf(member).map((a) => PLATFORM_NAMES[a.platform]),
      invitePending: Boolean(invitePending),
      lastActiveAt: lastActiveAt === null ? null : Number(lastActiveAt),
      invite: inviteBlock(input.viewer, member),
      deactivate: deactivateBlock(input.viewer, member),
    })),
    nextAfter: rows.length > PEOPLE_PAGE_SIZE ? page.at(-1)!.member.id : null,
  };
}
