// Elapsed working figures for leads changed before migration 0020 (no stored ack_work_hours etc.):
// computed from their timestamps for the report, and written back so later reports read them stored.
import { sql } from "drizzle-orm";
import { chunk, MAX_BOUND_PARAMETERS } from "../../db/chunk";
import { elapsedFigures } from "../../core/statistics/elapsed";
import type { ServiceDeps } from "../deps";
import type { OrgSnapshot } from "../org/org-cache";
import { legacyQuery, type ElapsedMeasure, type LegacyLead } from "./lead-queries";
import type { StatisticsScope } from "./report";

/** Leads written back per report: bounded work per request; the rest heal on later requests. */
export const LEGACY_WRITE_BACK_LIMIT = 2000;

const num = (v: unknown) => (v == null ? 0 : Number(v));

/**
 * The missing elapsed figures of the scope's leads received in the period, per measure (for the
 * histograms), computed as the lead commands store them (core/statistics/elapsed.ts). Up to
 * LEGACY_WRITE_BACK_LIMIT leads get them stored (only where still null: a command that stored its own
 * meanwhile keeps it; both come from the same event times). A failed write-back is logged, never fatal.
 */
export async function legacyElapsed(deps: ServiceDeps, scope: StatisticsScope, org: OrgSnapshot): Promise<Record<ElapsedMeasure, number[]>> {
  const rows = await deps.db.all<LegacyLead>(legacyQuery(scope));
  const out: Record<ElapsedMeasure, number[]> = { ack: [], decide: [], close: [] };
  const ctx = { cal: org.policy.calendar, wh: org.policy.workingHours, policy: org.policy.deadlines };
  const updates: [string, number | null, number | null, number | null][] = [];
  for (const r of rows) {
    const e = elapsedFigures({ receivedAt: num(r.receivedAt), acknowledgedAt: r.acknowledgedAt, decidedAt: r.acceptedAt, closedAt: r.closedAt, ackBy: num(r.ackBy) }, ctx);
    if (r.ackWorkHours == null && e.ackWorkHours != null) out.ack.push(e.ackWorkHours);
    if (r.decideWorkDays == null && e.decideWorkDays != null) out.decide.push(e.decideWorkDays);
    if (r.closeWorkDays == null && e.closeWorkDays != null) out.close.push(e.closeWorkDays);
    if (updates.length < LEGACY_WRITE_BACK_LIMIT) updates.push([r.id, e.ackWorkHours, e.decideWorkDays, e.closeWorkDays]);
  }
  if (updates.length) {
    // Four parameters a row: 25 rows per UPDATE keeps each within D1's 100.
    const statements = chunk(updates, MAX_BOUND_PARAMETERS / 4).map((part) =>
      deps.db.run(sql`UPDATE leads SET ack_work_hours = coalesce(ack_work_hours, v.column2), decide_work_days = coalesce(decide_work_days, v.column3),
        close_work_days = coalesce(close_work_days, v.column4)
        FROM (VALUES ${sql.join(
          part.map(([id, a, d, c]) => sql`(${id}, ${a}, ${d}, ${c})`),
          sql`, `,
        )}) AS v WHERE leads.id = v.column1`),
    );
    try {
      await deps.db.batch(statements as unknown as [(typeof statements)[number], ...(typeof statements)[number][]]);
    } catch (err) {
      deps.log.warn("statistics.legacy_write_back_failed", { leads: updates.length, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}
