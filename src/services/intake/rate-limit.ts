// Fixed-window rate limits kept in the database (Workers isolates share no memory). The client
// address is never stored: the key is an HMAC of bucket, window and address, so it changes every
// window and cannot be reversed or linked across windows. IPv6 clients count per /64 (see
// core/client-address.ts). Every check is one atomic increment-and-read, so parallel requests cannot
// all slip through between a check and a count.
import { and, eq, gt, lt, sql } from "drizzle-orm";
import { rateLimitSubject } from "../../core/client-address";
import { asBatch } from "../../db/client";
import { rateLimits } from "../../db/schema";
import { keyedHash } from "../../security/cipher";
import type { ServiceDeps } from "../deps";

export interface RateLimitRule {
  bucket: string;
  limit: number;
  windowMs: number;
}

export interface RateLimitState {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
}

async function windowKey(deps: ServiceDeps, rule: RateLimitRule, clientAddress: string | undefined, now: number) {
  const windowIndex = Math.floor(now / rule.windowMs);
  const key = await keyedHash(deps.keys, `rate:${rule.bucket}:${windowIndex}`, rateLimitSubject(clientAddress));
  const expiresAt = (windowIndex + 1) * rule.windowMs;
  return { key: `${rule.bucket}:${key.slice(0, 32)}`, expiresAt, retryAfterSeconds: Math.max(1, Math.ceil((expiresAt - now) / 1000)) };
}

/**
 * Statements that count one hit inside a caller's write batch and make that whole batch fail when the
 * hit is over the limit (it sets the NOT NULL expires_at to NULL), so a refused request writes
 * nothing and costs no extra round trip or commit. `isRefusal` recognises that failure.
 */
export async function rateLimitGuard(deps: ServiceDeps, rule: RateLimitRule, clientAddress: string | undefined) {
  const now = deps.now().getTime();
  const { key, expiresAt, retryAfterSeconds } = await windowKey(deps, rule, clientAddress, now);
  // One statement: the hit over the limit sets the NOT NULL expires_at to NULL, which fails the batch.
  const statements = [
    deps.db
      .insert(rateLimits)
      .values({ key, count: 1, expiresAt: rule.limit >= 1 ? expiresAt : sql`NULL` })
      .onConflictDoUpdate({
        target: rateLimits.key,
        set: { count: sql`${rateLimits.count} + 1`, expiresAt: sql`CASE WHEN ${rateLimits.count} + 1 > ${rule.limit} THEN NULL ELSE ${rateLimits.expiresAt} END` },
      }),
  ];
  const isRefusal = (err: unknown) => {
    for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++)
      if (/NOT NULL constraint failed: rate_limits\.expires_at/.test(String((e as Error).message ?? e))) return true;
    return false;
  };
  return { statements, isRefusal, retryAfterSeconds };
}

/**
 * Counts `add` (0 or 1) hits on each rule in one round trip (one write batch) and says, per rule,
 * whether the client is within it. Adding 0 reads a limit without counting against it.
 */
export async function consumeRateLimits(deps: ServiceDeps, hits: { rule: RateLimitRule; add: 0 | 1 }[], clientAddress: string | undefined): Promise<RateLimitState[]> {
  const now = deps.now().getTime();
  const windows = await Promise.all(hits.map((h) => windowKey(deps, h.rule, clientAddress, now)));
  const results = (await deps.db.batch(
    asBatch(
      hits.map((h, i) =>
        deps.db
          .insert(rateLimits)
          .values({ key: windows[i]!.key, count: h.add, expiresAt: windows[i]!.expiresAt })
          .onConflictDoUpdate({ target: rateLimits.key, set: { count: sql`${rateLimits.count} + ${h.add}` } })
          .returning({ count: rateLimits.count }),
      ),
    ),
  )) as unknown as { count: number }[][];
  return hits.map((h, i) => {
    const count = results[i]?.[0]?.count ?? h.add;
    return { allowed: count <= h.rule.limit, count, retryAfterSeconds: windows[i]!.retryAfterSeconds };
  });
}

/**
 * Takes back one hit counted by consumeRateLimit in the same window: an attempt counted up front as
 * a possible failure (receipt lookups) turned out to succeed.
 */
export async function refundRateLimit(deps: ServiceDeps, rule: RateLimitRule, clientAddress: string | undefined): Promise<void> {
  const now = deps.now().getTime();
  const { key } = await windowKey(deps, rule, clientAddress, now);
  await deps.db
    .update(rateLimits)
    .set({ count: sql`${rateLimits.count} - 1` })
    .where(and(eq(rateLimits.key, key), gt(rateLimits.count, 0)));
}

/** Drops expired windows; called by the scheduler tick. */
export async function purgeExpiredRateLimits(deps: ServiceDeps): Promise<void> {
  await deps.db.delete(rateLimits).where(lt(rateLimits.expiresAt, deps.now().getTime()));
}
