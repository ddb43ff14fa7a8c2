// The campaign file format (templates and imported campaigns, YAML or JSON): phases, deliverables with a
// due date or a recurrence, reminder policy overrides. Validated here; every date is Asia/Shanghai.
import { z } from "zod";
import { isCalendarDate, isHhmm } from "./local-time";
import { reminderPolicyOverrideSchema } from "./reminder-policy";

/** Kinds of units that receive reminders (see the `units` table). */
export const UNIT_KINDS = ["bureau", "agency", "institution", "team"] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

const KEY_RE = /^[a-z0-9][a-z0-9-]{0,47}$/;
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A due date (`YYYY-MM-DD`, due at the end of that day) or date-time (`YYYY-MM-DDTHH:MM`). */
export function isDueText(text: string): boolean {
  const [date, time, extra] = text.split("T");
  if (extra !== undefined || !date || !isCalendarDate(date)) return false;
  return time === undefined || isHhmm(time);
}

const key = z.string().regex(KEY_RE, "lower-case letters, digits and hyphens, at most 48");
const text = (max: number) => z.string().trim().min(1).max(max);
export const dateSchema = z.string().refine(isCalendarDate, "expected a calendar date YYYY-MM-DD");
export const dueSchema = z.string().refine(isDueText, "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM");
const monthSchema = z.string().regex(MONTH_RE, "expected YYYY-MM");

export const RECURRENCE_EVERY = ["month", "quarter", "year"] as const;

export const recurrenceSchema = z
  .object({
    /** month: each month's deliverable is due on `day` of the next month; quarter: on `day` of the month
     * after the quarter; year: on `day` of the January after the year. */
    every: z.enum(RECURRENCE_EVERY),
    /** Day of the month (a day past the month's end means its last day). */
    day: z.number().int().min(1).max(31),
    /** First period (a month; for quarters or years, the one containing it); default January of the campaign year. */
    from: monthSchema.optional(),
    /** Last period (likewise); default December of the campaign year. */
    to: monthSchema.optional(),
  })
  .strict()
  .refine((r) => !r.from || !r.to || r.from <= r.to, { message: "`from` must not be after `to`", path: ["to"] });

/** How often a statistics table is reported (the cadence a notice names: 按月 / 按季度 / 按年). */
export const STATISTICS_CADENCES = ["monthly", "quarterly", "yearly"] as const;
export type StatisticsCadence = (typeof STATISTICS_CADENCES)[number];
/** The recurrence a cadence needs: a monthly table is one assignment per month, and so on. */
export const CADENCE_RECURRENCE: Record<StatisticsCadence, Recurrence["every"]> = { monthly: "month", quarterly: "quarter", yearly: "year" };

/**
 * Marks a recurring deliverable as a statistics table (统计表): each unit is offered its own region's
 * figures for the period as a pre-filled workbook, and a submitted workbook is compared with them.
 */
export const statisticsTableSchema = z
  .object({
    cadence: z.enum(STATISTICS_CADENCES),
  })
  .strict();
export type StatisticsTable = z.infer<typeof statisticsTableSchema>;

export const phaseSchema = z
  .object({
    key,
    name: text(200),
    nameEn: text(200).optional(),
    startsOn: dateSchema,
    endsOn: dateSchema,
  })
  .strict()
  .refine((p) => p.startsOn <= p.endsOn, { message: "a phase cannot end before it starts", path: ["endsOn"] });

export const deliverableSchema = z
  .object({
    key,
    title: text(300),
    titleEn: text(300).optional(),
    /** What to hand in (attachments, format); shown on the unit page. */
    description: text(2000).optional(),
    descriptionEn: text(2000).optional(),
    /** Key of the phase it belongs to. */
    phase: key.optional(),
    unitKinds: z.array(z.enum(UNIT_KINDS)).min(1).refine((k) => new Set(k).size === k.length, "unit kinds repeat"),
    due: dueSchema.optional(),
    recurrence: recurrenceSchema.optional(),
    /** A recurring statistics table: its cadence must match the recurrence (monthly ↔ every month). */
    statistics: statisticsTableSchema.optional(),
    reminderPolicy: reminderPolicyOverrideSchema.optional(),
  })
  .strict()
  .refine((d) => (d.due === undefined) !== (d.recurrence === undefined), {
    message: "a deliverable has exactly one of `due` and `recurrence`",
    path: ["due"],
  })
  .refine((d) => !d.statistics || d.recurrence?.every === CADENCE_RECURRENCE[d.statistics.cadence], {
    message: "a statistics table recurs at its cadence: monthly needs `recurrence: { every: month }`, quarterly `quarter`, yearly `year`",
    path: ["statistics", "cadence"],
  });

export const campaignFileSchema = z
  .object({
    id: key,
    name: text(200),
    nameEn: text(200).optional(),
    year: z.number().int().min(2000).max(2100),
    /** GB/T 2260 six-digit code of the jurisdiction (default region when started). */
    regionCode: z.string().regex(/^\d{6}$/, "expected a six-digit GB/T 2260 code"),
    /** The issuing body as written in the notice. */
    issuer: text(300),
    /** The notice the campaign comes from: its title and document number (文号). */
    source: z
      .object({ title: text(300), number: text(100).optional(), date: dateSchema.optional() })
      .strict()
      .optional(),
    phases: z.array(phaseSchema).max(20).default([]),
    reminderPolicy: reminderPolicyOverrideSchema.optional(),
    deliverables: z.array(deliverableSchema).min(1).max(50),
  })
  .strict()
  .superRefine((file, ctx) => {
    const phaseKeys = new Set<string>();
    file.phases.forEach((p, i) => {
      if (phaseKeys.has(p.key)) ctx.addIssue({ code: "custom", message: `phase key ${p.key} repeats`, path: ["phases", i, "key"] });
      phaseKeys.add(p.key);
    });
    const keys = new Set<string>();
    file.deliverables.forEach((d, i) => {
      if (keys.has(d.key)) ctx.addIssue({ code: "custom", message: `deliverable key ${d.key} repeats`, path: ["deliverables", i, "key"] });
      keys.add(d.key);
      if (d.phase !== undefined && !phaseKeys.has(d.phase))
        ctx.addIssue({ code: "custom", message: `no phase with key ${d.phase}`, path: ["deliverables", i, "phase"] });
    });
  });

export type CampaignFile = z.infer<typeof campaignFileSchema>;
export type CampaignDeliverable = CampaignFile["deliverables"][number];
export type CampaignPhase = CampaignFile["phases"][number];
export type Recurrence = z.infer<typeof recurrenceSchema>;

/** Parses untrusted input (already decoded from YAML or JSON) into a campaign file, or the zod error. */
export function parseCampaignFile(input: unknown) {
  return campaignFileSchema.safeParse(input);
}
