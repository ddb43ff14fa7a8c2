// The campaign tick as it was before issue 20 (a single-row UPDATE per assignment, schedules per assignment, 25 pages a tick), kept only as the campaign-tick bench baseline.
// bounded pages) get the reminder the schedule says is due now (stale ones collapsed into the latest),
// the escalation to the coordinators and the supervising unit, and their next time. Each slot is claimed
// in reminder_slots in the same write batch as its outbox message, both keyed by (assignment, slot): a
// repeated, late or concurrent tick sends each slot once. Also the holiday-data warning from 1 December.
import { and, asc, eq, gt, lte, or, sql } from "drizzle-orm";
import { inJsonArray } from "../../src/db/chunk";
import { alias } from "drizzle-orm/sqlite-core";
import { missingHolidayYear } from "../../src/core/campaigns/holiday-data";
import { dueReminders, type ReminderKind, type ReminderSlot } from "../../src/core/campaigns/reminders";
import type { AssignmentSnapshot } from "../../src/core/campaigns/assignment-state";
import type { Db } from "../../src/db/client";
import { asBatch } from "../../src/db/client";
import { assignments, campaigns, deliverables, events, reminderSlots, units, type AssignmentRow, type CampaignRow, type DeliverableRow, type NewEventRow, type UnitRow } from "../../src/db/schema";
import { newId } from "../../src/core/ids";
import { enqueueManyStatement, enqueueManyStatements, type EnqueueInput } from "../../src/services/delivery/outbox";
import type { ServiceDeps } from "../../src/services/deps";
import { failedConstraint, retryBusyWrite } from "../../src/db/retry";
import { currentOrg, type OrgSnapshot } from "../../src/services/org/org-cache";
import { coordinatorsOf, policyFor } from "../../src/services/campaigns/assignment-context";
import { escalationMessage, holidayWarningMessage, localeOf, unitMessage } from "../../src/services/campaigns/messages";
import { chunkedStatements } from "../../src/db/chunk";

/** Assignments looked at per page (one read and one write round trip each). */
export const REMINDER_PAGE = 200;
/** Pages per tick at most; the rest waits for the next tick (their next_reminder_at stays due). */
const MAX_PAGES = 25;

/** One reminder a tick sends (or would send, in a dry run); the shape `npm run tick -- --dry-run --json` prints. */
export interface PlannedReminder {
  campaignId: string;
  deliverableId: string;
  unitId: string;
  kind: ReminderKind;
  offsetDays: number | null;
  sendAt: number;
  dueAt: number;
}

interface DueRow {
  assignment: AssignmentRow;
  deliverable: DeliverableRow;
  campaign: CampaignRow;
  unit: UnitRow;
  supervisor: UnitRow | null;
}

interface PlannedAssignment {
  row: DueRow;
  send: ReminderSlot[];
  next: number | null;
}

const supervisors = alias(units, "supervisor_units");

/** Due assignments after the cursor, by (next_reminder_at, id): the partial index, then primary keys. */
function duePage(db: Db, now: number, cursor: { at: number; id: string } | null, limit: number) {
  const due = lte(assignments.nextReminderAt, now);
  return db
    .select({ assignment: assignments, deliverable: deliverables, campaign: campaigns, unit: units, supervisor: supervisors })
    .from(assignments)
    .innerJoin(deliverables, eq(deliverables.id, assignments.deliverableId))
    .innerJoin(campaigns, eq(campaigns.id, assignments.campaignId))
    .innerJoin(units, eq(units.id, assignments.unitId))
    .leftJoin(supervisors, eq(supervisors.id, units.supervisorUnitId))
    .where(
      cursor
        ? and(due, or(gt(assignments.nextReminderAt, cursor.at), and(eq(assignments.nextReminderAt, cursor.at), gt(assignments.id, cursor.id))))
        : due,
    )
    .orderBy(asc(assignments.nextReminderAt), asc(assignments.id))
    .limit(limit);
}

function plan(row: DueRow, org: OrgSnapshot, now: number): PlannedAssignment {
  const a = row.assignment;
  // A closed campaign or a state that needs nothing more: stop looking at it.
  if (row.campaign.status !== "active" || (a.state !== "open" && a.state !== "returned")) return { row, send: [], next: null };
  const view = { dueAt: a.dueAt, dueVersion: a.dueVersion, state: a.state as AssignmentSnapshot["state"], received: a.receivedVersion === a.dueVersion, notifiedAt: a.notifiedAt };
  // Slots strictly before next_reminder_at were dealt with when it was set.
  const { send, next } = dueReminders(view, policyFor(row.campaign, row.deliverable), org.policy.calendar, a.nextReminderAt! - 1, now);
  // An inactive unit gets nothing, but its schedule moves on.
  return { row, send: row.unit.active ? send : [], next };
}

const asPlatform = (p: string) => p as EnqueueInput["platform"];

