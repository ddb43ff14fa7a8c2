// Triage of one screening batch for one member: the batch's leads they may see, in the file's order,
// filtered and paged by index range; bulk acknowledge / accept / decline / assign applied lead by lead
// through the same planning as the chat (one event per lead), written in batches of statements; and
// the feedback file for those allowed.
import { and, eq, sql, type SQL } from "drizzle-orm";
import { LEAD_STATES, type LeadCommand } from "../../core/lead-lifecycle";
import { regionScopePrefix } from "../../core/routing";
import { asBatch } from "../../db/client";
import { failedConstraint, retryBusy, retryBusyWrite } from "../../db/retry";
import { batchRows, events, members, screeningBatches, type MemberRow } from "../../db/schema";
import { keyedHash } from "../../security/cipher";
import { constantTimeEqual, randomBytes, toBase64Url } from "../../security/encoding";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { orgSnapshot } from "../org/org-cache";
import { verifyBatchLinkToken } from "./batch-cards";
import { leadCommandReads, leadCommandViews, planLeadCommand, plannedWriteResult, writePlannedCommand, type CommandResult, type PlannedCommand } from "./commands";
import type { MemberActor } from "./lead-model";
import { planReassign } from "./reassign";
import { chunkedStatements, inJsonArray } from "../../db/chunk";

export const TRIAGE_PAGE_SIZE = 100;
/** Leads one bulk action may touch (the page shows 100; "select all matching" is not offered). */
export const BULK_MAX_LEADS = 500;
/** Planned lead changes written per database batch. */
const BULK_WRITE_CHUNK = 50;
const FORM_TOKEN_TTL_MS = 12 * 3_600_000;

export type BatchRow = typeof screeningBatches.$inferSelect;

/** The batch and member a triage token stands for; a bad, expired or foreign token is refused (403). */
export async function authoriseBatchTriage(deps: ServiceDeps, batchId: string, token: string | undefined): Promise<{ batch: BatchRow; member: MemberRow }> {
  const refused = () => new AppError("forbidden", "triage link invalid or expired", { messageKey: "batch.link_invalid" });
  if (!token || token.length > 300 || batchId.length > 64) throw refused();
  const memberId = await verifyBatchLinkToken(deps, batchId, token);
  if (!memberId) throw refused();
  const [found, memberRows] = await retryBusy(deps.db, () =>
    deps.db.batch([deps.db.select().from(screeningBatches).where(eq(screeningBatches.id, batchId)), deps.db.select().from(members).where(eq(members.id, memberId))]),
  );
  const member = memberRows[0];
  if (!found[0] || !member || !member.active || member.role === "finance") throw refused();
  return { batch: found[0], member };
}

// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

export interface TriageFilters {
  rule?: string;
  /** Part of the institution's name as given in the file. */
  institution?: string;
  /** A GB/T 2260 code: the province, city or district and everything below it. */
  region?: string;
  state?: string;
  /** A member id, or "-" for unassigned. */
  assignee?: string;
}

export interface TriageLead {
  rowNo: number;
  ref: string;
  rule: string;
  institution: string;
  leadId: string;
  state: string;
  regionCode: string;
  assigneeId: string | null;
  teamId: string | null;
}

export interface TriagePage {
  leads: TriageLead[];
  /** Row number to continue after, when there is a next page. */
  nextAfter: number | null;
  /** Row number to go back before, when there is an earlier page. */
  prevBefore: number | null;
}

const filterText = (v: string | undefined, max = 200) => (v ?? "").trim().slice(0, max);

/** Filters as the page accepts them: unknown states and malformed codes are dropped, not errors. */
export function parseTriageFilters(q: Record<string, string | undefined>): TriageFilters {
  const f: TriageFilters = {};
  const rule = filterText(q.rule);
  if (rule) f.rule = rule;
  const institution = filterText(q.institution);
  if (institution) f.institution = institution;
  const region = filterText(q.region, 6);
  if (/^\d{6}$/.test(region)) f.region = region;
  const state = filterText(q.state, 20);
  if ((LEAD_STATES as readonly string[]).includes(state)) f.state = state;
  const assignee = filterText(q.assignee, 64);
  if (assignee) f.assignee = assignee;
  return f;
}

