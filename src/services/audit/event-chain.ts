// The tamper-evident event log. Triggers make `events` append-only for the application, but whoever
// holds the database file can drop them; so every row also carries an HMAC chained to the previous
// row's. Rows are sealed in id order shortly after they are written (by the tick, never on a request
// path), and `npm run verify-log` recomputes the chain: an edited, deleted or reordered row breaks it
// from that row on. The chain head goes into the tick's log line, so a copy kept elsewhere (log
// shipping) anchors it against truncation of the newest rows.
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { asBatch } from "../../db/client";
import { appState, events, type EventRow } from "../../db/schema";
import { canonicalJson } from "../../security/proof";
import { toHex, utf8 } from "../../security/encoding";
import type { ServiceDeps } from "../deps";
import type { KeyRing } from "../../security/keys";

export const CHAIN_HEAD_KEY = "event_chain_head";
/** Set while sealing is stopped at a back-dated event: `{ id, latestId }` (ids only). */
export const CHAIN_BLOCKED_KEY = "event_chain_blocked";
const CHAIN_PREFIX = "fundwatch-event/v1";

/**
 * How far an event's time may lie before the latest time already in the chain. Honest rows are not in
 * strict time order: a request's clock is read before its batch commits (busy retries) and a tick
 * writes its events at its start time, and a Worker's tick may run for up to 15 minutes. Further back
 * than this, a row is treated as back-dated (inserted later with an older time): it is never sealed,
 * and verify-log names it.
 */
export const CHAIN_TIME_SLACK_MS = 15 * 60_000;

/** The latest event time seen along the chain up to a row, and that row. */
interface TimeMark {
  at: number;
  id: number;
}

/** True when `occurredAt` lies further back than the slack behind the latest time before it. */
export const isBackdated = (latest: TimeMark | null, occurredAt: number): boolean => latest !== null && occurredAt < latest.at - CHAIN_TIME_SLACK_MS;

const later = (mark: TimeMark | null, row: { id: number; occurredAt: number }): TimeMark => (mark === null || row.occurredAt >= mark.at ? { at: row.occurredAt, id: row.id } : mark);

export interface ChainHead {
  /** Id of the last sealed event (0 before the first). */
  id: number;
  /** Its chain hash ("" before the first). */
  hash: string;
}

/** The fields a chain hash covers: the whole row except the hash itself. */
function canonicalEvent(e: EventRow): string {
  return canonicalJson({
    id: e.id,
    occurredAt: e.occurredAt,
    entityType: e.entityType,
    entityId: e.entityId,
    action: e.action,
    actorType: e.actorType,
    actorId: e.actorId,
    actorRole: e.actorRole,
    platform: e.platform,
    platformRef: e.platformRef,
    fromState: e.fromState,
    toState: e.toState,
    data: e.data,
    dedupeKey: e.dedupeKey,
  });
}

/** What the chain's hash needs of the key ring: its key, and its synchronous HMAC where the runtime has one (Node). */
export type ChainKeys = Pick<KeyRing, "logChainKey" | "sync">;

/**
 * HMAC-SHA-256 of the row under the chain key: the key ring's synchronous node:crypto HMAC on Node (a
 * WebCrypto call per row is a thread-pool job: sealing a thousand rows cost the tick over 100 ms),
 * WebCrypto elsewhere; both give the same bytes (test/security/crypto-interchange.test.ts).
 */
export async function chainHashOf(keys: ChainKeys, previousHash: string, event: EventRow): Promise<string> {
  const text = utf8.encode(`${CHAIN_PREFIX}\n${previousHash}\n${canonicalEvent(event)}`);
  if (keys.sync) return toHex(keys.sync.hmac("logChain", text));
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", keys.logChainKey, text)));
}

export async function readChainHead(db: Db): Promise<ChainHead> {
  return (await readHeadRecord(db)).head;
}

