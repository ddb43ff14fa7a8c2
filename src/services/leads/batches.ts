// Screening batches written fast and recorded: a validated file's rows are planned in memory (same
// clustering, routing and deadlines as commitLead) and written in chunks of multi-row inserts, with
// each row kept in batch_rows so the feedback file (逐条反馈, see batch-feedback.ts) can be produced.
// The batch is announced as one card per team and one private message per assignee (batch-cards.ts):
// its new leads post no card of their own.
import { MAX_AMOUNT_FEN } from "../../core/money";
import { and, eq, inArray, sql } from "drizzle-orm";
import { clusterSlot, decideCluster, institutionKey } from "../../core/clustering";
import { computeLeadDeadlines } from "../../core/deadlines";
import { detectFocusAreas } from "../../core/focus-areas";
import { findFocusItems } from "../../core/focus-list";
import { newId } from "../../core/ids";
import { isLeadOpen, type LeadState } from "../../core/lead-lifecycle";
import { coveringTeamIds, routeLead, type RoutingMember } from "../../core/routing";
import { excerpt, scrubText } from "../../core/scrub";
import { asBatch } from "../../db/client";
import { failedConstraint, retryBusy, retryBusyWrite } from "../../db/retry";
import { batchRows, chatCards, events, leads, leadVersions, members, screeningBatches, type NewEventRow } from "../../db/schema";
import type { Platform } from "../../chat/types";
import { encryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { cardCoalesceKey, enqueueManyStatements, type EnqueueInput } from "../delivery/outbox";
import { eventRow, type Actor } from "../events";
import { orgSnapshot, orgVersionOf, orgVersionQuery } from "../org/org-cache";
import { batchAnnouncementStatements } from "./batch-cards";
import { nextEscalationTime, SUMMARY_CHARS } from "./lead-model";
import { isLostLeadRace } from "./planning";
import { chunkedStatements, idChunks } from "../../db/chunk";

/** A validated row of a screening file (amount already in integer fen). */
export interface ScreeningRow {
  rule: string;
  institution: string;
  region_code: string;
  subject: string;
  violation_type: string;
  period_from: string | null;
  period_to: string | null;
  amount_yuan: number | null;
  details: string;
  ref: string;
}

export interface BatchResult {
  batchId: string;
  rows: number;
  /** Rows that opened a new lead. */
  created: number;
  /** Rows that joined a lead (an existing one, or one opened by an earlier row of the file). */
  corroborated: number;
  skippedAlreadyImported: number;
}

export interface BatchWriteOptions {
  /** Rows per write batch (one read and one write round trip each). */
  chunkRows?: number;
  /** Test seam: runs after a chunk is planned, before it is written (to stage a concurrent tip). */
  beforeWrite?: (chunk: number, attempt: number) => Promise<void>;
}

export interface BatchMeta {
  id: string;
  source: string;
  reference?: string | null;
  /** YYYY-MM-DD */
  feedbackDueOn?: string | null;
  rowCount: number;
}

export const BATCH_CHUNK_ROWS = 500;
const CHUNK_ATTEMPTS = 12;

const groupsOf = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** The file line of data row `index` (0-based), as validation messages count it (the header is line 1). */
export const batchLineNo = (index: number) => index + 2;

/** The import's per-row event key; the same as before batches were recorded, so older imports are recognised. */
const rowDedupeKey = (batchId: string, index: number) => `batch:${batchId}:${index}`;

/**
 * Writes the validated rows of batch `meta.id`. Rows already recorded for it are skipped (a re-import
 * adds nothing; an interrupted import resumes). Each chunk is planned from one read (org version,
 * the chunk's slot holders, members' load) and written in one atomic batch; a chunk that lost a
 * cluster-slot race to a concurrent tip is planned again.
 */
export async function writeScreeningBatch(
  deps: ServiceDeps,
  meta: Omit<BatchMeta, "rowCount">,
  rows: ScreeningRow[],
  actor: Actor,
  options: BatchWriteOptions = {},
): Promise<BatchResult> {
  const db = deps.db;
  const result: BatchResult = { batchId: meta.id, rows: rows.length, created: 0, corroborated: 0, skippedAlreadyImported: 0 };
  const [recorded, legacy] = await retryBusy(db, () =>
    db.batch([
      db.select({ id: screeningBatches.id }).from(screeningBatches).where(eq(screeningBatches.id, meta.id)),
      db.select({ id: events.id }).from(events).where(eq(events.dedupeKey, rowDedupeKey(meta.id, 0))),
    ]),
  );
  if (!recorded.length && legacy.length) {
    // Imported before batches were recorded (one commitLead per row): it is there already.
    result.skippedAlreadyImported = rows.length;
    return result;
  }
  const doneLines = recorded.length ? await recordedLines(deps, meta.id) : new Set<number>();
  const pending = rows.map((row, index) => ({ row, index })).filter((r) => !doneLines.has(batchLineNo(r.index)));
  result.skippedAlreadyImported = rows.length - pending.length;

  const chunks = groupsOf(pending, options.chunkRows ?? BATCH_CHUNK_ROWS);
  for (const [chunkNo, initial] of chunks.entries()) {
    let chunk = initial;
    for (let attempt = 1; chunk.length; attempt++) {
      const planned = await planChunk(deps, { ...meta, rowCount: rows.length }, chunk, actor);
      await options.beforeWrite?.(chunkNo, attempt);
      try {
        await retryBusyWrite(db, () => db.batch(asBatch(planned.statements)));
        result.created += planned.created;
        result.corroborated += chunk.length - planned.created;
        break;
      } catch (err) {
        if (attempt >= CHUNK_ATTEMPTS) throw err;
        if (isLostLeadRace(err)) continue;
        const c = failedConstraint(err);
        if (c?.kind === "unique" && (c.columns === "events.dedupe_key" || c.columns.startsWith("batch_rows."))) {
          // A concurrent import of the same file wrote some of these rows: leave those out.
          const done = await recordedLines(deps, meta.id);
          const before = chunk.length;
          chunk = chunk.filter((r) => !done.has(batchLineNo(r.index)));
          result.skippedAlreadyImported += before - chunk.length;
          continue;
        }
        throw err;
      }
    }
  }
  // After the last chunk: one read and one write, keyed by batch, so a re-import or a resumed import adds nothing.
  const announce = await batchAnnouncementStatements(deps, meta.id);
  if (announce.length) await retryBusyWrite(db, () => db.batch(asBatch(announce)));
  if (pending.length || announce.length) deps.notifyOutbox?.();
  return result;
}

async function recordedLines(deps: ServiceDeps, batchId: string): Promise<Set<number>> {
  const rows = await retryBusy(deps.db, () => deps.db.select({ rowNo: batchRows.rowNo }).from(batchRows).where(eq(batchRows.batchId, batchId)));
  return new Set(rows.map((r) => r.rowNo));
}

interface Holder {
  id: string;
  state: string;
  version: number;
  teamId: string | null;
  lastReportAt: number;
  clusterSlot: string | null;
}

/** The statements writing one chunk, planned from one read batch. */
async function planChunk(
  deps: ServiceDeps,
  meta: BatchMeta,
  chunk: { row: ScreeningRow; index: number }[],
  actor: Actor,
): Promise<{ statements: unknown[]; created: number }> {
  const db = deps.db;
  const nowDate = deps.now();
  const now = nowDate.getTime();

  // Rows of the chunk about the same institution, violation type and province go to one lead.
  const groups = new Map<string, { key: string; rows: { row: ScreeningRow; index: number }[] }>();
  for (const r of chunk) {
    const key = institutionKey(r.row.institution);
    const slot = clusterSlot(key, r.row.violation_type, r.row.region_code);
    const g = groups.get(slot);
    if (g) g.rows.push(r);
    else groups.set(slot, { key, rows: [r] });
  }
  const slots = [...groups.keys()];
  // Slots in pages of 100 (D1 binds at most 100 parameters a statement), all in the one read batch.
  const slotPages = idChunks(slots);
  const read = (await retryBusy(db, () =>
    db.batch(
      asBatch([
        orgVersionQuery(db),
        db.select({ id: members.id, openLeads: members.openLeads }).from(members),
        ...slotPages.map((page) =>
          db
            .select({ id: leads.id, state: leads.state, version: leads.version, teamId: leads.teamId, lastReportAt: leads.lastReportAt, clusterSlot: leads.clusterSlot })
            .from(leads)
            .where(inArray(leads.clusterSlot, page)),
        ),
        // Slot holders whose card sits in a chat (a tip's lead, or a batch lead a tip joined): their card is refreshed.
        ...slotPages.map((page) =>
          db
            .select({ leadId: chatCards.leadId })
            .from(chatCards)
            .where(inArray(chatCards.leadId, db.select({ id: leads.id }).from(leads).where(inArray(leads.clusterSlot, page)))),
        ),
      ]),
    ),
  )) as unknown as unknown[];
  const versionRows = read[0] as { value: string }[];
  const loadRows = read[1] as { id: string; openLeads: number }[];
  const holderRows = read.slice(2, 2 + slotPages.length).flat() as { id: string; state: string; version: number; teamId: string | null; lastReportAt: number; clusterSlot: string | null }[];
  const carded = read.slice(2 + slotPages.length).flat() as { leadId: string }[];
  const hasCard = new Set(carded.map((c) => c.leadId));
  const org = await orgSnapshot(deps, orgVersionOf(versionRows));
  const policy = org.policy;
  const holders = new Map((holderRows as Holder[]).map((h) => [h.clusterSlot!, h]));
  // Open leads per member, kept current as this chunk assigns leads so routing balances within it.
  const load = new Map(loadRows.map((m) => [m.id, m.openLeads]));
  const deadlines = computeLeadDeadlines(policy.calendar, policy.workingHours, nowDate, policy.deadlines);
  const times = { state: "new", ackBy: deadlines.ackBy.getTime(), acceptBy: deadlines.acceptBy.getTime(), finishBy: deadlines.finishBy.getTime() };
  const nextEscalationAt = nextEscalationTime(policy, times, { ack: 0, accept: 0, finish: 0 });

  const supersedes: unknown[] = [];
  const newLeads: (typeof leads.$inferInsert)[] = [];
  const corroborations: unknown[] = [];
  const eventRows: NewEventRow[] = [];
  const rowRecords: (typeof batchRows.$inferInsert)[] = [];
  const cards: EnqueueInput[] = [];
  const card = (leadId: string, version: number, teamId: string | null) => {
    const team = teamId ? org.teamById.get(teamId) : undefined;
    if (!team) return;
    cards.push({
      dedupeKey: `card:${leadId}:${team.platform}:${team.chatId}:v${version}`,
      coalesceKey: cardCoalesceKey(leadId, team.platform, team.chatId),
      platform: team.platform as Platform,
      chatId: team.chatId,
      kind: "card",
      leadId,
      payload: { leadId },
    });
  };

  let created = 0;
  for (const [slot, group] of groups) {
    const first = group.rows[0]!.row;
    const n = group.rows.length;
    const holder = holders.get(slot) ?? null;
    const decision = decideCluster(holder ? { leadId: holder.id, lastReportAt: new Date(holder.lastReportAt), open: isLeadOpen(holder.state as LeadState) } : null, nowDate, policy.clusterWindowDays);
    let leadId: string;
    if (decision.kind === "corroborate" && holder) {
      leadId = holder.id;
      const a = eventRow(actor, { occurredAt: now, entityType: "lead", entityId: holder.id, action: "lead.corroborated" });
      corroborations.push(
        // As in planLead: joins only while the lead still holds the slot; otherwise the version insert
        // below gets NULL and the whole chunk is undone and planned again.
        db
          .update(leads)
          .set({ corroborationCount: sql`${leads.corroborationCount} + ${n}`, lastReportAt: sql`max(${leads.lastReportAt}, ${now})`, version: sql`${leads.version} + 1`, updatedAt: now })
          .where(and(eq(leads.id, holder.id), eq(leads.clusterSlot, slot))),
        db.run(sql`INSERT INTO lead_versions (lead_id, version, created_at) SELECT l.id, l.version, ${now} FROM (SELECT 1) AS one LEFT JOIN leads AS l ON l.id = ${holder.id} AND l.cluster_slot = ${slot}`),
        db.run(sql`INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, actor_id, actor_role, platform, platform_ref, data)
          SELECT ${now}, 'lead', id, 'lead.corroborated', ${a.actorType}, ${a.actorId ?? null}, ${a.actorRole ?? null}, ${a.platform}, ${a.platformRef ?? null},
            json_object('reportId', NULL, 'source', 'batch', 'batchId', ${meta.id}, 'rows', ${n}, 'corroborationCount', corroboration_count)
          FROM leads WHERE id = ${holder.id}`),
      );
      // A holder without a card (a batch lead) stays without one: its batch card counts it.
      if (hasCard.has(holder.id)) card(holder.id, holder.version + 1, holder.teamId);
    } else {
      created++;
      if (decision.kind === "create" && decision.supersedes) {
        supersedes.push(db.update(leads).set({ clusterSlot: null }).where(and(eq(leads.id, decision.supersedes), eq(leads.clusterSlot, slot))));
      }
      const description = [first.rule, first.details].filter(Boolean).join("：") || first.rule;
      const focusAreas = detectFocusAreas(`${first.institution} ${description}`);
      const focusItems = findFocusItems(description).map((i) => i.name);
      const routable = { regionCode: first.region_code, focusAreas, violationType: first.violation_type };
      const covering = new Set(coveringTeamIds(routable, org.routingTeams));
      const routingMembers: RoutingMember[] = [];
      for (const m of org.memberById.values()) {
        if (m.teamId && covering.has(m.teamId)) routingMembers.push({ id: m.id, teamId: m.teamId, role: m.role as RoutingMember["role"], active: m.active, openLeads: load.get(m.id) ?? 0 });
      }
      const route = routeLead(routable, org.routingTeams, routingMembers);
      if (route.assigneeId) load.set(route.assigneeId, (load.get(route.assigneeId) ?? 0) + 1);
      leadId = newId("L").replace("L_", "L-").slice(0, 12);
      const amounts = group.rows.map((r) => r.row.amount_yuan).filter((a): a is number => a !== null);
      newLeads.push({
        id: leadId,
        source: "batch",
        sourceRef: `${meta.source}:${meta.id}:${first.ref || batchLineNo(group.rows[0]!.index)}`,
        subject: first.subject,
        violationType: first.violation_type,
        regionCode: first.region_code,
        targetName: first.institution,
        institutionKey: group.key,
        focusAreas: JSON.stringify(focusAreas),
        focusItems: JSON.stringify(focusItems),
        occurredFrom: first.period_from,
        occurredTo: first.period_to,
        // Several records about one institution: the estimate is their total (integer fen).
        // Capped at the bound: an estimate only picks a band, and many capped rows must not sum past a safe integer.
        amountEstimateFen: amounts.length ? Math.min(amounts.reduce((s, a) => s + a, 0), MAX_AMOUNT_FEN) : null,
        summaryEnc: await encryptText(deps.keys, excerpt(scrubText(description), SUMMARY_CHARS), `lead:${leadId}:summary`),
        corroborationCount: n,
        teamId: route.teamId,
        assigneeId: route.assigneeId,
        receivedAt: now,
        lastReportAt: now,
        ...times,
        clusterSlot: slot,
        nextEscalationAt,
        createdAt: now,
        updatedAt: now,
      });
      eventRows.push(
        eventRow(actor, {
          occurredAt: now,
          entityType: "lead",
          entityId: leadId,
          action: "lead.created",
          toState: "new",
          data: JSON.stringify({ source: "batch", batchId: meta.id, rows: n, reportId: null, teamId: route.teamId, assigneeId: route.assigneeId, routed: route.matched, focusAreas, focusItems }),
        }),
      );
    }
    for (const { row, index } of group.rows) {
      const line = batchLineNo(index);
      eventRows.push(
        eventRow(actor, { occurredAt: now, entityType: "lead", entityId: leadId, action: "lead.batch_row_imported", data: JSON.stringify({ batchId: meta.id, row: line, rule: row.rule }), dedupeKey: rowDedupeKey(meta.id, index) }),
      );
      rowRecords.push({ batchId: meta.id, rowNo: line, ref: row.ref, rule: row.rule, institution: row.institution, leadId });
    }
  }

  const statements: unknown[] = [
    db
      .insert(screeningBatches)
      .values({ id: meta.id, source: meta.source, reference: meta.reference ?? null, rowCount: meta.rowCount, importedAt: now, feedbackDueOn: meta.feedbackDueOn ?? null })
      .onConflictDoNothing(),
    ...supersedes,
    ...chunkedStatements(newLeads, (g) => db.insert(leads).values(g)),
    ...chunkedStatements(newLeads, (g) => db.insert(leadVersions).values(g.map((l) => ({ leadId: l.id!, version: 1, createdAt: now })))),
    ...corroborations,
    ...chunkedStatements(eventRows, (g) => db.insert(events).values(g)),
    ...chunkedStatements(rowRecords, (g) => db.insert(batchRows).values(g)),
    ...(cards.length ? enqueueManyStatements(deps, cards) : []),
  ];
  return { statements, created };
}