/** Non-coordinators see their team's leads and those assigned to them (as mayViewLead in chat). */
function visibility(member: MemberRow): SQL | null {
  if (member.role === "coordinator") return null;
  return member.teamId ? sql`(l.team_id = ${member.teamId} OR l.assignee_id = ${member.id})` : sql`l.assignee_id = ${member.id}`;
}

/**
 * One page of the batch's leads, each at its first row (in the file's order) that matches the row
 * filters. Walks batch_rows by its primary key from the cursor and looks each lead up by its key, so a
 * page costs at most the rows between two pages of matches, never a sort of the batch.
 */
export async function listBatchLeads(
  deps: ServiceDeps,
  input: { batchId: string; member: MemberRow; filters: TriageFilters; after?: number; before?: number; pageSize?: number },
): Promise<TriagePage> {
  const size = input.pageSize ?? TRIAGE_PAGE_SIZE;
  const f = input.filters;
  const rowFilters: SQL[] = [];
  const sameRowFilters: SQL[] = [];
  if (f.rule) {
    rowFilters.push(sql`br.rule = ${f.rule}`);
    sameRowFilters.push(sql`b2.rule = ${f.rule}`);
  }
  if (f.institution) {
    rowFilters.push(sql`instr(br.institution, ${f.institution}) > 0`);
    sameRowFilters.push(sql`instr(b2.institution, ${f.institution}) > 0`);
  }
  const leadFilters: SQL[] = [];
  if (f.region) leadFilters.push(sql`substr(l.region_code, 1, ${regionScopePrefix(f.region).length}) = ${regionScopePrefix(f.region)}`);
  if (f.state) leadFilters.push(sql`l.state = ${f.state}`);
  if (f.assignee === "-") leadFilters.push(sql`l.assignee_id IS NULL`);
  else if (f.assignee) leadFilters.push(sql`l.assignee_id = ${f.assignee}`);
  const visible = visibility(input.member);
  if (visible) leadFilters.push(visible);
  const backwards = input.before !== undefined;
  const cursor = backwards ? sql`br.row_no < ${input.before}` : sql`br.row_no > ${input.after ?? 0}`;
  // Unary + keeps SQLite on batch_rows_lead_idx here (a lead has a few rows); on the primary key it would
  // walk every earlier row of the batch for each row listed.
  const earlierSameLead = sql.join([sql`b2.lead_id = br.lead_id`, sql`+b2.batch_id = br.batch_id`, sql`+b2.row_no < br.row_no`, ...sameRowFilters], sql` AND `);
  const where = sql.join([sql`br.batch_id = ${input.batchId}`, cursor, ...rowFilters, ...leadFilters, sql`NOT EXISTS (SELECT 1 FROM batch_rows b2 WHERE ${earlierSameLead})`], sql` AND `);
  const rows = await retryBusy(deps.db, () =>
    deps.db.all<{ rowNo: number; ref: string; rule: string; institution: string; leadId: string; state: string; regionCode: string; assigneeId: string | null; teamId: string | null }>(
      sql`SELECT br.row_no AS rowNo, br.ref AS ref, br.rule AS rule, br.institution AS institution, l.id AS leadId, l.state AS state, l.region_code AS regionCode,
          l.assignee_id AS assigneeId, l.team_id AS teamId
        FROM batch_rows br JOIN leads l ON l.id = br.lead_id
        WHERE ${where}
        ORDER BY br.row_no ${backwards ? sql`DESC` : sql`ASC`} LIMIT ${size + 1}`,
    ),
  );
  const more = rows.length > size;
  const page = rows.slice(0, size);
  if (backwards) page.reverse();
  const first = page[0]?.rowNo;
  const last = page.at(-1)?.rowNo;
  return {
    leads: page.map((r) => ({ ...r, rowNo: Number(r.rowNo) })),
    nextAfter: backwards ? (last !== undefined ? Number(last) : null) : more && last !== undefined ? Number(last) : null,
    prevBefore: backwards ? (more && first !== undefined ? Number(first) : null) : input.after && first !== undefined ? Number(first) : null,
  };
}

