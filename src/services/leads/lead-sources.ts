// Leads that do not come from the web form: batches of suspicious records passed down after big-data
// screening (CSV), and hotline calls (12393) entered by staff. Each becomes a lead through the same
// clustering and routing as a tip.
import { z } from "zod";
import { MAX_AMOUNT_YUAN, parseYuanText } from "../../core/money";
import { getRegion } from "../../core/regions";
import { isTypeOfSubject, VIOLATION_SUBJECTS, VIOLATION_TYPES } from "../../core/taxonomy";
import { sha256Hex } from "../../security/encoding";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { batchLineNo, writeScreeningBatch, type BatchResult, type BatchWriteOptions, type ScreeningRow } from "./batches";
import { commitLead } from "./planning";
import type { Actor } from "../events";

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF, optional UTF-8 BOM. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const src = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ""));
}

/** "12.3" → 1230 fen, by digits (no floating point on money). */
export function yuanTextToFen(yuan: string): number {
  const [whole, frac = ""] = yuan.split(".");
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
}

const dateOrEmpty = z
  .string()
  .trim()
  .regex(/^(\d{4}-\d{2}-\d{2})?$/, { error: "must be YYYY-MM-DD or empty" })
  .transform((v) => v || null);

export const batchRowSchema = z
  .object({
    rule: z.string().trim().min(1, { error: "required (the screening rule that flagged the record)" }).max(200),
    institution: z.string().trim().min(1, { error: "required" }).max(200),
    region_code: z.string().trim().refine((c) => getRegion(c) !== undefined, { error: "is not a GB/T 2260 division code" }),
    subject: z.enum(VIOLATION_SUBJECTS, { error: `must be one of ${VIOLATION_SUBJECTS.join(", ")}` }),
    violation_type: z.enum(VIOLATION_TYPES, { error: "is not a violation type (see GET /api/v1/taxonomy)" }),
    period_from: dateOrEmpty,
    period_to: dateOrEmpty,
    amount_yuan: z
      .string()
      .trim()
      .regex(/^(\d+(\.\d{1,2})?)?$/, { error: "must be a number of yuan" })
      .refine((v) => !v || parseYuanText(v).ok, { error: `must be at most ${MAX_AMOUNT_YUAN} yuan` })
      .transform((v) => (v ? yuanTextToFen(v) : null)),
    details: z.string().trim().max(5000).default(""),
    ref: z.string().trim().max(100).default(""),
  })
  .superRefine(
    (r, ctx) => {
      // Runs even when other cells failed, so one pass lists every problem of the row.
      if (typeof r.subject === "string" && typeof r.violation_type === "string" && !isTypeOfSubject(r.subject, r.violation_type))
        ctx.addIssue({ code: "custom", path: ["violation_type"], message: "violation_type does not belong to subject" });
    },
    { when: () => true },
  );

export const BATCH_COLUMNS = ["rule", "institution", "region_code", "subject", "violation_type", "period_from", "period_to", "amount_yuan", "details", "ref"] as const;

export type { BatchResult } from "./batches";

/**
 * Imports a CSV of screening results. The whole file is checked first: one bad row rejects it with
 * every problem listed, and nothing is stored. Then the rows are written in chunks (see batches.ts)
 * and recorded in screening_batches / batch_rows. Importing the same file again adds nothing.
 */
export async function importScreeningBatch(
  deps: ServiceDeps,
  csv: string,
  actor: Actor,
  source = "screening",
  meta: { reference?: string | null; feedbackDueOn?: string | null } = {},
  options?: BatchWriteOptions,
): Promise<BatchResult> {
  const rows = parseCsv(csv);
  const [header, ...data] = rows;
  const columns = (header ?? []).map((h) => h.trim().toLowerCase());
  const missing = ["rule", "institution", "region_code", "subject", "violation_type"].filter((c) => !columns.includes(c));
  if (missing.length) throw new AppError("validation_failed", `CSV header lacks column(s): ${missing.join(", ")}; expected ${BATCH_COLUMNS.join(",")}`);
  const problems: string[] = [];
  const parsed: ScreeningRow[] = [];
  data.forEach((cells, i) => {
    // Optional columns may be left out of the header altogether.
    const record = { ...Object.fromEntries(BATCH_COLUMNS.map((c) => [c, ""])), ...Object.fromEntries(columns.map((c, j) => [c, cells[j] ?? ""])) };
    const result = batchRowSchema.safeParse(record);
    if (!result.success) for (const issue of result.error.issues) problems.push(`row ${batchLineNo(i)}, ${issue.path.join(".")}: ${issue.message}`);
    else parsed.push(result.data);
  });
  if (problems.length) throw new AppError("validation_failed", `the batch was not imported:\n${problems.join("\n")}`);
  const batchId = (await sha256Hex(csv)).slice(0, 16);
  return writeScreeningBatch(deps, { id: batchId, source, reference: meta.reference ?? null, feedbackDueOn: meta.feedbackDueOn ?? null }, parsed, actor, options);
}

export const hotlineCallSchema = z.object({
  callRef: z.string().trim().min(1).max(100),
  subject: z.enum(VIOLATION_SUBJECTS),
  violationType: z.enum(VIOLATION_TYPES),
  regionCode: z.string().refine((c) => getRegion(c) !== undefined, { error: "is not a GB/T 2260 division code" }),
  targetName: z.string().trim().min(1).max(200),
  description: z.string().trim().min(1).max(5000),
  occurredFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  amountYuan: z.number().nonnegative().max(MAX_AMOUNT_YUAN, { error: `must be at most ${MAX_AMOUNT_YUAN} yuan` }).optional(),
});

/** A 12393 hotline call entered by staff. */
export async function createHotlineLead(deps: ServiceDeps, input: z.input<typeof hotlineCallSchema>, actor: Actor): Promise<{ leadId: string; created: boolean }> {
  const call = hotlineCallSchema.parse(input);
  if (!isTypeOfSubject(call.subject, call.violationType)) throw new AppError("validation_failed", "violationType does not belong to subject");
  const now = deps.now();
  const plan = await commitLead(deps, {
    seed: {
      source: "hotline",
      sourceRef: call.callRef,
      subject: call.subject,
      violationType: call.violationType,
      regionCode: call.regionCode,
      targetName: call.targetName,
      occurredFrom: call.occurredFrom ?? null,
      amountEstimateFen: call.amountYuan === undefined ? null : Math.round(call.amountYuan * 100),
      description: call.description,
      receivedAt: now,
    },
    actor,
  });
  deps.notifyOutbox?.();
  return { leadId: plan.leadId, created: plan.created };
}
