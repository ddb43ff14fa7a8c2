// Planning a campaign start (reads only, writes nothing): the template moved to its year and to any
// moved dates, the units it reaches, one assignment per unit (and period) with its reminder schedule
// from the start on, the deadlines already past, and the units nobody can answer for. Both the preview
// and the start use this one plan, so what the preview shows is what the start does.
import { campaignForYear } from "../../core/campaigns/calendar-shift";
import type { CampaignDeliverable, CampaignFile } from "../../core/campaigns/campaign-file";
import { assignmentPeriods } from "../../core/campaigns/periods";
import { DEFAULT_REMINDER_POLICY, resolvePolicy, type ReminderPolicy } from "../../core/campaigns/reminder-policy";
import { dateMoveProblems, dateMoveSchema, movedDueAt, moveCampaignDates, startSchedule, type DateMove, type StartSchedule } from "../../core/campaigns/start-plan";
import { getRegion } from "../../core/regions";
import type { UnitRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { currentOrg } from "../org/org-cache";
import { templateFile } from "./template-files";
import { contactStateByUnit, lacksEnrolledContact, type UnitContactState } from "./unit-contacts";
import { unitsInRegion } from "./units";

export type { DateMove } from "../../core/campaigns/start-plan";

/** `campaign start <template> --year Y [--region R]` and the workspace's start form, with dates moved or not. */
export interface CampaignStartInput {
  templateId: string;
  year: number;
  regionCode?: string;
  move?: DateMove;
}

export interface PlannedDeliverable {
  deliverable: CampaignDeliverable;
  policy: ReminderPolicy;
  /** Its deadlines (one, or one per period) after any move. */
  periods: { period: string; dueAt: number; past: boolean }[];
  units: UnitRow[];
}

export interface PlannedAssignment {
  deliverableKey: string;
  unit: UnitRow;
  period: string;
  dueAt: number;
  schedule: StartSchedule;
}

export interface CampaignStartPlan {
  /** The campaign file as it will be stored: for its year, dates moved. */
  file: CampaignFile;
  templateId: string | null;
  regionCode: string;
  move: DateMove | undefined;
  now: number;
  deliverables: PlannedDeliverable[];
  assignments: PlannedAssignment[];
  /** Every unit reached, by id. */
  units: UnitRow[];
  /** Some slot is already past at the start: every unit gets one start message, the coordinators one notice. */
  startMessage: boolean;
  /** Deadlines (deliverable and period) already past at the start. */
  pastDeadlines: { deliverable: CampaignDeliverable; period: string; dueAt: number }[];
  contacts: Map<string, UnitContactState>;
  /** Units without an active contact with a chat account: their reminders can never be acknowledged. */
  unenrolled: UnitRow[];
}

/** The template for the input's year with its dates moved; refuses bad input in words before anything is read. */
export function startFile(input: CampaignStartInput): CampaignFile {
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) throw new AppError("validation_failed", "year must be between 2000 and 2100");
  const file = campaignForYear(templateFile(input.templateId), input.year);
  return movedFile(file, input.move);
}

/** A file with a move applied, after checking the move fits it. */
export function movedFile(file: CampaignFile, move: DateMove | undefined): CampaignFile {
  if (!move) return file;
  const parsed = dateMoveSchema.safeParse(move);
  if (!parsed.success) throw new AppError("validation_failed", `moved dates: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const problems = dateMoveProblems(file, parsed.data);
  if (problems.length) throw new AppError("validation_failed", `moved dates: ${problems.join("; ")}`);
  return moveCampaignDates(file, parsed.data);
}

/**
 * The plan of starting `file` now. `move` is what was already applied to the file's one-off dates (its
 * shift also moves recurring periods here). Reads: the org snapshot, the units per deliverable, contacts.
 */
export async function planCampaignFile(deps: ServiceDeps, file: CampaignFile, options: { templateId: string | null; regionCode?: string; move?: DateMove }): Promise<CampaignStartPlan> {
  const regionCode = options.regionCode ?? file.regionCode;
  if (regionCode !== "000000" && !getRegion(regionCode)) throw new AppError("validation_failed", `region ${regionCode} is not a known GB/T 2260 code`);
  const now = deps.now().getTime();
  const org = await currentOrg(deps);
  const cal = org.policy.calendar;
  const deliverables: PlannedDeliverable[] = [];
  const byUnit = new Map<string, UnitRow>();
  const periodsOf: { d: CampaignDeliverable; policy: ReminderPolicy; periods: { period: string; dueAt: number }[]; units: UnitRow[] }[] = [];
  let startMessage = false;
  for (const d of file.deliverables) {
    const policy = resolvePolicy(DEFAULT_REMINDER_POLICY, file.reminderPolicy, d.reminderPolicy);
    const periods = assignmentPeriods(d, file.year).map((p) => ({ period: p.period, dueAt: movedDueAt(p.dueAt, d.recurrence !== undefined, options.move) }));
    const units = await unitsInRegion(deps, regionCode, d.unitKinds);
    for (const u of units) byUnit.set(u.id, u);
    if (units.length) for (const p of periods) if (startSchedule(p.dueAt, policy, cal, now, null).skipped) startMessage = true;
    periodsOf.push({ d, policy, periods, units });
  }
  const notifiedAt = startMessage ? now : null;
  const assignments: PlannedAssignment[] = [];
  const pastDeadlines: CampaignStartPlan["pastDeadlines"] = [];
  for (const { d, policy, periods, units } of periodsOf) {
    deliverables.push({ deliverable: d, policy, units, periods: periods.map((p) => ({ ...p, past: p.dueAt <= now })) });
    for (const p of periods) {
      if (p.dueAt <= now) pastDeadlines.push({ deliverable: d, period: p.period, dueAt: p.dueAt });
      const schedule = startSchedule(p.dueAt, policy, cal, now, notifiedAt);
      for (const unit of units) assignments.push({ deliverableKey: d.key, unit, period: p.period, dueAt: p.dueAt, schedule });
    }
  }
  const units = [...byUnit.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const contacts = await contactStateByUnit(
    deps,
    units.map((u) => u.id),
  );
  return {
    file,
    templateId: options.templateId,
    regionCode,
    move: options.move,
    now,
    deliverables,
    assignments,
    units,
    startMessage,
    pastDeadlines,
    contacts,
    unenrolled: units.filter((u) => lacksEnrolledContact(contacts.get(u.id))),
  };
}

/** The plan of `campaign start` for this input (template, year, region, moved dates). */
export function planCampaignStart(deps: ServiceDeps, input: CampaignStartInput): Promise<CampaignStartPlan> {
  return planCampaignFile(deps, startFile(input), { templateId: input.templateId, ...(input.regionCode ? { regionCode: input.regionCode } : {}), ...(input.move ? { move: input.move } : {}) });
}
