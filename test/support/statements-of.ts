// Every statement a libSQL client is sent while some work runs, with its arguments: the plan tests run
// EXPLAIN QUERY PLAN on exactly what a use case sends.
import type { Client, InStatement } from "@libsql/client";

export interface SentStatement {
  sql: string;
  args: unknown;
}

/** Runs `work` with `client.execute` and `client.batch` watched, and returns what they were sent, in order. */
export async function statementsOf(client: Client, work: () => Promise<unknown>): Promise<SentStatement[]> {
  const seen: SentStatement[] = [];
  const record = (s: InStatement) => seen.push(typeof s === "string" ? { sql: s, args: [] } : { sql: s.sql, args: s.args ?? [] });
  const execute = client.execute.bind(client);
  const batch = client.batch.bind(client);
  const patched = client as unknown as Record<string, unknown>;
  patched.execute = (s: InStatement) => (record(s), execute(s));
  patched.batch = (stmts: InStatement[], mode?: "write" | "read" | "deferred") => (stmts.forEach(record), batch(stmts, mode));
  try {
    await work();
  } finally {
    patched.execute = execute;
    patched.batch = batch;
  }
  return seen;
}
