// Turns zod issues into field errors in the request's language. Our own rules carry an i18n key as
// their message; zod's built-in issues (wrong type, too long …) are mapped here by code.
import type { z } from "zod";
import type { Locale } from "../core/report-input";
import { t, type Params } from "./index";

export type FieldErrors = Record<string, string>;

export function issueKey(issue: z.core.$ZodIssue): { key: string; params: Params } {
  const params: Params = {};
  if ("maximum" in issue && issue.maximum !== undefined) params.max = Number(issue.maximum);
  if ("minimum" in issue && issue.minimum !== undefined) params.min = Number(issue.minimum);
  if (issue.message.startsWith("validation.")) return { key: issue.message, params };
  switch (issue.code) {
    case "invalid_type":
      return { key: issue.input === undefined ? "validation.required" : "validation.invalid_type", params };
    case "too_small":
      return { key: issue.minimum === 1 && issue.origin === "string" ? "validation.required" : "validation.too_short", params };
    case "too_big":
      return { key: "validation.too_long", params };
    case "invalid_value":
      return { key: "validation.invalid_choice", params };
    case "unrecognized_keys":
      return { key: "validation.unknown_field", params: { fields: issue.keys.join(", ") } };
    default:
      return { key: "validation.invalid", params };
  }
}

/** First message per field path (`reporter.idNumber`), localised. */
export function localiseIssues(issues: readonly z.core.$ZodIssue[], locale: Locale): FieldErrors {
  const fields: FieldErrors = Object.create(null);
  for (const issue of issues) {
    const path = issue.path.map(String).join(".") || "_";
    if (fields[path]) continue;
    const { key, params } = issueKey(issue);
    fields[path] = t(locale, key, params);
  }
  return fields;
}