/** The head and the latest event time sealed so far (stored beside it; older heads: the head row's time). */
async function readHeadRecord(db: Db): Promise<{ head: ChainHead; latest: TimeMark | null }> {
  const [row] = await db.select({ value: appState.value }).from(appState).where(eq(appState.key, CHAIN_HEAD_KEY));
  let head: ChainHead = { id: 0, hash: "" };
  let latest: TimeMark | null = null;
  try {
    const parsed = row ? (JSON.parse(row.value) as Partial<ChainHead> & { latestAt?: unknown; latestId?: unknown }) : {};
    if (typeof parsed.id === "number" && typeof parsed.hash === "string") head = { id: parsed.id, hash: parsed.hash };
    if (typeof parsed.latestAt === "number" && typeof parsed.latestId === "number") latest = { at: parsed.latestAt, id: parsed.latestId };
  } catch {
    // fall through: a damaged head is rebuilt from the rows themselves
  }
  if (head.id > 0 && latest === null) {
    const [h] = await db.select({ id: events.id, occurredAt: events.occurredAt }).from(events).where(eq(events.id, head.id));
    if (h) latest = { at: h.occurredAt, id: h.id };
  }
  return { head, latest };
}

/** Where sealing stopped at a back-dated event, if it did (cleared by nothing: the row stays in the log). */
export async function readChainBlock(db: Db): Promise<{ id: number; latestId: number } | null> {
  const [row] = await db.select({ value: appState.value }).from(appState).where(eq(appState.key, CHAIN_BLOCKED_KEY));
  if (!row) return null;
  try {
    const parsed = JSON.parse(row.value) as { id?: unknown; latestId?: unknown };
    return typeof parsed.id === "number" && typeof parsed.latestId === "number" ? { id: parsed.id, latestId: parsed.latestId } : null;
  } catch {
    return null;
  }
}

/**
 * Characters of `data` one read of the log returns at most (always at least one row): a campaign tick's
 * page event lists thousands of reminders (~0.5 MB), and 2,000 of them in one read would pass sqld's
 * 10 MB response cap and hold a gigabyte. Characters, not bytes (SQLite's length()): ≤ 6 MB as UTF-8.
 */
export const EVENT_READ_CHARS = 2_000_000;

/** Up to `limit` events after `afterId`, in id order, cut where their data passes EVENT_READ_CHARS. */
function eventsAfter(db: Db, afterId: number, limit: number) {
  // The cut is worked out over the next `limit` ids only (their lengths), so a read stays bounded however long the log.
  const lastId = sql`(SELECT max(id) FROM (SELECT id, sum(len) OVER (ORDER BY id) - len AS before
    FROM (SELECT id, coalesce(length(data), 0) AS len FROM events WHERE id > ${afterId} ORDER BY id LIMIT ${limit})) WHERE before < ${EVENT_READ_CHARS})`;
  return db.select().from(events).where(and(gt(events.id, afterId), lte(events.id, lastId))).orderBy(asc(events.id)).limit(limit);
}

/** Sealing stopped at `id`: its time lies before the latest time already in the chain (row `latestId`). */
export interface SealBlock {
  id: number;
  latestId: number;
}

/**
 * Seals up to `limit` unsealed events after the head, in id order, in one batch with the new head.
 * Two sealers racing compute the same hashes; `chain_hash IS NULL` makes the second a no-op.
 * A back-dated event stops sealing at the row before it (recorded under CHAIN_BLOCKED_KEY): sealing it
 * would make an inserted row look as old as it claims. Cost is bounded by `limit`, not by the size of the log.
 */
