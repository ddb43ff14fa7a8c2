// The preview of a campaign start (writes nothing): for a template, year, region and any moved dates,
// the units and deliverables it would create, every reminder it will send with its date (the start
// messages first), a warning for each deadline already past, and the units without an enrolled contact.
// The same plan as the start itself (start-plan.ts), shaped for a page and the CLI's --dry-run.
import type { ReminderKind } from "../../core/campaigns/reminders";
import type { ServiceDeps } from "../deps";
import { planCampaignStart, type CampaignStartInput, type DateMove } from "./start-plan";

export interface PreviewDeliverable {
  key: string;
  title: string;
  titleEn: string | null;
  phase: string | null;
  recurring: boolean;
  /** Units it reaches. */
  units: number;
  deadlines: { period: string; dueAt: number; past: boolean }[];
  /** Overdue reminders go out every working day until submitted (the list shows them through the escalation). */
  overdueDaily: boolean;
}

export interface PreviewReminder {
  deliverableKey: string;
  title: string;
  titleEn: string | null;
  period: string;
  kind: ReminderKind;
  offsetDays: number | null;
  sendAt: number;
  /** Units it goes to (escalations: to the coordinators and each unit's supervising unit). */
  units: number;
}

export interface PreviewUnit {
  id: string;
  name: string;
  kind: string;
  regionCode: string;
  tasks: number;
  contacts: number;
  enrolledContacts: number;
  /** Nobody can acknowledge its reminders. */
  unenrolled: boolean;
}

export interface CampaignPreview {
  templateId: string;
  name: string;
  nameEn: string | null;
  issuer: string;
  year: number;
  regionCode: string;
  move: DateMove | null;
  now: number;
  deliverables: PreviewDeliverable[];
  units: PreviewUnit[];
  assignments: number;
  /** Sent at the start (one per unit, and one notice to the coordinators) when anything is already past. */
  startMessages: { at: number; units: number } | null;
  reminders: PreviewReminder[];
  /** Every deadline already past at the start. */
  pastDeadlines: { deliverableKey: string; title: string; titleEn: string | null; period: string; dueAt: number }[];
  unenrolled: PreviewUnit[];
}

/** What `campaign start` with this input would do now. Refuses bad input (AppError) like the start. */
export async function previewCampaignStart(deps: ServiceDeps, input: CampaignStartInput): Promise<CampaignPreview> {
  const plan = await planCampaignStart(deps, input);
  const tasks = new Map<string, number>();
  for (const a of plan.assignments) tasks.set(a.unit.id, (tasks.get(a.unit.id) ?? 0) + 1);
  const units: PreviewUnit[] = plan.units.map((u) => {
    const c = plan.contacts.get(u.id);
    return { id: u.id, name: u.name, kind: u.kind, regionCode: u.regionCode, tasks: tasks.get(u.id) ?? 0, contacts: c?.contacts ?? 0, enrolledContacts: c?.enrolled ?? 0, unenrolled: !c || c.enrolled === 0 };
  });
  // Every unit of a deliverable and period shares one schedule: one line per slot, with how many units.
  const reminders: PreviewReminder[] = [];
  const seen = new Set<string>();
  for (const a of plan.assignments) {
    const key = `${a.deliverableKey}\u0000${a.period}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const pd = plan.deliverables.find((p) => p.deliverable.key === a.deliverableKey)!;
    for (const s of a.schedule.upcoming)
      reminders.push({ deliverableKey: a.deliverableKey, title: pd.deliverable.title, titleEn: pd.deliverable.titleEn ?? null, period: a.period, kind: s.kind, offsetDays: s.offsetDays ?? null, sendAt: s.sendAt, units: pd.units.length });
  }
  reminders.sort((x, y) => x.sendAt - y.sendAt || x.deliverableKey.localeCompare(y.deliverableKey) || x.period.localeCompare(y.period) || x.kind.localeCompare(y.kind));
  const { file } = plan;
  return {
    templateId: input.templateId,
    name: file.name,
    nameEn: file.nameEn ?? null,
    issuer: file.issuer,
    year: file.year,
    regionCode: plan.regionCode,
    move: input.move ?? null,
    now: plan.now,
    deliverables: plan.deliverables.map((p) => ({
      key: p.deliverable.key,
      title: p.deliverable.title,
      titleEn: p.deliverable.titleEn ?? null,
      phase: p.deliverable.phase ?? null,
      recurring: p.deliverable.recurrence !== undefined,
      units: p.units.length,
      deadlines: p.periods,
      overdueDaily: p.policy.overdueEveryWorkingDay,
    })),
    units,
    assignments: plan.assignments.length,
    startMessages: plan.startMessage && plan.units.length ? { at: plan.now, units: plan.units.length } : null,
    reminders,
    pastDeadlines: plan.pastDeadlines.map((p) => ({ deliverableKey: p.deliverable.key, title: p.deliverable.title, titleEn: p.deliverable.titleEn ?? null, period: p.period, dueAt: p.dueAt })),
    unenrolled: units.filter((u) => u.unenrolled),
  };
}
