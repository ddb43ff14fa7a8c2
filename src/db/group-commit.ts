// Group commit for the embedded libSQL file (Node only). The embedded engine runs on the event loop's
// thread and every batch is its own transaction: its pages are written to the WAL and synced
// (synchronous=FULL) before the next batch can start. Under a burst, twenty tips in flight meant twenty
// commits one after another, each rewriting the same index and table tail pages. Here the write batches
// that arrive while the loop is busy are run as one transaction: each caller's statements stay
// together, in arrival order, and each caller is answered only after the shared COMMIT, so "durable
// before the reply" holds for every one of them. If the shared transaction fails (one batch's
// constraint, a busy database), nothing of it is kept and every batch runs again alone, so each caller
// gets exactly the result or the error it would have had without grouping.
import { setImmediate } from "node:timers";
import type { Client, InStatement, ResultSet, TransactionMode } from "@libsql/client";

interface PendingBatch {
  statements: InStatement[];
  /** Runs this call alone, as it would have run without grouping. */
  alone: () => Promise<unknown>;
  /** Answers the caller: a batch gets its statements' results, an execute its one result. */
  resolve: (results: ResultSet[]) => void;
  reject: (error: unknown) => void;
}

/** What a grouped client reports, for tests and benchmarks: transactions run and batches they carried. */
export interface GroupCommitStats {
  /** Shared transactions that committed (two or more batches each). */
  groups: number;
  /** Batches that went through a shared transaction. */
  groupedBatches: number;
  /** Shared transactions that failed, after which each batch ran alone. */
  fallbacks: number;
}

/** A group stops growing at this many statements (a batch import's pages are large already). */
const MAX_GROUP_STATEMENTS = 2000;

const stats = new WeakMap<Client, GroupCommitStats>();

export function groupCommitStats(client: Client): GroupCommitStats | undefined {
  return stats.get(client);
}

const statementText = (stmt: InStatement) => (typeof stmt === "string" ? stmt : stmt.sql);

const isPragma = (stmt: InStatement) => /^\s*pragma\b/i.test(statementText(stmt));

/** Only reads (SELECT, or WITH … SELECT): such a batch has nothing to commit. */
function readsOnly(statements: InStatement[]): boolean {
  return statements.every((stmt) => {
    const text = statementText(stmt);
    return /^\s*(select|with)\b/i.test(text) && !/\b(insert|update|delete|replace)\b/i.test(text);
  });
}

/**
 * Makes `client.batch` group concurrent write batches into one transaction; a lone batch runs as
 * before, one event-loop turn later. Calls keep the order they were made in: while batches wait for
 * their group, a read batch or an `execute` joins the queue behind them (an execute's write is its own
 * atomic unit, so it may share the group); with nothing waiting, reads and executes run at once.
 */
export function installGroupCommit(client: Client): void {
  if (stats.has(client)) return;
  const counters: GroupCommitStats = { groups: 0, groupedBatches: 0, fallbacks: 0 };
  stats.set(client, counters);
  const batchAlone = client.batch.bind(client) as (statements: InStatement[], mode?: TransactionMode) => Promise<ResultSet[]>;
  const executeAlone = client.execute.bind(client) as (statement: InStatement) => Promise<ResultSet>;
  let queue: PendingBatch[] = [];
  let scheduled = false;

  const settleAlone = (pending: PendingBatch) => pending.alone().then(pending.resolve as (r: unknown) => void, pending.reject);

  /**
   * Runs the queue until it is empty. The emptiness check and the clearing of `scheduled` happen in one
   * synchronous step: a call queued by a caller answered in the last round (its continuation runs
   * between this loop's awaits) is either seen here or schedules a new flush, never stranded.
   */
  async function flush(): Promise<void> {
    for (;;) {
      if (queue.length === 0) {
        scheduled = false;
        return;
      }
      // Take what fits in one group; the rest waits for the next round of this loop, not for new batches.
      let count = 0;
      let size = 0;
      while (count < queue.length && (count === 0 || size + queue[count]!.statements.length <= MAX_GROUP_STATEMENTS)) size += queue[count++]!.statements.length;
      const group = queue.slice(0, count);
      queue = queue.slice(count);
      if (group.length === 1) {
        await settleAlone(group[0]!);
        continue;
      }
      let results: ResultSet[];
      try {
        results = await batchAlone(
          group.flatMap((p) => p.statements),
          "write",
        );
      } catch {
        counters.fallbacks++;
        for (const pending of group) await settleAlone(pending);
        continue;
      }
      counters.groups++;
      counters.groupedBatches += group.length;
      let offset = 0;
      for (const pending of group) {
        pending.resolve(results.slice(offset, offset + pending.statements.length));
        offset += pending.statements.length;
      }
    }
  }

  const enqueue = (statements: InStatement[], alone: () => Promise<unknown>) =>
    new Promise<ResultSet[]>((resolve, reject) => {
      queue.push({ statements, alone, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        // After the I/O callbacks of this turn: the batches other requests issue meanwhile join the group.
        // node:timers' own setImmediate: a test's fake timers (which replace the global) cannot hold it.
        setImmediate(() => void flush());
      }
    });

  client.batch = ((statements: InStatement[], mode?: TransactionMode) => {
    if (!scheduled && (mode === "read" || readsOnly(statements))) return batchAlone(statements, mode);
    return enqueue(statements, () => batchAlone(statements, mode));
  }) as Client["batch"];
  client.execute = ((statement: InStatement | string, args?: unknown) => {
    // execute(sql, args) is the two-argument form of execute({ sql, args }).
    const stmt = (typeof statement === "string" && args !== undefined ? { sql: statement, args } : statement) as InStatement;
    // A connection setting never joins a group: inside a transaction SQLite ignores some of them without
    // an error (foreign_keys is a no-op there), so a reconnect's setup must run outside one.
    if (!scheduled || isPragma(stmt)) return executeAlone(stmt);
    // A lone execute keeps its own result (and its own error type): the group hands back [result].
    return enqueue([stmt], () => executeAlone(stmt).then((r) => [r])).then((results) => results[0]!);
  }) as Client["execute"];
}
