// The workspace's list of leads: what a member may see (an inspector the leads assigned to them, a team
// lead their team's, a coordinator all), filtered, newest first, 100 a page by keyset on
// (received_at, id). Each page is one read of one index chosen here (INDEXED BY: a filter with no
// usable index fails loudly instead of scanning the table), never an OFFSET or a count.
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { LEAD_STATES } from "../../core/lead-lifecycle";
import { VIOLATION_TYPES } from "../../core/taxonomy";
import type { MemberRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { currentOrg } from "../org/org-cache";
import { OPEN_LEAD_STATES } from "./lead-model";

export const LEAD_LIST_PAGE = 100;
export const LEAD_LIST_SOURCES = ["tip", "batch", "hotline"] as const;

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A blank field is no filter (an unfilled form sends `state=`). */
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());
const date = z.string().regex(DATE).refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "not a date");

/** The list's query string: every filter optional, each value from a closed set or a strict pattern. */
export const leadListFiltersSchema = z.object({
  state: optional(z.enum([...LEAD_STATES, "open"])),
  team: optional(z.string().regex(ID)),
  assignee: optional(z.string().regex(ID)),
  source: optional(z.enum(LEAD_LIST_SOURCES)),
  region: optional(z.string().regex(/^\d{6}$/)),
  type: optional(z.enum(VIOLATION_TYPES as [string, ...string[]])),
  overdue: optional(z.literal("1")),
  from: optional(date),
  to: optional(date),
  /** The keyset cursor: the last row of the page before, `<received_at>.<id>`. */
  after: optional(z.string().regex(/^\d{1,15}\.[A-Za-z0-9_-]{1,64}$/)),
});
export type LeadListFilters = z.infer<typeof leadListFiltersSchema>;

/** Who sees which leads: the same circle that may handle them (mayHandleLead). */
export type LeadListScope = { kind: "all" } | { kind: "team"; teamId: string } | { kind: "assignee"; memberId: string };

export function leadListScope(member: MemberRow): LeadListScope | null {
  if (!member.active) return null;
  if (member.role === "coordinator") return { kind: "all" };
  if (member.role === "team_lead" && member.teamId) return { kind: "team", teamId: member.teamId };
  if (member.role === "inspector" || member.role === "team_lead") return { kind: "assignee", memberId: member.id };
  return null;
}

/** The filters a member's scope offers: a coordinator picks team and assignee, a team lead the assignee. */
export function offeredFilters(scope: LeadListScope): { team: boolean; assignee: boolean } {
  return { team: scope.kind === "all", assignee: scope.kind !== "assignee" };
}

const OPEN_IN = sql.raw(`state IN (${OPEN_LEAD_STATES.map((s) => `'${s}'`).join(", ")})`);

/** Midnight in Shanghai of a YYYY-MM-DD date, in epoch ms. */
const shanghaiMidnight = (d: string) => Date.parse(`${d}T00:00:00Z`) - SHANGHAI_OFFSET_MS;

/**
 * The page's SQL and the index it reads: the most selective equality the filters give (assignee,
 * team, state, district, type, open, source) leads, with (received_at, id) after it as the range and
 * the order; every other filter is checked on the rows that index yields.
 */
export function leadListQuery(scope: LeadListScope, filters: LeadListFilters, now: number): { query: SQL; index: string } {
  const assignee = scope.kind === "assignee" ? scope.memberId : filters.assignee;
  const team = scope.kind === "team" ? scope.teamId : scope.kind === "all" ? filters.team : undefined;
  const exactState = filters.state && filters.state !== "open" ? filters.state : undefined;
  const district = filters.region && !filters.region.endsWith("00") ? filters.region : undefined;
  const conds: SQL[] = [];
  if (assignee !== undefined) conds.push(sql`assignee_id = ${assignee}`);
  if (team !== undefined) conds.push(sql`team_id = ${team}`);
  if (exactState) conds.push(sql`state = ${exactState}`);
  if (filters.state === "open" || filters.overdue) conds.push(OPEN_IN);
  if (filters.overdue)
    conds.push(sql`((state = 'new' AND ack_by < ${now}) OR (state IN ('new', 'acknowledged') AND accept_by < ${now}) OR finish_by < ${now})`);
  if (filters.source) conds.push(sql`source = ${filters.source}`);
  if (district) conds.push(sql`region_code = ${district}`);
  else if (filters.region) {
    // A province (xx0000) or a city (xxxx00): every code under it.
    const prefix = filters.region.endsWith("0000") ? filters.region.slice(0, 2) : filters.region.slice(0, 4);
    conds.push(sql`substr(region_code, 1, ${prefix.length}) = ${prefix}`);
  }
  if (filters.type) conds.push(sql`violation_type = ${filters.type}`);
  if (filters.from) conds.push(sql`received_at >= ${shanghaiMidnight(filters.from)}`);
  if (filters.to) conds.push(sql`received_at < ${shanghaiMidnight(filters.to) + DAY_MS}`);
  if (filters.after) {
    const dot = filters.after.indexOf(".");
    conds.push(sql`(received_at, id) < (${Number(filters.after.slice(0, dot))}, ${filters.after.slice(dot + 1)})`);
  }
  const index =
    assignee !== undefined
      ? exactState
        ? "leads_assignee_idx"
        : "leads_list_assignee_idx"
      : team !== undefined
        ? exactState
          ? "leads_team_idx"
          : "leads_list_team_idx"
        : exactState
          ? "leads_state_idx"
          : district
            ? "leads_list_region_idx"
            : filters.type
              ? "leads_list_type_idx"
              : filters.state === "open" || filters.overdue
                ? "leads_list_open_idx"
                : filters.source
                  ? "leads_list_source_idx"
                  : "leads_list_received_idx";
  const query = sql`SELECT id, source, violation_type, region_code, target_name, state, outcome, team_id, assignee_id, received_at, ack_by, accept_by, finish_by
    FROM leads INDEXED BY ${sql.raw(index)}
    WHERE ${conds.length ? sql.join(conds, sql` AND `) : sql`1`}
    ORDER BY received_at DESC, id DESC LIMIT ${LEAD_LIST_PAGE + 1}`;
  return { query, index };
}

