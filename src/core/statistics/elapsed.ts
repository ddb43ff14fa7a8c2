// A lead's elapsed working time to each event (hours to acknowledge, days to decide and to close), as
// leadTimeliness counts it: stored on the lead when the event happens, recomputed for older rows.
import { leadTimeliness, type LeadTimes, type TimelinessContext } from "./timeliness";

export interface ElapsedFigures {
  ackWorkHours: number | null;
  decideWorkDays: number | null;
  closeWorkDays: number | null;
}

/**
 * The three figures of one lead from its event times (null while the event has not happened). The
 * same function serves the write (src/services/leads/commands.ts) and the statistics' fallback for
 * leads changed before migration 0020, so both give the numbers summariseTimeliness would.
 */
export function elapsedFigures(lead: LeadTimes, ctx: Omit<TimelinessContext, "now">): ElapsedFigures {
  // `now` only decides whether a missing event counts as late; the elapsed figures do not depend on it.
  const t = leadTimeliness(lead, { ...ctx, now: new Date(lead.receivedAt) });
  return { ackWorkHours: t.ack.elapsed, decideWorkDays: t.decide.elapsed, closeWorkDays: t.close.elapsed };
}
