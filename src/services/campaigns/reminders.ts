// The campaign job of the scheduler tick: assignments whose next_reminder_at has come (partial index,
// bounded pages) get the reminder the schedule says is due now (stale ones collapsed into the latest),
// the escalation to the coordinators and the supervising unit, and their next time. Each slot is claimed
// in reminder_slots in the same write batch as its outbox message, both keyed by (assignment, slot): a
// repeated, late or concurrent tick sends each slot once. A page's next times go in one UPDATE … FROM
// (the page as a JSON array, one bound parameter); its slots and events in one INSERT each; schedules are worked out once per deliverable and deadline; a time
// budget (not a page cap) ends a tick, and what is left stays due for the next one. Also the
// holiday-data warning from 1 December.
import { and, asc, eq, gt, lte, not, or, sql } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import { alias } from "drizzle-orm/sqlite-core";
import { missingHolidayYear } from "../../core/campaigns/holiday-data";
import { dueReminders, type ReminderKind, type ReminderSlot } from "../../core/campaigns/reminders";
import type { AssignmentSnapshot } from "../../core/campaigns/assignment-state";
import type { Db } from "../../db/client";
import { asBatch } from "../../db/client";
import { assignments, campaigns, deliverables, events, reminderSlots, units, type AssignmentRow, type CampaignRow, type DeliverableRow, type UnitRow } from "../../db/schema";
import { newId } from "../../core/ids";
import { enqueueManyJsonStatement, enqueueManyStatement, type EnqueueInput } from "../delivery/outbox";
import type { ServiceDeps } from "../deps";
import { failedConstraint, retryBusyWrite } from "../../db/retry";
import { currentOrg, type OrgSnapshot } from "../org/org-cache";
import { coordinatorsOf, policyFor } from "./assignment-context";
import { escalationMessage, holidayWarningMessage, localeOf, unitMessage } from "./messages";
import type { ReminderPolicy } from "../../core/campaigns/reminder-policy";

/**
 * The campaign tick's limits per runtime, passed by the entry file as `deps.campaignTick`. pageSize:
 * assignments per page (one read and one write round trip each); budgetMs: the tick stops starting
 * pages after this long, the rest stays due (next_reminder_at unchanged) and the next tick carries on.
 * Node (libSQL file or sqld, the default): large pages, whose JSON parameters stay near 1 MB. Workers:
 * 200 a page (D1 caps a bound string at 2 MB and a request's CPU is short) and less time (the scheduled
 * event shares the isolate's CPU limit with the jobs after this one).
 */
export const CAMPAIGN_TICK_NODE = { budgetMs: 20_000, pageSize: 1000 } as const;
export const CAMPAIGN_TICK_WORKERS = { budgetMs: 10_000, pageSize: 200 } as const;
/** The dry run's page. */
export const REMINDER_PAGE = 200;
/** Times a page is re-planned after losing a guard before it falls back to one assignment at a time. */
const PAGE_RETRIES = 3;

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

/**
 * Due assignments after the cursor, by (next_reminder_at, rowid): the order of the partial index's own
 * entries, so a page is a range seek however many assignments share one next time (ordering by id
 * would sort every due row for each page: quadratic at 150k due at one instant).
 * The campaign and deliverable rows come only for ids this tick has not seen yet (the others join to
 * nothing): a provincial page repeats the same three or so, and their JSON columns are the bulk of a row.
 */
function duePageQuery(db: Db, now: number, cursor: Cursor | null, limit: number, seen: ParentRows) {
  const due = lte(assignments.nextReminderAt, now);
  return db
    .select({ rowid: sql<number>`assignments.rowid`, assignment: assignments, deliverable: deliverables, campaign: campaigns, unit: units, supervisor: supervisors })
    .from(assignments)
    .leftJoin(deliverables, and(eq(deliverables.id, assignments.deliverableId), not(inJsonArray(deliverables.id, [...seen.deliverables.keys()]))))
    .leftJoin(campaigns, and(eq(campaigns.id, assignments.campaignId), not(inJsonArray(campaigns.id, [...seen.campaigns.keys()]))))
    .innerJoin(units, eq(units.id, assignments.unitId))
    .leftJoin(supervisors, eq(supervisors.id, units.supervisorUnitId))
    .where(cursor ? and(due, sql`(assignments.next_reminder_at, assignments.rowid) > (${cursor.at}, ${cursor.rowid})`) : due)
    .orderBy(asc(assignments.nextReminderAt), sql`assignments.rowid`)
    .limit(limit);
}

