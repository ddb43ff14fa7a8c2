// Lead commands from chat, pages and the CLI (acknowledge, accept, decline, investigate, conclude):
// read in one batch, planned without I/O, written as one versioned batch that a redelivery or a
// concurrent change cannot apply twice.
import { and, eq } from "drizzle-orm";
import { newId } from "../../core/ids";
import { applyLeadCommand, isLeadOpen, type LeadCommand, type LeadCommandRefusal, type LeadState } from "../../core/lead-lifecycle";
import type { RewardRules } from "../../core/rewards/policy";
import { elapsedFigures } from "../../core/statistics/elapsed";
import { asBatch } from "../../db/client";
import { failedConstraint, retryBusy, retryBusyWrite } from "../../db/retry";
import { chatCards, events, leadReports, leads, leadVersions, reportMessages, reports, reportTimeline, rewardClaims, type LeadRow, type NewEventRow, type RewardClaimRow } from "../../db/schema";
import { inJsonArray } from "../../db/chunk";
import { encryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { eventRow } from "../events";
import { orgSnapshot, orgVersionOf, orgVersionQuery } from "../org/org-cache";
import { rewardEligibilityStatements, type RewardTip } from "../rewards/eligibility";
import { rewardRulesOf, rewardRulesQuery } from "../rewards/rules";
import { cardEnqueue } from "./lead-card-queue";
import { asActor, mayHandleLead, nextEscalationTime, parseEscalations, type MemberActor } from "./lead-model";
import { getLead } from "./reads";
import { logRefusalRow } from "./refusals";

export type CommandResult =
  | { status: "done"; lead: LeadRow; from: LeadState; to: LeadState }
  | { status: "duplicate" }
  /** `changedMeanwhile`: a concurrent change to the lead won; nothing of this one was written. */
  | { status: "unchanged"; lead: LeadRow; changedMeanwhile?: boolean }
  | { status: "refused"; reason: "not_permitted" | "unknown_lead" | LeadCommandRefusal; lead?: LeadRow };

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
  // The elapsed working time to each event, kept on the lead for the statistics' percentiles (0020).
  const elapsed = elapsedFigures(
    { receivedAt: lead.receivedAt, acknowledgedAt: set.acknowledgedAt ?? lead.acknowledgedAt, decidedAt: set.acceptedAt ?? lead.acceptedAt, closedAt: set.closedAt ?? lead.closedAt, ackBy: lead.ackBy },
    { cal: org.policy.calendar, wh: org.policy.workingHours, policy: org.policy.deadlines },
  );
  if (lead.ackWorkHours == null && elapsed.ackWorkHours != null) set.ackWorkHours = elapsed.ackWorkHours;
  if (lead.decideWorkDays == null && elapsed.decideWorkDays != null) set.decideWorkDays = elapsed.decideWorkDays;
  if (lead.closeWorkDays == null && elapsed.closeWorkDays != null) set.closeWorkDays = elapsed.closeWorkDays;
  if (result.outcome) set.outcome = result.outcome;
  if (result.amountFen !== null) set.substantiatedAmountFen = result.amountFen;
  if (result.figures) {
    set.recoveredFen = result.figures.recoveredFen;
    set.fineFen = result.figures.fineFen;
    set.measures = JSON.stringify(result.figures.measures);
  }
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
        data: JSON.stringify({ outcome: result.outcome, amountFen: result.amountFen, ...(result.figures ?? {}), ...(reason ? { reasonGiven: true } : {}) }),
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
export function dedupeKeyUsed(db: ServiceDeps["db"], dedupeKey: string) {
  return db.select({ id: events.id }).from(events).where(eq(events.dedupeKey, dedupeKey)).limit(1);
}
