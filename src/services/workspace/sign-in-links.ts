// Sign-in links for the staff workspace: issued to one active member (chat /login, Slack /fundwatch
// login, `npm run admin -- login`), checked without being spent (the confirmation page a link preview
// may fetch), and redeemed once, which opens a session in the same atomic batch.
import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { newId } from "../../core/ids";
import { asBatch } from "../../db/client";
import { events, members, staffSessions, staffSignInLinks, type MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import { isTokenShaped, newToken, publicBaseUrl, SESSION_MAX_MS, sessionTokenHash, SIGN_IN_LINK_TTL_MS, signInTokenHash, type SignInChannel } from "./session-rules";

export type IssuedSignInLink = { status: "issued"; url: string; expiresAt: Date; member: MemberRow } | { status: "replayed"; member: MemberRow };

/**
 * A sign-in link for an active member. With a `dedupeKey` (the chat update that asked) a redelivered or
 * replayed request issues nothing and answers "replayed": the link was given the first time, and a
 * replayer must not receive a fresh one.
 */
export async function issueSignInLink(deps: ServiceDeps, input: { memberId: string; via: SignInChannel; actor: Actor; dedupeKey?: string }): Promise<IssuedSignInLink> {
  const member = await deps.db.query.members.findFirst({ where: eq(members.id, input.memberId) });
  if (!member) throw new AppError("not_found", `no member ${input.memberId}`, { messageKey: "workspace.signin.unknown_member", params: { id: input.memberId } });
  if (!member.active)
    throw new AppError("forbidden", `member ${member.id} (${member.displayName}) is deactivated: a new invite re-enrols them first`, {
      messageKey: "workspace.signin.member_inactive",
      params: { name: member.displayName },
      details: { reason: "member_inactive" },
    });
  const token = newToken();
  const now = deps.now().getTime();
  const expiresAt = now + SIGN_IN_LINK_TTL_MS;
  const linkId = newId("sil");
  try {
    await deps.db.batch(
      asBatch([
        deps.db.insert(staffSignInLinks).values({ id: linkId, tokenHash: await signInTokenHash(deps, token), memberId: member.id, createdAt: now, expiresAt, issuedVia: input.via }),
        deps.db.insert(events).values(
          eventRow(input.actor, { occurredAt: now, entityType: "member", entityId: member.id, action: "staff.sign_in_link_issued", data: JSON.stringify({ linkId, via: input.via, expiresAt }), dedupeKey: input.dedupeKey ?? null }),
        ),
      ]),
    );
  } catch (err) {
    if (input.dedupeKey && isUniqueViolation(err)) return { status: "replayed", member };
    throw err;
  }
  return { status: "issued", url: `${publicBaseUrl(deps)}/staff/signin?t=${token}`, expiresAt: new Date(expiresAt), member };
}

/** The member a link would sign in, without spending it; null for an unknown, used or expired link or an inactive member. */
export async function peekSignInLink(deps: ServiceDeps, token: unknown): Promise<MemberRow | null> {
  if (!isTokenShaped(token)) return null;
  const now = deps.now().getTime();
  const rows = await deps.db
    .select({ member: members })
    .from(staffSignInLinks)
    .innerJoin(members, eq(members.id, staffSignInLinks.memberId))
    .where(and(eq(staffSignInLinks.tokenHash, await signInTokenHash(deps, token)), isNull(staffSignInLinks.usedAt), gt(staffSignInLinks.expiresAt, now), eq(members.active, true)))
    .limit(1);
  return rows[0]?.member ?? null;
}

export interface OpenedSession {
  sessionId: string;
  /** The cookie's value: shown once, stored only as its keyed hash. */
  sessionToken: string;
  expiresAt: number;
  member: MemberRow;
}

/**
 * Spends a link and opens a session, in one atomic batch (one round trip): the link is marked used only
 * if it is unused, unexpired and its member active; the session and the `staff.signed_in` event are
 * written only if that mark took; a browser's earlier session (`previousSessionToken`) ends as replaced.
 * Null when the link was refused (the refusal is logged for a known link; unknown tokens only in the log).
 */
export async function redeemSignInLink(deps: ServiceDeps, input: { token: unknown; previousSessionToken?: string | null }): Promise<OpenedSession | null> {
  if (!isTokenShaped(input.token)) return null;
  const now = deps.now().getTime();
  const linkHash = await signInTokenHash(deps, input.token);
  const sessionId = newId("ses");
  const sessionToken = newToken();
  const sessionHash = await sessionTokenHash(deps, sessionToken);
  const expiresAt = now + SESSION_MAX_MS;
  const previousHash = isTokenShaped(input.previousSessionToken) ? await sessionTokenHash(deps, input.previousSessionToken) : null;
  const spent = sql`EXISTS (SELECT 1 FROM staff_sign_in_links WHERE token_hash = ${linkHash} AND session_id = ${sessionId})`;
  const results = await deps.db.batch(
    asBatch([
      deps.db
        .update(staffSignInLinks)
        .set({ usedAt: now, sessionId })
        .where(
          and(
            eq(staffSignInLinks.tokenHash, linkHash),
            isNull(staffSignInLinks.usedAt),
            gt(staffSignInLinks.expiresAt, now),
            inArray(staffSignInLinks.memberId, deps.db.select({ id: members.id }).from(members).where(eq(members.active, true))),
          ),
        )
        .returning({ id: staffSignInLinks.id }),
      deps.db.run(
        sql`INSERT INTO staff_sessions (id, token_hash, member_id, created_at, last_seen_at, expires_at) SELECT ${sessionId}, ${sessionHash}, member_id, ${now}, ${now}, ${expiresAt} FROM staff_sign_in_links WHERE token_hash = ${linkHash} AND session_id = ${sessionId}`,
      ),
      deps.db.run(
        sql`INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, actor_id, actor_role, platform, platform_ref, data) SELECT ${now}, 'member', l.member_id, 'staff.signed_in', 'member', l.member_id, m.role, 'web', ${sessionId}, json_object('linkId', l.id, 'via', l.issued_via, 'expiresAt', ${expiresAt}) FROM staff_sign_in_links l JOIN members m ON m.id = l.member_id WHERE l.token_hash = ${linkHash} AND l.session_id = ${sessionId}`,
      ),
      ...(previousHash
        ? [deps.db.update(staffSessions).set({ endedAt: now, endedReason: "replaced" }).where(and(eq(staffSessions.tokenHash, previousHash), isNull(staffSessions.endedAt), spent))]
        : []),
      deps.db.select().from(members).where(sql`${members.id} = (SELECT member_id FROM staff_sign_in_links WHERE token_hash = ${linkHash} AND session_id = ${sessionId})`),
    ]),
  );
  const member = (results.at(-1) as MemberRow[])[0];
  if ((results[0] as unknown[]).length === 1 && member) return { sessionId, sessionToken, expiresAt, member };
  await logRefusedLink(deps, linkHash, now);
  return null;
}

/** Why a link was refused, as an event on its member (the token never; unknown tokens only in the log). */
async function logRefusedLink(deps: ServiceDeps, linkHash: string, now: number): Promise<void> {
  const link = await deps.db.query.staffSignInLinks.findFirst({ where: eq(staffSignInLinks.tokenHash, linkHash) });
  if (!link) {
    deps.log.warn("staff sign-in refused: unknown link");
    return;
  }
  const member = await deps.db.query.members.findFirst({ columns: { active: true }, where: eq(members.id, link.memberId) });
  const reason = link.usedAt !== null ? "used" : link.expiresAt <= now ? "expired" : member?.active ? "refused" : "member_inactive";
  deps.log.info("staff sign-in refused", { linkId: link.id, reason });
  await deps.db.insert(events).values(
    eventRow({ type: "public", platform: "web" }, { occurredAt: now, entityType: "member", entityId: link.memberId, action: "staff.sign_in_refused", data: JSON.stringify({ linkId: link.id, reason }) }),
  );
}
