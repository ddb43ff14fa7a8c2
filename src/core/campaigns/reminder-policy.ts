// Reminder policy of a campaign deliverable: when before, on and after the due day reminders go out, and
// when the coordinators are escalated to. Defaults from issue 8; campaign and deliverable may override.
import { z } from "zod";
import { isHhmm } from "./local-time";

export const reminderPolicySchema = z
  .object({
    /** Days before the due day (calendar days), each reminded at `at` (previous working day if needed). */
    beforeDays: z.array(z.number().int().min(1).max(90)).max(10),
    /** A reminder on the due day itself (previous working day if the due day is not one). */
    onDueDay: z.boolean(),
    /** Local time (Asia/Shanghai) every reminder goes out, HH:MM. */
    at: z.string().refine(isHhmm, "expected HH:MM (24 h)"),
    /** After the due day: one reminder each working day until submitted. */
    overdueEveryWorkingDay: z.boolean(),
    /** Escalate to coordinators and the supervising unit after this many whole working days overdue; null = never. */
    escalateAfterWorkingDays: z.number().int().min(0).max(60).nullable(),
  })
  .strict();

export type ReminderPolicy = z.infer<typeof reminderPolicySchema>;

/** What a campaign or a deliverable may override (any subset of the fields). */
export const reminderPolicyOverrideSchema = reminderPolicySchema.partial().strict();
export type ReminderPolicyOverride = z.infer<typeof reminderPolicyOverrideSchema>;

export const DEFAULT_REMINDER_POLICY: ReminderPolicy = {
  beforeDays: [7, 3, 1],
  onDueDay: true,
  at: "09:00",
  overdueEveryWorkingDay: true,
  escalateAfterWorkingDays: 3,
};

/**
 * The effective policy: the deliverable's fields over the campaign's over the defaults. `beforeDays` is
 * returned sorted from the farthest to the nearest day, without repeats.
 */
export function resolvePolicy(
  defaults: ReminderPolicy,
  campaign?: ReminderPolicyOverride | null,
  deliverable?: ReminderPolicyOverride | null,
): ReminderPolicy {
  const merged: ReminderPolicy = { ...defaults };
  for (const layer of [campaign, deliverable]) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  }
  return reminderPolicySchema.parse({ ...merged, beforeDays: [...new Set(merged.beforeDays)].sort((a, b) => b - a) });
}
