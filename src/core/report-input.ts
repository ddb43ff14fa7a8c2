// What a tipster submits, as zod schemas shared by the web form, the JSON API and the OpenAPI document.
// Every message is an i18n key (`validation.*`) so the same rule speaks zh-CN and en; see
// src/i18n/validation.ts for how zod's built-in issues map onto keys.
import { z } from "zod";
import { checkIdNumber } from "./id-number";
import { normaliseReceipt } from "./receipt";
import { resolveRegion } from "./regions";
import { VIOLATION_SUBJECTS, VIOLATION_TYPES, isTypeOfSubject } from "./taxonomy";

export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];

export const LIMITS = {
  targetName: 200,
  targetAddress: 300,
  description: { min: 10, max: 5000 },
  reporterName: 50,
  email: 254,
  message: { min: 1, max: 3000 },
  /** 100 million yuan: larger estimates are typos, not tips. */
  amountYuan: 100_000_000,
} as const;

const MOBILE_OR_LANDLINE = /^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const requiredText = (max: number) =>
  z
    .string({ error: "validation.required" })
    .trim()
    .min(1, { error: "validation.required" })
    .max(max, { error: "validation.too_long" });

const optionalText = (max: number) => z.string().trim().max(max, { error: "validation.too_long" }).optional();

const isoDate = () =>
  z
    .string({ error: "validation.required" })
    .trim()
    .min(1, { error: "validation.required" })
    .refine(isCalendarDate, { error: "validation.date_format" });

/** Real-name identity. `today` bounds the birth date in the ID number. */
export function reporterIdentitySchema(today: string) {
  return z.object({
    name: requiredText(LIMITS.reporterName).regex(/^[\p{L}\p{M}·.\s'-]+$/u, { error: "validation.name_invalid" }),
    phone: z
      .string({ error: "validation.required" })
      .trim()
      .min(1, { error: "validation.required" })
      .transform((v) => v.replace(/[\s()]/g, ""))
      .pipe(z.string().regex(MOBILE_OR_LANDLINE, { error: "validation.phone_invalid" })),
    idNumber: z
      .string({ error: "validation.required" })
      .trim()
      .min(1, { error: "validation.required" })
      .transform((v) => v.toUpperCase())
      .superRefine((value, ctx) => {
        const problem = checkIdNumber(value, today);
        if (problem) ctx.addIssue({ code: "custom", message: `validation.id_number_${problem}` });
      }),
    email: z.email({ error: "validation.email_invalid" }).max(LIMITS.email, { error: "validation.too_long" }).optional(),
  });
}

/**
 * The report a tipster submits. `today` (Asia/Shanghai date) rejects events in the future and birth
 * dates after today; it is a parameter so the rule is testable and the same on every runtime.
 */
export function reportInputSchema(today: string) {
  return z
    .object({
      subject: z.enum(VIOLATION_SUBJECTS, { error: "validation.invalid_choice" }),
      violationType: z.enum(VIOLATION_TYPES, { error: "validation.invalid_choice" }),
      region: z.object({
        provinceCode: z.string().trim().regex(/^\d{6}$/, { error: "validation.region_unknown" }).optional(),
        cityCode: z.string().trim().regex(/^\d{6}$/, { error: "validation.region_unknown" }).optional(),
        districtCode: z.string().trim().regex(/^\d{6}$/, { error: "validation.region_unknown" }).optional(),
      }),
      targetName: requiredText(LIMITS.targetName),
      targetAddress: optionalText(LIMITS.targetAddress),
      occurredFrom: isoDate(),
      occurredTo: isoDate().optional(),
      amountEstimate: z
        .number({ error: "validation.amount_invalid" })
        .min(0, { error: "validation.amount_invalid" })
        .max(LIMITS.amountYuan, { error: "validation.amount_too_large" })
        .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, { error: "validation.amount_invalid" })
        .optional(),
      description: z
        .string({ error: "validation.required" })
        .trim()
        .min(1, { error: "validation.required" })
        .min(LIMITS.description.min, { error: "validation.too_short" })
        .max(LIMITS.description.max, { error: "validation.too_long" }),
      anonymous: z.boolean({ error: (issue) => (issue.input === undefined ? "validation.required" : "validation.invalid") }),
      reporter: reporterIdentitySchema(today).optional(),
      insider: z.boolean({ error: "validation.invalid" }).default(false),
      wantsReward: z.boolean({ error: "validation.invalid" }).default(false),
      locale: z.enum(LOCALES, { error: "validation.invalid_choice" }).optional(),
    })
    .superRefine(
      (value, ctx) => {
        // Runs even when single fields failed, so the form can show every problem at once; fields
        // may therefore still hold raw input here, and the whole value may not even be an object.
        if (typeof value !== "object" || value === null || Array.isArray(value)) return;
        const v = value as Partial<typeof value>;
        if (typeof v.subject === "string" && typeof v.violationType === "string" && !isTypeOfSubject(v.subject, v.violationType))
          ctx.addIssue({ code: "custom", path: ["violationType"], message: "validation.type_not_in_subject" });
        const region = typeof v.region === "object" && v.region !== null ? v.region : {};
        if (!region.provinceCode && !region.cityCode && !region.districtCode) {
          ctx.addIssue({ code: "custom", path: ["region", "provinceCode"], message: "validation.required" });
        } else {
          const resolved = resolveRegion(region);
          if (!resolved.ok) ctx.addIssue({ code: "custom", path: ["region", resolved.field], message: `validation.region_${resolved.problem}` });
        }
        if (typeof v.occurredFrom === "string" && isCalendarDate(v.occurredFrom) && v.occurredFrom > today)
          ctx.addIssue({ code: "custom", path: ["occurredFrom"], message: "validation.date_in_future" });
        if (typeof v.occurredTo === "string" && isCalendarDate(v.occurredTo)) {
          if (v.occurredTo > today) ctx.addIssue({ code: "custom", path: ["occurredTo"], message: "validation.date_in_future" });
          else if (typeof v.occurredFrom === "string" && v.occurredTo < v.occurredFrom)
            ctx.addIssue({ code: "custom", path: ["occurredTo"], message: "validation.date_before_start" });
        }
        if (v.anonymous === false && v.reporter === undefined)
          for (const field of ["name", "phone", "idNumber"])
            ctx.addIssue({ code: "custom", path: ["reporter", field], message: "validation.required" });
        if (v.anonymous === true && v.reporter !== undefined)
          ctx.addIssue({ code: "custom", path: ["reporter"], message: "validation.reporter_with_anonymous" });
      },
      { when: () => true },
    );
}

export type ReportInput = z.output<ReturnType<typeof reportInputSchema>>;
export type ReporterIdentity = z.output<ReturnType<typeof reporterIdentitySchema>>;

export const receiptSchema = z
  .string({ error: "validation.required" })
  .trim()
  .min(1, { error: "validation.required" })
  .max(64, { error: "validation.receipt_format" })
  .refine((v) => normaliseReceipt(v) !== null, { error: "validation.receipt_format" });

export const receiptRequestSchema = z.object({ receipt: receiptSchema });

export const reporterMessageSchema = z.object({
  receipt: receiptSchema,
  body: z
    .string({ error: "validation.required" })
    .trim()
    .min(LIMITS.message.min, { error: "validation.required" })
    .max(LIMITS.message.max, { error: "validation.too_long" }),
  /** The investigator's question this answers, if any. */
  inReplyTo: z.string().trim().max(64).optional(),
});
export type ReporterMessageInput = z.output<typeof reporterMessageSchema>;
