// Lead planning: a new tip, batch record or call either corroborates the open lead holding its cluster
// slot or creates and routes a new lead; commitLead writes the plan atomically, re-planning lost races.
import { and, eq, inArray, sql } from "drizzle-orm";
import { clusterSlot, decideCluster, institutionKey } from "../../core/clustering";
import { computeLeadDeadlines, type EscalationState } from "../../core/deadlines";
import { detectFocusAreas } from "../../core/focus-areas";
import { findFocusItems } from "../../core/focus-list";
import { newId } from "../../core/ids";
import { isLeadOpen, type LeadState } from "../../core/lead-lifecycle";
import { coveringTeamIds, routeLead, type RoutingMember } from "../../core/routing";
import { excerpt, knownIdentityOf, scrubText } from "../../core/scrub";
import type { ReporterIdentity } from "../../core/report-input";
import { asBatch } from "../../db/client";
import { DEFAULT_BUSY_BUDGET_MS, failedConstraint, retryBusy, retryBusyWrite } from "../../db/retry";
import { events, leadReports, leads, leadVersions, members } from "../../db/schema";
import { encryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { eventRow, type Actor } from "../events";
import { orgSnapshot, orgVersionOf, orgVersionQuery } from "../org/org-cache";
import { cardEnqueue } from "./lead-card-queue";
import { nextEscalationTime, SUMMARY_CHARS } from "./lead-model";

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

/** The lead columns planning reads about the slot holder (one index lookup on leads_cluster_slot_uq). */
const slotHolderColumns = {
  id: leads.id,
  state: leads.state,
  version: leads.version,
  teamId: leads.teamId,
  lastReportAt: leads.lastReportAt,
};

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
