// Campaign compliance for the statistics: per deliverable the units due in the period and how many
// delivered on time, late, not at all, or were sent back; reminders sent and acknowledged.
import { and, asc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import { assignments, campaigns, deliverables, reminderSlots, units } from "../../db/schema";
import { localDate } from "../../core/work-calendar";
import { BOARD_COLUMNS, boardRow, type BoardRow } from "../campaigns/board-data";
import { regionContains } from "../campaigns/units";
import type { ServiceDeps } from "../deps";
import type { CampaignDeliverableFigures, CampaignFigures, StatisticsScope } from "./report";

/**
 * Reminder kinds that go to the unit itself. Escalations go to the coordinators and the supervisor, and
 * "moved" tells of a new date: neither asks the unit to acknowledge, so neither counts as a reminder.
 */
export const UNIT_REMINDER_KINDS = ["before", "due", "overdue", "nudge"] as const;

/**
 * How one assignment counts, by the campaign board's own rules (boardRow in services/campaigns/board-data):
 * on time = submitted or accepted by its deadline; late = submitted or accepted after it (submittedLate);
 * missing = past its deadline at `now` with nothing submitted (the board's "late" flag: open or returned);
 * returned = sent back and not resubmitted (a returned assignment past due is also missing).
 */
export function tally(rows: readonly BoardRow[]): Pick<CampaignDeliverableFigures, "units" | "onTime" | "late" | "missing" | "returned"> {
  const submitted = (r: BoardRow) => r.state === "submitted" || r.state === "accepted";
  return {
    units: rows.length,
    onTime: rows.filter((r) => submitted(r) && !r.submittedLate).length,
    late: rows.filter((r) => submitted(r) && r.submittedLate).length,
    missing: rows.filter((r) => r.late).length,
    returned: rows.filter((r) => r.state === "returned").length,
  };
}

const mostCommon = (values: string[]): string => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = "";
  let n = -1;
  for (const [v, c] of counts) if (c > n || (c === n && v < best)) [best, n] = [v, c];
  return best;
};

/**
 * Campaigns active in the period (created before it ends, and either still active or with a duty due
 * in it) — or only `scope.campaignId` — with, per deliverable, the assignments DUE in the period: a
 * monthly report counts what fell due that month, a year's report the year's duties. Deliverables with
 * nothing due in the period (in the region) are left out. Region scope: units whose region code lies
 * in the scope's region (units store a 6-digit code; a province covers its cities and districts). Team
 * and source filters do not apply to campaigns (units are not teams' and not leads). Reminders: unit
 * reminders (UNIT_REMINDER_KINDS) claimed in the period for those campaigns' units in the region;
 * acknowledged when the unit has acknowledged its current deadline or submitted (the board's rule).
 * A handful of campaigns and their assignments: read per campaign by assignments_campaign_unit_idx.
 */
export async function campaignFigures(deps: ServiceDeps, scope: StatisticsScope, now: Date): Promise<CampaignFigures[]> {
  const db = deps.db;
  const { startMs, endMs } = scope.period;
  const nowMs = now.getTime();
  const chosen = await db
    .select()
    .from(campaigns)
    .where(
      scope.campaignId
        ? eq(campaigns.id, scope.campaignId)
        : and(
            lt(campaigns.createdAt, endMs),
            or(eq(campaigns.status, "active"), sql`EXISTS (SELECT 1 FROM ${assignments} WHERE ${assignments.campaignId} = ${campaigns.id} AND ${assignments.dueAt} >= ${startMs})`),
          ),
    )
    .orderBy(asc(campaigns.createdAt), asc(campaigns.id));
  if (chosen.length === 0) return [];
  const ids = chosen.map((c) => c.id);
  const [dels, rows, slots] = await db.batch([
    db.select().from(deliverables).where(inArray(deliverables.campaignId, ids)).orderBy(asc(deliverables.createdAt), asc(deliverables.key)),
    db
      .select({
        a: { ...BOARD_COLUMNS, campaignId: assignments.campaignId },
        unit: { name: units.name, kind: units.kind, regionCode: units.regionCode },
      })
      .from(assignments)
      .innerJoin(units, eq(units.id, assignments.unitId))
      .where(inArray(assignments.campaignId, ids)),
    db
      .select({ assignmentId: reminderSlots.assignmentId, kind: reminderSlots.kind })
      .from(reminderSlots)
      .innerJoin(assignments, eq(assignments.id, reminderSlots.assignmentId))
      .where(
        and(
          inArray(assignments.campaignId, ids),
          inArray(reminderSlots.kind, [...UNIT_REMINDER_KINDS]),
          gte(reminderSlots.claimedAt, startMs),
          lt(reminderSlots.claimedAt, endMs),
        ),
      ),
  ]);
  const inRegion = (code: string) => !scope.regionCode || regionContains(scope.regionCode, code);
  // Every assignment of the region as a board row (the board's rules), due in the period or not: a
  // reminder in the period may be about a duty due after it.
  const boardRows = new Map<string, { row: BoardRow; campaignId: string; deliverableId: string }>();
  for (const { a, unit } of rows) if (inRegion(unit.regionCode)) boardRows.set(a.id, { row: boardRow(a, unit, nowMs), campaignId: a.campaignId, deliverableId: a.deliverableId });
  const reminders = new Map<string, { sent: number; acknowledged: number }>(ids.map((id) => [id, { sent: 0, acknowledged: 0 }]));
  for (const s of slots) {
    const b = boardRows.get(s.assignmentId);
    if (!b) continue;
    const r = reminders.get(b.campaignId)!;
    r.sent++;
    if (b.row.acknowledged) r.acknowledged++;
  }
  const due = new Map<string, BoardRow[]>();
  for (const b of boardRows.values()) {
    if (b.row.dueAt < startMs || b.row.dueAt >= endMs) continue;
    const list = due.get(b.deliverableId) ?? [];
    list.push(b.row);
    due.set(b.deliverableId, list);
  }
  return chosen.map((campaign) => ({
    campaignId: campaign.id,
    name: campaign.name,
    deliverables: dels
      .filter((d) => d.campaignId === campaign.id && (due.get(d.id)?.length ?? 0) > 0)
      .map((d) => {
        const list = due.get(d.id)!;
        // The deliverable's date as most units have it; a unit's extension counts by its own date above.
        return { deliverableId: d.id, name: d.title, dueDate: mostCommon(list.map((r) => localDate(r.dueAt))), ...tally(list) };
      }),
    reminders: reminders.get(campaign.id)!,
  }));
}
