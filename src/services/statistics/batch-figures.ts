// Screening-batch figures for the statistics: batches received in the period, their rows, the rows
// already fed back (their lead has a result), and the results of those rows' leads.
import { and, gte, lt, sql } from "drizzle-orm";
import { batchRows, leads, screeningBatches } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import type { StatisticsReport, StatisticsScope } from "./report";
import { scopeFilter } from "./lead-queries";

/**
 * The key of a row's result in `byOutcome`: the conclusion's outcome, `not_accepted` for a declined lead,
 * `open` while its lead is still being handled. A row is FED BACK when its line of the feedback file
 * (services/leads/batch-feedback.ts) carries a result: its lead is closed — concluded (with an outcome)
 * or not accepted — so the line shows a closing date; an open lead's line only shows its state.
 */
const RESULT_SQL = sql<string>`CASE WHEN ${leads.state} = 'concluded' THEN coalesce(${leads.outcome}, 'concluded') WHEN ${leads.state} = 'not_accepted' THEN 'not_accepted' ELSE 'open' END`;

/**
 * Batches IMPORTED in the period (screening_batches_imported_idx), counted per ROW of the file as the
 * feedback file counts them (several rows may share one lead; each row is fed back with it). Region and
 * team scope narrow to rows whose lead lies in the region / belongs to the team; a batch counts when
 * at least one of its rows is in scope. A source filter other than `batch` leaves nothing.
 */
export async function batchFigures(deps: ServiceDeps, scope: StatisticsScope): Promise<StatisticsReport["batches"]> {
  const empty = { count: 0, rows: 0, fedBack: 0, byOutcome: {} };
  if (scope.source && scope.source !== "batch") return empty;
  // The leads' region and team filters as the statistics write them (lead-queries); source is settled above.
  const conditions = [gte(screeningBatches.importedAt, scope.period.startMs), lt(screeningBatches.importedAt, scope.period.endMs), sql`1 = 1${scopeFilter({ ...scope, source: undefined }, "leads")}`];
  const rows = await deps.db
    .select({ batchId: batchRows.batchId, result: RESULT_SQL, n: sql<number>`count(*)` })
    // CROSS JOIN fixes SQLite's join order: from the period's batches (screening_batches_imported_idx) to
    // their rows to each row's lead by primary key. An inner join let the planner start from every lead of
    // a scoped region, of any year, through leads_list_region_idx.
    .from(screeningBatches)
    .crossJoin(batchRows)
    .crossJoin(leads)
    .where(and(sql`${batchRows.batchId} = ${screeningBatches.id}`, sql`${leads.id} = ${batchRows.leadId}`, ...conditions))
    .groupBy(batchRows.batchId, RESULT_SQL);
  const batches = new Set<string>();
  const byOutcome: Record<string, number> = {};
  let total = 0;
  let fedBack = 0;
  for (const r of rows) {
    const n = Number(r.n);
    batches.add(r.batchId);
    total += n;
    if (r.result !== "open") fedBack += n;
    byOutcome[r.result] = (byOutcome[r.result] ?? 0) + n;
  }
  return { count: batches.size, rows: total, fedBack, byOutcome };
}
