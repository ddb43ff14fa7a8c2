// Leads (线索): created from tips (clustered by institution and violation type), screening batches and
// hotline calls; routed to the most specific team; worked from chat with every step logged; their cards
// are kept current in the team's chat through the outbox.
import { and, asc, count, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import { findClusterLead, institutionKey } from "../../core/clustering";
import { computeLeadDeadlines, DEFAULT_DEADLINE_POLICY, type DeadlinePolicy, type EscalationState } from "../../core/deadlines";
import { detectFocusAreas } from "../../core/focus-areas";
import { findFocusItems } from "../../core/focus-list";
import { newId } from "../../core/ids";
import { applyLeadCommand, isLeadOpen, type LeadCommand, type LeadState } from "../../core/lead-lifecycle";
import { routeLead, type RoutingMember, type RoutingTeam } from "../../core/routing";
import { excerpt, scrubText } from "../../core/scrub";
import { createWorkCalendar, type WorkCalendar, type WorkingHours } from "../../core/work-calendar";
import type { ReporterIdentity } from "../../core/report-input";
import { asBatch } from "../../db/client";
import { calendarDays, chatCards, events, leadReports, leads, members, reportMessages, reports, reportTimeline, teams, type LeadRow, type MemberRow, type TeamRow } from "../../db/schema";
import type { Platform } from "../../chat/types";
import { decryptText, encryptText } from "../../security/cipher";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { enqueueStatement } from "../delivery/outbox";
import { eventRow, isUniqueViolation, parseJsonList, type Actor } from "../events";
export { eventRow } from "../events";

export const OPEN_LEAD_STATES: LeadState[] = ["new", "acknowledged", "accepted", "investigating"];
export const SUMMARY_CHARS = 280;

export interface LeadPolicy {
  calendar: WorkCalendar;
  workingHours: WorkingHours;
  deadlines: DeadlinePolicy;
  clusterWindowDays: number;
}

/** The calendar with the installation's own additions (calendar_days) over the official one. */
export async function loadLeadPolicy(deps: ServiceDeps): Promise<LeadPolicy> {
  const extra = await deps.db.select().from(calendarDays);
  return {
    calendar: createWorkCalendar({
      holidays: extra.filter((d) => d.kind === "holiday").map((d) => d.date),
      workdays: extra.filter((d) => d.kind === "workday").map((d) => d.date),
    }),
    workingHours: { start: deps.config.WORKING_HOURS.slice(0, 5), end: deps.config.WORKING_HOURS.slice(6) },
    deadlines: {
      ...DEFAULT_DEADLINE_POLICY,
      ackWorkingHours: deps.config.LEAD_ACK_WORKING_HOURS,
      acceptWorkingDays: deps.config.LEAD_ACCEPT_WORKING_DAYS,
      finishWorkingDays: deps.config.LEAD_FINISH_WORKING_DAYS,
      escalationStepWorkingHours: deps.config.ESCALATION_STEP_WORKING_HOURS,
    },
    clusterWindowDays: deps.config.CLUSTER_WINDOW_DAYS,
  };
}

async function routingInputs(deps: ServiceDeps): Promise<{ teams: RoutingTeam[]; members: RoutingMember[]; teamRows: TeamRow[] }> {
  const teamRows = await deps.db.select().from(teams);
  const memberRows = await deps.db.select().from(members);
  const open = await deps.db
    .select({ assigneeId: leads.assigneeId, n: count() })
    .from(leads)
    .where(inArray(leads.state, OPEN_LEAD_STATES))
    .groupBy(leads.assigneeId);
  const openBy = new Map(open.map((o) => [o.assigneeId, o.n]));
  return {
    teamRows,
    teams: teamRows.map((t) => ({
      id: t.id,
      regionCode: t.regionCode,
      focusAreas: parseJsonList(t.focusAreas),
      violationTypes: parseJsonList(t.violationTypes),
      isCoordinators: t.isCoordinators,
      active: t.active,
    })),
    members: memberRows
      .filter((m) => m.teamId)
      .map((m) => ({ id: m.id, teamId: m.teamId!, role: m.role as RoutingMember["role"], active: m.active, openLeads: openBy.get(m.id) ?? 0 })),
  };
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

function cardEnqueue(deps: ServiceDeps, lead: { id: string; version: number }, team: TeamRow | undefined) {
  if (!team) return [];
  return [
    enqueueStatement(deps, {
      dedupeKey: `card:${lead.id}:${team.platform}:${team.chatId}:v${lead.version}`,
      platform: team.platform as Platform,
      chatId: team.chatId,
      kind: "card",
      leadId: lead.id,
      payload: { leadId: lead.id },
    }),
  ];
}

/**
 * Plans the lead for a new tip, batch record or call: either corroborates an open lead about the same
 * institution and violation type, or creates and routes a new one. Returns statements for the
 * caller's batch so the lead is stored atomically with its source.
 */
export async function planLead(deps: ServiceDeps, seed: LeadSeed, actor: Actor): Promise<PlannedLead> {
  const policy = await loadLeadPolicy(deps);
  const now = deps.now().getTime();
  const key = institutionKey(seed.targetName);
  const windowStart = seed.receivedAt.getTime() - policy.clusterWindowDays * 86_400_000;
  const candidates = await deps.db
    .select()
    .from(leads)
    .where(and(eq(leads.institutionKey, key), eq(leads.violationType, seed.violationType), gte(leads.lastReportAt, windowStart)));
  const clusterId = findClusterLead(
    { institutionKey: key, violationType: seed.violationType, regionCode: seed.regionCode, at: seed.receivedAt },
    candidates.map((c) => ({
      leadId: c.id,
      institutionKey: c.institutionKey,
      violationType: c.violationType,
      regionCode: c.regionCode,
      lastReportAt: new Date(c.lastReportAt),
      open: isLeadOpen(c.state as LeadState),
    })),
    policy.clusterWindowDays,
  );
  const statements: unknown[] = [];
  const { teamRows, teams: routingTeams, members: routingMembers } = await routingInputs(deps);

  if (clusterId) {
    const lead = candidates.find((c) => c.id === clusterId)!;
    const version = lead.version + 1;
    statements.push(
      deps.db
        .update(leads)
        .set({ corroborationCount: sql`${leads.corroborationCount} + 1`, lastReportAt: seed.receivedAt.getTime(), version: sql`${leads.version} + 1`, updatedAt: now })
        .where(eq(leads.id, lead.id)),
    );
    if (seed.reportId) statements.push(deps.db.insert(leadReports).values({ leadId: lead.id, reportId: seed.reportId, addedAt: now }));
    statements.push(
      deps.db.insert(events).values(
        eventRow(actor, {
          occurredAt: now,
          entityType: "lead",
          entityId: lead.id,
          action: "lead.corroborated",
          data: JSON.stringify({ reportId: seed.reportId ?? null, source: seed.source, corroborationCount: lead.corroborationCount + 1 }),
        }),
      ),
    );
    statements.push(...cardEnqueue(deps, { id: lead.id, version }, teamRows.find((t) => t.id === lead.teamId)));
    return { leadId: lead.id, created: false, statements };
  }

  const focusAreas = detectFocusAreas(`${seed.targetName} ${seed.description}`);
  const focusItems = findFocusItems(seed.description).map((i) => i.name);
  const route = routeLead({ regionCode: seed.regionCode, focusAreas, violationType: seed.violationType }, routingTeams, routingMembers);
  const deadlines = computeLeadDeadlines(policy.calendar, policy.workingHours, seed.receivedAt, policy.deadlines);
  const identity = seed.identity ?? undefined;
  const summary = excerpt(scrubText(seed.description, identity ? { names: [identity.name], phones: [identity.phone], idNumbers: [identity.idNumber] } : undefined), SUMMARY_CHARS);
  const leadId = newId("L").replace("L_", "L-").slice(0, 12);
  statements.push(
    deps.db.insert(leads).values({
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
      state: "new",
      receivedAt: seed.receivedAt.getTime(),
      lastReportAt: seed.receivedAt.getTime(),
      ackBy: deadlines.ackBy.getTime(),
      acceptBy: deadlines.acceptBy.getTime(),
      finishBy: deadlines.finishBy.getTime(),
      createdAt: now,
      updatedAt: now,
    }),
  );
  if (seed.reportId) statements.push(deps.db.insert(leadReports).values({ leadId, reportId: seed.reportId, addedAt: now }));
  statements.push(
    deps.db.insert(events).values(
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
  statements.push(...cardEnqueue(deps, { id: leadId, version: 1 }, teamRows.find((t) => t.id === route.teamId)));
  return { leadId, created: true, statements };
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
  | { status: "unchanged"; lead: LeadRow }
  | { status: "refused"; reason: "not_permitted" | "unknown_lead" | "invalid_transition" | "reason_required" | "amount_required" | "amount_invalid"; lead?: LeadRow };

/**
 * Applies a state command (acknowledge, accept, decline, investigate, conclude). `dedupeKey` (the
 * platform's update id or action timestamp) makes a redelivered update take effect once.
 */
export async function runLeadCommand(
  deps: ServiceDeps,
  input: { leadId: string; command: LeadCommand; actor: MemberActor; dedupeKey: string },
): Promise<CommandResult> {
  const lead = await getLead(deps, input.leadId);
  const actor = asActor(input.actor);
  const now = deps.now().getTime();
  if (!lead) return { status: "refused", reason: "unknown_lead" };
  if (!mayHandleLead(input.actor.member, lead)) {
    await logRefusal(deps, actor, lead.id, input.command.type, "not_permitted", input.dedupeKey);
    return { status: "refused", reason: "not_permitted", lead };
  }
  const from = lead.state as LeadState;
  const result = applyLeadCommand(from, input.command);
  if (!result.ok) return { status: "refused", reason: result.reason, lead };
  if (result.state === from && input.command.type !== "conclude") return { status: "unchanged", lead };

  const version = lead.version + 1;
  const reason = input.command.type === "decline" ? input.command.reason.trim() : null;
  const set: Partial<typeof leads.$inferInsert> = { state: result.state, version, updatedAt: now };
  if (result.state !== "new" && !lead.acknowledgedAt) set.acknowledgedAt = now;
  if ((result.state === "accepted" || result.state === "investigating") && !lead.acceptedAt) set.acceptedAt = now;
  if (result.state === "concluded" || result.state === "not_accepted") set.closedAt = now;
  if (result.outcome) set.outcome = result.outcome;
  if (result.amountFen !== null) set.substantiatedAmountFen = result.amountFen;
  if (reason) set.declineReasonEnc = await encryptText(deps.keys, reason, `lead:${lead.id}:decline_reason`);

  const linked = await deps.db.select({ reportId: leadReports.reportId }).from(leadReports).where(eq(leadReports.leadId, lead.id));
  const team = lead.teamId ? await deps.db.query.teams.findFirst({ where: eq(teams.id, lead.teamId) }) : undefined;
  const statements: unknown[] = [
    // Optimistic: a concurrent change (another press) bumps the version and this update then matches nothing.
    deps.db.update(leads).set(set).where(and(eq(leads.id, lead.id), eq(leads.version, lead.version))),
    deps.db.insert(events).values(
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
    ...cardEnqueue(deps, { id: lead.id, version }, team),
  ];
  // The tipster's status page follows the lead.
  for (const { reportId } of linked) {
    const report = await deps.db.query.reports.findFirst({ columns: { status: true }, where: eq(reports.id, reportId) });
    if (!report || report.status === result.reportStatus) continue;
    // A tip declined on its own (leads/tips.ts) keeps its own outcome whatever the lead does next.
    if (report.status === "not_accepted") continue;
    statements.push(
      deps.db.update(reports).set({ status: result.reportStatus, outcome: result.outcome, updatedAt: now }).where(eq(reports.id, reportId)),
      deps.db.insert(reportTimeline).values({ id: newId("tl"), reportId, createdAt: now, kind: "status_changed", status: result.reportStatus, outcome: result.outcome }),
      deps.db.insert(events).values(
        eventRow(actor, { occurredAt: now, entityType: "report", entityId: reportId, action: "report.status_changed", fromState: report.status, toState: result.reportStatus, data: JSON.stringify({ leadId: lead.id }) }),
      ),
    );
    // A report that is not accepted is answered with the reasons (2018 rules): the tipster reads them on the status page.
    if (reason) {
      const messageId = newId("msg");
      statements.push(
        deps.db.insert(reportMessages).values({
          id: messageId,
          reportId,
          createdAt: now,
          authorType: "investigator",
          authorRef: input.actor.member.id,
          inReplyTo: null,
          bodyEnc: await encryptText(deps.keys, reason, `message:${messageId}:body`),
        }),
        deps.db.insert(reportTimeline).values({ id: newId("tl"), reportId, createdAt: now, kind: "investigator_message" }),
      );
    }
  }
  if (!(await batchOnce(deps, statements))) return { status: "duplicate" };
  const updated = (await getLead(deps, lead.id))!;
  if (updated.version !== version) return { status: "unchanged", lead: updated };
  return { status: "done", lead: updated, from, to: result.state };
}

/** Runs a batch that carries a dedupe key; false when that key was already used (nothing written). */
async function batchOnce(deps: ServiceDeps, statements: unknown[]): Promise<boolean> {
  try {
    await deps.db.batch(asBatch(statements));
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
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

/** Reassigns a lead (team lead or coordinator) to another active member. */
export async function reassignLead(deps: ServiceDeps, input: { leadId: string; toMemberId: string; actor: MemberActor; dedupeKey: string }): Promise<CommandResult> {
  const lead = await getLead(deps, input.leadId);
  if (!lead) return { status: "refused", reason: "unknown_lead" };
  const m = input.actor.member;
  const allowed = m.role === "coordinator" || (m.role === "team_lead" && m.teamId === lead.teamId);
  if (!allowed) return { status: "refused", reason: "not_permitted", lead };
  const target = await deps.db.query.members.findFirst({ where: and(eq(members.id, input.toMemberId), eq(members.active, true)) });
  if (!target || !target.teamId) return { status: "refused", reason: "invalid_transition", lead };
  const now = deps.now().getTime();
  const version = lead.version + 1;
  const newTeam = await deps.db.query.teams.findFirst({ where: eq(teams.id, target.teamId) });
  const statements: unknown[] = [
    deps.db.update(leads).set({ assigneeId: target.id, teamId: target.teamId, version, updatedAt: now }).where(and(eq(leads.id, lead.id), eq(leads.version, lead.version))),
    deps.db.insert(events).values(
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
    ...cardEnqueue(deps, { id: lead.id, version }, newTeam),
  ];
  if (newTeam && lead.teamId !== target.teamId) {
    const oldTeam = lead.teamId ? await deps.db.query.teams.findFirst({ where: eq(teams.id, lead.teamId) }) : undefined;
    statements.push(...cardEnqueue(deps, { id: lead.id, version }, oldTeam));
  }
  if (!(await batchOnce(deps, statements))) return { status: "duplicate" };
  const updated = (await getLead(deps, lead.id))!;
  return { status: "done", lead: updated, from: lead.state as LeadState, to: updated.state as LeadState };
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
 * When a tipster writes (typically answering "Ask the tipster"), the team sees it in the lead's thread:
 * scrubbed of identity and contact, as a reply to the card.
 */
export async function tipsterReplyStatements(deps: ServiceDeps, input: { reportId: string; messageId: string; body: string; identity?: ReporterIdentity | null }): Promise<unknown[]> {
  const link = await deps.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, input.reportId) });
  const lead = link ? await getLead(deps, link.leadId) : null;
  const team = lead?.teamId ? await deps.db.query.teams.findFirst({ where: eq(teams.id, lead.teamId) }) : undefined;
  if (!lead || !team) return [];
  const locale = team.locale === "en" ? "en" : "zh-CN";
  const known = input.identity ? { names: [input.identity.name], phones: [input.identity.phone], idNumbers: [input.identity.idNumber] } : undefined;
  const card = await cardMessageFor(deps, lead.id, team.platform, team.chatId);
  // Labelled with the tip's number in the lead, so the team knows which tipster answered (and whose question).
  const [{ tipNo } = { tipNo: 1 }] = await deps.db
    .select({ tipNo: count() })
    .from(leadReports)
    .where(and(eq(leadReports.leadId, lead.id), sql`(${leadReports.addedAt}, ${leadReports.reportId}) <= (${link!.addedAt}, ${link!.reportId})`));
  return [
    enqueueStatement(deps, {
      dedupeKey: `tipster-reply:${input.messageId}`,
      platform: team.platform as Platform,
      chatId: team.chatId,
      kind: "text",
      leadId: lead.id,
      payload: { message: { kind: "text", text: t(locale, "chat.tipster_replied", { id: lead.id, tip: tipNo, text: excerpt(scrubText(input.body, known), 1000) }), ...(card ? { replyToMessageId: card } : {}) } },
    }),
  ];
}