/** Where the next page starts: the last row read. */
interface Cursor {
  at: number;
  rowid: number;
}

/** Campaign and deliverable rows a tick has read, by id. */
interface ParentRows {
  campaigns: Map<string, CampaignRow>;
  deliverables: Map<string, DeliverableRow>;
}

/** One page of due rows, and the last assignment read (the cursor moves past rows left out too). */
async function duePage(db: Db, now: number, cursor: Cursor | null, limit: number, seen: ParentRows): Promise<{ rows: DueRow[]; read: number; last: Cursor | null }> {
  const raw = await duePageQuery(db, now, cursor, limit, seen);
  const rows: DueRow[] = [];
  for (const r of raw) {
    if (r.campaign) seen.campaigns.set(r.campaign.id, r.campaign);
    if (r.deliverable) seen.deliverables.set(r.deliverable.id, r.deliverable);
    const campaign = seen.campaigns.get(r.assignment.campaignId);
    const deliverable = seen.deliverables.get(r.assignment.deliverableId);
    // Without its campaign or deliverable (an inner join before): left as it is.
    if (campaign && deliverable) rows.push({ assignment: r.assignment, campaign, deliverable, unit: r.unit, supervisor: r.supervisor });
  }
  const end = raw[raw.length - 1];
  return { rows, read: raw.length, last: end ? { at: end.assignment.nextReminderAt!, rowid: end.rowid } : null };
}

const newParentRows = (): ParentRows => ({ campaigns: new Map(), deliverables: new Map() });

/**
 * Schedules of one tick: a deliverable's policy is resolved once, and assignments that share a deadline,
 * state and last slot (all the units of a deliverable, as a rule) share one schedule computation.
 */
export class ScheduleCache {
  private readonly policies = new Map<string, ReminderPolicy>();
  private readonly schedules = new Map<string, { send: ReminderSlot[]; next: number | null }>();
  computed = 0;

  constructor(private readonly org: OrgSnapshot, private readonly now: number) {}

  plan(row: DueRow): PlannedAssignment {
    const a = row.assignment;
    // A closed campaign or a state that needs nothing more: stop looking at it.
    if (row.campaign.status !== "active" || (a.state !== "open" && a.state !== "returned")) return { row, send: [], next: null };
    const received = a.receivedVersion === a.dueVersion;
    const key = `${row.deliverable.id}\u0000${a.dueAt}\u0000${a.dueVersion}\u0000${a.state}\u0000${received}\u0000${a.notifiedAt ?? ""}\u0000${a.nextReminderAt}`;
    let schedule = this.schedules.get(key);
    if (!schedule) {
      let policy = this.policies.get(row.deliverable.id);
      if (!policy) this.policies.set(row.deliverable.id, (policy = policyFor(row.campaign, row.deliverable)));
      const view = { dueAt: a.dueAt, dueVersion: a.dueVersion, state: a.state as AssignmentSnapshot["state"], received, notifiedAt: a.notifiedAt };
      // Slots strictly before next_reminder_at were dealt with when it was set.
      schedule = dueReminders(view, policy, this.org.policy.calendar, a.nextReminderAt! - 1, this.now);
      this.schedules.set(key, schedule);
      this.computed++;
    }
    // An inactive unit gets nothing, but its schedule moves on.
    return { row, send: row.unit.active ? schedule.send : [], next: schedule.next };
  }
}


const asPlatform = (p: string) => p as EnqueueInput["platform"];

