// Reading request bodies: size limits enforced while the body streams (413), the upload memory budget
// and per-client upload slots (429), stalled bodies (408), content-type checks (415), JSON parse
// errors and nesting depth (400) and multipart files.
import type { MiddlewareHandler } from "hono";
import type { Locale } from "../core/report-input";
import { t } from "../i18n";
import { AppError } from "../services/errors";
import type { IncomingFile } from "../services/intake/evidence";
import type { AppContext, AppEnv } from "./context";
import { formatBytes } from "../services/intake/evidence";
import { MAX_JSON_DEPTH, parseBoundedJson } from "../core/json-depth";
import { multipartBoundary, readMultipart, type MultipartLimits } from "./multipart";

/** The body went over its limit; thrown by the counting stream and turned into a 413. */
function tooLarge(max: number, cause?: unknown): AppError {
  return new AppError("payload_too_large", "body too large", { params: { max: formatBytes(max) }, cause });
}

/** The 413, 408 or 429 raised while the body streamed, wherever a body reader wrapped it (parseBody, json()). */
function bodyReadError(err: unknown): AppError | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (e instanceof AppError && (e.code === "payload_too_large" || e.code === "request_timeout" || e.code === "rate_limited")) return e;
  return null;
}

/** An upload's account with the budget: bytes are taken as they arrive and all given back at once. */
export interface UploadTicket {
  take(bytes: number): Promise<void>;
  release(): void;
}

/**
 * How many body bytes are being held in memory at once. A request takes its bytes as they arrive
 * (never what it merely declares: a client that declares 32 MB and trickles a byte every few seconds
 * holds a few bytes); one that does not fit waits in line, its body left unread in the socket. A fresh
 * request is always let in when nothing else is held, so the budget never blocks an upload for good,
 * and one request already part-read may go over the budget at a time, so two half-read uploads never
 * wait on each other. One client (rate-limit subject) holds at most `maxPerClient` large uploads.
 */
export class UploadBudget {
  private inFlight = 0;
  /** The one part-read upload allowed past the budget, so uploads holding bytes never deadlock. */
  private overdraft: object | null = null;
  private readonly waiting: { owner: { held: number }; bytes: number; admit: () => void }[] = [];
  private readonly perClient = new Map<string, number>();

  constructor(
    readonly maxBytes: number,
    private readonly maxWaitMs = 30_000,
    readonly maxPerClient = 2,
  ) {}

  /** A request's account; release() gives back everything it took (idempotent). */
  open(): UploadTicket {
    const owner = { held: 0, released: false };
    return {
      take: (bytes) => this.take(owner, bytes),
      release: () => {
        if (owner.released) return;
        owner.released = true;
        this.inFlight -= owner.held;
        owner.held = 0;
        if (this.overdraft === owner) this.overdraft = null;
        this.admitWaiting();
      },
    };
  }

  /** Takes `bytes` for one request in one go; resolves to its release. */
  async reserve(bytes: number): Promise<() => void> {
    const ticket = this.open();
    await ticket.take(bytes);
    return () => ticket.release();
  }