/** The statements of one page: slot claims, outbox rows, events, and each assignment's next time (compare-and-set). */
function pageStatements(deps: ServiceDeps, planned: PlannedAssignment[], org: OrgSnapshot, now: number): unknown[] {
  const slotRows: (typeof reminderSlots.$inferInsert)[] = [];
  const outbox: EnqueueInput[] = [];
  const eventRows: NewEventRow[] = [];
  const statements: unknown[] = [];
  for (const { row, send, next } of planned) {
    const a = row.assignment;
    const ctx = { campaign: row.campaign, deliverable: row.deliverable, unit: row.unit, assignment: a };
    for (const slot of send) {
      const key = `reminder:${a.id}:${slot.key}`;
      const outboxId = newId("out");
      slotRows.push({ assignmentId: a.id, slot: slot.key, kind: slot.kind, sendAt: slot.sendAt, dueAt: slot.dueAt, claimedAt: now, outboxId });
      if (slot.kind === "escalation") {
        const coordinators = coordinatorsOf(org, row.campaign);
        if (coordinators) outbox.push({ id: outboxId, dedupeKey: `${key}:coordinators`, platform: asPlatform(coordinators.platform), chatId: coordinators.chatId, kind: "text", payload: { message: escalationMessage(ctx, localeOf(coordinators.locale)) } });
        const sup = row.supervisor;
        if (sup?.active) outbox.push({ dedupeKey: `${key}:supervisor`, platform: asPlatform(sup.platform), chatId: sup.chatId, kind: "text", payload: { message: escalationMessage(ctx, localeOf(sup.locale)) } });
      } else {
        outbox.push({ id: outboxId, dedupeKey: key, platform: asPlatform(row.unit.platform), chatId: row.unit.chatId, kind: "text", payload: { message: unitMessage(ctx, slot.kind, slot.offsetDays !== undefined ? { offsetDays: slot.offsetDays } : {}), watchReads: { entityType: "assignment", entityId: a.id } } });
      }
      eventRows.push({
        occurredAt: now,
        entityType: "assignment",
        entityId: a.id,
        action: "assignment.reminded",
        actorType: "system",
        platform: "scheduler",
        data: JSON.stringify({ slot: slot.key, kind: slot.kind, sendAt: slot.sendAt, dueAt: slot.dueAt, unitId: a.unitId, deliverableId: a.deliverableId }),
        // A concurrent tick claiming the same slot logs nothing twice.
        dedupeKey: key,
      });
    }
    const escalated = send.some((s) => s.kind === "escalation");
    // Guarded on what was read (the version and the next time): if a contact submitted meanwhile, or a
    // concurrent tick already moved this assignment on, `version` becomes NULL and the whole batch fails
    // (NOT NULL) before any of its messages exist; runCampaignReminders then retries one by one.
    statements.push(
      deps.db
        .update(assignments)
        .set({
          nextReminderAt: next,
          ...(escalated ? { escalatedAt: now } : {}),
          version: sql`CASE WHEN ${assignments.version} = ${a.version} AND ${assignments.nextReminderAt} = ${a.nextReminderAt!} THEN ${assignments.version} ELSE NULL END`,
        })
        .where(eq(assignments.id, a.id)),
    );
  }
  const head: unknown[] = [];
  head.push(...chunkedStatements(slotRows, (part) => deps.db.insert(reminderSlots).values(part).onConflictDoNothing()));
  if (outbox.length) head.push(...enqueueManyStatements(deps, outbox));
  head.push(...chunkedStatements(eventRows, (part) => deps.db.insert(events).values(part).onConflictDoNothing()));
  return [...statements, ...head];
}

const lostGuard = (err: unknown) => {
  const c = failedConstraint(err);
  return c?.kind === "not_null" && c.columns === "assignments.version";
};

/**
 * One batch for the page; if an assignment changed since it was read, each assignment on its own (those
 * that changed are skipped: whoever changed them set their next time). Returns what was written.
 */
async function writePage(deps: ServiceDeps, planned: PlannedAssignment[], org: OrgSnapshot, now: number): Promise<PlannedAssignment[]> {
  try {
    await retryBusyWrite(deps.db, () => deps.db.batch(asBatch(pageStatements(deps, planned, org, now))));
    return planned;
  } catch (err) {
    if (!lostGuard(err)) throw err;
  }
  const written: PlannedAssignment[] = [];
  for (const p of planned) {
    try {
      await retryBusyWrite(deps.db, () => deps.db.batch(asBatch(pageStatements(deps, [p], org, now))));
      written.push(p);
    } catch (err) {
      if (!lostGuard(err)) throw err;
    }
  }
  return written;
}

export interface CampaignReminderReport {
  assignments: number;
  reminders: number;
  escalations: number;
  pages: number;
  holidayWarning: number | null;
}

/**
 * The tick's campaign job at `now`: sends what is due, moves each assignment's next_reminder_at on.
 * Round trips: the org version (and a reload when it changed), then one read and one write per page.
 */
