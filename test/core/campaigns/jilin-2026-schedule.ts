// The jilin-2020 template started for 2026, simulated tick by tick the way the scheduler uses the schedule
// (next_reminder_at stored, slot rows unique): shared by the worked-example test and the script that
// prints it under another TZ.
import { campaignFileSchema } from "../../../src/core/campaigns/campaign-file";
import { campaignForYear } from "../../../src/core/campaigns/calendar-shift";
import { assignmentPeriods } from "../../../src/core/campaigns/periods";
import { DEFAULT_REMINDER_POLICY, type ReminderPolicy } from "../../../src/core/campaigns/reminder-policy";
import { dueReminders, nextReminderAt, type AssignmentView } from "../../../src/core/campaigns/reminders";
import { createWorkCalendar, type WorkCalendar } from "../../../src/core/work-calendar";
import { CAMPAIGN_TEMPLATES } from "../../../src/services/campaigns/templates/index";

export const jilin2026 = () => campaignForYear(campaignFileSchema.parse(CAMPAIGN_TEMPLATES["jilin-2020"]), 2026);

export function jilinAssignment(key: string): AssignmentView {
  const d = jilin2026().deliverables.find((x) => x.key === key);
  if (!d) throw new Error(`no deliverable ${key}`);
  const [p] = assignmentPeriods(d, 2026);
  return { dueAt: p!.dueAt, dueVersion: 1, state: "open", received: false };
}

export interface Sent {
  key: string;
  kind: string;
  sendAt: string;
  /** The tick that sent it. */
  tick: string;
}

/**
 * Runs ticks in the given order. `staleReads` makes a tick read next_reminder_at as it was `k` ticks ago
 * (concurrent ticks racing on the same row); the slot-key set plays the unique (assignment, slot) row.
 */
export function simulateTicks(
  a: AssignmentView,
  ticks: number[],
  opts: { policy?: ReminderPolicy; cal?: WorkCalendar; createdAt?: number; staleReads?: number[] } = {},
): Sent[] {
  const policy = opts.policy ?? DEFAULT_REMINDER_POLICY;
  const cal = opts.cal ?? createWorkCalendar();
  const history: (number | null)[] = [nextReminderAt(a, policy, cal, opts.createdAt ?? a.dueAt - 60 * 86_400_000)];
  const claimed = new Set<string>();
  const sent: Sent[] = [];
  ticks.forEach((t, i) => {
    const lag = opts.staleReads?.[i] ?? 0;
    const next = history[Math.max(0, history.length - 1 - lag)]!;
    if (next === null || next > t) return;
    const r = dueReminders(a, policy, cal, next - 1, t);
    for (const s of r.send) {
      if (claimed.has(s.key)) continue;
      claimed.add(s.key);
      sent.push({ key: s.key, kind: s.kind, sendAt: new Date(s.sendAt).toISOString(), tick: new Date(t).toISOString() });
    }
    history.push(r.next);
  });
  return sent;
}

/** Ticks every `stepMinutes` from `from` to `to` (ISO instants). */
export function everyMinutes(from: string, to: string, stepMinutes: number): number[] {
  const out: number[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += stepMinutes * 60_000) out.push(t);
  return out;
}

/** What the TZ test compares across processes. */
export function jilinReport() {
  const a = jilinAssignment("self-inspection");
  return {
    dueAt: new Date(a.dueAt).toISOString(),
    everyQuarterHour: simulateTicks(a, everyMinutes("2026-09-20T00:00:00+08:00", "2026-10-28T00:00:00+08:00", 15)),
    dailyAt8: simulateTicks(a, everyMinutes("2026-09-20T08:00:00+08:00", "2026-10-28T08:00:00+08:00", 24 * 60)),
    moved: simulateTicks({ ...a, dueAt: Date.parse("2026-10-12T23:59:59.999+08:00"), dueVersion: 2 }, everyMinutes("2026-09-20T00:00:00+08:00", "2026-10-20T00:00:00+08:00", 60)),
  };
}
