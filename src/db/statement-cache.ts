// Node-only: prepared statements kept per embedded libSQL connection and reused. @libsql/client 0.18's
// file client prepares every statement anew (sqlite3.js executeStmt → Database#prepare), which cost
// 5–11 % of a tip's CPU; this installs a per-connection LRU behind `Database#prepare` of the `libsql`
// package it wraps, so the client, drizzle and every caller stay as they are.
//
// Correctness:
// - A statement is reused only after it has run to its end (all/run return): SQLite resets a finished
//   statement on its next step, and libsql binds all parameters anew each run. A statement whose run
//   throws is dropped from the cache (it may be left mid-step; a fresh one is prepared next time).
// - Schema changes: SQLite re-prepares a statement whose schema changed, but the column *names* a
//   prepared `SELECT *` reports stay the old ones; so statements with a star projection are never
//   cached, and any DDL run through any connection of this process empties every connection's cache
//   (a generation counter), as does reopening a connection (a new Database has an empty cache).
// - Only plain DML and transaction control are cached; PRAGMAs, DDL and anything else go through as before.
import { createRequire } from "node:module";

interface NativeStatement {
  readonly reader: boolean;
  raw(toggle?: boolean): NativeStatement;
  safeIntegers(toggle?: boolean): NativeStatement;
  columns(): { name: string; type?: string | null }[];
  run(...args: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  all(...args: unknown[]): unknown[];
  get(...args: unknown[]): unknown;
  iterate(...args: unknown[]): IterableIterator<unknown>;
  pluck(toggle?: boolean): NativeStatement;
  interrupt(): void;
}

interface NativeDatabase {
  prepare(sql: string): NativeStatement;
  exec(sql: string): unknown;
  open: boolean;
}

type DatabaseClass = { prototype: NativeDatabase };

/** Per connection: the LRU of statements and the schema generation it was filled in. */
interface ConnectionCache {
  generation: number;
  statements: Map<string, CachedStatement>;
}

const CACHES = new WeakMap<NativeDatabase, ConnectionCache>();
const INSTALLED = Symbol.for("fundwatch.statementCache.installed");
const state = { generation: 0, max: 256, hits: 0, misses: 0 };

const CACHEABLE = /^\s*(select|insert|update|delete|replace|with|begin|commit|rollback|end)\b/i;
const DDL = /^\s*(create|alter|drop|vacuum|attach|detach|reindex|analyze)\b/i;
// `select *`, `select t.*`, `, *`: column names fixed at preparation time (see above).
const STAR_PROJECTION = /(^|\bselect\b|,)\s*(distinct\s+)?("?[\w]+"?\.)?\*/i;

/** What the cache did so far (tests and benchmarks). */
export function statementCacheStats(): { hits: number; misses: number; generation: number } {
  return { hits: state.hits, misses: state.misses, generation: state.generation };
}

/** A cached statement: the native one, with the "does it return rows" answer kept after the first ask. */
class CachedStatement {
  private rawRefusal: unknown = null;
  constructor(
    readonly native: NativeStatement,
    private readonly sql: string,
    private readonly cache: ConnectionCache,
  ) {}

  get reader(): boolean {
    return this.native.reader;
  }
  raw(toggle?: boolean): this {
    // The client asks raw(true) of every statement to learn whether it returns rows; libsql answers
    // a non-reader with an exception. Asked once per cached statement, the refusal is then replayed.
    if (this.rawRefusal) throw this.rawRefusal;
    try {
      this.native.raw(toggle);
    } catch (err) {
      if (toggle !== false) this.rawRefusal = err;
      throw err;
    }
    return this;
  }
  safeIntegers(toggle?: boolean): this {
    this.native.safeIntegers(toggle);
    return this;
  }
  pluck(toggle?: boolean): this {
    this.native.pluck(toggle);
    return this;
  }
  columns() {
    return this.native.columns();
  }
  interrupt(): void {
    this.native.interrupt();
  }
  run(...args: unknown[]) {
    return this.guard(() => this.native.run(...args));
  }
  all(...args: unknown[]) {
    return this.guard(() => this.native.all(...args));
  }
  get(...args: unknown[]) {
    // get() stops after one row, leaving the statement mid-step: not reusable, so it leaves the cache.
    this.evict();
    return this.native.get(...args);
  }
  iterate(...args: unknown[]) {
    this.evict();
    return this.native.iterate(...args);
  }
  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (err) {
      this.evict();
      throw err;
    }
  }
  private evict(): void {
    if (this.cache.statements.get(this.sql) === this) this.cache.statements.delete(this.sql);
  }
}

function cacheOf(db: NativeDatabase): ConnectionCache {
  let cache = CACHES.get(db);
  if (!cache) CACHES.set(db, (cache = { generation: state.generation, statements: new Map() }));
  else if (cache.generation !== state.generation) {
    cache.statements.clear();
    cache.generation = state.generation;
  }
  return cache;
}

/**
 * Installs the cache on the `libsql` package's Database (once per process; later calls only change
 * the size). `maxPerConnection` 0 turns caching off again (every statement prepared anew).
 */
export function installStatementCache(maxPerConnection = 256): void {
  state.max = maxPerConnection;
  const Database = createRequire(import.meta.url)("libsql") as DatabaseClass & { [INSTALLED]?: boolean };
  if (Database[INSTALLED]) return;
  Database[INSTALLED] = true;
  const prepareFresh = Database.prototype.prepare;
  const execFresh = Database.prototype.exec;
  // exec (the client's executeMultiple) runs scripts without preparing here: assume they change the schema.
  Database.prototype.exec = function exec(this: NativeDatabase, sql: string) {
    state.generation++;
    return execFresh.call(this, sql);
  };
  Database.prototype.prepare = function prepare(this: NativeDatabase, sql: string): NativeStatement {
    if (state.max <= 0 || !CACHEABLE.test(sql) || STAR_PROJECTION.test(sql)) {
      if (DDL.test(sql)) state.generation++;
      return prepareFresh.call(this, sql);
    }
    const cache = cacheOf(this);
    const hit = cache.statements.get(sql);
    if (hit) {
      state.hits++;
      // Most recently used last: Map keeps insertion order, so the first key is the eviction candidate.
      cache.statements.delete(sql);
      cache.statements.set(sql, hit);
      return hit as unknown as NativeStatement;
    }
    state.misses++;
    const statement = new CachedStatement(prepareFresh.call(this, sql), sql, cache);
    cache.statements.set(sql, statement);
    if (cache.statements.size > state.max) cache.statements.delete(cache.statements.keys().next().value!);
    return statement as unknown as NativeStatement;
  };
}
