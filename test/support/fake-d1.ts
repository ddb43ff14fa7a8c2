// A Cloudflare D1 binding over a libSQL client, for running services through drizzle's D1 driver in
// Node (the Worker's path) without workerd: prepare/bind/all/raw/run/first and an atomic batch, with
// D1's result shapes (rows as objects, `{ results, meta }`). SQL semantics are libSQL's, not D1's.
import type { Client, InArgs, ResultSet } from "@libsql/client";

interface D1Result {
  success: true;
  results: Record<string, unknown>[];
  meta: { changes: number; last_row_id: number; duration: number };
}

const asD1 = (r: ResultSet): D1Result => ({
  success: true,
  results: r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]]))),
  meta: { changes: r.rowsAffected, last_row_id: Number(r.lastInsertRowid ?? 0), duration: 0 },
});

export class FakeD1Statement {
  constructor(
    private readonly client: Client,
    readonly sql: string,
    readonly args: unknown[] = [],
  ) {}
  bind(...values: unknown[]) {
    return new FakeD1Statement(this.client, this.sql, values);
  }
  private execute() {
    return this.client.execute({ sql: this.sql, args: this.args as InArgs });
  }
  async all() {
    return asD1(await this.execute());
  }
  async run() {
    return asD1(await this.execute());
  }
  async first(column?: string) {
    const row = asD1(await this.execute()).results[0];
    return row === undefined ? null : column ? row[column] : row;
  }
  async raw(options?: { columnNames?: boolean }) {
    const r = await this.execute();
    const rows = r.rows.map((row) => r.columns.map((_, i) => row[i]));
    return options?.columnNames ? [r.columns, ...rows] : rows;
  }
}

/** A D1Database-shaped binding whose statements run on `client` (a batch is one write transaction). */
export function fakeD1(client: Client) {
  return {
    prepare: (sql: string) => new FakeD1Statement(client, sql),
    async batch(statements: FakeD1Statement[]) {
      const results = await client.batch(statements.map((s) => ({ sql: s.sql, args: s.args as InArgs })), "write");
      return results.map(asD1);
    },
    async exec(sql: string) {
      await client.executeMultiple(sql);
      return { count: 1, duration: 0 };
    },
  };
}
