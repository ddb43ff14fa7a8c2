// The late units of active campaigns for the weekly digest: how many units owe something past its
// deadline, and the worst few by name (most late items, then the longest overdue). One read of the
// pending-by-deadline index (migration 0017), the range the workspace overview counts late units over.
import { inArray, sql } from "drizzle-orm";
import { units } from "../../db/schema";
import type { ServiceDeps } from "../deps";

export interface LateUnit {
  unitName: string;
  /** Late assignments of the unit (open or returned, past their deadline). */
  late: number;
  /** The deadline of its longest overdue one (ms). */
  oldestDueAt: number;
}

/** Late items per unit of active campaigns. Named index: the partial index on pending deadlines is the range walked. */
export const lateUnitsSql = (now: number) => sql`SELECT a.unit_id AS unitId, count(*) AS late, min(a.due_at) AS oldestDueAt
    FROM assignments a INDEXED BY assignments_pending_due_idx JOIN campaigns c ON c.id = a.campaign_id
    WHERE a.state IN ('open','returned') AND a.due_at < ${now} AND c.status = 'active'
    GROUP BY a.unit_id`;

export async function lateUnits(deps: ServiceDeps, input: { now: number; limit: number }): Promise<{ count: number; worst: LateUnit[] }> {
  const db = deps.db;
  const perUnit = lateUnitsSql(input.now);
  const [worstRows, countRows] = await db.batch([
    db.all<{ unitId: string; late: number; oldestDueAt: number }>(sql`${perUnit} ORDER BY late DESC, oldestDueAt ASC, a.unit_id LIMIT ${input.limit}`),
    db.all<{ n: number }>(sql`SELECT count(*) AS n FROM (${perUnit})`),
  ]);
  const ids = worstRows.map((r) => r.unitId);
  const names = ids.length ? new Map((await db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, ids))).map((u) => [u.id, u.name])) : new Map<string, string>();
  return {
    count: Number(countRows[0]?.n ?? 0),
    worst: worstRows.map((r) => ({ unitName: names.get(r.unitId) ?? "—", late: Number(r.late), oldestDueAt: Number(r.oldestDueAt) })),
  };
}
