// Leads (线索): created from tips (clustered by institution and violation type), screening batches and
// hotline calls; routed to the most specific team; worked from chat with every step logged; their cards
// are kept current in the team's chat through the outbox.
import { and, asc, eq, inArray, lt, or, sql } from "drizzle-orm";
import { clusterSlot, decideCluster, institutionKey } from "../../core/clustering";
import { computeLeadDeadlines, nextEscalationAt, notifyByOf, type EscalationState } from "../../core/deadlines";
import { detectFocusAreas } from "../../core/focus-areas";
import { findFocusItems } from "../../core/focus-list";
import { newId } from "../../core/ids";
import { applyLeadCommand, isLeadOpen, type LeadCommand, type LeadState } from "../../core/lead-lifecycle";
import { coveringTeamIds, routeLead, type RoutingMember } from "../../core/routing";
import { excerpt, knownIdentityOf, scrubText } from "../../core/scrub";
import type { ReporterIdentity } from "../../core/report-input";
import { asBatch } from "../../db/client";
import { DEFAULT_BUSY_BUDGET_MS, failedConstraint, retryBusy, retryBusyWrite } from "../../db/retry";
import { chatCards, events, leadReports, leads, leadVersions, members, reportMessages, reports, reportTimeline, rewardClaims, teams, type LeadRow, type MemberRow, type NewEventRow, type RewardClaimRow, type TeamRow } from "../../db/schema";
import type { RewardRules } from "../../core/rewards/policy";
import { rewardEligibilityStatements, type RewardTip } from "../rewards/eligibility";
import { rewardRulesOf, rewardRulesQuery } from "../rewards/rules";
import type { Platform } from "../../chat/types";
import { decryptText, encryptText } from "../../security/cipher";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { cardCoalesceKey, enqueueStatement, sealEnqueueInput } from "../delivery/outbox";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import { currentOrg, orgSnapshot, orgVersionOf, orgVersionQuery, type LeadPolicy } from "../org/org-cache";
import { inJsonArray } from "../../db/chunk";
export { eventRow } from "../events";

export const OPEN_LEAD_STATES: LeadState[] = ["new", "acknowledged", "accepted", "investigating"];
export const SUMMARY_CHARS = 280;

export type { LeadPolicy } from "../org/org-cache";

/** The lead policy (calendar with the installation's own days, deadlines, cluster window), from the org cache. */
export async function loadLeadPolicy(deps: ServiceDeps): Promise<LeadPolicy> {
  return (await currentOrg(deps)).policy;
}

export interface LeadSeed {
  source: "tip" | "batch" | "hotline";
  sourceRef?: string | null;
  subject: string;
  violationType: string;
  regionCode: string;
  targetName: string;
  occurredFrom?: string | null;
  occurredTo?: string | null;
  amountEstimateFen?: number | null;
  /** Full text; only a scrubbed excerpt is kept on the lead. */
  description: string;
  /** Identity to scrub from the excerpt, if known. */
  identity?: ReporterIdentity | null;
  reportId?: string | null;
  receivedAt: Date;
}

export interface PlannedLead {
  leadId: string;
  created: boolean;
  statements: unknown[];
}

/**
 * The card refresh for a lead change. At most one card row per card and chat is pending: later
 * changes coalesce into it (the card is rendered from current state when it goes), so a burst of
 * corroborations costs one edit, and a first post that has not gone yet stays a single post.
 */
function cardEnqueue(deps: ServiceDeps, lead: { id: string; version: number }, team: TeamRow | undefined) {
  if (!team) return [];
  return [
    enqueueStatement(deps, {
      dedupeKey: `card:${lead.id}:${team.platform}:${team.chatId}:v${lead.version}`,
      coalesceKey: cardCoalesceKey(lead.id, team.platform, team.chatId),
      platform: team.platform as Platform,
      chatId: team.chatId,
      kind: "card",
      leadId: lead.id,
      payload: { leadId: lead.id },
    }),
  ];
}

/** The lead columns planning reads about the slot holder (one index lookup on leads_cluster_slot_uq). */
const slotHolderColumns = {
  id: leads.id,
  state: leads.state,
  version: leads.version,
  teamId: leads.teamId,
  lastReportAt: leads.lastReportAt,
};

/** The escalation schedule of a lead in `state` with these deadlines and steps sent (see core/deadlines). */
export function nextEscalationTime(
  policy: LeadPolicy,
  lead: { state: string; ackBy: number; acceptBy: number; finishBy: number; source?: string | null; acceptedAt?: number | null },
  sent: EscalationState,
): number | null {
  const next = nextEscalationAt({
    state: lead.state as LeadState,
    deadlines: { ackBy: new Date(lead.ackBy), acceptBy: new Date(lead.acceptBy), finishBy: new Date(lead.finishBy), notifyBy: notifyByOf(policy.calendar, lead, policy.deadlines) },
    sent,
    cal: policy.calendar,
    wh: policy.workingHours,
    policy: policy.deadlines,
  });
  return next ? next.getTime() : null;
}

