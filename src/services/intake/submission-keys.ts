// Submit once. Page forms carry a one-time token (signed, so the form page itself needs no database
// write and can be cached); API clients may send an Idempotency-Key. Either is stored as an HMAC in
// the same batch as what the request created, so a reload, a back-and-resubmit, a double click or a
// client retry finds it and creates nothing new — even when two copies race (the second batch fails
// on the primary key and is answered like a repeat).
import { eq, inArray, lt } from "drizzle-orm";
import { z } from "zod";
import { rateLimitSubject } from "../../core/client-address";
import { submissionKeys } from "../../db/schema";
import { decryptText, encryptText, keyedHash } from "../../security/cipher";
import { constantTimeEqual, randomBytes, sha256Hex, toBase64Url } from "../../security/encoding";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";

export type SubmissionScope = "web-report" | "web-reply" | "web-evidence" | "api-report" | "api-message" | "api-attachments";

/** How long a form stays valid after it was shown, and how long a used key is remembered. */
export const FORM_TOKEN_TTL_MS = 24 * 3_600_000;
export const KEY_RETENTION_MS = 24 * 3_600_000;

export interface SubmissionKey {
  scope: SubmissionScope;
  keyHash: string;
  requestHash: string | null;
}

export type SubmissionKeyRow = typeof submissionKeys.$inferSelect;

/** A fresh one-time token for a form: random nonce, issue time, MAC over both. */
export async function issueFormToken(deps: ServiceDeps, scope: SubmissionScope): Promise<string> {
  const nonce = toBase64Url(randomBytes(16));
  const issuedAt = deps.now().getTime();
  const mac = await keyedHash(deps.keys, "form-token", `${scope}\u0000${nonce}\u0000${issuedAt}`);
  return `${nonce}.${issuedAt.toString(36)}.${mac.slice(0, 32)}`;
}

/**
 * The key a form token stands for, or null if the token is missing, forged or expired (the form is
 * then shown again with the typed values and a fresh token; nothing is stored).
 */
export async function formTokenKey(deps: ServiceDeps, scope: SubmissionScope, token: string | undefined, bindTo = ""): Promise<SubmissionKey | null> {
  const m = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{32})$/.exec(token ?? "");
  if (!m) return null;
  const [, nonce, issued36, mac] = m as unknown as [string, string, string, string];
  const issuedAt = parseInt(issued36, 36);
  const now = deps.now().getTime();
  if (!(issuedAt <= now + 60_000 && now - issuedAt <= FORM_TOKEN_TTL_MS)) return null;
  const expected = (await keyedHash(deps.keys, "form-token", `${scope}\u0000${nonce}\u0000${issuedAt}`)).slice(0, 32);
  if (!constantTimeEqual(expected, mac)) return null;
  return { scope, keyHash: await keyedHash(deps.keys, "submission-key", `${scope}\u0000${bindTo}\u0000form\u0000${nonce}`), requestHash: null };
}

const idempotencyKeySchema = z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/);

/**
 * The key an API request's `Idempotency-Key` header stands for (null without the header). Every key
 * is bound to the client (its rate-limit subject: the address, IPv6 by /64), so two clients that pick
 * the same key have two different keys and neither learns of the other's report; keys for messages
 * and attachments are also bound to the report.
 */
export async function idempotencyKey(
  deps: ServiceDeps,
  scope: SubmissionScope,
  header: string | undefined,
  body: string | Uint8Array,
  client: { address: string | undefined; bindTo?: string },
): Promise<SubmissionKey | null> {
  if (header === undefined) return null;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success) throw new AppError("validation_failed", "bad Idempotency-Key", { fields: { "Idempotency-Key": "1–255 visible ASCII characters" } });
  const subject = rateLimitSubject(client.address);
  return {
    scope,
    keyHash: await keyedHash(deps.keys, "submission-key", `${scope}\u0000${client.bindTo ?? ""}\u0000api\u0000${subject}\u0000${parsed.data}`),
    requestHash: await sha256Hex(body),
  };
}

export async function findSubmission(deps: ServiceDeps, key: SubmissionKey): Promise<SubmissionKeyRow | null> {
  const [row] = await deps.db.select().from(submissionKeys).where(eq(submissionKeys.keyHash, key.keyHash));
  return row ?? null;
}

/**
 * The insert for the creating batch; `replay` (web only) is what a repeat may show again. Wrapped in
 * an object because drizzle statements are thenables: an async function returning one bare would run it.
 */
export async function submissionKeyStatement(deps: ServiceDeps, key: SubmissionKey, result: { reportId: string; resultRef?: string | null; replay?: unknown }) {
  const now = deps.now().getTime();
  const replayEnc = result.replay === undefined ? null : await encryptText(deps.keys, JSON.stringify(result.replay), `submission:${key.keyHash}:replay`);
  const statement = deps.db.insert(submissionKeys).values({
    keyHash: key.keyHash,
    scope: key.scope,
    reportId: result.reportId,
    resultRef: result.resultRef ?? null,
    requestHash: key.requestHash,
    replayEnc,
    createdAt: now,
    expiresAt: now + KEY_RETENTION_MS,
  });
  return { statement };
}

export async function readReplay<T>(deps: ServiceDeps, row: SubmissionKeyRow): Promise<T | null> {
  if (!row.replayEnc) return null;
  return JSON.parse(await decryptText(deps.keys, row.replayEnc, `submission:${row.keyHash}:replay`)) as T;
}

/** True when a failed batch failed because its submission key was already stored (a racing repeat). */
export function isSubmissionKeyConflict(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) if (/UNIQUE constraint failed: submission_keys\.key_hash/i.test(String((e as Error).message ?? e))) return true;
  return false;
}

/**
 * API answer to a key already used by this client: the same request again is a repeat (409 naming
 * the original report); a different request under the same key is refused 422 without naming any
 * report (a key is not a way to look up what was filed under it). Nothing is stored either way.
 */
export function duplicateSubmissionError(row: SubmissionKeyRow, key: SubmissionKey): AppError {
  if (key.requestHash !== null && row.requestHash !== key.requestHash) return new AppError("idempotency_key_reused", "this Idempotency-Key was used for a different request");
  return new AppError("duplicate_submission", "this Idempotency-Key was already used", {
    params: { reportId: row.reportId },
    details: { reportId: row.reportId, ...(row.resultRef ? { resultRef: row.resultRef } : {}), sameRequest: true },
  });
}

/** Tick job: used keys are remembered for a day; purged in bounded batches through the expiry index. */
export async function purgeExpiredSubmissionKeys(deps: ServiceDeps): Promise<{ purged: number }> {
  const due = deps.db.select({ k: submissionKeys.keyHash }).from(submissionKeys).where(lt(submissionKeys.expiresAt, deps.now().getTime())).limit(1000);
  const res = await deps.db.delete(submissionKeys).where(inArray(submissionKeys.keyHash, due)).returning({ k: submissionKeys.keyHash });
  return { purged: res.length };
}