/** The statements of one page: slot claims, outbox rows, events, and each assignment's next time (compare-and-set). */
function pageStatements(deps: ServiceDeps, planned: PlannedAssignment[], org: OrgSnapshot, now: number): unknown[] {
  // Rows as JSON arrays, in the column order of the statements below.
  const slotRows: [string, string, string, number, number, number, string][] = [];
  const outbox: EnqueueInput[] = [];
  const eventRows: [string, string, string][] = [];
  const moves: [string, number, number, number | null, number | null][] = [];
  for (const { row, send, next } of planned) {
    const a = row.assignment;
    const ctx = { campaign: row.campaign, deliverable: row.deliverable, unit: row.unit, assignment: a };
    for (const slot of send) {
      const key = `reminder:${a.id}:${slot.key}`;
      const outboxId = newId("out");
      slotRows.push([a.id, slot.key, slot.kind, slot.sendAt, slot.dueAt, now, outboxId]);
      if (slot.kind === "escalation") {
        const coordinators = coordinatorsOf(org, row.campaign);
        if (coordinators) outbox.push({ id: outboxId, dedupeKey: `${key}:coordinators`, platform: asPlatform(coordinators.platform), chatId: coordinators.chatId, kind: "text", payload: { message: escalationMessage(ctx, localeOf(coordinators.locale)) } });
        const sup = row.supervisor;
        if (sup?.active) outbox.push({ dedupeKey: `${key}:supervisor`, platform: asPlatform(sup.platform), chatId: sup.chatId, kind: "text", payload: { message: escalationMessage(ctx, localeOf(sup.locale)) } });
      } else {
        outbox.push({ id: outboxId, dedupeKey: key, platform: asPlatform(row.unit.platform), chatId: row.unit.chatId, kind: "text", payload: { message: unitMessage(ctx, slot.kind, slot.offsetDays !== undefined ? { offsetDays: slot.offsetDays } : {}), watchReads: { entityType: "assignment", entityId: a.id } } });
      }
      eventRows.push([a.id, JSON.stringify({ slot: slot.key, kind: slot.kind, sendAt: slot.sendAt, dueAt: slot.dueAt, unitId: a.unitId, deliverableId: a.deliverableId }), key]);
    }
    const escalated = send.some((s) => s.kind === "escalation");
    moves.push([a.id, a.version, a.nextReminderAt!, next, escalated ? now : null]);
  }
  // Each table's rows for the page in one statement binding one parameter (a JSON array read by
  // json_each, which libSQL and D1 both have): a page is a handful of statements whatever its size,
  // within D1's 100 bound parameters, and cheap to build and prepare.
  //
  // The next times, guarded on what was read (the version and the next time): if a contact submitted
  // meanwhile, or a concurrent tick already moved an assignment on, its `version` becomes NULL and the
  // whole batch fails (NOT NULL) before any of its messages exist; writePage then drops the assignments
  // that changed and writes the rest. SET sees the row as it was, so the CASE compares with what was read.
  const statements: unknown[] = [
    deps.db.run(sql`UPDATE assignments SET next_reminder_at = v.next, escalated_at = coalesce(v.escalated, assignments.escalated_at),
      version = CASE WHEN assignments.version = v.version AND assignments.next_reminder_at = v.was THEN assignments.version ELSE NULL END
      FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS version, json_extract(value, '$[2]') AS was,
        json_extract(value, '$[3]') AS next, json_extract(value, '$[4]') AS escalated FROM json_each(${JSON.stringify(moves)})) AS v
      WHERE assignments.id = v.id`),
  ];
  // `WHERE true`: SQLite's parser needs it between INSERT … SELECT and ON CONFLICT.
  if (slotRows.length)
    statements.push(
      deps.db.run(sql`INSERT INTO reminder_slots (assignment_id, slot, kind, send_at, due_at, claimed_at, outbox_id)
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'),
          json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]') FROM json_each(${JSON.stringify(slotRows)}) WHERE true
        ON CONFLICT DO NOTHING`),
    );
  if (outbox.length) statements.push(enqueueManyJsonStatement(deps, outbox));
  // A concurrent tick claiming the same slot logs nothing twice (the dedupe key).
  if (eventRows.length)
    statements.push(
      deps.db.run(sql`INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, platform, data, dedupe_key)
        SELECT ${now}, 'assignment', json_extract(value, '$[0]'), 'assignment.reminded', 'system', 'scheduler', json_extract(value, '$[1]'), json_extract(value, '$[2]')
        FROM json_each(${JSON.stringify(eventRows)}) WHERE true ON CONFLICT DO NOTHING`),
    );
  return statements;
}

const lostGuard = (err: unknown) => {
  const c = failedConstraint(err);
  return c?.kind === "not_null" && c.columns === "assignments.version";
};

