// Workspace sessions: resolved on every request in one atomic batch (one round trip) that ends an idle
// or expired session, touches a live one, reads its member and — for a page opened — writes the
// `staff.page_viewed` event; ended on sign-out, and all at once when a member is deactivated.
import { and, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import { asBatch } from "../../db/client";
import { events, members, staffSessions, staffSignInLinks, type MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { eventRow, type Actor } from "../events";
import { isTokenShaped, SESSION_IDLE_MS, sessionTokenHash, type SessionEndReason } from "./session-rules";

export interface ResolvedSession {
  sessionId: string;
  member: MemberRow;
}

/**
 * The live session behind a cookie value and its (active) member, or null. A session idle for 30
 * minutes or past its 8 hours is ended here (reason `idle` / `expired`) and answers null. With `pageView`
 * the page a member opens is logged in the same batch (path only, never the query).
 */
export async function resolveStaffSession(deps: ServiceDeps, input: { token: unknown; pageView?: { path: string } }): Promise<ResolvedSession | null> {
  if (!isTokenShaped(input.token)) return null;
  const now = deps.now().getTime();
  const hash = await sessionTokenHash(deps, input.token);
  const live = and(eq(staffSessions.tokenHash, hash), isNull(staffSessions.endedAt));
  const results = await deps.db.batch(
    asBatch([
      // Ends what has lapsed first, so the touch below can only find a session still within both limits.
      deps.db
        .update(staffSessions)
        .set({ endedAt: now, endedReason: sql`CASE WHEN ${staffSessions.expiresAt} <= ${now} THEN 'expired' ELSE 'idle' END` })
        .where(and(live, or(lte(staffSessions.expiresAt, now), lte(staffSessions.lastSeenAt, now - SESSION_IDLE_MS)))),
      deps.db
        .update(staffSessions)
        .set({ lastSeenAt: now })
        .where(and(live, sql`${staffSessions.memberId} IN (SELECT id FROM members WHERE active = 1)`))
        .returning({ id: staffSessions.id, memberId: staffSessions.memberId }),
      deps.db.select().from(members).where(sql`${members.id} = (SELECT member_id FROM staff_sessions WHERE token_hash = ${hash} AND ended_at IS NULL)`),
      ...(input.pageView
        ? [
            deps.db.run(
              sql`INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, actor_id, actor_role, platform, platform_ref, data) SELECT ${now}, 'member', s.member_id, 'staff.page_viewed', 'member', s.member_id, m.role, 'web', s.id, json_object('path', ${input.pageView.path.slice(0, 300)}) FROM staff_sessions s JOIN members m ON m.id = s.member_id WHERE s.token_hash = ${hash} AND s.ended_at IS NULL AND m.active = 1`,
            ),
          ]
        : []),
    ]),
  );
  const touched = (results[1] as { id: string; memberId: string }[])[0];
  const member = (results[2] as MemberRow[])[0];
  if (!touched || !member || !member.active || member.id !== touched.memberId) return null;
  return { sessionId: touched.id, member };
}

/** Sign-out: ends the session behind the cookie (if live) and logs `staff.signed_out`. True when one ended. */
export async function endStaffSession(deps: ServiceDeps, input: { token: unknown }): Promise<boolean> {
  if (!isTokenShaped(input.token)) return false;
  const now = deps.now().getTime();
  const ended = await deps.db
    .update(staffSessions)
    .set({ endedAt: now, endedReason: "signed_out" })
    .where(and(eq(staffSessions.tokenHash, await sessionTokenHash(deps, input.token)), isNull(staffSessions.endedAt)))
    .returning({ id: staffSessions.id, memberId: staffSessions.memberId });
  const session = ended[0];
  if (!session) return false;
  const member = await deps.db.query.members.findFirst({ columns: { role: true }, where: eq(members.id, session.memberId) });
  await deps.db.insert(events).values(
    eventRow({ type: "member", id: session.memberId, role: member?.role ?? null, platform: "web", platformRef: session.id }, { occurredAt: now, entityType: "member", entityId: session.memberId, action: "staff.signed_out" }),
  );
  return true;
}

/**
 * Statements (not yet run: put them in the caller's batch) that end every live session of a member and
 * void their unused sign-in links — deactivation, or an operator ending a member's sessions.
 */
export function endMemberSessionsStatements(deps: ServiceDeps, memberId: string, now: number, reason: SessionEndReason): unknown[] {
  return [
    deps.db
      .update(staffSessions)
      .set({ endedAt: now, endedReason: reason })
      .where(and(eq(staffSessions.memberId, memberId), isNull(staffSessions.endedAt))),
    deps.db
      .update(staffSignInLinks)
      .set({ expiresAt: now })
      .where(and(eq(staffSignInLinks.memberId, memberId), isNull(staffSignInLinks.usedAt), gt(staffSignInLinks.expiresAt, now))),
  ];
}

/** Ends every session of a member at once (an operator's decision, e.g. a lost phone) and logs it. */
export async function endMemberSessions(deps: ServiceDeps, input: { memberId: string; actor: Actor; reason?: SessionEndReason }): Promise<void> {
  const now = deps.now().getTime();
  await deps.db.batch(
    asBatch([
      ...endMemberSessionsStatements(deps, input.memberId, now, input.reason ?? "ended_by_operator"),
      deps.db.insert(events).values(eventRow(input.actor, { occurredAt: now, entityType: "member", entityId: input.memberId, action: "staff.sessions_ended", data: JSON.stringify({ reason: input.reason ?? "ended_by_operator" }) })),
    ]),
  );
}
