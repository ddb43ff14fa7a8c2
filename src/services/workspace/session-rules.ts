// The workspace sign-in's limits and token handling, shared by links and sessions: a link is good for
// 10 minutes and once; a session ends after 30 idle minutes or 8 hours, whichever comes first. Tokens
// are 256 random bits; only their keyed hash (HASH_KEY) is ever stored, logged or compared.
import type { AccountPlatform } from "../../chat/types";
import { keyedHash } from "../../security/cipher";
import { randomBytes, toBase64Url } from "../../security/encoding";
import type { ServiceDeps } from "../deps";

export const SIGN_IN_LINK_TTL_MS = 10 * 60_000;
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 8 * 3600_000;

/** Where a sign-in link was asked for (stored with the link and in its events): a chat platform, the CLI, the console. */
export type SignInChannel = AccountPlatform | "cli" | "console";

/** Why a session ended. */
export type SessionEndReason = "signed_out" | "member_deactivated" | "idle" | "expired" | "replaced" | "ended_by_operator";

/** A fresh bearer token (43 characters of base64url). */
export const newToken = (): string => toBase64Url(randomBytes(32));

/** Tokens have the shape newToken gives; anything else is refused before it is hashed. */
export const isTokenShaped = (value: unknown): value is string => typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value);

export const signInTokenHash = (deps: ServiceDeps, token: string) => keyedHash(deps.keys, "staff-sign-in", token);
export const sessionTokenHash = (deps: ServiceDeps, token: string) => keyedHash(deps.keys, "staff-session", token);

/** The installation's address for links sent out of the web (chat, CLI): PUBLIC_BASE_URL or the local one. */
export function publicBaseUrl(deps: ServiceDeps): string {
  return (deps.config.PUBLIC_BASE_URL ?? `http://localhost:${deps.config.PORT}`).replace(/\/+$/, "");
}
