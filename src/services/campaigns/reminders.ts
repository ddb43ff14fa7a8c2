// The campaign job of the scheduler tick: assignments whose next_reminder_at has come (partial index,
// bounded pages) get the reminder the schedule says is due now (stale ones collapsed into the latest),
// the escalation to the coordinators and the supervising unit, and their next time. Each slot is claimed
// in reminder_slots in the same write batch as its outbox message, both keyed by (assignment, slot): a
// repeated, late or concurrent tick sends each slot once. A page's next times go in one UPDATE … FROM
// (the page as a JSON array, one bound parameter); its slots and outbox rows in one INSERT each, and ONE
// event per campaign and page (`campaign.reminded`, per 1,000 slots) listing the slots it claimed (assignment, unit,
// deliverable, slot, outbox row): an event per slot made a provincial tick 250,000 events to write and
// seal. A unit's reminder history is read from reminder_slots (unit-view.ts). Schedules are worked out
// once per deliverable and deadline; a time budget (not a page cap) ends a tick, and what is left stays
// due for the next one. Also the holiday-data warning from 1 December.
import { and, asc, eq, not, sql } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import { missingHolidayYear } from "../../core/campaigns/holiday-data";
import { type ReminderKind, type ReminderSlot } from "../../core/campaigns/reminders";
import type { Db } from "../../db/client";
import { asBatch } from "../../db/client";
import { assignments, events, reminderSlots } from "../../db/schema";
import { newIdRun } from "../../core/ids";
import { enqueueManyJsonStatement, enqueueManyStatement, type EnqueueInput } from "../delivery/outbox";
import type { ServiceDeps } from "../deps";
import { failedConstraint, retryBusyWrite } from "../../db/retry";
import { currentOrg, type OrgSnapshot } from "../org/org-cache";
import { coordinatorsOf } from "./assignment-context";
import { escalationGroupMessage, escalationMessage, holidayWarningMessage, localeOf, unitMessage } from "./messages";
import { duePage, newParentRows, ScheduleCache, type Cursor, type DueRow, type PlannedAssignment } from "./reminder-page";

/**
 * The campaign tick's limits per runtime, passed by the entry file as `deps.campaignTick`. pageSize:
 * assignments per page (one read and one write round trip each); budgetMs: the tick stops starting
 * pages after this long, the rest stays due (next_reminder_at unchanged) and the next tick carries on.
 * Node (libSQL file or sqld, the default): 2,500 a page (its largest JSON parameter, the outbox rows,
 * ~1.4 MB; a page of 5,100 went through sqld's HTTP API too): 150 pages of 1,000 for a provincial
 * campaign cost ~15 % more CPU (two runs each, alternating) than 60 of 2,500. 30 s: such a campaign
 * (50,000 units × 3 deliverables) needs ~10 s of CPU; the budget leaves room for a busy machine and still
 * half of node-cron's minute (ticks never overlap) for the rest of the tick. Workers: 200 a page (D1 caps
 * a bound string at 2 MB and a request's CPU is short) and less time (the scheduled event shares the
 * isolate's CPU limit with the jobs after this one).
 */
export const CAMPAIGN_TICK_NODE = { budgetMs: 30_000, pageSize: 2500 } as const;
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

const asPlatform = (p: string) => p as EnqueueInput["platform"];

/**
 * Escalations of one deliverable to one coordinators' chat in one page: up to this many go as a card
 * each, as always; more go as one card listing the units (a provincial campaign escalates thousands of
 * units at one instant: a card each would be thousands of messages to one chat, hours at a group's
 * pace, and a row each in the outbox). Every unit still has its own slot claim and event.
 */
export const ESCALATION_GROUP_MIN = 50;

/** [campaign, assignment, unit, deliverable, slot, kind, sendAt, dueAt, outbox row]: one claimed slot in a page event. */
type PageEventRow = [string, string, string, string, string, string, number, number, string];
/** The names of a page event's columns, stored with its rows so the log explains itself. */
export const PAGE_EVENT_COLUMNS = ["assignmentId", "unitId", "deliverableId", "slot", "kind", "sendAt", "dueAt", "outboxId"] as const;
/** Slots one page event lists at most (~140 KB of data): more make several events of the page. */
export const PAGE_EVENT_MAX_SLOTS = 1000;
/** The page event's action: one per campaign and page (and PAGE_EVENT_MAX_SLOTS), listing the slots claimed. */
export const PAGE_EVENT_ACTION = "campaign.reminded";

interface EscalationGroup {
  coordinators: NonNullable<ReturnType<typeof coordinatorsOf>>;
  row: DueRow;
  items: { row: DueRow; slot: ReminderSlot; slotRow: [string, string, string, number, number, number, string]; eventRow: PageEventRow }[];
}

