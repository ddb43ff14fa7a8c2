// The overview's other work: screening batches whose feedback still waits on open leads, and campaign
// deliverables due this week with the units already late. Bounded reads over indexes of migration 0017
// (the newest batches by import time, each batch's open leads as one range of source_ref; assignments
// still owed by their unit by deadline).
import { and, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { assignments, campaigns, deliverables, OPEN_LEAD_STATES_SQL, screeningBatches, units } from "../../db/schema";
import type { ServiceDeps } from "../deps";

/** Batches looked at: the newest this many by import time (older ones are in the batches section). */
export const BATCH_CANDIDATES = 100;

export interface BatchAwaiting {
  id: string;
  source: string;
  reference: string | null;
  rowCount: number;
  feedbackDueOn: string | null;
  /** Open leads of the batch (of the team, for a team lead). */
  openLeads: number;
}

const PENDING_SQL = sql.raw(`state IN ('open','returned')`);
const BATCH_LEAD_SQL = sql.raw(`source = 'batch'`);

/**
 * Batches with open leads (in `teamId`, when given), earliest feedback date first, then undated. A
 * batch's leads carry `<source>:<batch id>:<row ref>` as source_ref: the prefix is one index range.
 */
export async function batchesAwaitingFeedback(deps: ServiceDeps, input: { teamId?: string | null; limit: number }): Promise<{ count: number; first: BatchAwaiting[] }> {
  const db = deps.db;
  const candidates = await db.select().from(screeningBatches).orderBy(desc(screeningBatches.importedAt)).limit(BATCH_CANDIDATES);
  if (!candidates.length) return { count: 0, first: [] };
  const counts = candidates.map((b) => {
    const prefix = `${b.source}:${b.id}:`;
    // ";" follows ":" in every collation order SQLite uses here (binary): [prefix, end) is exactly the prefix.
    const end = `${b.source}:${b.id};`;
    // Named: SQLite would otherwise walk every open lead of the state index.
    return db.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM leads INDEXED BY leads_batch_open_idx WHERE ${BATCH_LEAD_SQL} AND ${OPEN_LEAD_STATES_SQL} AND source_ref >= ${prefix} AND source_ref < ${end}${input.teamId ? sql` AND team_id = ${input.teamId}` : sql``}`,
    );
  });
  const results = (await db.batch(counts as [(typeof counts)[number], ...(typeof counts)[number][]])) as unknown as { n: number }[][];
  const awaiting = candidates
    .map((b, i) => ({ id: b.id, source: b.source, reference: b.reference, rowCount: b.rowCount, feedbackDueOn: b.feedbackDueOn, openLeads: Number(results[i]?.[0]?.n ?? 0) }))
    .filter((b) => b.openLeads > 0)
    .sort((a, b) => (a.feedbackDueOn ?? "9999").localeCompare(b.feedbackDueOn ?? "9999"));
  return { count: awaiting.length, first: awaiting.slice(0, input.limit) };
}

export interface DeliverableDue {
  deliverableId: string;
  title: string;
  titleEn: string | null;
  campaignId: string;
  campaignName: string;
  /** Units that still owe it (open or returned). */
  units: number;
  dueAt: number;
}

export interface LateUnit {
  assignmentId: string;
  unitName: string;
  deliverableTitle: string;
  deliverableTitleEn: string | null;
  campaignId: string;
  dueAt: number;
}

export interface CampaignWork {
  dueThisWeek: DeliverableDue[];
  lateCount: number;
  late: LateUnit[];
}

/** Deliverables of active campaigns still owed between now and the end of the week, and the late units (most recently late first). */
export async function campaignWork(deps: ServiceDeps, input: { now: number; weekEnd: number; limit: number }): Promise<CampaignWork> {
  const db = deps.db;
  const owed = and(PENDING_SQL, gte(assignments.dueAt, input.now), lt(assignments.dueAt, input.weekEnd));
  const late = and(PENDING_SQL, lt(assignments.dueAt, input.now));
  const [dueGroups, lateByCampaign, lateRows] = await db.batch([
    db
      .select({ deliverableId: assignments.deliverableId, campaignId: assignments.campaignId, n: sql<number>`count(*)`, dueAt: sql<number>`min(${assignments.dueAt})` })
      .from(assignments)
      .where(owed)
      .groupBy(assignments.deliverableId, assignments.campaignId),
    // Named: grouping by campaign would otherwise walk the (campaign, unit) index from end to end.
    db.all<{ campaignId: string; n: number }>(sql`SELECT campaign_id AS campaignId, count(*) AS n FROM assignments INDEXED BY assignments_pending_due_idx WHERE ${PENDING_SQL} AND due_at < ${input.now} GROUP BY campaign_id`),
    // Most recently late first; a few extra rows so those of closed campaigns can be dropped.
    db.select({ id: assignments.id, unitId: assignments.unitId, deliverableId: assignments.deliverableId, campaignId: assignments.campaignId, dueAt: assignments.dueAt }).from(assignments).where(late).orderBy(desc(assignments.dueAt)).limit(input.limit * 4),
  ]);
  const campaignIds = [...new Set([...dueGroups.map((g) => g.campaignId), ...lateByCampaign.map((g) => g.campaignId)])];
  const active = campaignIds.length ? await db.select({ id: campaigns.id, name: campaigns.name }).from(campaigns).where(and(inArray(campaigns.id, campaignIds), eq(campaigns.status, "active"))) : [];
  const campaignName = new Map(active.map((c) => [c.id, c.name]));
  const lateShown = lateRows.filter((r) => campaignName.has(r.campaignId)).slice(0, input.limit);
  const deliverableIds = [...new Set([...dueGroups.filter((g) => campaignName.has(g.campaignId)).map((g) => g.deliverableId), ...lateShown.map((r) => r.deliverableId)])];
  const unitIds = [...new Set(lateShown.map((r) => r.unitId))];
  const [deliverableRows, unitRows] = await Promise.all([
    deliverableIds.length ? db.select({ id: deliverables.id, title: deliverables.title, titleEn: deliverables.titleEn }).from(deliverables).where(inArray(deliverables.id, deliverableIds)) : Promise.resolve([]),
    unitIds.length ? db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, unitIds)) : Promise.resolve([]),
  ]);
  const deliverable = new Map(deliverableRows.map((d) => [d.id, d]));
  const unitName = new Map(unitRows.map((u) => [u.id, u.name]));
  return {
    dueThisWeek: dueGroups
      .filter((g) => campaignName.has(g.campaignId) && deliverable.has(g.deliverableId))
      .map((g) => ({ deliverableId: g.deliverableId, title: deliverable.get(g.deliverableId)!.title, titleEn: deliverable.get(g.deliverableId)!.titleEn, campaignId: g.campaignId, campaignName: campaignName.get(g.campaignId)!, units: Number(g.n), dueAt: Number(g.dueAt) }))
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, input.limit),
    lateCount: lateByCampaign.filter((g) => campaignName.has(g.campaignId)).reduce((sum, g) => sum + Number(g.n), 0),
    late: lateShown.map((r) => ({ assignmentId: r.id, unitName: unitName.get(r.unitId) ?? r.unitId, deliverableTitle: deliverable.get(r.deliverableId)?.title ?? "", deliverableTitleEn: deliverable.get(r.deliverableId)?.titleEn ?? null, campaignId: r.campaignId, dueAt: r.dueAt })),
  };
}
