// The lead ledger (线索台账): one row per lead received or concluded in the period within the scope, with
// its fields, outcome, amounts, measures, dates and handler — never a tipster's identity or contact.
import { and, asc, eq, gt, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { leads } from "../../db/schema";
import type { StatisticsSource } from "../../core/statistics/report-shape";
import type { ServiceDeps } from "../deps";
import { parseJsonList } from "../events";
import { currentOrg } from "../org/org-cache";
import type { LeadLedgerRow, StatisticsScope } from "./report";
import { regionRangeSql } from "./region-range";

/** At most this many rows per ledger (a province's year); more sets `truncated`. */
export const LEDGER_MAX_ROWS = 100_000;
/** Keyset page: each statement reads at most this many rows off its index. */
export const LEDGER_PAGE = 1000;

/**
 * The lead columns a ledger row needs. Leads carry no identity columns; the tipster's identity lives on
 * reports, which the ledger never joins. Nothing here is decrypted (summaries stay encrypted and unread).
 * Handler: the assignee, or for an unassigned lead whoever concluded it (its conclusion event); the
 * subquery runs only for those rows (CASE evaluates lazily) and is one descent of events_entity_idx. It names
 * "leads"."id" in full: drizzle writes a lone column unqualified, which inside the subquery would be e.id.
 */
const COLUMNS = {
  id: leads.id,
  source: leads.source,
  violationType: leads.violationType,
  focusAreas: leads.focusAreas,
  regionCode: leads.regionCode,
  targetName: leads.targetName,
  state: leads.state,
  teamId: leads.teamId,
  handlerId: sql<string | null>`CASE WHEN ${leads.assigneeId} IS NOT NULL THEN ${leads.assigneeId} ELSE (SELECT e.actor_id FROM events e WHERE e.entity_type = 'lead' AND e.entity_id = "leads"."id" AND e.to_state = 'concluded' ORDER BY e.id DESC LIMIT 1) END`,
  corroboration: leads.corroborationCount,
  receivedAt: leads.receivedAt,
  acknowledgedAt: leads.acknowledgedAt,
  acceptedAt: leads.acceptedAt,
  closedAt: leads.closedAt,
  outcome: leads.outcome,
  verifiedFen: leads.substantiatedAmountFen,
  recoveredFen: leads.recoveredFen,
  fineFen: leads.fineFen,
  measures: leads.measures,
};
/** The same columns as a select list for a hand-written statement (named as COLUMNS' keys). */
const SELECT_LIST = sql.join(
  Object.entries(COLUMNS).map(([name, column]) => sql`${column} AS ${sql.identifier(name)}`),
  sql`, `,
);
type Selected = { [K in keyof typeof COLUMNS]: unknown } & { id: string; receivedAt: number; closedAt: number | null };

/** The region / team / source filters of the scope (the period is each range's own). */
function scopeConditions(scope: StatisticsScope): SQL[] {
  const out: SQL[] = [];
  if (scope.regionCode) out.push(regionRangeSql(leads.regionCode, scope.regionCode));
  if (scope.teamId) out.push(eq(leads.teamId, scope.teamId));
  if (scope.source) out.push(eq(leads.source, scope.source));
  return out;
}

/**
 * The ledger of a scope, ordered by received_at, id. Two index ranges, each read by keyset pages of
 * LEDGER_PAGE: leads concluded in the period but received before it (closed_at range; they sort first,
 * having the earliest receipt), then leads received in the period (leads_list_received_idx, or the
 * team/source list index). A lead received and concluded in the period appears once (the second range).
 * `truncated` when more rows than `limit` exist; the first `limit` rows are returned.
 */
export async function leadLedger(deps: ServiceDeps, scope: StatisticsScope, opts: { limit?: number } = {}): Promise<{ rows: LeadLedgerRow[]; truncated: boolean }> {
  const limit = Math.max(0, Math.min(opts.limit ?? LEDGER_MAX_ROWS, LEDGER_MAX_ROWS));
  const { startMs, endMs } = scope.period;
  const filters = scopeConditions(scope);
  const db = deps.db;
  const selected: Selected[] = [];

  // 1. Concluded in the period, received before it: keyset on (closed_at, id), sorted by receipt after.
  const earlier: Selected[] = [];
  let after: { at: number; id: string } | null = null;
  for (;;) {
    const where = and(
      // The keyset's own time as the range's lower bound, so each page starts its index descent there.
      gte(leads.closedAt, after ? after.at : startMs),
      lt(leads.closedAt, endMs),
      // Literal, as the partial index of concluded leads (migration 0020) is written.
      sql`state = 'concluded'`,
      lt(leads.receivedAt, startMs),
      ...filters,
      after ? or(gt(leads.closedAt, after.at), gt(leads.id, after.id)) : undefined,
    );
    // INDEXED BY: without ANALYZE statistics the planner prefers leads_state_idx (state = 'concluded',
    // received_at < start), which walks every concluded lead ever received; the closing-time range of
    // leads_concluded_idx reads only the period's.
    const page = await db.all<Selected>(
      sql`SELECT ${SELECT_LIST} FROM ${leads} INDEXED BY leads_concluded_idx WHERE ${where} ORDER BY ${leads.closedAt}, ${leads.id} LIMIT ${LEDGER_PAGE}`,
    );
    earlier.push(...page);
    if (page.length < LEDGER_PAGE) break;
    const last = page[page.length - 1]!;
    after = { at: last.closedAt!, id: last.id };
  }
  earlier.sort((a, b) => a.receivedAt - b.receivedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  selected.push(...earlier.slice(0, limit + 1));

  // 2. Received in the period: keyset on (received_at, id), stopping once one row past the limit is read.
  let from: { at: number; id: string } | null = null;
  while (selected.length <= limit) {
    const page = (await db
      .select(COLUMNS)
      .from(leads)
      .where(
        and(
          gte(leads.receivedAt, from ? from.at : startMs),
          lt(leads.receivedAt, endMs),
          ...filters,
          from ? or(gt(leads.receivedAt, from.at), gt(leads.id, from.id)) : undefined,
        ),
      )
      .orderBy(asc(leads.receivedAt), asc(leads.id))
      .limit(Math.min(LEDGER_PAGE, limit + 1 - selected.length))) as Selected[];
    selected.push(...page);
    if (page.length < LEDGER_PAGE) break;
    const last = page[page.length - 1]!;
    from = { at: last.receivedAt, id: last.id };
  }

  const truncated = selected.length > limit;
  const org = await currentOrg(deps);
  const rows = selected.slice(0, limit).map((r): LeadLedgerRow => {
    const handlerId = r.handlerId as string | null;
    const teamId = r.teamId as string | null;
    return {
      leadId: r.id,
      source: r.source as StatisticsSource,
      violationType: r.violationType as string,
      focusAreas: parseJsonList(r.focusAreas as string),
      regionCode: r.regionCode as string,
      targetName: r.targetName as string,
      state: r.state as string,
      teamName: teamId ? (org.teamById.get(teamId)?.name ?? null) : null,
      handlerName: handlerId ? (org.memberById.get(handlerId)?.displayName ?? null) : null,
      corroboration: r.corroboration as number,
      receivedAt: r.receivedAt,
      acknowledgedAt: r.acknowledgedAt as number | null,
      acceptedAt: r.acceptedAt as number | null,
      closedAt: r.closedAt,
      outcome: r.outcome as string | null,
      verifiedFen: r.verifiedFen as number | null,
      recoveredFen: r.recoveredFen as number | null,
      fineFen: r.fineFen as number | null,
      measures: r.measures ? parseJsonList(r.measures as string) : [],
    };
  });
  return { rows, truncated };
}
