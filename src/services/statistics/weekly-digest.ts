// The weekly statistics digest to the coordinators' chat (the destination of campaign start notices and
// final escalations): on the week's first working day from 09:00 Shanghai, once per week whatever the
// ticks do. The week is claimed by an event with a unique dedupe key in the same batch that queues the
// message, so two ticks at once, a retried tick or a restarted scheduler send it once.
import { eq } from "drizzle-orm";
import { asBatch } from "../../db/client";
import { events } from "../../db/schema";
import { digestDueAt, digestWeekOf } from "../../core/statistics/digest-week";
import { localeOf } from "../campaigns/messages";
import type { ServiceDeps } from "../deps";
import { enqueueManyStatements, type EnqueueInput } from "../delivery/outbox";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import { currentOrg } from "../org/org-cache";
import { campaignWork } from "../workspace/overview-work";
import { lateUnits } from "./late-units";
import { computeStatistics } from "./compute";
import { DIGEST_DUE_ITEMS, DIGEST_LATE_NAMES, weeklyDigestMessage } from "./digest-text";
import { statisticsPageUrl } from "./page-link";

const SCHEDULER: Actor = { type: "system", platform: "scheduler" };

/** The dedupe key that claims a week's digest (the week's Monday, Shanghai). */
export const weeklyDigestKey = (weekKey: string) => `statistics.weekly_digest:${weekKey}`;

export type WeeklyDigestResult =
  | { status: "not_due" }
  | { status: "already_sent"; week: string }
  | { status: "no_destination"; week: string }
  | { status: "queued"; week: string };

/** Per database (a test process holds many): the week whose digest is known to be claimed. */
const settledWeek = new WeakMap<object, string>();

/**
 * Queues this week's digest when it is due at `now` and not yet claimed. Cheap when nothing is to do
 * (a pure time check, then one lookup by the unique key); the figures are computed only for a send.
 */
export async function sendWeeklyDigest(deps: ServiceDeps, now: Date): Promise<WeeklyDigestResult> {
  // The tick runs this every few minutes: once this database's week is claimed, the rest of the week costs
  // no round trip (a claim is an append-only event, so it cannot come undone).
  const thisWeek = digestWeekOf(now.getTime()).key;
  if (settledWeek.get(deps.db) === thisWeek) return { status: "already_sent", week: thisWeek };
  const org = await currentOrg(deps);
  const due = digestDueAt(org.policy.calendar, now.getTime());
  if (!due) return { status: "not_due" };
  const week = due.week.key;
  const key = weeklyDigestKey(week);
  const claimed = await deps.db.query.events.findFirst({ columns: { id: true }, where: eq(events.dedupeKey, key) });
  if (claimed) {
    settledWeek.set(deps.db, week);
    return { status: "already_sent", week };
  }
  // No coordinators' chat yet: nothing is claimed, so the digest goes once one is set up this week.
  const destination = org.coordinators;
  if (!destination) return { status: "no_destination", week };
  const lastWeekScope = { period: due.lastWeek };
  const [lastWeek, weekBefore, work, late] = await Promise.all([
    computeStatistics(deps, lastWeekScope, now),
    computeStatistics(deps, { period: due.weekBefore }, now),
    campaignWork(deps, { now: now.getTime(), weekEnd: due.week.endMs, limit: DIGEST_DUE_ITEMS }),
    lateUnits(deps, { now: now.getTime(), limit: DIGEST_LATE_NAMES }),
  ]);
  const message = weeklyDigestMessage({
    locale: localeOf(destination.locale),
    lastWeek,
    weekBefore,
    dueThisWeek: work.dueThisWeek.map((d) => ({ campaignName: d.campaignName, title: d.title, titleEn: d.titleEn, dueAt: d.dueAt, units: d.units })),
    lateCount: late.count,
    late: late.worst.map((u) => ({ unitName: u.unitName, late: u.late })),
    link: statisticsPageUrl(deps, lastWeekScope),
  });
  const claim = deps.db.insert(events).values(
    eventRow(SCHEDULER, {
      occurredAt: now.getTime(),
      entityType: "statistics",
      entityId: week,
      action: "statistics.weekly_digest_queued",
      data: JSON.stringify({
        lastWeek: { from: due.lastWeek.from, to: due.lastWeek.to, received: lastWeek.leads.received, concluded: lastWeek.leads.concluded },
        weekBefore: { from: due.weekBefore.from, to: due.weekBefore.to, received: weekBefore.leads.received, concluded: weekBefore.leads.concluded },
        platform: destination.platform,
        teamId: destination.id,
      }),
      dedupeKey: key,
    }),
  );
  const enqueue = enqueueManyStatements(deps, [{ dedupeKey: `weekly-digest:${week}`, platform: destination.platform as EnqueueInput["platform"], chatId: destination.chatId, kind: "text", payload: { message } }]);
  try {
    // One batch (one transaction): the claim and the message stand or fall together.
    await deps.db.batch(asBatch([claim, ...enqueue]));
  } catch (err) {
    // Another tick claimed the week between our lookup and our write.
    if (isUniqueViolation(err)) {
      settledWeek.set(deps.db, week);
      return { status: "already_sent", week };
    }
    throw err;
  }
  settledWeek.set(deps.db, week);
  deps.notifyOutbox?.();
  return { status: "queued", week };
}
