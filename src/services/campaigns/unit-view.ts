// What a unit's contact sees on the unit page: the unit's assignments in active campaigns (with their
// deliverable and campaign), each one's submissions and documents, and the history of all of them.
// Every read is by an indexed key (campaign+unit, assignment, submission, entity, slot) and bounded.
// The tick's reminders are not events of the assignment (the tick logs one event per campaign and page):
// they come from reminder_slots, shown as the `assignment.reminded` rows they always were.
import { and, desc, eq, inArray, ne, or } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import {
  assignments,
  campaigns,
  deliverables,
  events,
  members,
  reminderSlots,
  submissions,
  units,
  type AssignmentRow,
  type CampaignRow,
  type DeliverableRow,
  type EventRow,
  type SubmissionRow,
  type UnitRow,
} from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { listSubmissionFiles, type SubmissionFileView } from "./submission-files";
import { offerFor, type StatisticsOffer } from "../statistics/deliverable-figures";

/** The history shows the latest events; older ones stay in the log (and the board's CSV). */
export const UNIT_HISTORY_LIMIT = 200;
/** A unit takes part in a handful of campaigns at once; more active campaigns than this are not listed. */
const MAX_ACTIVE_CAMPAIGNS = 50;

export interface UnitAssignmentView {
  assignment: AssignmentRow;
  deliverable: DeliverableRow;
  campaign: CampaignRow;
  /** Oldest first. */
  submissions: SubmissionRow[];
  files: SubmissionFileView[];
  /** For a statistics table: the unit's own region and the reported period, offered as a pre-filled workbook. */
  statistics: StatisticsOffer | null;
}

export interface UnitPageView {
  unit: UnitRow;
  assignments: UnitAssignmentView[];
  history: EventRow[];
  /** Display names of the members named in the history and the submissions. */
  names: Map<string, string>;
}

export async function getUnit(deps: ServiceDeps, unitId: string): Promise<UnitRow | null> {
  return (await deps.db.query.units.findFirst({ where: eq(units.id, unitId) })) ?? null;
}

export async function unitPageView(deps: ServiceDeps, unit: UnitRow): Promise<UnitPageView> {
  const active = await deps.db.select().from(campaigns).where(eq(campaigns.status, "active")).limit(MAX_ACTIVE_CAMPAIGNS);
  const rows = active.length
    ? await deps.db
        .select()
        .from(assignments)
        .where(
          and(
            inArray(
              assignments.campaignId,
              active.map((c) => c.id),
            ),
            eq(assignments.unitId, unit.id),
          ),
        )
    : [];
  const deliverableRows = rows.length ? await deps.db.select().from(deliverables).where(inJsonArray(deliverables.id, [...new Set(rows.map((a) => a.deliverableId))])) : [];
  const submissionRows = rows.length ? await deps.db.select().from(submissions).where(inJsonArray(submissions.assignmentId, rows.map((a) => a.id))) : [];
  const files = await listSubmissionFiles(
    deps,
    submissionRows.map((s) => s.id),
  );
  const byDeliverable = new Map(deliverableRows.map((d) => [d.id, d]));
  const byCampaign = new Map(active.map((c) => [c.id, c]));
  const views: UnitAssignmentView[] = rows
    .map((assignment) => {
      const subs = submissionRows.filter((s) => s.assignmentId === assignment.id).sort((a, b) => a.attempt - b.attempt);
      const subIds = new Set(subs.map((s) => s.id));
      const deliverable = byDeliverable.get(assignment.deliverableId)!;
      return {
        assignment,
        deliverable,
        campaign: byCampaign.get(assignment.campaignId)!,
        submissions: subs,
        files: files.filter((f) => subIds.has(f.submissionId)),
        statistics: deliverable ? offerFor(deliverable, unit, assignment) : null,
      };
    })
    .filter((v) => v.deliverable && v.campaign)
    .sort((a, b) => a.assignment.dueAt - b.assignment.dueAt || a.deliverable.key.localeCompare(b.deliverable.key) || a.assignment.period.localeCompare(b.assignment.period));

  const entity = (type: string, ids: string[]) => (ids.length ? [and(eq(events.entityType, type), inJsonArray(events.entityId, ids))] : []);
  const assignmentIds = rows.map((a) => a.id);
  const conditions = [
    // Per-slot reminder events written before the page events are shown from their slots instead (once).
    ...(assignmentIds.length ? [and(eq(events.entityType, "assignment"), inJsonArray(events.entityId, assignmentIds), ne(events.action, REMINDED))] : []),
    ...entity(
      "submission",
      submissionRows.map((s) => s.id),
    ),
    // A moved deadline is an event of the deliverable: every unit of it sees it.
    ...entity("deliverable", [...byDeliverable.keys()]),
  ];
  const logged = conditions.length ? await deps.db.select().from(events).where(or(...conditions)).orderBy(desc(events.occurredAt), desc(events.id)).limit(UNIT_HISTORY_LIMIT) : [];
  const reminded = assignmentIds.length ? await remindersOf(deps, assignmentIds) : [];
  // Newest first; at the same instant a reminder sorts as if logged after the events (as the tick's were).
  const history = [...reminded, ...logged].sort((a, b) => b.occurredAt - a.occurredAt).slice(0, UNIT_HISTORY_LIMIT);
  const people = [...new Set([...history.map((e) => e.actorId), ...submissionRows.map((s) => s.submittedBy), ...rows.map((a) => a.receivedBy)].filter((x): x is string => !!x))];
  const named = people.length ? await deps.db.select({ id: members.id, displayName: members.displayName }).from(members).where(inJsonArray(members.id, people)) : [];
  return { unit, assignments: views, history, names: new Map(named.map((m) => [m.id, m.displayName])) };
}

const REMINDED = "assignment.reminded";
/** The slot kinds the tick claims (nudges and moved deadlines log their own events). */
const TICK_SLOT_KINDS = ["before", "due", "overdue", "escalation"] as const;

/** The tick's reminders of these assignments (latest UNIT_HISTORY_LIMIT), as the history's event rows. */
async function remindersOf(deps: ServiceDeps, assignmentIds: string[]): Promise<EventRow[]> {
  const slots = await deps.db
    .select()
    .from(reminderSlots)
    .where(and(inJsonArray(reminderSlots.assignmentId, assignmentIds), inArray(reminderSlots.kind, [...TICK_SLOT_KINDS])))
    .orderBy(desc(reminderSlots.claimedAt), desc(reminderSlots.sendAt))
    .limit(UNIT_HISTORY_LIMIT);
  return slots.map((r) => ({
    id: 0,
    occurredAt: r.claimedAt,
    entityType: "assignment",
    entityId: r.assignmentId,
    action: REMINDED,
    actorType: "system",
    actorId: null,
    actorRole: null,
    platform: "scheduler",
    platformRef: null,
    fromState: null,
    toState: null,
    data: JSON.stringify({ slot: r.slot, kind: r.kind, sendAt: r.sendAt, dueAt: r.dueAt }),
    dedupeKey: null,
    chainHash: null,
  }));
}
