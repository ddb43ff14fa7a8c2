// Members: added and deactivated (once per dedupe key), found by their chat account; teams listed.
import { and, eq, gt, isNull } from "drizzle-orm";
import { newId } from "../../core/ids";
import { asBatch } from "../../db/client";
import { events, invites, members, teams, type MemberRow, type TeamRow } from "../../db/schema";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { accountColumn, isAccountPlatform, NO_ACCOUNTS } from "./chat-accounts";
import { bindingReleasedStatements } from "./enrolment-rules";
import { endMemberSessionsStatements } from "../workspace/sessions";
import type { MemberRole } from "./org-file";

/** The member an earlier run of the same keyed change (a redelivered chat command) recorded, if any. */
export async function memberOfDedupedEvent(deps: ServiceDeps, dedupeKey: string, action: string): Promise<MemberRow | null> {
  const earlier = await deps.db.query.events.findFirst({ columns: { action: true, entityId: true }, where: eq(events.dedupeKey, dedupeKey) });
  if (!earlier || earlier.action !== action) return null;
  return (await deps.db.query.members.findFirst({ where: eq(members.id, earlier.entityId) })) ?? null;
}

/**
 * Adds a member (coordinators, from chat or CLI); the chat account is bound later with an invite. With a
 * `dedupeKey` (the chat update) a redelivered command returns the member the first delivery added.
 */
export async function addMember(deps: ServiceDeps, input: { displayName: string; role: MemberRole; teamId: string | null; locale?: string; actor: Actor; dedupeKey?: string }): Promise<MemberRow> {
  const name = input.displayName.trim();
  if (!name || name.length > 100) throw new AppError("validation_failed", "a member needs a name of at most 100 characters");
  if ((input.role === "inspector" || input.role === "team_lead") && !input.teamId) throw new AppError("validation_failed", `an ${input.role} needs a team`);
  const team = input.teamId ? await deps.db.query.teams.findFirst({ where: eq(teams.id, input.teamId) }) : undefined;
  if (input.teamId && !team) throw new AppError("not_found", `team ${input.teamId} not found`);
  const now = deps.now().getTime();
  const id = newId("mem");
  try {
    await deps.db.batch(
      asBatch([
        deps.db.insert(members).values({ id, displayName: name, role: input.role, teamId: input.teamId, locale: input.locale ?? team?.locale ?? "zh-CN", active: true, createdAt: now, updatedAt: now }),
        deps.db.insert(events).values(
          eventRow(input.actor, { occurredAt: now, entityType: "member", entityId: id, action: "member.added", data: JSON.stringify({ role: input.role, teamId: input.teamId }), dedupeKey: input.dedupeKey ?? null }),
        ),
      ]),
    );
  } catch (err) {
    const earlier = input.dedupeKey && isUniqueViolation(err) ? await memberOfDedupedEvent(deps, input.dedupeKey, "member.added") : null;
    if (earlier) return earlier;
    throw err;
  }
  return (await deps.db.query.members.findFirst({ where: eq(members.id, id) }))!;
}

/**
 * Offboarding (or a lost phone): the member's chat accounts and workspace sessions stop working at once
 * (the accounts are told so privately); invites issued before stop working too, so only a new invite (which reactivates) brings the
 * member back. Their open leads stay for reassignment.
 */
export async function deactivateMember(deps: ServiceDeps, input: { memberId: string; actor: Actor; dedupeKey?: string }): Promise<MemberRow | null> {
  const member = await deps.db.query.members.findFirst({ where: eq(members.id, input.memberId) });
  if (!member) return null;
  const now = deps.now().getTime();
  try {
    await deps.db.batch(
      asBatch([
        deps.db.insert(events).values(eventRow(input.actor, { occurredAt: now, entityType: "member", entityId: member.id, action: "member.deactivated", dedupeKey: input.dedupeKey ?? null })),
        deps.db.update(members).set({ active: false, ...NO_ACCOUNTS, updatedAt: now }).where(eq(members.id, member.id)),
        deps.db.update(invites).set({ expiresAt: now }).where(and(eq(invites.memberId, member.id), isNull(invites.redeemedAt), gt(invites.expiresAt, now))),
        ...(await bindingReleasedStatements(deps, member, now)),
        // The workspace too: every web session ends and unused sign-in links lapse.
        ...endMemberSessionsStatements(deps, member.id, now, "member_deactivated"),
      ]),
    );
  } catch (err) {
    // A redelivered command: the first delivery already deactivated the member.
    if (!(input.dedupeKey && isUniqueViolation(err))) throw err;
  }
  return { ...member, active: false, ...NO_ACCOUNTS };
}

export async function findMemberByChatUser(deps: ServiceDeps, platform: string, platformUserId: string): Promise<MemberRow | null> {
  if (!isAccountPlatform(platform)) return null;
  const member = await deps.db.query.members.findFirst({ where: and(eq(accountColumn(platform), platformUserId), eq(members.active, true)) });
  return member ?? null;
}

export async function listTeams(deps: ServiceDeps): Promise<TeamRow[]> {
  return deps.db.select().from(teams);
}