  /** One more large upload for `subject`, or 429 while it already has `maxPerClient`; returns its release. */
  claimLargeUpload(subject: string): () => void {
    const count = this.perClient.get(subject) ?? 0;
    if (count >= this.maxPerClient)
      throw new AppError("rate_limited", "too many large uploads from one client", { retryAfterSeconds: 10, messageKey: "errors.uploads_per_client", params: { max: this.maxPerClient } });
    this.perClient.set(subject, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perClient.get(subject) ?? 1) - 1;
      if (left > 0) this.perClient.set(subject, left);
      else this.perClient.delete(subject);
    };
  }

  private canTake(owner: { held: number }, bytes: number, queued: boolean): boolean {
    if (this.inFlight === 0 || this.inFlight + bytes <= this.maxBytes) return !queued || this.waiting[0]?.owner === owner;
    return owner.held > 0 && (this.overdraft === null || this.overdraft === owner);
  }

  private grant(owner: { held: number }, bytes: number): void {
    if (this.inFlight + bytes > this.maxBytes && this.overdraft === null) this.overdraft = owner;
    this.inFlight += bytes;
    owner.held += bytes;
  }

  private take(owner: { held: number; released: boolean }, bytes: number): Promise<void> {
    if (owner.released) return Promise.resolve();
    if (this.canTake(owner, bytes, this.waiting.length > 0 && owner.held === 0)) {
      this.grant(owner, bytes);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = {
        owner,
        bytes,
        admit: () => {
          clearTimeout(timer);
          this.grant(owner, bytes);
          resolve();
        },
      };
      this.waiting.push(entry);
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(entry);
        if (at < 0) return;
        this.waiting.splice(at, 1);
        reject(new AppError("rate_limited", "upload budget exhausted", { retryAfterSeconds: 10, messageKey: "errors.uploads_busy" }));
      }, this.maxWaitMs);
    });
  }

  /** In order while they fit; then the first part-read upload waiting may take the overdraft. */
  private admitWaiting(): void {
    while (this.waiting.length && this.canTake(this.waiting[0]!.owner, this.waiting[0]!.bytes, true)) this.waiting.shift()!.admit();
    if (this.overdraft !== null) return;
    const at = this.waiting.findIndex((w) => w.owner.held > 0);
    if (at >= 0) this.waiting.splice(at, 1)[0]!.admit();
  }
}

/** Bodies up to this size (forms, JSON) need no place in line and no per-client upload slot. */
const LARGE_BODY_BYTES = 1024 * 1024;

export interface BodyLimitOptions {
  budget?: UploadBudget;
  /** The client's rate-limit subject (see core/client-address.ts), for the per-client upload slots. */
  clientSubject?: (c: AppContext) => string;
  /** A body that sends nothing for this long while we wait for it is ended with 408. */
  idleTimeoutMs?: number;
}

function idleError(): AppError {
  return new AppError("request_timeout", "request body stalled");
}

/** The next chunk, or a 408 when the client sends nothing for `ms`. */
function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(idleError()), ms)));
  return Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Refuses bodies over `maxBytes(c)` before they are buffered: a declared Content-Length over the limit
 * is answered at once, without reading a byte; any other body (chunked, or lying) is counted as it
 * streams and the read fails as soon as the count passes the limit, so at most `maxBytes` plus one
 * chunk is ever held. Large bodies take their bytes from the upload budget as they arrive and hold
 * one of the client's upload slots; a body silent for `idleTimeoutMs` is ended with 408.
 */
