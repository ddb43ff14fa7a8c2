// In-memory copy of what rarely changes (teams, members' routing fields, the work calendar, the lead
// policy), reloaded only when app_state.org_version (bumped by triggers) differs from the copy's.
import { eq } from "drizzle-orm";
import { DEFAULT_DEADLINE_POLICY, type DeadlinePolicy } from "../../core/deadlines";
import type { RoutingTeam } from "../../core/routing";
import { createWorkCalendar, type WorkCalendar, type WorkingHours } from "../../core/work-calendar";
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { appState, calendarDays, members, teams, type MemberRow, type TeamRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { parseJsonList } from "../events";

export interface LeadPolicy {
  calendar: WorkCalendar;
  workingHours: WorkingHours;
  deadlines: DeadlinePolicy;
  clusterWindowDays: number;
}

export interface OrgSnapshot {
  /** app_state.org_version this copy was read at. */
  version: string;
  teams: TeamRow[];
  teamById: Map<string, TeamRow>;
  routingTeams: RoutingTeam[];
  /** The active coordinators' destination (escalations, unrouted leads). */
  coordinators: TeamRow | undefined;
  /** Members as of `version`; their open_leads is NOT kept current here (read it fresh). */
  memberById: Map<string, MemberRow>;
  /** Display names of each team's active team leads. */
  teamLeadNames: Map<string, string[]>;
  policy: LeadPolicy;
}

interface CacheEntry {
  snapshot: OrgSnapshot | null;
  config: Config | null;
  /** Single flight: concurrent requests that notice a new version share one reload. */
  loading: Promise<OrgSnapshot> | null;
}

// Keyed by the database handle: one per process or Worker isolate, and one per test context.
const cache = new WeakMap<Db, CacheEntry>();

/** The statement reading the current org version; put it in the same read batch as the request's own reads. */
export function orgVersionQuery(db: Db) {
  return db.select({ value: appState.value }).from(appState).where(eq(appState.key, "org_version"));
}

/** The version out of that statement's result ("0" when the row is missing, e.g. before migration 0004). */
export function orgVersionOf(rows: { value: string }[]): string {
  return rows[0]?.value ?? "0";
}

/** Drops this process's copy: called right after our own org writes, so they show at once here. */
export function invalidateOrgCache(db: Db): void {
  cache.delete(db);
}

export function leadPolicyFrom(config: Config, extraDays: { date: string; kind: string }[]): LeadPolicy {
  return {
    calendar: createWorkCalendar({
      holidays: extraDays.filter((d) => d.kind === "holiday").map((d) => d.date),
      workdays: extraDays.filter((d) => d.kind === "workday").map((d) => d.date),
    }),
    workingHours: { start: config.WORKING_HOURS.slice(0, 5), end: config.WORKING_HOURS.slice(6) },
    deadlines: {
      ...DEFAULT_DEADLINE_POLICY,
      ackWorkingHours: config.LEAD_ACK_WORKING_HOURS,
      acceptWorkingDays: config.LEAD_ACCEPT_WORKING_DAYS,
      finishWorkingDays: config.LEAD_FINISH_WORKING_DAYS,
      escalationStepWorkingHours: config.ESCALATION_STEP_WORKING_HOURS,
    },
    clusterWindowDays: config.CLUSTER_WINDOW_DAYS,
  };
}

async function load(deps: ServiceDeps): Promise<OrgSnapshot> {
  // One round trip, one consistent read: the version comes from the same transaction as the rows.
  const [versionRows, teamRows, memberRows, extraDays] = await deps.db.batch([
    orgVersionQuery(deps.db),
    deps.db.select().from(teams),
    deps.db.select().from(members),
    deps.db.select().from(calendarDays),
  ]);
  const teamLeadNames = new Map<string, string[]>();
  for (const m of memberRows) {
    if (m.teamId && m.role === "team_lead" && m.active) teamLeadNames.set(m.teamId, [...(teamLeadNames.get(m.teamId) ?? []), m.displayName]);
  }
  return {
    version: orgVersionOf(versionRows),
    teams: teamRows,
    teamById: new Map(teamRows.map((t) => [t.id, t])),
    routingTeams: teamRows.map((t) => ({
      id: t.id,
      regionCode: t.regionCode,
      focusAreas: parseJsonList(t.focusAreas),
      violationTypes: parseJsonList(t.violationTypes),
      isCoordinators: t.isCoordinators,
      active: t.active,
    })),
    coordinators: teamRows.filter((t) => t.isCoordinators && t.active).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0],
    memberById: new Map(memberRows.map((m) => [m.id, m])),
    teamLeadNames,
    policy: leadPolicyFrom(deps.config, extraDays),
  };
}

/**
 * The organisation as of `seenVersion` (read by the caller in its own read batch): the cached copy
 * when it is that version, otherwise a fresh load (one round trip). Without a version, the cached copy
 * is returned as is if there is one: only for paths that read the version elsewhere or tolerate a
 * copy a few seconds old.
 */
export async function orgSnapshot(deps: ServiceDeps, seenVersion?: string): Promise<OrgSnapshot> {
  let entry = cache.get(deps.db);
  if (!entry || entry.config !== deps.config) {
    entry = { snapshot: null, config: deps.config, loading: null };
    cache.set(deps.db, entry);
  }
  const current = entry.snapshot;
  if (current && (seenVersion === undefined || current.version === seenVersion)) return current;
  let loading = entry.loading;
  if (!loading) {
    const e = entry;
    loading = e.loading = load(deps).then(
      (snapshot) => {
        if (cache.get(deps.db) === e) e.snapshot = snapshot;
        e.loading = null;
        return snapshot;
      },
      (err) => {
        e.loading = null;
        throw err;
      },
    );
  }
  const loaded = await loading;
  // A reload that began before the caller read its version can be older than it: read again once.
  if (seenVersion !== undefined && Number(loaded.version) < Number(seenVersion)) {
    const fresh = await load(deps);
    if (cache.get(deps.db) === entry) entry.snapshot = fresh;
    return fresh;
  }
  return loaded;
}

/** The current organisation, checking the version first (one round trip when the copy is current). */
export async function currentOrg(deps: ServiceDeps): Promise<OrgSnapshot> {
  return orgSnapshot(deps, orgVersionOf(await orgVersionQuery(deps.db)));
}