export async function sealEvents(deps: Pick<ServiceDeps, "db" | "keys" | "now">, limit = 500): Promise<{ sealed: number; head: ChainHead; blocked: SealBlock | null; more: boolean }> {
  const { head, latest: latestSealed } = await readHeadRecord(deps.db);
  const rows = await eventsAfter(deps.db, head.id, limit);
  if (rows.length === 0) return { sealed: 0, head, blocked: null, more: false };
  // Full by count, or (likely) cut by EVENT_READ_CHARS: there may be more to seal now.
  const more = rows.length === limit || rows.reduce((n, r) => n + (r.data?.length ?? 0), 0) >= EVENT_READ_CHARS;
  let previous = head.hash;
  /** [event id, chain hash] of each row sealed now. */
  const sealed: [number, string][] = [];
  let last = head;
  let latest = latestSealed;
  let blocked: SealBlock | null = null;
  let seen = 0;
  for (const row of rows) {
    if (row.chainHash !== null) {
      // Already sealed by a concurrent sealer: continue the chain from its value.
      previous = row.chainHash;
      last = { id: row.id, hash: row.chainHash };
      latest = later(latest, row);
      seen++;
      continue;
    }
    if (isBackdated(latest, row.occurredAt)) {
      blocked = { id: row.id, latestId: latest!.id };
      break;
    }
    const hash = await chainHashOf(deps.keys, previous, row);
    sealed.push([row.id, hash]);
    previous = hash;
    last = { id: row.id, hash };
    latest = later(latest, row);
    seen++;
  }
  const now = deps.now().getTime();
  const statements: unknown[] = [];
  // One statement, in the head's batch (the append-only trigger lets exactly this change through); the
  // rows as one JSON parameter (json_each), so any number stays within D1's 100 bound parameters.
  if (sealed.length)
    statements.push(
      deps.db.run(sql`UPDATE events SET chain_hash = json_extract(v.value, '$[1]') FROM json_each(${JSON.stringify(sealed)}) AS v
        WHERE events.id = json_extract(v.value, '$[0]') AND events.chain_hash IS NULL`),
    );
  const value = JSON.stringify({ ...last, ...(latest ? { latestAt: latest.at, latestId: latest.id } : {}) });
  statements.push(
    deps.db
      .insert(appState)
      .values({ key: CHAIN_HEAD_KEY, value, updatedAt: now })
      // Never move the head backwards (a slower concurrent sealer finishing late).
      .onConflictDoUpdate({ target: appState.key, set: { value, updatedAt: now }, where: sql`json_extract(${appState.value}, '$.id') < ${last.id}` }),
  );
  if (blocked) {
    const blockValue = JSON.stringify(blocked);
    statements.push(deps.db.insert(appState).values({ key: CHAIN_BLOCKED_KEY, value: blockValue, updatedAt: now }).onConflictDoUpdate({ target: appState.key, set: { value: blockValue, updatedAt: now } }));
  }
  await deps.db.batch(asBatch(statements));
  return { sealed: seen, head: last, blocked, more };
}

/** Rows the tick seals per read and batch: a busy tick's events (a thousand escalations) in one go. */
const SEAL_BATCH = 2000;

/** Seals everything outstanding within a time budget (the tick's job); stops for good at a back-dated event. */
export async function sealEventLog(deps: Pick<ServiceDeps, "db" | "keys" | "now">, options: { batch?: number; budgetMs?: number } = {}): Promise<{ sealed: number; head: ChainHead; blocked: SealBlock | null }> {
  const started = Date.now();
  const batch = options.batch ?? SEAL_BATCH;
  let total = 0;
  for (;;) {
    const r = await sealEvents(deps, batch);
    total += r.sealed;
    if (r.blocked || !r.more || Date.now() - started > (options.budgetMs ?? 5000)) return { sealed: total, head: r.head, blocked: r.blocked };
  }
}

export type ChainProblem =
  | { kind: "edited"; id: number }
  | { kind: "missing"; id: number; missingFrom: number; missingTo: number }
  | { kind: "unsealed_before_sealed"; id: number }
  | { kind: "truncated"; lastId: number; headId: number }
  | { kind: "anchor_mismatch"; id: number }
  | { kind: "backdated"; id: number; latestId: number };

export interface ChainReport {
  ok: boolean;
  /** Sealed events whose hash was recomputed and matched. */
  checked: number;
  /** Newest events not sealed yet (written since the last tick): not covered by this check. */
  unsealed: number;
  head: ChainHead;
  problem: ChainProblem | null;
}

