// Statistics asked for by one member (chat /stats): who may see which figures — the workspace page's rule
// (viewer.ts: coordinators everything, other staff of a team only their own team's, nobody else) — and
// the event every request leaves, answered or refused. Figures come from the one use case, computeStatistics.
import type { RelativePeriod } from "../../core/statistics/periods";
import type { MemberRow } from "../../db/schema";
import { events } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import type { Refusal } from "../refusals/refusal";
import { computeStatistics } from "./compute";
import type { StatisticsReport, StatisticsScope } from "./report";
import { resolveStatisticsScope } from "./scope";
import { statisticsViewerOf } from "./viewer";

export type MemberStatistics = { status: "answered"; scope: StatisticsScope; report: StatisticsReport } | { status: "refused"; refusal: Refusal };

/**
 * The figures of `period` (this week, month, quarter or year so far) the member may see, logged as
 * `statistics.viewed` (or `statistics.refused`) keyed by the request: a redelivered request logs once.
 */
export async function statisticsForMember(
  deps: ServiceDeps,
  input: { member: MemberRow; actor: Actor; period: RelativePeriod; via: string; dedupeKey: string },
): Promise<MemberStatistics> {
  const now = deps.now();
  const viewer = statisticsViewerOf(input.member);
  if (viewer.kind === "refused") {
    await logOnce(deps, input.actor, input.member.id, "statistics.refused", { via: input.via, period: input.period, role: input.member.role }, input.dedupeKey);
    return { status: "refused", refusal: { scope: "chat", code: "statistics", actorId: input.member.id } };
  }
  const scope = await resolveStatisticsScope(deps, { period: input.period, ...(viewer.kind === "team" ? { teamId: viewer.teamId } : {}) }, now);
  const report = await computeStatistics(deps, scope, now);
  await logOnce(
    deps,
    input.actor,
    input.member.id,
    "statistics.viewed",
    { via: input.via, period: input.period, from: scope.period.from, to: scope.period.to, teamId: scope.teamId ?? null, received: report.leads.received },
    input.dedupeKey,
  );
  return { status: "answered", scope, report };
}

/**
 * A /stats that was not answered with figures — typed in a group (only the note to ask privately) or with
 * an argument that is not a period (the usage) — logged too, as `statistics.not_answered` with the reason.
 */
export function logStatisticsNotAnswered(deps: ServiceDeps, input: { member: MemberRow; actor: Actor; reason: "group_chat" | "usage"; via: string; dedupeKey: string }): Promise<void> {
  return logOnce(deps, input.actor, input.member.id, "statistics.not_answered", { via: input.via, reason: input.reason }, input.dedupeKey);
}

async function logOnce(deps: ServiceDeps, actor: Actor, memberId: string, action: string, data: Record<string, unknown>, dedupeKey: string): Promise<void> {
  try {
    await deps.db
      .insert(events)
      .values(eventRow(actor, { occurredAt: deps.now().getTime(), entityType: "member", entityId: memberId, action, data: JSON.stringify(data), dedupeKey: `statistics:${dedupeKey}` }));
  } catch (err) {
    // The same request delivered again: it was logged the first time.
    if (!isUniqueViolation(err)) throw err;
  }
}
