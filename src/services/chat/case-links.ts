// Signed, short-lived links to a lead's case page (src/http/pages/case.tsx), one per member and press.
import { eq } from "drizzle-orm";
import { events, type LeadRow, type MemberRow } from "../../db/schema";
import { keyedHash } from "../../security/cipher";
import { constantTimeEqual } from "../../security/encoding";
import type { ServiceDeps } from "../deps";
import { eventRow, isUniqueViolation } from "../events";
import { asActor, type MemberActor } from "../leads/leads";

export const CASE_LINK_MINUTES = 15;

/** Signed, short-lived link to the case page for one member (see src/http/pages/case.tsx). */
export async function caseLinkToken(deps: ServiceDeps, leadId: string, memberId: string, expiresAt: number): Promise<string> {
  const mac = await keyedHash(deps.keys, "case-link", `${leadId}\u0000${memberId}\u0000${expiresAt}`);
  return `${memberId}.${expiresAt}.${mac}`;
}

export async function verifyCaseLinkToken(deps: ServiceDeps, leadId: string, token: string): Promise<string | null> {
  const [memberId, exp, mac] = token.split(".");
  if (!memberId || !exp || !mac) return null;
  const expiresAt = Number(exp);
  if (!Number.isFinite(expiresAt) || expiresAt < deps.now().getTime()) return null;
  const expected = await keyedHash(deps.keys, "case-link", `${leadId}\u0000${memberId}\u0000${expiresAt}`);
  return constantTimeEqual(expected, mac) ? memberId : null;
}

async function caseLink(deps: ServiceDeps, lead: LeadRow, member: MemberRow, expiresAt: number): Promise<string> {
  const base = deps.config.PUBLIC_BASE_URL ?? `http://localhost:${deps.config.PORT}`;
  return `${base.replace(/\/$/, "")}/cases/${encodeURIComponent(lead.id)}?t=${encodeURIComponent(await caseLinkToken(deps, lead.id, member.id, expiresAt))}`;
}

/**
 * Issues the case link for one press, once: the event (keyed by the press) records the link's expiry, so a
 * redelivered press rebuilds the very same link instead of minting a second one.
 */
export async function caseLinkForPress(deps: ServiceDeps, actor: MemberActor, lead: LeadRow, updateKey: string): Promise<{ url: string; expiresAt: number; replayed?: true }> {
  const expiresAt = deps.now().getTime() + CASE_LINK_MINUTES * 60_000;
  try {
    await deps.db.insert(events).values(
      eventRow(asActor(actor), { occurredAt: deps.now().getTime(), entityType: "lead", entityId: lead.id, action: "lead.case_link_issued", data: JSON.stringify({ expiresAt }), dedupeKey: updateKey }),
    );
    return { url: await caseLink(deps, lead, actor.member, expiresAt), expiresAt };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  const earlier = await deps.db.query.events.findFirst({ columns: { action: true, entityId: true, actorId: true, data: true }, where: eq(events.dedupeKey, updateKey) });
  const recorded = earlier?.action === "lead.case_link_issued" && earlier.entityId === lead.id && earlier.actorId === actor.member.id ? Number((JSON.parse(earlier.data ?? "{}") as { expiresAt?: unknown }).expiresAt) : NaN;
  const sameExpiry = Number.isSafeInteger(recorded) ? recorded : expiresAt;
  return { url: await caseLink(deps, lead, actor.member, sameExpiry), expiresAt: sameExpiry, replayed: true };
}
