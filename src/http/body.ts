// Reading request bodies: content-type checks (415), JSON parse errors (400) and multipart files.
import type { Locale } from "../core/report-input";
import { t } from "../i18n";
import { AppError } from "../services/errors";
import type { IncomingFile } from "../services/intake/evidence";
import type { AppContext } from "./context";

export type BodyKind = "json" | "multipart" | "form";

export function bodyKind(c: AppContext): BodyKind | null {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "multipart/form-data") return "multipart";
  if (type === "application/x-www-form-urlencoded") return "form";
  return null;
}

const MEDIA_NAMES: Record<BodyKind, string> = {
  json: "application/json",
  multipart: "multipart/form-data",
  form: "application/x-www-form-urlencoded",
};

/** The body kind if it is one of `allowed`, else 415 naming what is expected. */
export function requireBodyKind(c: AppContext, allowed: BodyKind[]): BodyKind {
  const kind = bodyKind(c);
  if (kind && allowed.includes(kind)) return kind;
  const expected = allowed.map((k) => MEDIA_NAMES[k]).join(", ");
  throw new AppError("unsupported_media_type", `expected ${expected}`, { params: { expected } });
}

export async function readJson(c: AppContext, locale: Locale): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new AppError("validation_failed", "invalid JSON", { fields: { _: t(locale, "validation.invalid_json") } });
  }
}

export interface FormBody {
  fields: Record<string, string>;
  files: IncomingFile[];
}

/**
 * Text fields (last value wins) and the files of the `evidence` field. Browsers send an empty part
 * when no file is chosen; those are skipped.
 */
export async function readForm(c: AppContext, fileField = "evidence"): Promise<FormBody> {
  let body: Record<string, string | File | (string | File)[]>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch (cause) {
    throw new AppError("validation_failed", "malformed form body", { cause, fields: {} });
  }
  const fields: Record<string, string> = {};
  const files: IncomingFile[] = [];
  for (const [name, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === "string") fields[name] = item;
      else if (name === fileField && (item.size > 0 || item.name)) files.push({ name: item.name, bytes: new Uint8Array(await item.arrayBuffer()) });
    }
  }
  return { fields, files };
}
