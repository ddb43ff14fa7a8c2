// A guard for tests and local runs (Node only): makes a libSQL client throw on any statement that binds
// more parameters than D1 allows, so a statement that would fail in production fails a test first.
// Switched on by FUNDWATCH_MAX_BOUND_PARAMETERS (vitest sets it for the whole suite and every process
// the tests start); production never sets it.
import type { Client, InStatement } from "@libsql/client";
import { installShapesWriter, recordShape } from "./statement-shapes";

function boundCount(stmt: InStatement): { count: number; sql: string } {
  if (typeof stmt === "string") return { count: 0, sql: stmt };
  const args = (stmt as { args?: unknown }).args;
  const count = Array.isArray(args) ? args.length : args && typeof args === "object" ? Object.keys(args).length : 0;
  return { count, sql: stmt.sql };
}

export class TooManyParametersError extends Error {
  override name = "TooManyParametersError";
}

/**
 * Every refusal, also kept here: code that catches errors (a tick job logs and goes on) must not hide
 * one, so the test setup (test/support/param-guard-setup.ts) fails the test after the fact as well.
 */
export function boundParameterViolations(): string[] {
  const g = globalThis as { __fundwatchParamViolations?: string[] };
  return (g.__fundwatchParamViolations ??= []);
}

function check(stmt: InStatement, limit: number, via = "execute"): void {
  const { count, sql } = boundCount(stmt);
  if (process.env.FUNDWATCH_SQL_SHAPES) recordShape(sql, via);
  if (count <= limit) return;
  const message = `statement binds ${count} parameters (D1 allows ${limit}): ${sql.replace(/\s+/g, " ").slice(0, 80)}`;
  boundParameterViolations().push(message);
  throw new TooManyParametersError(message);
}

/** Wraps `client` in place: execute, batch and transactions check every statement first. */
export function guardBoundParameters(client: Client, limit: number): Client {
  if (process.env.FUNDWATCH_SQL_SHAPES) installShapesWriter();
  const execute = client.execute.bind(client);
  const batch = client.batch.bind(client);
  const transaction = client.transaction.bind(client);
  // async: a refusal is a rejected promise, as the client's own errors are.
  client.execute = (async (stmt: InStatement | string, args?: unknown) => {
    check(typeof stmt === "object" ? stmt : ({ sql: stmt, args: args ?? [] } as InStatement), limit);
    return (execute as (s: unknown, a?: unknown) => ReturnType<Client["execute"]>)(stmt, args);
  }) as Client["execute"];
  client.batch = (async (stmts: InStatement[], mode?: Parameters<Client["batch"]>[1]) => {
    for (const s of stmts) check(s, limit, "batch");
    return batch(stmts, mode);
  }) as Client["batch"];
  client.transaction = (async (...mode: unknown[]) => {
    const tx = await (transaction as (...m: unknown[]) => ReturnType<Client["transaction"]>)(...mode);
    const txExecute = tx.execute.bind(tx);
    const txBatch = tx.batch.bind(tx);
    tx.execute = (async (s: InStatement) => (check(s, limit, "transaction"), txExecute(s))) as typeof tx.execute;
    tx.batch = (async (ss: InStatement[]) => (ss.forEach((s) => check(s, limit, "transaction")), txBatch(ss))) as typeof tx.batch;
    return tx;
  }) as Client["transaction"];
  return client;
}
