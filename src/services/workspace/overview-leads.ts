// The overview's lead figures for one scope (a member's own, a team's, all): open and overdue counts and
// the first few by current deadline. Each is one range of an index of migration 0017 (the partial
// indexes over open leads by current deadline), so a figure never scans all leads.
import { sql, type SQL } from "drizzle-orm";
import { currentDeadline, type DueKind } from "../../core/lead-due";
import { LEAD_DUE_AT_SQL, OPEN_LEAD_STATES_SQL } from "../../db/schema";
import type { ServiceDeps } from "../deps";

export type LeadScope = { kind: "mine"; memberId: string } | { kind: "team"; teamId: string } | { kind: "all" };

export interface OverviewLead {
  id: string;
  state: string;
  targetName: string;
  assigneeId: string | null;
  teamId: string | null;
  dueKind: DueKind;
  dueAt: number;
  overdue: boolean;
}

export interface LeadFigures {
  open: number;
  overdue: number;
  /** The first few open leads by current deadline (overdue ones come first: their deadline is earliest). */
  first: OverviewLead[];
}

/**
 * The scope's index and its WHERE. The index is named (INDEXED BY): SQLite would otherwise take the
 * state index and sort every open lead for the first few; with the name, a plan that cannot use it is an
 * error rather than a slow page.
 */
function scopeSql(scope: LeadScope): { from: SQL; where: SQL } {
  const open = OPEN_LEAD_STATES_SQL;
  if (scope.kind === "mine") return { from: sql.raw("leads INDEXED BY leads_assignee_open_due_idx"), where: sql`assignee_id = ${scope.memberId} AND ${open}` };
  if (scope.kind === "team") return { from: sql.raw("leads INDEXED BY leads_team_open_due_idx"), where: sql`team_id = ${scope.teamId} AND ${open}` };
  return { from: sql.raw("leads INDEXED BY leads_open_due_idx"), where: open };
}

/** The statements of one scope's figures, to run in one batch with the overview's other reads. */
export function leadFigureQueries(deps: ServiceDeps, scope: LeadScope, now: number, limit: number) {
  const db = deps.db;
  const { from, where } = scopeSql(scope);
  return [
    db.all<{ n: number }>(sql`SELECT count(*) AS n FROM ${from} WHERE ${where}`),
    db.all<{ n: number }>(sql`SELECT count(*) AS n FROM ${from} WHERE ${where} AND ${LEAD_DUE_AT_SQL} < ${now}`),
    db.all<FirstRow>(
      sql`SELECT id, state, target_name AS targetName, assignee_id AS assigneeId, team_id AS teamId, ack_by AS ackBy, accept_by AS acceptBy, finish_by AS finishBy
        FROM ${from} WHERE ${where} ORDER BY ${LEAD_DUE_AT_SQL} LIMIT ${limit}`,
    ),
  ] as const;
}

type FirstRow = { id: string; state: string; targetName: string; assigneeId: string | null; teamId: string | null; ackBy: number; acceptBy: number; finishBy: number };

export function leadFiguresFrom(results: readonly unknown[], now: number): LeadFigures {
  const [open, overdue, first] = results as [{ n: number }[], { n: number }[], FirstRow[]];
  return {
    open: Number(open[0]?.n ?? 0),
    overdue: Number(overdue[0]?.n ?? 0),
    first: first.flatMap((l) => {
      const due = currentDeadline(l);
      return due ? [{ id: l.id, state: l.state, targetName: l.targetName, assigneeId: l.assigneeId, teamId: l.teamId, dueKind: due.kind, dueAt: due.at, overdue: due.at < now }] : [];
    }),
  };
}

export async function leadFigures(deps: ServiceDeps, scope: LeadScope, now: number, limit: number): Promise<LeadFigures> {
  const [a, b, c] = leadFigureQueries(deps, scope, now, limit);
  return leadFiguresFrom(await deps.db.batch([a, b, c]), now);
}