export interface LeadListItem {
  id: string;
  source: string;
  violationType: string;
  regionCode: string;
  targetName: string;
  state: string;
  outcome: string | null;
  teamName: string | null;
  /** The assignee by name (null: unassigned). */
  assigneeName: string | null;
  receivedAt: number;
  overdue: boolean;
}

export interface LeadListPage {
  leads: LeadListItem[];
  /** The cursor of the next page, null on the last one. */
  next: string | null;
  scope: LeadListScope;
  /** The teams and members a coordinator or team lead may filter by, by name. */
  teams: { id: string; name: string }[];
  people: { id: string; name: string }[];
}

type Row = {
  id: string;
  source: string;
  violation_type: string;
  region_code: string;
  target_name: string;
  state: string;
  outcome: string | null;
  team_id: string | null;
  assignee_id: string | null;
  received_at: number;
  ack_by: number;
  accept_by: number;
  finish_by: number;
};

const isOverdue = (r: Row, now: number) =>
  (OPEN_LEAD_STATES as string[]).includes(r.state) && ((r.state === "new" && r.ack_by < now) || ((r.state === "new" || r.state === "acknowledged") && r.accept_by < now) || r.finish_by < now);

/** One page of the leads `member` may see (forbidden for members who handle no leads: finance, contacts). */
export async function listLeadsForMember(deps: ServiceDeps, member: MemberRow, filters: LeadListFilters): Promise<LeadListPage> {
  const scope = leadListScope(member);
  if (!scope) throw new AppError("forbidden", "this role handles no leads", { messageKey: "workspace.leads.no_leads_for_role" });
  const now = deps.now().getTime();
  const { query } = leadListQuery(scope, filters, now);
  const [rows, org] = await Promise.all([deps.db.all<Row>(query), currentOrg(deps)]);
  const page = rows.slice(0, LEAD_LIST_PAGE);
  const last = page.at(-1);
  const memberName = (id: string | null) => (id ? (org.memberById.get(id)?.displayName ?? null) : null);
  const offered = offeredFilters(scope);
  const handlers = [...org.memberById.values()].filter(
    (m) => m.active && (m.role === "inspector" || m.role === "team_lead") && (scope.kind === "all" || (scope.kind === "team" && m.teamId === scope.teamId)),
  );
  return {
    leads: page.map((r) => ({
      id: r.id,
      source: r.source,
      violationType: r.violation_type,
      regionCode: r.region_code,
      targetName: r.target_name,
      state: r.state,
      outcome: r.outcome,
      teamName: r.team_id ? (org.teamById.get(r.team_id)?.name ?? null) : null,
      assigneeName: memberName(r.assignee_id),
      receivedAt: Number(r.received_at),
      overdue: isOverdue(r, now),
    })),
    next: rows.length > LEAD_LIST_PAGE && last ? `${last.received_at}.${last.id}` : null,
    scope,
    teams: offered.team ? org.teams.filter((t) => t.active && !t.isCoordinators).map((t) => ({ id: t.id, name: t.name })) : [],
    people: offered.assignee ? handlers.map((m) => ({ id: m.id, name: m.displayName })).sort((a, b) => a.name.localeCompare(b.name)) : [],
  };
}