/** The page's query, for EXPLAIN in tests (same text as listBatchLeads with every filter on). */
export const TRIAGE_QUERY_FOR_PLAN = `SELECT br.row_no, l.id FROM batch_rows br JOIN leads l ON l.id = br.lead_id
  WHERE br.batch_id = ? AND br.row_no > ? AND br.rule = ? AND l.state = ? AND (l.team_id = ? OR l.assignee_id = ?)
    AND NOT EXISTS (SELECT 1 FROM batch_rows b2 WHERE b2.lead_id = br.lead_id AND +b2.batch_id = br.batch_id AND +b2.row_no < br.row_no AND b2.rule = ?)
  ORDER BY br.row_no ASC LIMIT 101`;

/** The batch's rules (for the filter), built once per batch: a batch's rows never change after import. */
const rulesCache = new Map<string, string[]>();
export async function batchRules(deps: ServiceDeps, batchId: string): Promise<string[]> {
  const cached = rulesCache.get(batchId);
  if (cached) return cached;
  const rows = await deps.db.selectDistinct({ rule: batchRows.rule }).from(batchRows).where(eq(batchRows.batchId, batchId));
  const rules = rows.map((r) => r.rule).sort();
  if (rulesCache.size > 50) rulesCache.delete(rulesCache.keys().next().value!);
  rulesCache.set(batchId, rules);
  return rules;
}

/** Members a viewer may filter by or assign to: their team's (coordinators: every team's) inspectors and team leads. */
export async function assignableMembers(deps: ServiceDeps, member: MemberRow): Promise<MemberRow[]> {
  const org = await orgSnapshot(deps);
  return [...org.memberById.values()]
    .filter((m) => m.active && m.teamId && (m.role === "inspector" || m.role === "team_lead") && (member.role === "coordinator" || m.teamId === member.teamId))
    .sort((a, b) => (a.teamId ?? "").localeCompare(b.teamId ?? "") || a.displayName.localeCompare(b.displayName));
}

// ---------------------------------------------------------------------------------------------
// Bulk actions
// ---------------------------------------------------------------------------------------------

/** A one-time token for the bulk form, bound to batch and member: CSRF protection and the key a repeat is known by. */
export async function issueBulkFormToken(deps: ServiceDeps, batchId: string, memberId: string): Promise<string> {
  const nonce = toBase64Url(randomBytes(16));
  const issuedAt = deps.now().getTime().toString(36);
  const mac = (await keyedHash(deps.keys, "batch-form", `${batchId}\u0000${memberId}\u0000${nonce}\u0000${issuedAt}`)).slice(0, 32);
  return `${nonce}.${issuedAt}.${mac}`;
}

/** The nonce of a valid bulk form token, or null (forged, for another batch or member, or expired). */
export async function verifyBulkFormToken(deps: ServiceDeps, batchId: string, memberId: string, token: string | undefined): Promise<string | null> {
  const m = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{32})$/.exec(token ?? "");
  if (!m) return null;
  const [, nonce, issued36, mac] = m as unknown as [string, string, string, string];
  const issuedAt = parseInt(issued36, 36);
  const now = deps.now().getTime();
  if (!(issuedAt <= now + 60_000 && now - issuedAt <= FORM_TOKEN_TTL_MS)) return null;
  const expected = (await keyedHash(deps.keys, "batch-form", `${batchId}\u0000${memberId}\u0000${nonce}\u0000${issued36}`)).slice(0, 32);
  return constantTimeEqual(expected, mac) ? nonce : null;
}