const NO_ESCALATIONS: EscalationState = { ack: 0, accept: 0, finish: 0 };

/**
 * Plans the lead for a new tip, batch record or call: either corroborates the open lead holding the
 * tip's cluster slot (same institution, violation type and province, within the window), or creates and
 * routes a new one that takes the slot. One read-only batch; every check that a concurrent writer could
 * invalidate is folded into the returned statements, which fail as a whole when it no longer holds (see isLostLeadRace).
 */
export async function planLead(deps: ServiceDeps, seed: LeadSeed, actor: Actor): Promise<PlannedLead> {
  const db = deps.db;
  const now = deps.now().getTime();
  const key = institutionKey(seed.targetName);
  const slot = clusterSlot(key, seed.violationType, seed.regionCode);
  const focusAreas = detectFocusAreas(`${seed.targetName} ${seed.description}`);
  const routable = { regionCode: seed.regionCode, focusAreas, violationType: seed.violationType };

  let org = await orgSnapshot(deps);
  let covering = coveringTeamIds(routable, org.routingTeams);
  const openLeadsOf = (teamIds: string[]) => db.select({ id: members.id, openLeads: members.openLeads }).from(members).where(inArray(members.teamId, teamIds));
  const reads: unknown[] = [orgVersionQuery(db), db.select(slotHolderColumns).from(leads).where(eq(leads.clusterSlot, slot))];
  if (covering.length) reads.push(openLeadsOf(covering));
  const results = (await retryBusy(db, () => db.batch(asBatch(reads)))) as unknown as unknown[];
  const version = orgVersionOf(results[0] as { value: string }[]);
  const holder = (results[1] as { id: string; state: string; version: number; teamId: string | null; lastReportAt: number }[])[0] ?? null;
  let openLeads = covering.length ? (results[2] as { id: string; openLeads: number }[]) : [];
  if (version !== org.version) {
    // The organisation changed since our copy: reload it (rare, costs extra round trips).
    org = await orgSnapshot(deps, version);
    const nowCovering = coveringTeamIds(routable, org.routingTeams);
    if (nowCovering.join() !== covering.join()) openLeads = nowCovering.length ? await retryBusy(db, () => openLeadsOf(nowCovering)) : [];
    covering = nowCovering;
  }
  const policy = org.policy;
  const decision = decideCluster(
    holder ? { leadId: holder.id, lastReportAt: new Date(holder.lastReportAt), open: isLeadOpen(holder.state as LeadState) } : null,
    seed.receivedAt,
    policy.clusterWindowDays,
  );
  const statements: unknown[] = [];

  if (decision.kind === "corroborate" && holder) {
    const a = eventRow(actor, { occurredAt: now, entityType: "lead", entityId: holder.id, action: "lead.corroborated" });
    statements.push(
      // Joins only while the lead still holds the slot (open, not superseded): closing clears it.
      db
        .update(leads)
        .set({
          corroborationCount: sql`${leads.corroborationCount} + 1`,
          lastReportAt: sql`max(${leads.lastReportAt}, ${seed.receivedAt.getTime()})`,
          version: sql`${leads.version} + 1`,
          updatedAt: now,
        })
        .where(and(eq(leads.id, holder.id), eq(leads.clusterSlot, slot))),
      // The version this change produced; NULL (→ NOT NULL failure, whole batch undone) when the
      // update above matched nothing, so the report is never linked to a lead that closed meanwhile.
      db.run(
        sql`INSERT INTO lead_versions (lead_id, version, created_at) SELECT l.id, l.version, ${now} FROM (SELECT 1) AS one LEFT JOIN leads AS l ON l.id = ${holder.id} AND l.cluster_slot = ${slot}`,
      ),
    );
    if (seed.reportId) statements.push(db.insert(leadReports).values({ leadId: holder.id, reportId: seed.reportId, addedAt: now }));
    statements.push(
      // The count in the event is the lead's own after this change, even with concurrent corroborations.
      db.run(sql`INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, actor_id, actor_role, platform, platform_ref, data)
        SELECT ${now}, 'lead', id, 'lead.corroborated', ${a.actorType}, ${a.actorId ?? null}, ${a.actorRole ?? null}, ${a.platform}, ${a.platformRef ?? null},
          json_object('reportId', ${seed.reportId ?? null}, 'source', ${seed.source}, 'corroborationCount', corroboration_count)
        FROM leads WHERE id = ${holder.id}`),
    );
    statements.push(...cardEnqueue(deps, { id: holder.id, version: holder.version + 1 }, holder.teamId ? org.teamById.get(holder.teamId) : undefined));
    return { leadId: holder.id, created: false, statements };
  }

  const focusItems = findFocusItems(seed.description).map((i) => i.name);
  const coveringSet = new Set(covering);
  const load = new Map(openLeads.map((m) => [m.id, m.openLeads]));
  const routingMembers: RoutingMember[] = [];
  for (const m of org.memberById.values()) {
    if (m.teamId && coveringSet.has(m.teamId)) routingMembers.push({ id: m.id, teamId: m.teamId, role: m.role as RoutingMember["role"], active: m.active, openLeads: load.get(m.id) ?? 0 });
  }
  const route = routeLead(routable, org.routingTeams, routingMembers);
  const deadlines = computeLeadDeadlines(policy.calendar, policy.workingHours, seed.receivedAt, policy.deadlines);
  const identity = seed.identity ?? undefined;
  const summary = excerpt(scrubText(seed.description, knownIdentityOf(identity)), SUMMARY_CHARS);
  const leadId = newId("L").replace("L_", "L-").slice(0, 12);
  const times = { state: "new", ackBy: deadlines.ackBy.getTime(), acceptBy: deadlines.acceptBy.getTime(), finishBy: deadlines.finishBy.getTime() };
  const supersedes = decision.kind === "create" ? decision.supersedes : null;
  if (supersedes) {
    // The old lead is out of the window: it gives the slot up, but only if it still holds it. If another
    // tip took the slot over meanwhile, the insert below violates the unique slot and the batch fails.
    statements.push(db.update(leads).set({ clusterSlot: null }).where(and(eq(leads.id, supersedes), eq(leads.clusterSlot, slot))));
  }
  statements.push(
    db.insert(leads).values({
      id: leadId,
      source: seed.source,
      sourceRef: seed.sourceRef ?? null,
      subject: seed.subject,
      violationType: seed.violationType,
      regionCode: seed.regionCode,
      targetName: seed.targetName,
      institutionKey: key,
      focusAreas: JSON.stringify(focusAreas),
      focusItems: JSON.stringify(focusItems),
      occurredFrom: seed.occurredFrom ?? null,
      occurredTo: seed.occurredTo ?? null,
      amountEstimateFen: seed.amountEstimateFen ?? null,
      summaryEnc: await encryptText(deps.keys, summary, `lead:${leadId}:summary`),
      corroborationCount: 1,
      teamId: route.teamId,
      assigneeId: route.assigneeId,
      receivedAt: seed.receivedAt.getTime(),
      lastReportAt: seed.receivedAt.getTime(),
      ...times,
      clusterSlot: slot,
      nextEscalationAt: nextEscalationTime(policy, times, NO_ESCALATIONS),
      createdAt: now,
      updatedAt: now,
    }),
    db.insert(leadVersions).values({ leadId, version: 1, createdAt: now }),
  );
  if (seed.reportId) statements.push(db.insert(leadReports).values({ leadId, reportId: seed.reportId, addedAt: now }));
  statements.push(
    db.insert(events).values(
      eventRow(actor, {
        occurredAt: now,
        entityType: "lead",
        entityId: leadId,
        action: "lead.created",
        toState: "new",
        data: JSON.stringify({ source: seed.source, reportId: seed.reportId ?? null, teamId: route.teamId, assigneeId: route.assigneeId, routed: route.matched, focusAreas, focusItems }),
      }),
    ),
  );
  statements.push(...cardEnqueue(deps, { id: leadId, version: 1 }, route.teamId ? org.teamById.get(route.teamId) : undefined));
  return { leadId, created: true, statements };
}