export function describeProblem(p: ChainProblem): string {
  switch (p.kind) {
    case "edited":
      return `event ${p.id}: its content does not match its chain hash (the row was edited, or rows were reordered)`;
    case "missing":
      return p.missingFrom === p.missingTo
        ? `event ${p.id}: event ${p.missingFrom} before it is missing (deleted)`
        : `event ${p.id}: events ${p.missingFrom}–${p.missingTo} before it are missing (deleted)`;
    case "unsealed_before_sealed":
      return `event ${p.id}: has no chain hash although later events do (its hash was removed)`;
    case "truncated":
      return `event ${p.lastId + 1}: the newest sealed events ${p.lastId + 1}–${p.headId} are missing (deleted); the recorded chain head is ${p.headId}`;
    case "anchor_mismatch":
      return `event ${p.id}: its chain hash differs from the anchor kept outside the database`;
    case "backdated":
      return `event ${p.id}: its time lies before event ${p.latestId}'s by more than ${CHAIN_TIME_SLACK_MS / 60_000} minutes (a back-dated row inserted later; the tick does not seal it or anything after it)`;
  }
}

/**
 * Recomputes the chain over the whole log, page by page (memory stays flat however long the log).
 * `anchor`, if given, is a chain head copied from a tick's log line: that row must carry that hash.
 */
export async function verifyEventChain(db: Db, keys: ChainKeys, options: { pageSize?: number; anchor?: ChainHead } = {}): Promise<ChainReport> {
  const pageSize = options.pageSize ?? 2000;
  let previousHash = "";
  let previousId = 0;
  let checked = 0;
  let unsealed = 0;
  let firstUnsealed: number | null = null;
  let anchorSeen = false;
  let latest: TimeMark | null = null;
  const recordedHead = await readChainHead(db);
  const fail = (problem: ChainProblem): ChainReport => ({ ok: false, checked, unsealed, head: recordedHead, problem });
  for (;;) {
    const page = await eventsAfter(db, previousId, pageSize);
    if (page.length === 0) break;
    for (const row of page) {
      // Times along the chain, sealed rows and not yet sealed ones alike: a back-dated row is named before
      // it is ever sealed (and if one was sealed by an older version, it is named all the same).
      if (isBackdated(latest, row.occurredAt)) return fail({ kind: "backdated", id: row.id, latestId: latest!.id });
      latest = later(latest, row);
      if (row.chainHash === null) {
        firstUnsealed ??= row.id;
        unsealed++;
        previousId = row.id;
        continue;
      }
      if (firstUnsealed !== null) return fail({ kind: "unsealed_before_sealed", id: firstUnsealed });
      // Ids come from AUTOINCREMENT inside transactions that either commit whole or not at all: a gap is a deletion.
      if (row.id !== previousId + 1) return fail({ kind: "missing", id: row.id, missingFrom: previousId + 1, missingTo: row.id - 1 });
      const expected = await chainHashOf(keys, previousHash, row);
      if (expected !== row.chainHash) return fail({ kind: "edited", id: row.id });
      if (options.anchor && options.anchor.id === row.id) {
        if (options.anchor.hash !== row.chainHash) return fail({ kind: "anchor_mismatch", id: row.id });
        anchorSeen = true;
      }
      previousHash = row.chainHash;
      previousId = row.id;
      checked++;
    }
  }
  const lastSealedId = firstUnsealed !== null ? firstUnsealed - 1 : previousId;
  if (recordedHead.id > lastSealedId) return fail({ kind: "truncated", lastId: lastSealedId, headId: recordedHead.id });
  if (options.anchor && options.anchor.id > 0 && !anchorSeen) return fail({ kind: "truncated", lastId: lastSealedId, headId: options.anchor.id });
  // Unsealed rows never advance the running hash, so it is the last sealed row's.
  return { ok: true, checked, unsealed, head: { id: lastSealedId, hash: previousHash }, problem: null };
}
