// The campaign tick's read side: one page of due assignments read as one row of JSON (with their units,
// and campaign and deliverable rows only for ids the tick has not seen yet: building ~50-column result
// rows cost more than the page's writes), and the schedules worked out once per deliverable and deadline.
import { and, getTableColumns, not, sql } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import { dueReminders, type ReminderSlot } from "../../core/campaigns/reminders";
import type { AssignmentSnapshot } from "../../core/campaigns/assignment-state";
import type { Db } from "../../db/client";
import { assignments, campaigns, deliverables, type AssignmentRow, type CampaignRow, type DeliverableRow, type UnitRow } from "../../db/schema";
import type { OrgSnapshot } from "../org/org-cache";
import { policyFor } from "./assignment-context";
import type { ReminderPolicy } from "../../core/campaigns/reminder-policy";

/** The columns the tick uses of a due assignment, its unit and the supervising unit. */
type DueAssignment = Pick<AssignmentRow, "id" | "campaignId" | "deliverableId" | "unitId" | "period" | "dueAt" | "dueVersion" | "receivedVersion" | "state" | "notifiedAt" | "nextReminderAt" | "version">;
type DueUnit = Pick<UnitRow, "id" | "name" | "locale" | "regionCode" | "platform" | "chatId" | "active">;

export interface DueRow {
  assignment: DueAssignment;
  deliverable: DeliverableRow;
  campaign: CampaignRow;
  unit: DueUnit;
  supervisor: Pick<UnitRow, "platform" | "chatId" | "locale" | "active"> | null;
}

export interface PlannedAssignment {
  row: DueRow;
  send: ReminderSlot[];
  next: number | null;
}

/** One due assignment as the page query returns it (a JSON array, in this order). */
type PageEntry = [
  rowid: number,
  id: string,
  campaignId: string,
  deliverableId: string,
  unitId: string,
  period: string,
  dueAt: number,
  dueVersion: number,
  receivedVersion: number | null,
  state: string,
  notifiedAt: number | null,
  nextReminderAt: number,
  version: number,
  unitName: string,
  unitLocale: string,
  unitRegion: string,
  unitPlatform: string,
  unitChat: string,
  unitActive: number,
  supervisorPlatform: string | null,
  supervisorChat: string | null,
  supervisorLocale: string | null,
  supervisorActive: number | null,
];

/** A table's columns in order, for reading its rows as JSON arrays (json_array in SQL, mapped back here). */
function jsonColumns(table: typeof campaigns | typeof deliverables) {
  const columns = Object.entries(getTableColumns(table));
  return {
    sql: sql.raw(`json_array(${columns.map(([, c]) => `p.${c.name}`).join(", ")})`),
    row: <T>(values: unknown[]): T => Object.fromEntries(columns.map(([key, c], i) => [key, values[i] === null ? null : c.mapFromDriverValue(values[i])])) as T,
  };
}
const campaignJson = jsonColumns(campaigns);
const deliverableJson = jsonColumns(deliverables);

/**
 * Due assignments after the cursor, by (next_reminder_at, rowid): the order of the partial index's own
 * entries, so a page is a range seek however many assignments share one next time (ordering by id
 * would sort every due row for each page: quadratic at 150k due at one instant). The page comes back as
 * one row of three JSON values: building 1000 result rows of 50 columns (a property per column, in
 * @libsql/client) cost more than the page's writes. The campaign and deliverable rows come only for ids
 * this tick has not seen yet: a provincial page repeats the same three or so.
 */
function duePageQuery(db: Db, now: number, cursor: Cursor | null, limit: number, seen: ParentRows) {
  const after = cursor ? sql` AND (next_reminder_at, rowid) > (${cursor.at}, ${cursor.rowid})` : sql``;
  return db.get<{ page: string; campaigns: string; deliverables: string }>(sql`WITH a AS MATERIALIZED (SELECT rowid, * FROM assignments WHERE next_reminder_at <= ${now}${after} ORDER BY next_reminder_at, rowid LIMIT ${limit})
    SELECT (SELECT json_group_array(json_array(a.rowid, a.id, a.campaign_id, a.deliverable_id, a.unit_id, a.period, a.due_at, a.due_version, a.received_version,
        a.state, a.notified_at, a.next_reminder_at, a.version, u.name, u.locale, u.region_code, u.platform, u.chat_id, u.active, s.platform, s.chat_id, s.locale, s.active))
        FROM a JOIN units AS u ON u.id = a.unit_id LEFT JOIN units AS s ON s.id = u.supervisor_unit_id) AS page,
      (SELECT json_group_array(${campaignJson.sql}) FROM campaigns AS p WHERE p.id IN (SELECT campaign_id FROM a) AND ${not(inJsonArray(sql`p.id`, [...seen.campaigns.keys()]))}) AS campaigns,
      (SELECT json_group_array(${deliverableJson.sql}) FROM deliverables AS p WHERE p.id IN (SELECT deliverable_id FROM a) AND ${not(inJsonArray(sql`p.id`, [...seen.deliverables.keys()]))}) AS deliverables`);
}

/** Where the next page starts: the last row read. */
export interface Cursor {
  at: number;
  rowid: number;
}

/** Campaign and deliverable rows a tick has read, by id. */
export interface ParentRows {
  campaigns: Map<string, CampaignRow>;
  deliverables: Map<string, DeliverableRow>;
}

/** One page of due rows, and the last assignment read (the cursor moves past rows left out too). */
export async function duePage(db: Db, now: number, cursor: Cursor | null, limit: number, seen: ParentRows): Promise<{ rows: DueRow[]; read: number; last: Cursor | null }> {
  const result = await duePageQuery(db, now, cursor, limit, seen);
  for (const values of JSON.parse(result?.campaigns ?? "[]") as unknown[][]) {
    const c = campaignJson.row<CampaignRow>(values);
    seen.campaigns.set(c.id, c);
  }
  for (const values of JSON.parse(result?.deliverables ?? "[]") as unknown[][]) {
    const d = deliverableJson.row<DeliverableRow>(values);
    seen.deliverables.set(d.id, d);
  }
  const entries = JSON.parse(result?.page ?? "[]") as PageEntry[];
  // json_group_array keeps the order of `a` in practice; sorting makes the cursor not depend on it.
  entries.sort((x, y) => x[11] - y[11] || x[0] - y[0]);
  const rows: DueRow[] = [];
  for (const e of entries) {
    const campaign = seen.campaigns.get(e[2]);
    const deliverable = seen.deliverables.get(e[3]);
    // Without its campaign or deliverable (an inner join before): left as it is.
    if (!campaign || !deliverable) continue;
    rows.push({
      assignment: { id: e[1], campaignId: e[2], deliverableId: e[3], unitId: e[4], period: e[5], dueAt: e[6], dueVersion: e[7], receivedVersion: e[8], state: e[9], notifiedAt: e[10], nextReminderAt: e[11], version: e[12] },
      campaign,
      deliverable,
      unit: { id: e[4], name: e[13], locale: e[14], regionCode: e[15], platform: e[16], chatId: e[17], active: e[18] === 1 },
      supervisor: e[19] === null ? null : { platform: e[19], chatId: e[20]!, locale: e[21]!, active: e[22] === 1 },
    });
  }
  const end = entries[entries.length - 1];
  return { rows, read: entries.length, last: end ? { at: end[11], rowid: end[0] } : null };
}

export const newParentRows = (): ParentRows => ({ campaigns: new Map(), deliverables: new Map() });

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
