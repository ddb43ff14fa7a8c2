// Reading request bodies: size limits enforced while the body streams (413), content-type checks
// (415), JSON parse errors (400) and multipart files.
import type { MiddlewareHandler } from "hono";
import type { Locale } from "../core/report-input";
import { t } from "../i18n";
import { AppError } from "../services/errors";
import type { IncomingFile } from "../services/intake/evidence";
import type { AppContext, AppEnv } from "./context";
import { formatBytes } from "../services/intake/evidence";

/** The body went over its limit; thrown by the counting stream and turned into a 413. */
function tooLarge(max: number, cause?: unknown): AppError {
  return new AppError("payload_too_large", "body too large", { params: { max: formatBytes(max) }, cause });
}

/** The 413 raised by limitRequestBody, wherever a body reader wrapped it (parseBody, json()). */
function sizeErrorIn(err: unknown): AppError | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (e instanceof AppError && e.code === "payload_too_large") return e;
  return null;
}

/**
 * How many body bytes are being held in memory at once. A request reserves its declared length
 * (or its whole limit when chunked) before a byte is read, and gives it back when answered; one that
 * does not fit waits in line, its body left unread in the socket, so eight 50 MB uploads at once
 * are taken one or two at a time instead of all buffered together. One request is always let in,
 * however large (within its limit), so the budget never blocks an upload for good.
 */
export class UploadBudget {
  private inFlight = 0;
  private readonly waiting: { bytes: number; admit: () => void }[] = [];

  constructor(
    readonly maxBytes: number,
    private readonly maxWaitMs = 30_000,
  ) {}

  async reserve(bytes: number): Promise<() => void> {
    if (this.fits(bytes) && this.waiting.length === 0) return this.take(bytes);
    return new Promise((resolve, reject) => {
      const entry = { bytes, admit: () => resolve(this.take(bytes)) };
      this.waiting.push(entry);
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(entry);
        if (at < 0) return;
        this.waiting.splice(at, 1);
        reject(new AppError("rate_limited", "upload budget exhausted", { retryAfterSeconds: 10, messageKey: "errors.uploads_busy" }));
      }, this.maxWaitMs);
      entry.admit = () => {
        clearTimeout(timer);
        resolve(this.take(bytes));
      };
    });
  }

  private fits(bytes: number) {
    return this.inFlight === 0 || this.inFlight + bytes <= this.maxBytes;
  }

  private take(bytes: number): () => void {
    this.inFlight += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= bytes;
      while (this.waiting.length && this.fits(this.waiting[0]!.bytes)) this.waiting.shift()!.admit();
    };
  }
}

/**
 * Refuses bodies over `maxBytes(c)` before they are buffered: a declared Content-Length over the limit
 * is answered at once, without reading a byte; any other body (chunked, or lying) is counted as it
 * streams and the read fails as soon as the count passes the limit, so at most `maxBytes` plus one
 * chunk is ever held.
 */
export function limitRequestBody(maxBytes: (c: AppContext) => number, budget?: UploadBudget): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (c.req.method === "GET" || c.req.method === "HEAD" || !body) return next();
    const max = maxBytes(c);
    const declared = c.req.header("content-length");
    let expected = max;
    if (declared !== undefined && !c.req.header("transfer-encoding")) {
      const length = Number(declared);
      if (!Number.isSafeInteger(length) || length < 0) throw new AppError("validation_failed", "bad Content-Length", { fields: {} });
      if (length > max) throw tooLarge(max);
      expected = length;
    }
    // Small bodies (forms, JSON) need no place in line.
    const release = budget && expected > 1024 * 1024 ? await budget.reserve(expected) : () => undefined;
    let seen = 0;
    const counted = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > max) controller.error(tooLarge(max));
          else controller.enqueue(chunk);
        },
      }),
    );
    c.req.raw = new Request(c.req.raw, { body: counted, duplex: "half" } as RequestInit);
    try {
      await next();
    } finally {
      release();
    }
  };
}

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
  } catch (err) {
    const size = sizeErrorIn(err);
    if (size) throw size;
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
    const size = sizeErrorIn(cause);
    if (size) throw size;
    throw new AppError("validation_failed", "malformed form body", { cause, fields: {} });
  }
  // No prototype: a field named "constructor" or "__proto__" is just a field.
  const fields: Record<string, string> = Object.create(null);
  const files: IncomingFile[] = [];
  for (const [name, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === "string") fields[name] = item;
      else if (name === fileField && (item.size > 0 || item.name)) files.push({ name: item.name, bytes: new Uint8Array(await item.arrayBuffer()) });
    }
  }
  // The parsed form stays cached on the request otherwise: drop it so the files are held only once.
  c.req.bodyCache = {};
  return { fields, files };
}
