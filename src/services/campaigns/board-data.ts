// The campaign board as data: per deliverable the counts (acknowledged / submitted / accepted / late /
// open / read but not acknowledged) and one row per unit (and period). Used by chat /board, `admin
// campaign board` and the web board. Two read round trips (and the org snapshot when reads need names).
import { and, asc, eq, inArray } from "drizzle-orm";
import { assignments, campaigns, deliverables, units, type AssignmentRow, type CampaignRow, type DeliverableRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { campaignReadsQuery, namedReaders, type ChatReader } from "../read-receipts/readers";
import { mayActForUnit, regionContains } from "./units";

export const BOARD_STATUSES = ["open", "acknowledged", "submitted", "accepted", "returned", "late"] as const;
export type BoardStatus = (typeof BOARD_STATUSES)[number];

export interface BoardFilters {
  /** Phase key: only deliverables of that phase. */
  phase?: string;
  /** GB/T 2260 area: only units inside it. */
  region?: string;
  /** Only rows with this status (`late` and `acknowledged` are flags a row may have besides its state). */
  status?: BoardStatus;
  /** Deliverable id or key: only that deliverable. */
  deliverable?: string;
}

export interface BoardRow {
  assignmentId: string;
  unitId: string;
  unitName: string;
  unitKind: string;
  regionCode: string;
  period: string;
  dueAt: number;
  dueVersion: number;
  state: AssignmentRow["state"];
  /** The unit acknowledged the current deadline (an acknowledgement of a moved deadline does not count). */
  acknowledged: boolean;
  receivedAt: number | null;
  submittedAt: number | null;
  reviewedAt: number | null;
  /** Past its deadline and not submitted (open or returned). */
  late: boolean;
  /** Submitted, but after the deadline. */
  submittedLate: boolean;
  /** The one status shown in a cell: accepted, submitted, returned, late, acknowledged or open. */
  status: BoardStatus;
  /**
   * The unit's contacts who read a reminder of this assignment (Feishu, DingTalk read receipts) while it
   * still waits for Received: "read, not acknowledged". Empty once acknowledged or submitted, or if nobody read it.
   */
  readNotAcknowledged: ChatReader[];
}

export interface BoardCounts {
  units: number;
  acknowledged: number;
  submitted: number;
  accepted: number;
  late: number;
  open: number;
  /** Rows read by a member of the unit's chat and not acknowledged. */
  readNotAcknowledged: number;
}

export interface BoardDeliverable {
  deliverable: DeliverableRow;
  counts: BoardCounts;
  rows: BoardRow[];
}

export interface CampaignBoard {
  campaign: CampaignRow;
  deliverables: BoardDeliverable[];
  generatedAt: number;
}

const isSubmitted = (state: string) => state === "submitted" || state === "accepted";

/** The assignment columns a board row needs (the board reads only these: thousands of rows per page). */
type BoardAssignment = Pick<AssignmentRow, "id" | "deliverableId" | "unitId" | "period" | "dueAt" | "dueVersion" | "state" | "receivedAt" | "receivedVersion" | "submittedAt" | "reviewedAt">;
/** The assignment columns boardRow reads; the statistics' campaign figures select the same. */
export const BOARD_COLUMNS = {
  id: assignments.id,
  deliverableId: assignments.deliverableId,
  unitId: assignments.unitId,
  period: assignments.period,
  dueAt: assignments.dueAt,
  dueVersion: assignments.dueVersion,
  state: assignments.state,
  receivedAt: assignments.receivedAt,
  receivedVersion: assignments.receivedVersion,
  submittedAt: assignments.submittedAt,
  reviewedAt: assignments.reviewedAt,
};

export function boardRow(a: BoardAssignment, unit: { name: string; kind: string; regionCode: string }, now: number, readers: readonly ChatReader[] = []): BoardRow {
  const submitted = isSubmitted(a.state);
  const acknowledged = submitted || (a.receivedAt !== null && a.receivedVersion === a.dueVersion);
  const late = !submitted && now > a.dueAt;
  const status: BoardStatus = a.state === "accepted" ? "accepted" : a.state === "submitted" ? "submitted" : late ? "late" : a.state === "returned" ? "returned" : acknowledged ? "acknowledged" : "open";
  return {
    assignmentId: a.id,
    unitId: a.unitId,
    unitName: unit.name,
    unitKind: unit.kind,
    regionCode: unit.regionCode,
    period: a.period,
    dueAt: a.dueAt,
    dueVersion: a.dueVersion,
    state: a.state as BoardRow["state"],
    acknowledged,
    receivedAt: a.receivedAt,
    submittedAt: a.submittedAt,
    reviewedAt: a.reviewedAt,
    late,
    submittedLate: submitted && a.submittedAt !== null && a.submittedAt > a.dueAt,
    status,
    // Only the unit's own contacts: a coordinator who read the unit's chat owes no Received.
    readNotAcknowledged: !acknowledged && (a.state === "open" || a.state === "returned") ? readers.filter((r) => mayActForUnit(r, a.unitId)) : [],
  };
}

export function countRows(rows: BoardRow[]): BoardCounts {
  return {
    units: rows.length,
    acknowledged: rows.filter((r) => r.acknowledged).length,
    submitted: rows.filter((r) => isSubmitted(r.state)).length,
    accepted: rows.filter((r) => r.state === "accepted").length,
    late: rows.filter((r) => r.late).length,
    open: rows.filter((r) => !isSubmitted(r.state)).length,
    readNotAcknowledged: rows.filter((r) => r.readNotAcknowledged.length > 0).length,
  };
}

const matchesStatus = (r: BoardRow, status: BoardStatus) =>
  status === "late" ? r.late : status === "acknowledged" ? r.acknowledged && !isSubmitted(r.state) : status === "submitted" ? r.state === "submitted" : status === "open" ? r.status === "open" : r.state === status;

/**
 * The board of one campaign (null when there is none). Counts cover the rows left by the phase, region
 * and deliverable filters; the status filter then narrows the rows only.
 */
export async function campaignBoard(deps: ServiceDeps, campaignId: string, filters: BoardFilters = {}): Promise<CampaignBoard | null> {
  const db = deps.db;
  const [campaignRows, deliverableRows] = await db.batch([
    db.select().from(campaigns).where(eq(campaigns.id, campaignId)),
    db.select().from(deliverables).where(eq(deliverables.campaignId, campaignId)).orderBy(asc(deliverables.createdAt), asc(deliverables.key)),
  ]);
  const campaign = campaignRows[0];
  if (!campaign) return null;
  const chosen = deliverableRows.filter(
    (d) => (!filters.phase || d.phaseKey === filters.phase) && (!filters.deliverable || d.id === filters.deliverable || d.key === filters.deliverable),
  );
  if (chosen.length === 0) return { campaign, deliverables: [], generatedAt: deps.now().getTime() };
  const filtered = chosen.length !== deliverableRows.length;
  const [rows, readRows] = await db.batch([
    db
      .select({ a: BOARD_COLUMNS, unit: { name: units.name, kind: units.kind, regionCode: units.regionCode } })
      .from(assignments)
      .innerJoin(units, eq(units.id, assignments.unitId))
      .where(!filtered ? eq(assignments.campaignId, campaignId) : and(eq(assignments.campaignId, campaignId), inArray(assignments.deliverableId, chosen.map((d) => d.id))))
      .orderBy(asc(assignments.dueAt), asc(units.name), asc(assignments.period)),
    // Who read the reminders (read receipts), for "read, not acknowledged".
    campaignReadsQuery(deps, campaignId, filtered ? chosen.map((d) => d.id) : undefined),
  ]);
  const reads = await namedReaders(deps, readRows);
  const now = deps.now().getTime();
  const byDeliverable = new Map<string, BoardRow[]>(chosen.map((d) => [d.id, []]));
  for (const { a, unit } of rows) {
    if (filters.region && !regionContains(filters.region, unit.regionCode)) continue;
    byDeliverable.get(a.deliverableId)?.push(boardRow(a, unit, now, reads.get(a.id)));
  }
  return {
    campaign,
    generatedAt: now,
    deliverables: chosen.map((deliverable) => {
      const all = byDeliverable.get(deliverable.id) ?? [];
      return { deliverable, counts: countRows(all), rows: filters.status ? all.filter((r) => matchesStatus(r, filters.status!)) : all };
    }),
  };
}
