// Telling database failures apart (busy, which constraint failed) and retrying a busy database within
// a request's budget, on the embedded file and on a libSQL server (sqld / Turso) alike.
import { recoverFromBusy, type Db } from "./client";

/** Every message in an error's cause chain (drizzle and libSQL wrap the engine's error). */
function messagesOf(err: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const rawCode = (e as { rawCode?: unknown }).rawCode;
    out.push(`${typeof code === "string" ? code : ""} ${typeof rawCode === "number" ? `raw:${rawCode}` : ""} ${String((e as Error).message ?? e)}`);
  }
  return out;
}

/** SQLITE_BUSY / "database is locked" (SQLITE_LOCKED too): another writer holds the lock; trying again later works. */
export function isBusyError(err: unknown): boolean {
  // CLIENT_CLOSED "while this operation was in flight": recoverFromBusy reopened the connection under it.
  return messagesOf(err).some((m) => /SQLITE_BUSY|SQLITE_LOCKED|database is locked|database table is locked|raw:5\b|raw:6\b|closed while this operation was in flight/i.test(m));
}

/**
 * The constraint a failed write hit, as SQLite names it ("leads.cluster_slot",
 * "lead_versions.lead_id, lead_versions.version", "events.dedupe_key"), with its kind; null otherwise.
 * Callers tell a duplicate redelivery (events.dedupe_key) from a lost race (lead_versions, cluster_slot).
 */
export function failedConstraint(err: unknown): { kind: "unique" | "not_null"; columns: string } | null {
  for (const m of messagesOf(err)) {
    const match = /(UNIQUE|NOT NULL) constraint failed: ([\w.]+(?:, [\w.]+)*)/i.exec(m);
    if (match) return { kind: match[1]!.toUpperCase() === "UNIQUE" ? "unique" : "not_null", columns: match[2]! };
  }
  return null;
}

export interface BusyRetryOptions {
  /** Total time to keep trying, from the first attempt. */
  budgetMs?: number;
  /** First pause; doubles up to maxDelayMs, with jitter so contenders spread out. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (attempt: number, err: unknown) => void;
  /** Called after each busy failure, before the pause (e.g. to reopen a stuck connection). */
  onBusy?: () => Promise<void>;
}

export const DEFAULT_BUSY_BUDGET_MS = 3000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` again while the database answers busy, with bounded exponential backoff, until the budget
 * is spent (then the busy error is thrown). Only for work that is atomic (one batch or statement), so a
 * failed attempt left nothing behind.
 */
export async function withBusyRetry<T>(work: () => Promise<T>, options: BusyRetryOptions = {}): Promise<T> {
  const budget = options.budgetMs ?? DEFAULT_BUSY_BUDGET_MS;
  const maxDelay = options.maxDelayMs ?? 250;
  let delay = options.initialDelayMs ?? 5;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isBusyError(err)) throw err;
      const left = budget - (Date.now() - started);
      if (left <= 0) throw err;
      options.onRetry?.(attempt, err);
      await options.onBusy?.().catch(() => undefined);
      await sleep(Math.min(left, delay * (0.5 + Math.random())));
      delay = Math.min(maxDelay, delay * 2);
    }
  }
}

/** withBusyRetry for work on `db`, reopening an embedded connection that a busy failure left stuck. */
export function retryBusy<T>(db: Db, work: () => Promise<T>, options: BusyRetryOptions = {}): Promise<T> {
  return withBusyRetry(work, { onBusy: () => recoverFromBusy(db), ...options });
}

const writeQueues = new WeakMap<object, Promise<unknown>>();

/**
 * A write batch on `db`, retried while busy. On a libSQL server (sqld, Turso) this process's write
 * batches also queue behind each other: the server answers SQLITE_BUSY at once to a second writer, so
 * twenty concurrent tips would otherwise spend their time failing and backing off (measured: throughput
 * collapsed and requests took seconds). Other processes' writes are still met by the retry. The
 * embedded engine runs each batch synchronously, so there is nothing to queue.
 */
export function retryBusyWrite<T>(db: Db, work: () => Promise<T>, options: BusyRetryOptions = {}): Promise<T> {
  const client = (db as unknown as { $client?: { protocol?: string } }).$client;
  if (!client || client.protocol === "file") return retryBusy(db, work, options);
  const previous = writeQueues.get(client) ?? Promise.resolve();
  const run = previous.then(
    () => retryBusy(db, work, options),
    () => retryBusy(db, work, options),
  );
  // The queue continues whatever this write's outcome.
  writeQueues.set(client, run.catch(() => undefined));
  return run;
}