/**
 * True when a lead batch failed because a concurrent writer got there first: another tip took the
 * cluster slot, the corroborated lead closed or was superseded, or its version moved. Re-planning sees
 * the new state (and then corroborates, or creates).
 */
export function isLostLeadRace(err: unknown): boolean {
  const c = failedConstraint(err);
  if (!c) return false;
  return c.columns === "leads.cluster_slot" || c.columns.startsWith("lead_versions.");
}

const LEAD_RACE_ATTEMPTS = 12;

/**
 * Plans a lead and writes it atomically with `alongside(plan)` (the report, its evidence, an import
 * event), re-planning when a concurrent tip or lead change won a race, and retrying a busy database,
 * within the request's budget.
 */
export async function commitLead(
  deps: ServiceDeps,
  input: {
    seed: LeadSeed;
    actor: Actor;
    alongside?: (plan: PlannedLead) => unknown[] | Promise<unknown[]>;
    budgetMs?: number;
  },
): Promise<PlannedLead> {
  const started = Date.now();
  const budget = input.budgetMs ?? DEFAULT_BUSY_BUDGET_MS;
  for (let attempt = 1; ; attempt++) {
    const plan = await planLead(deps, input.seed, input.actor);
    const statements = [...((await input.alongside?.(plan)) ?? []), ...plan.statements];
    try {
      await retryBusyWrite(deps.db, () => deps.db.batch(asBatch(statements)), { budgetMs: Math.max(200, budget - (Date.now() - started)) });
      return plan;
    } catch (err) {
      if (attempt < LEAD_RACE_ATTEMPTS && isLostLeadRace(err)) continue;
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Working a lead from chat
// ---------------------------------------------------------------------------------------------

export interface MemberActor {
  member: MemberRow;
  platform: Platform | "web" | "cli";
  platformRef?: string | null;
}

export const asActor = (a: MemberActor): Actor => ({ type: "member", id: a.member.id, role: a.member.role, platform: a.platform, platformRef: a.platformRef ?? null });

export async function getLead(deps: ServiceDeps, leadId: string): Promise<LeadRow | null> {
  return (await deps.db.query.leads.findFirst({ where: eq(leads.id, leadId) })) ?? null;
}

/** Who may work a lead: its assignee, a team lead of its team, or a coordinator. */
export function mayHandleLead(member: MemberRow, lead: LeadRow): boolean {
  if (!member.active) return false;
  if (member.role === "coordinator") return true;
  if (lead.assigneeId === member.id) return true;
  return member.role === "team_lead" && member.teamId !== null && member.teamId === lead.teamId;
}

export type CommandResult =
  | { status: "done"; lead: LeadRow; from: LeadState; to: LeadState }
  | { status: "duplicate" }
  /** `changedMeanwhile`: a concurrent change to the lead won; nothing of this one was written. */
  | { status: "unchanged"; lead: LeadRow; changedMeanwhile?: boolean }
  | { status: "refused"; reason: "not_permitted" | "unknown_lead" | "invalid_transition" | "reason_required" | "amount_required" | "amount_invalid"; lead?: LeadRow };

/**
 * How a versioned lead batch failed: "duplicate" when the dedupe key was used already (a redelivered
 * update), "changed" when another change took this version first (lead_versions), null otherwise.
 */
function lostVersionedBatch(err: unknown): "duplicate" | "changed" | null {
  const c = failedConstraint(err);
  if (c?.kind !== "unique") return null;
  if (c.columns === "events.dedupe_key") return "duplicate";
  if (c.columns.startsWith("lead_versions.")) return "changed";
  return null;
}

/**
 * Runs a versioned change batch (its first statement inserts lead_versions (lead, new version)). A
 * version conflict is a redelivery when the dedupe key is now taken (a concurrent copy of the same
 * update won), else a different change won: "changed meanwhile".
 */
async function runVersionedBatch(deps: ServiceDeps, leadId: string, dedupeKey: string, statements: unknown[]): Promise<{ ok: true; results: unknown[] } | { ok: false; result: CommandResult }> {
  try {
    return { ok: true, results: (await retryBusyWrite(deps.db, () => deps.db.batch(asBatch(statements)))) as unknown as unknown[] };
  } catch (err) {
    const lost = lostVersionedBatch(err);
    if (!lost) throw err;
    const [fresh, used] = await retryBusy(deps.db, () =>
      deps.db.batch([deps.db.select().from(leads).where(eq(leads.id, leadId)), deps.db.select({ id: events.id }).from(events).where(eq(events.dedupeKey, dedupeKey))]),
    );
    if (lost === "duplicate" || used.length > 0 || !fresh[0]) return { ok: false, result: { status: "duplicate" } };
    return { ok: false, result: { status: "unchanged", lead: fresh[0], changedMeanwhile: true } };
  }
}

/** What planning a command needs about one lead, read in the caller's batch (see leadCommandReads). */
export interface LeadCommandView {
  lead: LeadRow;
  /** The tips' reports linked to the lead (with what a reward needs: when, asked for, insider). */
  linked: ({ status: string } & RewardTip)[];
  /** Reward claims already on the lead (a conclusion makes the first reward tip eligible). */
  rewardClaims: RewardClaimRow[];
  /** The lead's card sits in a chat (or is owed one): changes refresh it. */
  hasCard: boolean;
}

/**
 * The reads for commands on `leadIds`, for one read batch: the leads, their linked reports, their
 * chat cards and the org version (pass the results to leadCommandViews).
 */
export function leadCommandReads(db: ServiceDeps["db"], leadIds: string[]) {
  return [
    db.select().from(leads).where(inJsonArray(leads.id, leadIds)),
    db
      .select({ leadId: leadReports.leadId, reportId: reports.id, status: reports.status, receivedAt: reports.createdAt, wantsReward: reports.wantsReward, isInsider: reports.isInsider })
      .from(leadReports)
      .innerJoin(reports, eq(reports.id, leadReports.reportId))
      .where(inJsonArray(leadReports.leadId, leadIds)),
    db.select({ leadId: chatCards.leadId }).from(chatCards).where(inJsonArray(chatCards.leadId, leadIds)),
    orgVersionQuery(db),
    // For a conclusion, in the same round trip: who is owed a reward, under which rules.
    rewardRulesQuery(db),
    db.select().from(rewardClaims).where(inJsonArray(rewardClaims.leadId, leadIds)),
  ] as const;
}

export function leadCommandViews(results: readonly unknown[]): { views: Map<string, LeadCommandView>; orgVersion: string; rewardRules: RewardRules } {
  const [leadRows, linked, cards, versionRows, ruleRows, claimRows] = results as [
    LeadRow[],
    ({ leadId: string; status: string } & RewardTip)[],
    { leadId: string }[],
    { value: string }[],
    { value: string }[],
    RewardClaimRow[],
  ];
  const carded = new Set(cards.map((c) => c.leadId));
  const views = new Map<string, LeadCommandView>();
  for (const lead of leadRows) views.set(lead.id, { lead, linked: [], rewardClaims: [], hasCard: carded.has(lead.id) });
  for (const c of claimRows) views.get(c.leadId)?.rewardClaims.push(c);
  for (const l of linked) {
    const v = views.get(l.leadId);
    if (!v) continue;
    v.linked.push({ reportId: l.reportId, status: l.status, receivedAt: l.receivedAt, wantsReward: l.wantsReward, isInsider: l.isInsider });
    // A tip joined it: the lead got its card then (planLead), even when that card has not gone out yet.
    v.hasCard = true;
  }
  // Leads from anywhere but a screening batch always have their card; batch leads only once a tip joined.
  for (const v of views.values()) if (v.lead.source !== "batch") v.hasCard = true;
  return { views, orgVersion: orgVersionOf(versionRows), rewardRules: rewardRulesOf(ruleRows) };
}

/** A command planned: either answered without writing (with a refusal to log), or the versioned batch to write. */
export type PlannedCommand =
  | { kind: "answer"; result: CommandResult; refusal?: NewEventRow }
  | { kind: "write"; leadId: string; statements: unknown[]; from: LeadState; to: LeadState; fallback: LeadRow };

/** The index in a planned write of the `UPDATE leads … RETURNING` whose row is the changed lead. */
const UPDATED_LEAD_AT = 1;

/**
 * Plans a state command on one lead from what leadCommandReads returned (no I/O but encryption):
 * the same checks, event, card refresh and tipster updates as from chat.
 */
export async function planLeadCommand(
  deps: ServiceDeps,
  view: LeadCommandView | undefined,
  org: Awaited<ReturnType<typeof orgSnapshot>>,
  input: { leadId: string; command: LeadCommand; actor: MemberActor; dedupeKey: string; rewardRules: RewardRules },
): Promise<PlannedCommand> {
  const db = deps.db;
  const lead = view?.lead;
  const actor = asActor(input.actor);
  const now = deps.now().getTime();
  if (!lead || !view) return { kind: "answer", result: { status: "refused", reason: "unknown_lead" } };
  if (!mayHandleLead(input.actor.member, lead)) {
    return {
      kind: "answer",
      result: { status: "refused", reason: "not_permitted", lead },
      refusal: eventRow(actor, { occurredAt: now, entityType: "lead", entityId: lead.id, action: "lead.refused", data: JSON.stringify({ attempted: input.command.type, reason: "not_permitted" }), dedupeKey: input.dedupeKey }),
    };
  }
  const from = lead.state as LeadState;
  const result = applyLeadCommand(from, input.command);
  if (!result.ok) return { kind: "answer", result: { status: "refused", reason: result.reason, lead } };
  if (result.state === from && input.command.type !== "conclude") return { kind: "answer", result: { status: "unchanged", lead } };

  const version = lead.version + 1;
  const reason = input.command.type === "decline" ? input.command.reason.trim() : null;
  const closes = !isLeadOpen(result.state);
  const set: Partial<typeof leads.$inferInsert> = { state: result.state, version, updatedAt: now };
  if (result.state !== "new" && !lead.acknowledgedAt) set.acknowledgedAt = now;
  if ((result.state === "accepted" || result.state === "investigating") && !lead.acceptedAt) set.acceptedAt = now;
  if (closes) {
    set.closedAt = now;
    // New tips about this institution open a new lead from now on.
    set.clusterSlot = null;
  }
  if (result.outcome) set.outcome = result.outcome;
  if (result.amountFen !== null) set.substantiatedAmountFen = result.amountFen;
  if (reason) set.declineReasonEnc = await encryptText(deps.keys, reason, `lead:${lead.id}:decline_reason`);
  set.nextEscalationAt = nextEscalationTime(org.policy, { ...lead, state: result.state, acceptedAt: set.acceptedAt ?? lead.acceptedAt }, parseEscalations(lead));

  const statements: unknown[] = [
    // First: of two changes from the same version, the second fails here and writes nothing at all.
    db.insert(leadVersions).values({ leadId: lead.id, version, createdAt: now }),
    db.update(leads).set(set).where(and(eq(leads.id, lead.id), eq(leads.version, lead.version))).returning(),
    db.insert(events).values(
      eventRow(actor, {
        occurredAt: now,
        entityType: "lead",
        entityId: lead.id,
        action: `lead.${input.command.type}`,
        fromState: from,
        toState: result.state,
        data: JSON.stringify({ outcome: result.outcome, amountFen: result.amountFen, ...(reason ? { reasonGiven: true } : {}) }),
        dedupeKey: input.dedupeKey,
      }),
    ),
    // A batch lead no tip joined has no card of its own (its batch card stands for it).
    ...(view.hasCard ? cardEnqueue(deps, { id: lead.id, version }, lead.teamId ? org.teamById.get(lead.teamId) : undefined) : []),
  ];
  if (input.command.type === "conclude")
    statements.push(
      ...rewardEligibilityStatements(db, { lead, tips: view.linked, outcome: result.outcome, amountFen: result.amountFen, rules: input.rewardRules, existing: view.rewardClaims, now, actor }),
    );
  // The tipster's status page follows the lead.
  for (const report of view.linked) {
    if (report.status === result.reportStatus) continue;
    // A tip declined on its own (leads/tips.ts) keeps its own outcome whatever the lead does next.
    if (report.status === "not_accepted") continue;
    const reportId = report.reportId;
    statements.push(
      db.update(reports).set({ status: result.reportStatus, outcome: result.outcome, updatedAt: now }).where(eq(reports.id, reportId)),
      db.insert(reportTimeline).values({ id: newId("tl"), reportId, createdAt: now, kind: "status_changed", status: result.reportStatus, outcome: result.outcome }),
      db.insert(events).values(
        eventRow(actor, { occurredAt: now, entityType: "report", entityId: reportId, action: "report.status_changed", fromState: report.status, toState: result.reportStatus, data: JSON.stringify({ leadId: lead.id }) }),
      ),
    );
    // A report that is not accepted is answered with the reasons (2018 rules): the tipster reads them on the status page.
    if (reason) {
      const messageId = newId("msg");
      statements.push(
        db.insert(reportMessages).values({
          id: messageId,
          reportId,
          createdAt: now,
          authorType: "investigator",
          authorRef: input.actor.member.id,
          inReplyTo: null,
          bodyEnc: await encryptText(deps.keys, reason, `message:${messageId}:body`),
        }),
        db.insert(reportTimeline).values({ id: newId("tl"), reportId, createdAt: now, kind: "investigator_message" }),
      );
    }
  }
  return { kind: "write", leadId: lead.id, statements, from, to: result.state, fallback: lead };
}

/** The result of a planned write from its batch's results (`offset`: where its statements began). */
export function plannedWriteResult(plan: Extract<PlannedCommand, { kind: "write" }>, results: unknown[], offset = 0): CommandResult {
  const updated = (results[offset + UPDATED_LEAD_AT] as LeadRow[] | undefined)?.[0];
  // The version row was ours, so the update matched; a lead changed by a writer that bypasses
  // lead_versions (none in this code) would show here.
  if (!updated) return { status: "unchanged", lead: plan.fallback, changedMeanwhile: true };
  return { status: "done", lead: updated, from: plan.from, to: plan.to };
}

/** Writes one planned change on its own (a redelivery or a concurrent change is answered, not thrown). */
export async function writePlannedCommand(deps: ServiceDeps, plan: Extract<PlannedCommand, { kind: "write" }>, dedupeKey: string): Promise<CommandResult> {
  const ran = await runVersionedBatch(deps, plan.leadId, dedupeKey, plan.statements);
  if (!ran.ok) return ran.result;
  const result = plannedWriteResult(plan, ran.results);
  if (result.status === "unchanged") return { status: "unchanged", lead: (await getLead(deps, plan.leadId)) ?? plan.fallback, changedMeanwhile: true };
  return result;
}

/**
 * Applies a state command (acknowledge, accept, decline, investigate, conclude). `dedupeKey` (the
 * platform's update id or action timestamp) makes a redelivered update take effect once; of two
 * concurrent changes from the same version only one writes anything (lead_versions).
 */
export async function runLeadCommand(
  deps: ServiceDeps,
  input: { leadId: string; command: LeadCommand; actor: MemberActor; dedupeKey: string },
): Promise<CommandResult> {
  const db = deps.db;
  const commandReads = leadCommandReads(db, [input.leadId]);
  const results = (await retryBusy(db, () => db.batch([...commandReads, dedupeKeyUsed(db, input.dedupeKey)]))) as unknown as unknown[];
  // A copy of this update that committed before our read: the lead already shows its effect, so
  // planning would answer "unchanged" or "invalid transition". It is a redelivery.
  if ((results[commandReads.length] as unknown[]).length > 0) return { status: "duplicate" };
  const read = leadCommandViews(results.slice(0, commandReads.length));
  const org = await orgSnapshot(deps, read.orgVersion);
  const plan = await planLeadCommand(deps, read.views.get(input.leadId), org, { ...input, rewardRules: read.rewardRules });
  if (plan.kind === "answer") {
    if (plan.refusal) await logRefusalRow(deps, plan.refusal);
    return plan.result;
  }
  return writePlannedCommand(deps, plan, input.dedupeKey);
}

/** Whether an event already carries this dedupe key (read in the command's read batch: one snapshot with the lead). */
function dedupeKeyUsed(db: ServiceDeps["db"], dedupeKey: string) {
  return db.select({ id: events.id }).from(events).where(eq(events.dedupeKey, dedupeKey)).limit(1);
}

async function logRefusalRow(deps: ServiceDeps, row: NewEventRow) {
  try {
    await deps.db.insert(events).values(row);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

export async function logRefusal(deps: ServiceDeps, actor: Actor, entityId: string, attempted: string, reason: string, dedupeKey: string | null) {
  try {
    await deps.db.insert(events).values(
      eventRow(actor, { occurredAt: deps.now().getTime(), entityType: "lead", entityId, action: "lead.refused", data: JSON.stringify({ attempted, reason }), dedupeKey }),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

/** A press or command from someone who is not an enrolled member: refused, and the attempt logged. */
export async function logUnknownUser(deps: ServiceDeps, input: { platform: Platform; platformUserId: string; attempted: string; leadId?: string | null; dedupeKey: string }) {
  await logRefusal(
    deps,
    { type: "public", id: `${input.platform}:${input.platformUserId}`, role: null, platform: input.platform },
    input.leadId ?? "-",
    input.attempted,
    "not_enrolled",
    input.dedupeKey,
  );
}

/**
 * Plans a reassignment from what leadCommandReads returned and the target member (no I/O): team
 * leads of the lead's team and coordinators may move a lead to another active member of a team.
 */
export function planReassign(
  deps: ServiceDeps,
  view: LeadCommandView | undefined,
  target: MemberRow | undefined,
  org: Awaited<ReturnType<typeof orgSnapshot>>,
  input: { leadId: string; actor: MemberActor; dedupeKey: string },
): PlannedCommand {
  const db = deps.db;
  const lead = view?.lead;
  if (!lead || !view) return { kind: "answer", result: { status: "refused", reason: "unknown_lead" } };
  const m = input.actor.member;
  const allowed = m.role === "coordinator" || (m.role === "team_lead" && m.teamId === lead.teamId);
  if (!allowed) return { kind: "answer", result: { status: "refused", reason: "not_permitted", lead } };
  if (!target || !target.active || !target.teamId) return { kind: "answer", result: { status: "refused", reason: "invalid_transition", lead } };
  const now = deps.now().getTime();
  const version = lead.version + 1;
  const newTeam = org.teamById.get(target.teamId);
  const statements: unknown[] = [
    db.insert(leadVersions).values({ leadId: lead.id, version, createdAt: now }),
    db
      .update(leads)
      .set({ assigneeId: target.id, teamId: target.teamId, version, updatedAt: now, nextEscalationAt: nextEscalationTime(org.policy, lead, parseEscalations(lead)) })
      .where(and(eq(leads.id, lead.id), eq(leads.version, lead.version)))
      .returning(),
    db.insert(events).values(
      eventRow(asActor(input.actor), {
        occurredAt: now,
        entityType: "lead",
        entityId: lead.id,
        action: "lead.reassigned",
        fromState: lead.assigneeId,
        toState: target.id,
        data: JSON.stringify({ fromTeam: lead.teamId, toTeam: target.teamId }),
        dedupeKey: input.dedupeKey,
      }),
    ),
  ];
  // A batch lead moved within its team keeps living on its batch card; moved to another team, it gets a card there.
  if (view.hasCard || lead.teamId !== target.teamId) statements.push(...cardEnqueue(deps, { id: lead.id, version }, newTeam));
  if (view.hasCard && newTeam && lead.teamId !== target.teamId) statements.push(...cardEnqueue(deps, { id: lead.id, version }, lead.teamId ? org.teamById.get(lead.teamId) : undefined));
  return { kind: "write", leadId: lead.id, statements, from: lead.state as LeadState, to: lead.state as LeadState, fallback: lead };
}

/** Reassigns a lead (team lead or coordinator) to another active member. */
export async function reassignLead(deps: ServiceDeps, input: { leadId: string; toMemberId: string; actor: MemberActor; dedupeKey: string }): Promise<CommandResult> {
  const db = deps.db;
  const commandReads = leadCommandReads(db, [input.leadId]);
  const results = (await retryBusy(db, () => db.batch([...commandReads, db.select().from(members).where(and(eq(members.id, input.toMemberId), eq(members.active, true))), dedupeKeyUsed(db, input.dedupeKey)]))) as unknown as unknown[];
  if ((results[commandReads.length + 1] as unknown[]).length > 0) return { status: "duplicate" };
  const read = leadCommandViews(results.slice(0, commandReads.length));
  const org = await orgSnapshot(deps, read.orgVersion);
  const plan = planReassign(deps, read.views.get(input.leadId), (results[commandReads.length] as MemberRow[])[0], org, input);
  if (plan.kind === "answer") return plan.result;
  return writePlannedCommand(deps, plan, input.dedupeKey);
}

/** Leads assigned to a member that are still open, oldest first. */
export async function listMyLeads(deps: ServiceDeps, memberId: string): Promise<LeadRow[]> {
  return deps.db
    .select()
    .from(leads)
    .where(and(eq(leads.assigneeId, memberId), inArray(leads.state, OPEN_LEAD_STATES)))
    .orderBy(asc(leads.receivedAt));
}

/** Open leads past any of their deadlines at `now`. */
export async function listOverdueLeads(deps: ServiceDeps, now: Date): Promise<LeadRow[]> {
  const t = now.getTime();
  return deps.db
    .select()
    .from(leads)
    .where(
      and(
        inArray(leads.state, OPEN_LEAD_STATES),
        or(and(eq(leads.state, "new"), lt(leads.ackBy, t)), and(inArray(leads.state, ["new", "acknowledged"]), lt(leads.acceptBy, t)), lt(leads.finishBy, t)),
      ),
    )
    .orderBy(asc(leads.ackBy));
}

export async function decryptLeadSummary(deps: ServiceDeps, lead: LeadRow): Promise<string> {
  return decryptText(deps.keys, lead.summaryEnc, `lead:${lead.id}:summary`);
}

export function parseEscalations(lead: LeadRow): EscalationState {
  try {
    return { ack: 0, accept: 0, finish: 0, ...(JSON.parse(lead.escalations) as Partial<EscalationState>) };
  } catch {
    return { ack: 0, accept: 0, finish: 0 };
  }
}

export async function cardMessageFor(deps: ServiceDeps, leadId: string, platform: string, chatId: string): Promise<string | null> {
  const row = await deps.db.query.chatCards.findFirst({ where: and(eq(chatCards.leadId, leadId), eq(chatCards.platform, platform), eq(chatCards.chatId, chatId)) });
  return row?.messageId ?? null;
}


/**
 * When a tipster writes (typically answering "Ask the tipster"), the team sees it in the lead's thread,
 * scrubbed of identity and contact, labelled with the tip's number. Replies that arrive while one is
 * waiting to go join it as one digest (one pending row per report and chat, rendered at delivery from
 * the replies not relayed yet; see lead-cards.ts), so a burst from one receipt is one post, not forty.
 */
export async function tipsterReplyStatements(deps: ServiceDeps, input: { reportId: string; messageId: string }): Promise<unknown[]> {
  const link = await deps.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, input.reportId) });
  const lead = link ? await getLead(deps, link.leadId) : null;
  const team = lead?.teamId ? (await currentOrg(deps)).teamById.get(lead.teamId) : undefined;
  if (!lead || !team) return [];
  return [
    enqueueStatement(deps, {
      dedupeKey: `tipster-reply:${input.messageId}`,
      coalesceKey: `tipster-digest:${input.reportId}:${team.platform}:${team.chatId}`, // tipsterDigestKey (lead-cards.ts)
      platform: team.platform as Platform,
      chatId: team.chatId,
      kind: "digest",
      leadId: lead.id,
      // No text here: the digest is rendered (and scrubbed) from the encrypted messages when it goes.
      payload: { digest: { reportId: input.reportId, leadId: lead.id } },
    }),
  ];
}