/** The statements of one page: slot claims, outbox rows, events, and each assignment's next time (compare-and-set). */
function pageStatements(deps: ServiceDeps, planned: PlannedAssignment[], org: OrgSnapshot, now: number): unknown[] {
  // Rows as JSON arrays, in the column order of the statements below.
  const slotRows: [string, string, string, number, number, number, string][] = [];
  const outbox: EnqueueInput[] = [];
  const eventRows: PageEventRow[] = [];
  const moves: [string, number, number, number | null, number | null][] = [];
  const escalations = new Map<string, EscalationGroup>();
  // The page's outbox ids as one run (neighbours in the outbox's primary-key index), supervisors' too.
  const outboxIds = newIdRun("out");
  for (const { row, send, next } of planned) {
    const a = row.assignment;
    const ctx = { campaign: row.campaign, deliverable: row.deliverable, unit: row.unit, assignment: a };
    for (const slot of send) {
      const key = `reminder:${a.id}:${slot.key}`;
      const outboxId = outboxIds();
      const slotRow: [string, string, string, number, number, number, string] = [a.id, slot.key, slot.kind, slot.sendAt, slot.dueAt, now, outboxId];
      slotRows.push(slotRow);
      const eventRow: PageEventRow = [a.campaignId, a.id, a.unitId, a.deliverableId, slot.key, slot.kind, slot.sendAt, slot.dueAt, outboxId];
      eventRows.push(eventRow);
      if (slot.kind === "escalation") {
        const coordinators = coordinatorsOf(org, row.campaign);
        if (coordinators) {
          // Held back until the page is planned: a card each, or one card for many (see ESCALATION_GROUP_MIN).
          const groupKey = `${coordinators.platform}\u0000${coordinators.chatId}\u0000${row.deliverable.id}`;
          let group = escalations.get(groupKey);
          if (!group) escalations.set(groupKey, (group = { coordinators, row, items: [] }));
          group.items.push({ row, slot, slotRow, eventRow });
        }
        const sup = row.supervisor;
        if (sup?.active) outbox.push({ id: outboxIds(), dedupeKey: `${key}:supervisor`, platform: asPlatform(sup.platform), chatId: sup.chatId, kind: "text", payload: { message: escalationMessage(ctx, localeOf(sup.locale)) } });
      } else {
        outbox.push({ id: outboxId, dedupeKey: key, platform: asPlatform(row.unit.platform), chatId: row.unit.chatId, kind: "text", payload: { message: unitMessage(ctx, slot.kind, slot.offsetDays !== undefined ? { offsetDays: slot.offsetDays } : {}), watchReads: { entityType: "assignment", entityId: a.id } } });
      }
    }
    const escalated = send.some((s) => s.kind === "escalation");
    moves.push([a.id, a.version, a.nextReminderAt!, next, escalated ? now : null]);
  }
  for (const { coordinators, row, items } of escalations.values()) {
    const platform = asPlatform(coordinators.platform);
    const locale = localeOf(coordinators.locale);
    if (items.length <= ESCALATION_GROUP_MIN) {
      for (const { row: r, slot, slotRow } of items) {
        const ctx = { campaign: r.campaign, deliverable: r.deliverable, unit: r.unit, assignment: r.assignment };
        outbox.push({ id: slotRow[6], dedupeKey: `reminder:${r.assignment.id}:${slot.key}:coordinators`, platform, chatId: coordinators.chatId, kind: "text", payload: { message: escalationMessage(ctx, locale) } });
      }
      continue;
    }
    // One row for the group; each unit's slot claim points at it. The key is this page's first unit.
    const id = outboxIds();
    for (const item of items) {
      item.slotRow[6] = id;
      item.eventRow[8] = id;
    }
    const first = items[0]!;
    const message = escalationGroupMessage(row.campaign, row.deliverable, items.map((i) => ({ unit: i.row.unit, dueAt: i.row.assignment.dueAt })), locale);
    outbox.push({ id, dedupeKey: `reminder:${first.row.assignment.id}:${first.slot.key}:coordinators:${items.length}`, platform, chatId: coordinators.chatId, kind: "text", payload: { message } });
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
  // One event per campaign in the page, listing the slots THIS batch claimed. Right after the claims, so
  // changes() is their count: when every claim was new (the rule: the compare-and-set above fails the
  // batch if another tick moved an assignment on), the events are written as built here; otherwise only
  // the slots whose claim row carries this batch's outbox id (a slot claimed before keeps its row).
  if (eventRows.length) {
    const chunks: [string, unknown[][]][] = [];
    const open = new Map<string, unknown[][]>();
    for (const [campaign, ...slot] of eventRows) {
      let slots = open.get(campaign);
      if (!slots || slots.length >= PAGE_EVENT_MAX_SLOTS) {
        open.set(campaign, (slots = []));
        chunks.push([campaign, slots]);
      }
      slots.push(slot);
    }
    const pageEvents = JSON.stringify(chunks.map(([campaign, slots]) => [campaign, { columns: PAGE_EVENT_COLUMNS, slots }]));
    const action = sql.raw(`'${PAGE_EVENT_ACTION}'`);
    statements.push(
      deps.db.run(sql`INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, platform, data)
        WITH claims AS MATERIALIZED (SELECT changes() = ${slotRows.length} AS all_new), page AS (SELECT ${pageEvents} AS events)
        SELECT ${now}, 'campaign', json_extract(c.value, '$[0]'), ${action}, 'system', 'scheduler', json_extract(c.value, '$[1]')
          FROM claims CROSS JOIN page CROSS JOIN json_each(page.events) AS c WHERE claims.all_new
        UNION ALL
        SELECT ${now}, 'campaign', json_extract(c.value, '$[0]'), ${action}, 'system', 'scheduler',
            json_object('columns', json_extract(c.value, '$[1].columns'), 'slots', json_group_array(json(s.value)))
          FROM claims CROSS JOIN page CROSS JOIN json_each(page.events) AS c CROSS JOIN json_each(c.value, '$[1].slots') AS s
          WHERE NOT claims.all_new AND EXISTS (SELECT 1 FROM reminder_slots AS r
            WHERE r.assignment_id = json_extract(s.value, '$[0]') AND r.slot = json_extract(s.value, '$[3]') AND r.outbox_id = json_extract(s.value, '$[7]'))
          GROUP BY c.key`),
    );
  }
  if (outbox.length) statements.push(enqueueManyJsonStatement(deps, outbox));
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