export async function runLegacyCampaignReminders(deps: ServiceDeps, now: Date): Promise<CampaignReminderReport> {
  const at = now.getTime();
  const d: ServiceDeps = { ...deps, now: () => now };
  const org = await currentOrg(d);
  const report: CampaignReminderReport = { assignments: 0, reminders: 0, escalations: 0, pages: 0, holidayWarning: await warnMissingHolidayData(d, org, at) };
  let cursor: { at: number; id: string } | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const rows: DueRow[] = await duePage(d.db, at, cursor, REMINDER_PAGE);
    if (rows.length === 0) break;
    report.pages++;
    const planned = rows.map((r) => plan(r, org, at));
    const written = await writePage(d, planned, org, at);
    report.assignments += rows.length;
    for (const p of written) for (const s of p.send) s.kind === "escalation" ? report.escalations++ : report.reminders++;
    const last = rows[rows.length - 1]!.assignment;
    cursor = { at: last.nextReminderAt!, id: last.id };
    if (rows.length < REMINDER_PAGE) break;
  }
  if (report.reminders + report.escalations > 0) deps.notifyOutbox?.();
  return report;
}

/** What a tick at `now` would send, changing nothing (`npm run tick -- --dry-run`). */
export async function planCampaignReminders(deps: ServiceDeps, now: Date): Promise<PlannedReminder[]> {
  const at = now.getTime();
  const d: ServiceDeps = { ...deps, now: () => now };
  const org = await currentOrg(d);
  const out: PlannedReminder[] = [];
  let cursor: { at: number; id: string } | null = null;
  for (;;) {
    const rows: DueRow[] = await duePage(d.db, at, cursor, REMINDER_PAGE);
    if (rows.length === 0) break;
    const planned = rows.map((r) => plan(r, org, at)).filter((p) => p.send.length > 0);
    // Slots a tick already claimed (a concurrent one) would not go out again.
    const claimed = planned.length
      ? await d.db
          .select({ assignmentId: reminderSlots.assignmentId, slot: reminderSlots.slot })
          .from(reminderSlots)
          .where(and(inJsonArray(reminderSlots.assignmentId, planned.map((p) => p.row.assignment.id)), inJsonArray(reminderSlots.slot, [...new Set(planned.flatMap((p) => p.send.map((s) => s.key)))])))
      : [];
    const taken = new Set(claimed.map((c) => `${c.assignmentId}\u0000${c.slot}`));
    for (const { row, send } of planned)
      for (const s of send)
        if (!taken.has(`${row.assignment.id}\u0000${s.key}`))
          out.push({ campaignId: row.campaign.id, deliverableId: row.deliverable.id, unitId: row.unit.id, kind: s.kind, offsetDays: s.kind === "before" ? (s.offsetDays ?? null) : null, sendAt: s.sendAt, dueAt: s.dueAt });
    const last = rows[rows.length - 1]!.assignment;
    cursor = { at: last.nextReminderAt!, id: last.id };
    if (rows.length < REMINDER_PAGE) break;
  }
  return out.sort((x, y) => x.sendAt - y.sendAt || x.campaignId.localeCompare(y.campaignId) || x.deliverableId.localeCompare(y.deliverableId) || x.unitId.localeCompare(y.unitId));
}

// Years this process already knows were warned about (per database): December ticks then cost nothing.
const warned = new WeakMap<Db, Set<number>>();

/**
 * From 1 December, while next year's official holidays are missing, the coordinators are told once per
 * year: the event's dedupe key makes the batch (event + message) happen once however many ticks run.
 */
export async function warnMissingHolidayData(deps: ServiceDeps, org: OrgSnapshot, now: number): Promise<number | null> {
  const year = missingHolidayYear(org.policy.calendar, now);
  if (year === null) return null;
  const known = warned.get(deps.db) ?? new Set<number>();
  warned.set(deps.db, known);
  if (known.has(year)) return year;
  const coordinators = org.coordinators;
  if (!coordinators) return year;
  const key = `holiday-data-missing:${year}`;
  try {
    await deps.db.batch(
      asBatch([
        deps.db.insert(events).values({ occurredAt: now, entityType: "calendar", entityId: String(year), action: "calendar.data_missing", actorType: "system", platform: "scheduler", data: JSON.stringify({ year }), dedupeKey: key }),
        enqueueManyStatement(deps, [{ dedupeKey: key, platform: asPlatform(coordinators.platform), chatId: coordinators.chatId, kind: "text", payload: { message: holidayWarningMessage(year, localeOf(coordinators.locale)) } }]),
      ]),
    );
    deps.notifyOutbox?.();
  } catch (err) {
    if (!(failedConstraint(err)?.kind === "unique")) throw err;
  }
  known.add(year);
  return year;
}

/** Used by tests and the CLI: how many slots an assignment has claimed. */
export async function claimedSlots(deps: ServiceDeps, assignmentId: string) {
  return deps.db.select().from(reminderSlots).where(eq(reminderSlots.assignmentId, assignmentId)).orderBy(asc(reminderSlots.claimedAt), asc(reminderSlots.slot));
}

