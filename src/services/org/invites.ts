// One-time invites that bind a chat account to a member (enrolment): created, derived again from their
// key, redeemed.
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { newId } from "../../core/ids";
import { RECEIPT_ALPHABET } from "../../core/receipt";
import { asBatch } from "../../db/client";
import { events, invites, members, type MemberRow } from "../../db/schema";
import { keyedHash } from "../../security/cipher";
import { randomBytes, utf8 } from "../../security/encoding";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import type { AccountPlatform } from "../../chat/types";
import { accountColumn, accountValue, ACCOUNT_FIELDS, isBoundEverywhere, noAccountConditions } from "./chat-accounts";
import { enrolmentAnnouncementStatements, isBound, memberBoundError } from "./enrolment-rules";
import { memberOfDedupedEvent } from "./members";

export const INVITE_TTL_MS = 7 * 24 * 3600_000;

/**
 * The code for a keyed invite, derived from the key with the installation's hash key: a redelivered
 * chat command computes the same code again (so it can be shown again) while only its HMAC is stored.
 */
async function derivedInviteCode(deps: ServiceDeps, dedupeKey: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", deps.keys.hashKey, utf8.encode(`invite-code\u0000${dedupeKey}`)));
  // 256 is a multiple of 32: every letter of the alphabet is equally likely.
  return Array.from(mac.slice(0, 10), (b) => RECEIPT_ALPHABET[b & 31]).join("");
}

/**
 * Issues a one-time enrolment code for a member (shown once; only its HMAC is stored). With a `dedupeKey`
 * (the chat command that asked for it) the same key always yields the same single invite.
 */
export async function createInvite(
  deps: ServiceDeps,
  input: {
    memberId: string;
    actor: Actor;
    ttlMs?: number;
    dedupeKey?: string;
    /** An operator's invite (system actor only) for the platform a bound member has no account on yet. */
    additionalAccount?: boolean;
  },
): Promise<{ code: string; expiresAt: Date }> {
  const member = await deps.db.query.members.findFirst({ where: eq(members.id, input.memberId) });
  if (!member) throw new AppError("not_found", `member ${input.memberId} not found`);
  // Redeeming it would move the binding (locking the real member out): deactivate first, then invite.
  const additional = Boolean(input.additionalAccount) && input.actor.type === "system" && isBound(member);
  if (isBound(member) && (!additional || isBoundEverywhere(member))) throw memberBoundError(member);
  const code = input.dedupeKey ? await derivedInviteCode(deps, input.dedupeKey) : Array.from(randomBytes(10), (b) => RECEIPT_ALPHABET[b & 31]).join("");
  const codeHash = await keyedHash(deps.keys, "invite", code);
  const now = deps.now().getTime();
  const expiresAt = now + (input.ttlMs ?? INVITE_TTL_MS);
  try {
    await deps.db.batch(
      asBatch([
        deps.db.insert(invites).values({ id: newId("inv"), codeHash, memberId: member.id, createdBy: input.actor.id ?? null, createdAt: now, expiresAt, additionalAccount: additional }),
        deps.db.insert(events).values(
          eventRow(input.actor, { occurredAt: now, entityType: "member", entityId: member.id, action: "member.invited", data: JSON.stringify({ role: member.role, expiresAt, ...(member.active ? {} : { reactivates: true }), ...(additional ? { additionalAccount: true } : {}) }), dedupeKey: input.dedupeKey ?? null }),
        ),
      ]),
    );
  } catch (err) {
    if (!(input.dedupeKey && isUniqueViolation(err))) throw err;
    const earlier = await deps.db.query.invites.findFirst({ columns: { expiresAt: true, memberId: true }, where: eq(invites.codeHash, codeHash) });
    if (!earlier || earlier.memberId !== member.id) throw err;
    return { code, expiresAt: new Date(earlier.expiresAt) };
  }
  return { code, expiresAt: new Date(expiresAt) };
}

/**
 * Binds a chat account to the invited member, reactivating a deactivated one (the re-invite after a lost
 * phone). Returns null for an unknown, used or expired code, and for a member already bound to a chat
 * account: a binding is never moved (the real member would be locked out and impersonated).
 */