export function limitRequestBody(maxBytes: (c: AppContext) => number, options: BodyLimitOptions = {}): MiddlewareHandler<AppEnv> {
  const { budget, idleTimeoutMs = 10_000 } = options;
  return async (c, next) => {
    const body = c.req.raw.body;
    if (c.req.method === "GET" || c.req.method === "HEAD" || !body) return next();
    const max = maxBytes(c);
    const declared = c.req.header("content-length");
    let declaredLength: number | undefined;
    if (declared !== undefined && !c.req.header("transfer-encoding")) {
      const length = Number(declared);
      if (!Number.isSafeInteger(length) || length < 0) throw new AppError("validation_failed", "bad Content-Length", { fields: {} });
      if (length > max) throw tooLarge(max);
      declaredLength = length;
    }
    const releases: (() => void)[] = [];
    let large = false;
    let ticket: UploadTicket | null = null;
    /** From here on the request is a large upload: a client slot, and every byte so far from the budget. */
    const becomeLarge = async (bytesSoFar: number) => {
      if (large || !budget) return;
      large = true;
      releases.push(budget.claimLargeUpload(options.clientSubject?.(c) ?? "unknown"));
      ticket = budget.open();
      releases.push(ticket.release);
      if (bytesSoFar > 0) await ticket.take(bytesSoFar);
    };
    // A declared large body is refused its third slot before a byte is read.
    if (declaredLength !== undefined && declaredLength > LARGE_BODY_BYTES) await becomeLarge(0);

    let seen = 0;
    let ended = false;
    const reader = body.getReader();
    // Pulled only when the handler reads (highWaterMark 0), so the idle clock runs only while we wait
    // for the client. On an error the source is not cancelled: that would destroy the socket before
    // the 408/413 is written; the server drains or closes the rest after the answer.
    const counted = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const next = await readWithin(reader, idleTimeoutMs);
            if (next.done) {
              ended = true;
              return controller.close();
            }
            seen += next.value.byteLength;
            if (seen > max) throw tooLarge(max);
            if (large) await ticket!.take(next.value.byteLength);
            else if (seen > LARGE_BODY_BYTES) await becomeLarge(seen);
            controller.enqueue(next.value);
          } catch (err) {
            controller.error(err);
          }
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    c.req.raw = new Request(c.req.raw, { body: counted, duplex: "half" } as RequestInit);
    try {
      await next();
    } finally {
      for (const release of releases) release();
    }
    // A body left part-read by an error would otherwise be drained, or parsed as the next request.
    if (!ended && c.res.status >= 400) c.res.headers.set("Connection", "close");
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

/** JSON text parsed with its nesting bounded first (core/json-depth.ts); 400 with a clear message otherwise. */
export function parseJsonOrThrow(text: string, locale: Locale, field = "_"): unknown {
  const parsed = parseBoundedJson(text);
  if (parsed.ok) return parsed.value;
  if (parsed.reason === "too_deep")
    throw new AppError("validation_failed", "JSON nested too deeply", { fields: { [field]: t(locale, "validation.json_too_deep", { max: MAX_JSON_DEPTH }) } });
  throw new AppError("validation_failed", "invalid JSON", { fields: { [field]: t(locale, "validation.invalid_json") } });
}

export async function readJson(c: AppContext, locale: Locale): Promise<unknown> {
  let text: string;
  try {
    text = await c.req.text();
  } catch (err) {
    throw bodyReadError(err) ?? new AppError("validation_failed", "unreadable body", { fields: { _: t(locale, "validation.invalid_json") } });
  }
  return parseJsonOrThrow(text, locale);
}

export interface FormBody {
  fields: Record<string, string>;
  files: IncomingFile[];
}

/** Every text field of a multipart body is held to this (the API's `report` part is JSON like a JSON body). */
export const MAX_FORM_FIELD_BYTES = 256 * 1024;

/**
 * Text fields (last value wins) and the files of `fileField`. Browsers send an empty part when no file
 * is chosen; those are skipped. Multipart bodies are read as they stream (./multipart.ts), each text
 * field held to MAX_FORM_FIELD_BYTES and each file to `limits.maxFileBytes` (413 as soon as one passes).
 */
export async function readForm(c: AppContext, fileField = "evidence", limits: Partial<MultipartLimits> = {}): Promise<FormBody> {
  // No prototype: a field named "constructor" or "__proto__" is just a field.
  const fields: Record<string, string> = Object.create(null);
  const files: IncomingFile[] = [];
  const boundary = bodyKind(c) === "multipart" ? multipartBoundary(c.req.header("content-type") ?? "") : null;
  if (boundary !== null && c.req.raw.body) {
    let parts;
    try {
      parts = await readMultipart(c.req.raw.body, boundary, { maxFieldBytes: MAX_FORM_FIELD_BYTES, maxFileBytes: Number.POSITIVE_INFINITY, ...limits });
    } catch (cause) {
      throw bodyReadError(cause) ?? new AppError("validation_failed", "malformed form body", { cause, fields: {} });
    }
    const text = new TextDecoder();
    for (const part of parts) {
      if (part.filename === undefined) fields[part.name] = text.decode(part.bytes);
      else if (part.name === fileField && (part.bytes.length > 0 || part.filename)) files.push({ name: part.filename, bytes: part.bytes });
    }
    return { fields, files };
  }
  let body: Record<string, string | File | (string | File)[]>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch (cause) {
    throw bodyReadError(cause) ?? new AppError("validation_failed", "malformed form body", { cause, fields: {} });
  }
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