/** Of these planned assignments, those still as they were read (same version and next time): one read. */
async function unchanged(deps: ServiceDeps, planned: PlannedAssignment[]): Promise<PlannedAssignment[]> {
  const ids = planned.map((p) => p.row.assignment.id);
  const rows = await deps.db
    .select({ id: assignments.id, version: assignments.version, nextReminderAt: assignments.nextReminderAt })
    .from(assignments)
    .where(inJsonArray(assignments.id, ids));
  const now = new Map(rows.map((r) => [r.id, r]));
  return planned.filter((p) => {
    const r = now.get(p.row.assignment.id);
    return r !== undefined && r.version === p.row.assignment.version && r.nextReminderAt === p.row.assignment.nextReminderAt;
  });
}

/**
 * One batch for the page; if an assignment changed since it was read, the page again without the ones
 * that changed (whoever changed them set their next time), and after PAGE_RETRIES lost guards each
 * assignment on its own. Returns what was written.
 */
async function writePage(deps: ServiceDeps, planned: PlannedAssignment[], org: OrgSnapshot, now: number): Promise<PlannedAssignment[]> {
  let pending = planned;
  for (let attempt = 0; attempt <= PAGE_RETRIES && pending.length; attempt++) {
    try {
      await retryBusyWrite(deps.db, () => deps.db.batch(asBatch(pageStatements(deps, pending, org, now))));
      return pending;
    } catch (err) {
      if (!lostGuard(err)) throw err;
    }
    pending = await unchanged(deps, pending);
  }
  if (pending.length === 0) return [];
  const written: PlannedAssignment[] = [];
  for (const p of pending) {
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
  /** Schedules worked out (at most one per deliverable and deadline state, however many units). */
  schedules: number;
  /** The budget ran out with due assignments left: the next tick carries on. */
  outOfTime: boolean;
}

export interface CampaignReminderOptions {
  /** Stop starting pages after this many ms (default: deps.campaignTick, else CAMPAIGN_TICK_NODE). */
  budgetMs?: number;
  pageSize?: number;
}

/**
 * The tick's campaign job at `now`: sends what is due, moves each assignment's next_reminder_at on.
 * Round trips: the org version (and a reload when it changed), then one read and one write per page.
 * The budget is checked before each page (wall clock, not `now`): a page once read is always written.
 */
export async function runCampaignReminders(deps: ServiceDeps, now: Date, options: CampaignReminderOptions = {}): Promise<CampaignReminderReport> {
  const started = Date.now();
  const limits = deps.campaignTick ?? CAMPAIGN_TICK_NODE;
  const budget = options.budgetMs ?? limits.budgetMs;
  const pageSize = options.pageSize ?? limits.pageSize;
  const at = now.getTime();
  const d: ServiceDeps = { ...deps, now: () => now };
  const org = await currentOrg(d);
  const report: CampaignReminderReport = { assignments: 0, reminders: 0, escalations: 0, pages: 0, holidayWarning: await warnMissingHolidayData(d, org, at), schedules: 0, outOfTime: false };
  const schedules = new ScheduleCache(org, at);
  const seen = newParentRows();
  let cursor: Cursor | null = null;
  for (;;) {
    if (report.pages > 0 && Date.now() - started >= budget) {
      report.outOfTime = true;
      break;
    }
    const { rows, read, last } = await duePage(d.db, at, cursor, pageSize, seen);
    if (!last) break;
    report.pages++;
    const planned = rows.map((r) => schedules.plan(r));
    const written = planned.length ? await writePage(d, planned, org, at) : [];
    report.assignments += rows.length;
    for (const p of written) for (const s of p.send) s.kind === "escalation" ? report.escalations++ : report.reminders++;
    cursor = last;
    if (read < pageSize) break;
  }
  report.schedules = schedules.computed;
  if (report.reminders + report.escalations > 0) deps.notifyOutbox?.();
  return report;
}

/** What a tick at `now` would send, changing nothing (`npm run tick -- --dry-run`). */
export async function planCampaignReminders(deps: ServiceDeps, now: Date): Promise<PlannedReminder[]> {
  const at = now.getTime();
  const d: ServiceDeps = { ...deps, now: () => now };
  const org = await currentOrg(d);
  const out: PlannedReminder[] = [];
  const schedules = new ScheduleCache(org, at);
  const seen = newParentRows();
  let cursor: Cursor | null = null;
  for (;;) {
    const { rows, read, last } = await duePage(d.db, at, cursor, REMINDER_PAGE, seen);
    if (!last) break;
    const planned = rows.map((r) => schedules.plan(r)).filter((p) => p.send.length > 0);
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
    cursor = last;
    if (read < REMINDER_PAGE) break;
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

