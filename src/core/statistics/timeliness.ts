// Whether each lead met its acknowledgement, decision (受理) and closing deadlines, how long each took in
// working time, and the shares and percentiles over a list of leads — the "timeliness" figures.
import { computeLeadDeadlines, DEFAULT_DEADLINE_POLICY, type DeadlinePolicy } from "../deadlines";
import { DEFAULT_WORKING_HOURS, localDate, workingDaysBetween, type WorkCalendar, type WorkingHours } from "../work-calendar";
import { median, p90, ratio } from "./percentiles";

const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** The instants (ms) of one lead's events, as the event log gives them; null while not happened. */
export interface LeadTimes {
  receivedAt: number;
  acknowledgedAt?: number | null;
  /** Accepted (受理) or not accepted: the decision. */
  decidedAt?: number | null;
  /** Concluded or not accepted: the lead left the open states. */
  closedAt?: number | null;
  /** The lead's own acknowledgement deadline when one was stored (it may differ by jurisdiction). */
  ackBy?: number | null;
}

export interface MeasureResult {
  /** Whether this lead counts for the measure: the event happened, or its deadline passed at `now`. */
  counts: boolean;
  /** Met the deadline (null when it does not count yet). */
  inTime: boolean | null;
  /** Working hours (ack) or working days (decide, close) from receipt to the event; null while open. */
  elapsed: number | null;
  deadline: number;
}

export interface LeadTimeliness {
  ack: MeasureResult;
  decide: MeasureResult;
  close: MeasureResult;
}

export interface TimelinessContext {
  cal: WorkCalendar;
  wh?: WorkingHours;
  policy?: DeadlinePolicy;
  now: Date;
}

const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Working hours between two instants: only time inside `wh` on working days counts. */
export function workingHoursBetween(cal: WorkCalendar, from: number, to: number, wh: WorkingHours = DEFAULT_WORKING_HOURS): number {
  if (to <= from) return 0;
  const open = minutes(wh.start) * 60_000;
  const close = minutes(wh.end) * 60_000;
  let ms = 0;
  let dayStart = Date.parse(`${localDate(from)}T00:00:00Z`) - OFFSET_MS;
  for (; dayStart < to; dayStart += DAY_MS) {
    if (!cal.isWorkingDay(localDate(dayStart))) continue;
    const begin = Math.max(from, dayStart + open);
    const end = Math.min(to, dayStart + close);
    if (end > begin) ms += end - begin;
  }
  return ms / 3600_000;
}

const min = (...xs: (number | null | undefined)[]) => {
  const v = xs.filter((x): x is number => x != null);
  return v.length ? Math.min(...v) : null;
};

function measure(at: number | null, deadline: number, now: number, elapsed: (at: number) => number): MeasureResult {
  if (at != null) return { counts: true, inTime: at <= deadline, elapsed: elapsed(at), deadline };
  // Still open: late once the deadline has passed, not counted before (it may yet be on time).
  if (now > deadline) return { counts: true, inTime: false, elapsed: null, deadline };
  return { counts: false, inTime: null, elapsed: null, deadline };
}

/**
 * One lead's timeliness at `now`. A later step implies the earlier ones (a lead decided without an
 * explicit acknowledgement was acknowledged by that decision; closing decides), as the deadline rules
 * treat them (isDeadlineMet). Deadlines are those of src/core/deadlines.ts: the acknowledgement within
 * policy.ackWorkingHours working hours (or the lead's stored ackBy), the decision within 15 working
 * days, closing within 30 — each until the end of that working day.
 * Elapsed working days count as workingDaysBetween does (the day of receipt does not count), so a lead
 * decided on its 15th working day shows 15 and is on time.
 */
export function leadTimeliness(lead: LeadTimes, ctx: TimelinessContext): LeadTimeliness {
  const wh = ctx.wh ?? DEFAULT_WORKING_HOURS;
  const received = new Date(lead.receivedAt);
  const d = computeLeadDeadlines(ctx.cal, wh, received, ctx.policy ?? DEFAULT_DEADLINE_POLICY);
  const now = ctx.now.getTime();
  const closedAt = lead.closedAt ?? null;
  const decidedAt = min(lead.decidedAt, closedAt);
  const ackAt = min(lead.acknowledgedAt, decidedAt);
  const days = (at: number) => workingDaysBetween(ctx.cal, received, new Date(at));
  return {
    ack: measure(ackAt, lead.ackBy ?? d.ackBy.getTime(), now, (at) => workingHoursBetween(ctx.cal, lead.receivedAt, at, wh)),
    decide: measure(decidedAt, d.acceptBy.getTime(), now, days),
    close: measure(closedAt, d.finishBy.getTime(), now, days),
  };
}

export interface Distribution {
  /** Leads with the event (the percentiles' population). */
  count: number;
  median: number | null;
  p90: number | null;
}

export interface TimelinessSummary {
  /** Share of counted leads acknowledged in time; null when none counts. */
  acknowledgedInTime: number | null;
  decidedInTime: number | null;
  closedInTime: number | null;
  /** How many leads each share is over. */
  counted: { ack: number; decide: number; close: number };
  /** Working hours to acknowledge; working days to decide and to close — over leads where it happened. */
  ackWorkingHours: Distribution;
  decideWorkingDays: Distribution;
  closeWorkingDays: Distribution;
}

function summarise(results: MeasureResult[]): { share: number | null; counted: number; dist: Distribution } {
  const counted = results.filter((r) => r.counts);
  const elapsed = results.flatMap((r) => (r.elapsed == null ? [] : [r.elapsed]));
  return {
    share: ratio(counted.filter((r) => r.inTime).length, counted.length),
    counted: counted.length,
    dist: { count: elapsed.length, median: median(elapsed), p90: p90(elapsed) },
  };
}

/**
 * The timeliness figures of a list of leads at `now`. Open leads count as late once a deadline has
 * passed and do not count before; the percentiles are over leads where the event happened (an open
 * lead has no duration yet).
 */
export function summariseTimeliness(leads: readonly LeadTimes[], ctx: TimelinessContext): TimelinessSummary {
  const each = leads.map((l) => leadTimeliness(l, ctx));
  const ack = summarise(each.map((e) => e.ack));
  const decide = summarise(each.map((e) => e.decide));
  const close = summarise(each.map((e) => e.close));
  return {
    acknowledgedInTime: ack.share,
    decidedInTime: decide.share,
    closedInTime: close.share,
    counted: { ack: ack.counted, decide: decide.counted, close: close.counted },
    ackWorkingHours: ack.dist,
    decideWorkingDays: decide.dist,
    closeWorkingDays: close.dist,
  };
}
