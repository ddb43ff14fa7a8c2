// The workspace overview (/staff) for one member: my open leads and what is due; for a team lead the
// team's, for a coordinator all open and overdue leads; batches awaiting feedback, campaign deliverables
// due this week and late units, claims waiting for me — each section only for the roles that do that
// work (same need-to-know as chat: an inspector sees their own leads only). Every figure is an index
// range or a bounded read (overview-leads.ts, overview-work.ts; indexes in migration 0017).
import { endOfShanghaiWeek } from "../../core/lead-due";
import type { MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { orgSnapshot } from "../org/org-cache";
import { countRewardClaimsWaitingFor, rewardClaimsWaitingFor, type QueueClaim } from "../rewards/review-queue";
import { leadFigureQueries, leadFiguresFrom, type LeadFigures, type OverviewLead } from "./overview-leads";
import { batchesAwaitingFeedback, campaignWork, type BatchAwaiting, type CampaignWork } from "./overview-work";

/** Leads, batches, units and claims listed per section (the counts cover all). */
export const OVERVIEW_FIRST = 10;

export interface Overview {
  now: number;
  mine: LeadFigures | null;
  team: (LeadFigures & { teamName: string }) | null;
  all: LeadFigures | null;
  batches: { count: number; first: BatchAwaiting[] } | null;
  campaigns: (CampaignWork & { weekEnd: number }) | null;
  claims: { count: number; first: QueueClaim[] } | null;
  /** Member and team names for the leads listed (never ids in what a person reads). */
  memberNames: Map<string, string>;
  teamNames: Map<string, string>;
}

const LEAD_ROLES = new Set(["inspector", "team_lead", "coordinator"]);

export async function loadOverview(deps: ServiceDeps, member: MemberRow): Promise<Overview> {
  const now = deps.now().getTime();
  const limit = OVERVIEW_FIRST;
  const role = member.active ? member.role : "";
  const coordinator = role === "coordinator";
  const teamLead = role === "team_lead" && member.teamId !== null;
  const reviewer = coordinator || role === "finance";

  // The lead figures of every scope in one batch (one round trip to a remote database).
  const scopes = [
    ...(LEAD_ROLES.has(role) ? [{ key: "mine" as const, scope: { kind: "mine" as const, memberId: member.id } }] : []),
    ...(teamLead ? [{ key: "team" as const, scope: { kind: "team" as const, teamId: member.teamId! } }] : []),
    ...(coordinator ? [{ key: "all" as const, scope: { kind: "all" as const } }] : []),
  ];
  const queries = scopes.flatMap((s) => leadFigureQueries(deps, s.scope, now, limit));
  const weekEnd = endOfShanghaiWeek(now);
  const [leadResults, org, batches, campaigns, claimCount, claimsFirst] = await Promise.all([
    queries.length ? deps.db.batch(queries as unknown as [(typeof queries)[number], ...(typeof queries)[number][]]) : Promise.resolve([] as unknown[]),
    orgSnapshot(deps),
    coordinator || teamLead ? batchesAwaitingFeedback(deps, { teamId: coordinator ? null : member.teamId, limit }) : Promise.resolve(null),
    coordinator ? campaignWork(deps, { now, weekEnd, limit }) : Promise.resolve(null),
    reviewer ? countRewardClaimsWaitingFor(deps, member) : Promise.resolve(0),
    reviewer ? rewardClaimsWaitingFor(deps, member, limit) : Promise.resolve([] as QueueClaim[]),
  ]);
  const figures = new Map(scopes.map((s, i) => [s.key, leadFiguresFrom((leadResults as unknown[]).slice(i * 3, i * 3 + 3), now)]));
  const listed: OverviewLead[] = [...figures.values()].flatMap((f) => f.first);
  const memberNames = new Map<string, string>();
  const teamNames = new Map<string, string>();
  for (const l of listed) {
    if (l.assigneeId) memberNames.set(l.assigneeId, org.memberById.get(l.assigneeId)?.displayName ?? "—");
    if (l.teamId) teamNames.set(l.teamId, org.teamById.get(l.teamId)?.name ?? "—");
  }
  const team = figures.get("team");
  return {
    now,
    mine: figures.get("mine") ?? null,
    team: team ? { ...team, teamName: org.teamById.get(member.teamId!)?.name ?? "—" } : null,
    all: figures.get("all") ?? null,
    batches,
    campaigns: campaigns ? { ...campaigns, weekEnd } : null,
    claims: reviewer ? { count: claimCount, first: claimsFirst } : null,
    memberNames,
    teamNames,
  };
}
