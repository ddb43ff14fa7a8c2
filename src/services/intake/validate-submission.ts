// Validation of a whole submission (fields and files together, so a form can show every problem at
// once). Nothing is written until this has passed.
import { reportInputSchema, type Locale, type ReportInput } from "../../core/report-input";
import { shanghaiDate } from "../../core/time";
import { localiseIssues, type FieldErrors } from "../../i18n/validation";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { checkEvidence, type CheckedFile, type IncomingFile } from "./evidence";

// The report schema depends on the date only (no date in the future): built once per Shanghai day,
// not per request (building it costs more than parsing a report with it).
let schemaFor: { today: string; schema: ReturnType<typeof reportInputSchema> } | null = null;
export function reportSchemaFor(today: string): ReturnType<typeof reportInputSchema> {
  if (schemaFor?.today !== today) schemaFor = { today, schema: reportInputSchema(today) };
  return schemaFor.schema;
}

export function evidenceLimits(deps: ServiceDeps) {
  return { maxCount: deps.config.MAX_ATTACHMENTS, maxBytes: deps.config.MAX_ATTACHMENT_BYTES };
}

/** Parses raw input with the report schema and checks files; throws validation_failed with all field errors. */
export async function validateSubmission(
  deps: ServiceDeps,
  raw: unknown,
  files: IncomingFile[],
  locale: Locale,
): Promise<{ report: ReportInput; files: CheckedFile[] }> {
  const parsed = reportSchemaFor(shanghaiDate(deps.now())).safeParse(raw);
  const fields: FieldErrors = parsed.success ? {} : localiseIssues(parsed.error.issues, locale);
  let checked: CheckedFile[] = [];
  try {
    checked = await checkEvidence(files, evidenceLimits(deps), locale);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "validation_failed") throw err;
    Object.assign(fields, err.options.fields);
  }
  if (!parsed.success || Object.keys(fields).length > 0) throw new AppError("validation_failed", "report input invalid", { fields });
  return { report: parsed.data, files: checked };
}

/** Checks files added after submission; throws validation_failed for the `evidence` field. */
export function validateEvidence(deps: ServiceDeps, files: IncomingFile[], locale: Locale): Promise<CheckedFile[]> {
  return checkEvidence(files, evidenceLimits(deps), locale);
}