export const BULK_ACTIONS = ["ack", "accept", "decline", "assign"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export type BulkOutcome =
  | { leadId: string; status: "done" }
  /** This form was submitted before: the lead was handled then. */
  | { leadId: string; status: "already" }
  | { leadId: string; status: "unchanged" | "changed_meanwhile" }
  | { leadId: string; status: "refused"; reason: string; state?: string };

const bulkDedupeKey = (formNonce: string, leadId: string) => `web:batch-bulk:${formNonce}:${leadId}`;

function outcomeOf(leadId: string, r: CommandResult): BulkOutcome {
  switch (r.status) {
    case "done":
      return { leadId, status: "done" };
    case "duplicate":
      return { leadId, status: "already" };
    case "unchanged":
      return { leadId, status: r.changedMeanwhile ? "changed_meanwhile" : "unchanged" };
    case "refused":
      return { leadId, status: "refused", reason: r.reason, ...(r.lead ? { state: r.lead.state } : {}) };
  }
}

type WritePlan = Extract<PlannedCommand, { kind: "write" }>;

/**
 * Applies one action to the selected leads of a batch, each exactly as the chat would (same checks,
 * event, version, tipster updates), keyed per lead by the form's nonce so a repeated POST changes
 * nothing. One read batch for every lead, then one write batch per BULK_WRITE_CHUNK leads; a chunk
 * that meets a concurrent change is written lead by lead, so only that lead reports it.
 */
export async function runBulkAction(
  deps: ServiceDeps,
  /** `platformRef`: the workspace session the form was posted from (none from a signed link). */
  input: { batchId: string; member: MemberRow; action: BulkAction; leadIds: string[]; reason?: string; toMemberId?: string; formNonce: string; platformRef?: string | null },
): Promise<BulkOutcome[]> {
  const db = deps.db;
  const leadIds = [...new Set(input.leadIds)];
  if (leadIds.length === 0) throw new AppError("validation_failed", "no leads selected", { messageKey: "batch.none_selected" });
  if (leadIds.length > BULK_MAX_LEADS) throw new AppError("validation_failed", "too many leads", { messageKey: "batch.too_many", params: { max: BULK_MAX_LEADS } });
  const keys = leadIds.map((id) => bulkDedupeKey(input.formNonce, id));
  const commandReads = leadCommandReads(db, leadIds);
  const reads = [
    ...commandReads,
    db.selectDistinct({ leadId: batchRows.leadId }).from(batchRows).where(and(inJsonArray(batchRows.leadId, leadIds), eq(batchRows.batchId, input.batchId))),
    db.select({ key: events.dedupeKey }).from(events).where(inJsonArray(events.dedupeKey, keys)),
    db.select().from(members).where(eq(members.id, input.toMemberId ?? "")),
  ];
  const results = (await retryBusy(db, () => db.batch(asBatch(reads)))) as unknown as unknown[];
  const n = commandReads.length;
  const read = leadCommandViews(results.slice(0, n));
  const inBatch = new Set((results[n] as { leadId: string }[]).map((r) => r.leadId));
  const done = new Set((results[n + 1] as { key: string }[]).map((r) => r.key));
  const target = (results[n + 2] as MemberRow[])[0];
  const org = await orgSnapshot(deps, read.orgVersion);
  const actor: MemberActor = { member: input.member, platform: "web", platformRef: input.platformRef ?? null };
  const command: LeadCommand | null =
    input.action === "ack" ? { type: "acknowledge" } : input.action === "accept" ? { type: "accept" } : input.action === "decline" ? { type: "decline", reason: input.reason ?? "" } : null;

  const outcomes = new Map<string, BulkOutcome>();
  const refusals: NonNullable<Extract<PlannedCommand, { kind: "answer" }>["refusal"]>[] = [];
  const writes: { plan: WritePlan; key: string }[] = [];
  for (const leadId of leadIds) {
    const key = bulkDedupeKey(input.formNonce, leadId);
    if (!inBatch.has(leadId)) {
      outcomes.set(leadId, { leadId, status: "refused", reason: "not_in_batch" });
      continue;
    }
    if (done.has(key)) {
      outcomes.set(leadId, { leadId, status: "already" });
      continue;
    }
    const view = read.views.get(leadId);
    const plan = command
      ? await planLeadCommand(deps, view, org, { leadId, command, actor, dedupeKey: key, rewardRules: read.rewardRules })
      : // Assign: to an active inspector or team lead of the lead's own team (moving teams is a chat reassignment).
        planReassign(deps, view, target && view && target.teamId === view.lead.teamId && (target.role === "inspector" || target.role === "team_lead") ? target : undefined, org, { leadId, actor, dedupeKey: key });
    if (plan.kind === "answer") {
      if (plan.refusal) refusals.push(plan.refusal);
      // An assignment to the member it already has changes nothing and logs nothing.
      outcomes.set(leadId, outcomeOf(leadId, plan.result));
      continue;
    }
    if (!command && view?.lead.assigneeId === input.toMemberId) {
      outcomes.set(leadId, { leadId, status: "unchanged" });
      continue;
    }
    writes.push({ plan, key });
  }
  if (refusals.length) await retryBusyWrite(db, () => db.batch(asBatch(chunkedStatements(refusals, (part) => db.insert(events).values(part).onConflictDoNothing()))));
  for (let i = 0; i < writes.length; i += BULK_WRITE_CHUNK) {
    const chunk = writes.slice(i, i + BULK_WRITE_CHUNK);
    const statements = chunk.flatMap((w) => w.plan.statements);
    try {
      const res = (await retryBusyWrite(db, () => db.batch(asBatch(statements)))) as unknown as unknown[];
      let offset = 0;
      for (const w of chunk) {
        outcomes.set(w.plan.leadId, outcomeOf(w.plan.leadId, plannedWriteResult(w.plan, res, offset)));
        offset += w.plan.statements.length;
      }
    } catch (err) {
      // Someone changed one of these leads meanwhile, or a copy of this form is being applied: each on its own.
      if (!failedConstraint(err)) throw err;
      for (const w of chunk) outcomes.set(w.plan.leadId, outcomeOf(w.plan.leadId, await writePlannedCommand(deps, w.plan, w.key)));
    }
  }
  if (writes.length) deps.notifyOutbox?.();
  return leadIds.map((id) => outcomes.get(id)!);
}

/** Who may download the batch's feedback file: coordinators (every row) and team leads (their team's rows). */
export function mayDownloadFeedback(member: MemberRow): boolean {
  return member.active && (member.role === "coordinator" || (member.role === "team_lead" && member.teamId !== null));
}

/** The leads of the batch a team lead's feedback file covers (their team's). */
export async function teamLeadIdsOfBatch(deps: ServiceDeps, batchId: string, teamId: string): Promise<Set<string>> {
  const rows = await deps.db.all<{ id: string }>(sql`SELECT DISTINCT l.id AS id FROM batch_rows br JOIN leads l ON l.id = br.lead_id WHERE br.batch_id = ${batchId} AND l.team_id = ${teamId}`);
  return new Set(rows.map((r) => r.id));
}

/** Logs a feedback download (before the file is handed out). */
export async function logFeedbackDownload(deps: ServiceDeps, input: { batchId: string; member: MemberRow; format: "csv" | "xlsx"; rows: number; scope: "all" | "team"; platformRef?: string | null }) {
  await deps.db.insert(events).values({
    occurredAt: deps.now().getTime(),
    entityType: "batch",
    entityId: input.batchId,
    action: "batch.feedback_downloaded",
    actorType: "member",
    actorId: input.member.id,
    actorRole: input.member.role,
    platform: "web",
    platformRef: input.platformRef ?? null,
    data: JSON.stringify({ format: input.format, rows: input.rows, scope: input.scope }),
  });
}
