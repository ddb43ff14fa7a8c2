// A lead's elapsed working time to each event (hours to acknowledge, days to decide and to close), as
// leadTimeliness counts it: stored on the lead when the event happens, recomputed for older rows.
import { leadTimeliness, type LeadTimes, type TimelinessContext } from "./timeliness";

/**
 * Working hours kept to the hundredth (36 seconds): finer than any report shows, and few enough distinct
 * values that a year's percentiles are a histogram of the stored column rather than a sort of every lead.
 */
export const roundHours = (hours: number) => Math.round(hours * 100) / 100;

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
  return { ackWorkHours: t.ack.elapsed === null ? null : roundHours(t.ack.elapsed), decideWorkDays: t.decide.elapsed, closeWorkDays: t.close.elapsed };
}