export async function redeemInvite(
  deps: ServiceDeps,
  input: { platform: AccountPlatform; platformUserId: string; code: string; platformRef?: string; dedupeKey?: string },
): Promise<MemberRow | null> {
  const code = input.code.trim().toUpperCase();
  const now = deps.now().getTime();
  // A redelivered /start: answer as the first delivery did, without a second enrolment or refusal.
  if (input.dedupeKey) {
    const earlier = await deps.db.query.events.findFirst({ columns: { action: true }, where: eq(events.dedupeKey, input.dedupeKey) });
    if (earlier) return earlier.action === "member.enrolled" ? memberOfDedupedEvent(deps, input.dedupeKey, "member.enrolled") : null;
  }
  const invite = await deps.db.query.invites.findFirst({
    where: and(eq(invites.codeHash, await keyedHash(deps.keys, "invite", code)), isNull(invites.redeemedAt), gt(invites.expiresAt, now)),
  });
  const logAttempt = (action: string, memberId: string | null, extra: Record<string, unknown> = {}, dedupeKey = input.dedupeKey ?? null) =>
    deps.db.insert(events).values({
      occurredAt: now,
      entityType: "member",
      entityId: memberId ?? `${input.platform}:${input.platformUserId}`,
      action,
      actorType: memberId && action !== "member.enrolment_refused" ? "member" : "public",
      actorId: memberId && action !== "member.enrolment_refused" ? memberId : null,
      platform: input.platform,
      platformRef: input.platformRef ?? null,
      data: JSON.stringify({ platformUserId: input.platformUserId, ...extra }),
      dedupeKey,
    });
  const refuse = async (memberId: string | null, extra?: Record<string, unknown>) => {
    try {
      await logAttempt("member.enrolment_refused", memberId, extra);
    } catch (err) {
      if (!(input.dedupeKey && isUniqueViolation(err))) throw err;
    }
    return null;
  };
  if (!invite) return refuse(null);
  const member = await deps.db.query.members.findFirst({ where: eq(members.id, invite.memberId) });
  if (!member) return refuse(null);
  const column = accountColumn(input.platform);
  const boundHere = member[ACCOUNT_FIELDS[input.platform]];
  // Only an operator's additional-account invite adds the member's other platform; nothing replaces a binding.
  if (boundHere || (isBound(member) && !invite.additionalAccount)) return refuse(member.id, { reason: "member_bound" });
  const identity = accountValue(input.platform, input.platformUserId);
  const statements: unknown[] = [
    deps.db.update(invites).set({ redeemedAt: now, redeemedOn: input.platform }).where(and(eq(invites.id, invite.id), isNull(invites.redeemedAt))),
    // A chat account belongs to one member: unbind it from anyone else first.
    deps.db.update(members).set(accountValue(input.platform, null)).where(eq(column, input.platformUserId)),
    // Checked again here, where it counts: a concurrent redemption may have bound the member meanwhile.
    deps.db
      .update(members)
      .set({ ...identity, active: true, updatedAt: now })
      .where(and(eq(members.id, member.id), isNull(column), ...(invite.additionalAccount ? [] : noAccountConditions()))),
    // The guard: unless the member is now bound to this very account, re-insert the invite's own id; the
    // primary key fails and the whole batch (enrolment, log, announcement) is undone.
    deps.db.run(
      sql`INSERT INTO invites (id, code_hash, member_id, created_at, expires_at) SELECT ${invite.id}, '', ${member.id}, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM members WHERE id = ${member.id} AND ${column} = ${input.platformUserId})`,
    ),
    logAttempt("member.enrolled", member.id),
    ...(member.active ? [] : [logAttempt("member.reactivated", member.id, { inviteId: invite.id }, null)]),
    ...(await enrolmentAnnouncementStatements(deps, member, { platform: input.platform, inviteId: invite.id })),
  ];
  try {
    await deps.db.batch(asBatch(statements));
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // The same update delivered twice at once: the other delivery enrolled the member.
    const earlier = input.dedupeKey ? await memberOfDedupedEvent(deps, input.dedupeKey, "member.enrolled") : null;
    if (earlier) return earlier;
    // Otherwise the guard fired: another account was bound to the member meanwhile.
    return refuse(member.id, { reason: "member_bound" });
  }
  deps.notifyOutbox?.();
  return (await deps.db.query.members.findFirst({ where: eq(members.id, member.id) })) ?? null;
}
