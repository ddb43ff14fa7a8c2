// Signed, short-lived links to the campaign web pages: a contact's unit page (`/units/:unitId?t=…`) and
// a coordinator's full board (`/campaigns/:campaignId/board?t=…`). Same mechanism as case links
// (HMAC over place + member + expiry with the installation's hash key): nothing is stored, a link
// names its member, and it stops working at its expiry. Who may use it is checked again on every
// request (the member must still be active and, for a unit, still one of its contacts).
import { keyedHash } from "../../security/cipher";
import { constantTimeEqual } from "../../security/encoding";
import type { ServiceDeps } from "../deps";

/** Reminders are read hours or days after they are sent (unlike a case link, opened on the spot). */
export const UNIT_LINK_DAYS = 7;
/** A board link comes from `/board` or an escalation and is opened the same day. */
export const BOARD_LINK_HOURS = 24;

const DAY_MS = 86_400_000;
type Instant = number | Date;
const ms = (now: Instant) => (typeof now === "number" ? now : now.getTime());

async function sign(deps: ServiceDeps, purpose: string, place: string, memberId: string, expiresAt: number): Promise<string> {
  const mac = await keyedHash(deps.keys, purpose, `${place}\u0000${memberId}\u0000${expiresAt}`);
  return `${memberId}.${expiresAt}.${mac}`;
}

/** The member id the token was issued to, or null when it is malformed, forged, for another place or expired. */
async function verify(deps: ServiceDeps, purpose: string, place: string, token: string | undefined | null): Promise<string | null> {
  if (!token || token.length > 512) return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [memberId, exp, mac] = parts as [string, string, string];
  if (!memberId || !/^\d{1,16}$/.test(exp) || !mac) return null;
  const expiresAt = Number(exp);
  if (expiresAt < deps.now().getTime()) return null;
  const expected = await keyedHash(deps.keys, purpose, `${place}\u0000${memberId}\u0000${expiresAt}`);
  return constantTimeEqual(expected, mac) ? memberId : null;
}

function baseUrl(deps: ServiceDeps): string {
  return (deps.config.PUBLIC_BASE_URL ?? `http://localhost:${deps.config.PORT}`).replace(/\/$/, "");
}

export function unitLinkToken(deps: ServiceDeps, input: { memberId: string; unitId: string }, expiresAt: number): Promise<string> {
  return sign(deps, "unit-link", input.unitId, input.memberId, expiresAt);
}

export function verifyUnitLinkToken(deps: ServiceDeps, unitId: string, token: string | undefined | null): Promise<string | null> {
  return verify(deps, "unit-link", unitId, token);
}

export function boardLinkToken(deps: ServiceDeps, input: { memberId: string; campaignId: string }, expiresAt: number): Promise<string> {
  return sign(deps, "board-link", input.campaignId, input.memberId, expiresAt);
}

export function verifyBoardLinkToken(deps: ServiceDeps, campaignId: string, token: string | undefined | null): Promise<string | null> {
  return verify(deps, "board-link", campaignId, token);
}

/**
 * The unit page link for one contact, valid UNIT_LINK_DAYS from `now`.
 * @example await unitPageUrl(deps, { memberId: contact.id, unitId: unit.id }, deps.now())
 */
export async function unitPageUrl(deps: ServiceDeps, input: { memberId: string; unitId: string }, now: Instant, days = UNIT_LINK_DAYS): Promise<string> {
  const token = await unitLinkToken(deps, input, ms(now) + days * DAY_MS);
  return `${baseUrl(deps)}/units/${encodeURIComponent(input.unitId)}?t=${encodeURIComponent(token)}`;
}

/**
 * The full board link for one coordinator, valid BOARD_LINK_HOURS from `now`.
 * @example await boardUrl(deps, { memberId: coordinator.id, campaignId }, deps.now())
 */
export async function boardUrl(deps: ServiceDeps, input: { memberId: string; campaignId: string }, now: Instant, hours = BOARD_LINK_HOURS): Promise<string> {
  const token = await boardLinkToken(deps, input, ms(now) + hours * 3_600_000);
  return `${baseUrl(deps)}/campaigns/${encodeURIComponent(input.campaignId)}/board?t=${encodeURIComponent(token)}`;
}

/**
 * The pre-filled statistics workbook of one assignment, behind the same unit link token as the unit
 * page (valid UNIT_LINK_DAYS): a contact opens it from a private reply, never from the unit's group chat.
 */
export async function statisticsWorkbookUrl(deps: ServiceDeps, input: { memberId: string; unitId: string; assignmentId: string }, now: Instant, days = UNIT_LINK_DAYS): Promise<string> {
  const token = await unitLinkToken(deps, input, ms(now) + days * DAY_MS);
  return `${baseUrl(deps)}/units/${encodeURIComponent(input.unitId)}/assignments/${encodeURIComponent(input.assignmentId)}/statistics.xlsx?t=${encodeURIComponent(token)}`;
}
