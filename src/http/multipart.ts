// A streaming multipart/form-data reader with a limit per part. Request.formData() buffers the whole
// body and then parses it in one synchronous pass (a 48 MB body froze Node for ~1.7 s before a single
// field could be checked); here parts are split as chunks arrive, so an over-large text field or file
// is refused as soon as it passes its limit, and the event loop is free between chunks.
import { AppError } from "../services/errors";
import { formatBytes } from "../services/intake/evidence";

export interface MultipartLimits {
  /** Bytes of one text field (no filename). */
  maxFieldBytes: number;
  /** Bytes of one file part. */
  maxFileBytes: number;
  /** Bytes of one part's headers. */
  maxHeaderBytes?: number;
}

export interface MultipartPart {
  name: string;
  /** Present (possibly empty) for file parts, absent for text fields. */
  filename?: string;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();
const CRLF_CRLF = encoder.encode("\r\n\r\n");

/** The boundary parameter of a multipart Content-Type, or null. */
export function multipartBoundary(contentType: string): string | null {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]!) : null;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first, from); i >= 0 && i <= haystack.length - needle.length; i = haystack.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function malformed(why: string): AppError {
  return new AppError("validation_failed", `malformed multipart body: ${why}`, { fields: {} });
}

/** A Content-Disposition parameter: quoted (browsers write `"` as %22) or a bare token; RFC 5987 `name*=` wins. */
function dispositionParam(header: string, key: string): string | undefined {
  const extended = new RegExp(`;\\s*${key}\\*\\s*=\\s*([^']*)'[^']*'([^;]*)`, "i").exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[2]!.trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  const m = new RegExp(`;\\s*${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i").exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]!;
}

function parseHeaders(bytes: Uint8Array): { name: string; filename?: string } {
  const text = new TextDecoder().decode(bytes);
  let disposition: string | undefined;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === "content-disposition") disposition = line.slice(colon + 1).trim();
  }
  if (!disposition || !/^form-data\b/i.test(disposition)) throw malformed("part without form-data disposition");
  const name = dispositionParam(disposition, "name");
  if (name === undefined) throw malformed("part without a name");
  const filename = dispositionParam(disposition, "filename");
  return filename === undefined ? { name } : { name, filename };
}

/**
 * Every part of a multipart body, in order. Throws payload_too_large as soon as a part passes its
 * limit (nothing more is read), validation_failed for a body that is not well-formed multipart.
 */
export async function readMultipart(body: ReadableStream<Uint8Array>, boundary: string, limits: MultipartLimits): Promise<MultipartPart[]> {
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const maxHeaderBytes = limits.maxHeaderBytes ?? 16 * 1024;
  const parts: MultipartPart[] = [];
  // A virtual CRLF in front makes the first boundary look like every other delimiter.
  let buf: Uint8Array = encoder.encode("\r\n");
  // Cast: TypeScript does not see `step` (a closure) change it, and would narrow it to "preamble".
  let state = "preamble" as "preamble" | "after-delimiter" | "headers" | "body" | "done";
  let current: { name: string; filename?: string; chunks: Uint8Array[]; size: number; max: number } | null = null;

  const append = (bytes: Uint8Array) => {
    if (!current || bytes.length === 0) return;
    current.size += bytes.length;
    if (current.size > current.max)
      throw new AppError("payload_too_large", "multipart part too large", {
        params: { max: formatBytes(current.max), field: current.name },
        messageKey: current.filename === undefined ? "errors.field_too_large" : "errors.file_too_large",
      });
    current.chunks.push(bytes.slice());
  };

  /** Consumes what `buf` allows; returns false when more bytes are needed. */
  const step = (): boolean => {
    switch (state) {
      case "preamble": {
        const at = indexOf(buf, delimiter, 0);
        if (at < 0) {
          if (buf.length > maxHeaderBytes) throw malformed("no boundary");
          return false;
        }
        buf = buf.subarray(at + delimiter.length);
        state = "after-delimiter";
        return true;
      }
      case "after-delimiter": {
        if (buf.length < 2) return false;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = "done";
          return false;
        }
        // Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
        let i = 0;
        while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
        if (buf.length < i + 2) return false;
        if (buf[i] !== 0x0d || buf[i + 1] !== 0x0a) throw malformed("bad delimiter");
        buf = buf.subarray(i + 2);
        state = "headers";
        return true;
      }
      case "headers": {
        const at = indexOf(buf, CRLF_CRLF, 0);
        if (at < 0) {
          if (buf.length > maxHeaderBytes) throw malformed("part headers too long");
          return false;
        }
        const head = parseHeaders(buf.subarray(0, at));
        buf = buf.subarray(at + 4);
        current = { ...head, chunks: [], size: 0, max: head.filename === undefined ? limits.maxFieldBytes : limits.maxFileBytes };
        state = "body";
        return true;
      }
      case "body": {
        const at = indexOf(buf, delimiter, 0);
        if (at < 0) {
          // Keep only what could be the start of a delimiter split across chunks.
          const keep = Math.min(buf.length, delimiter.length - 1);
          append(buf.subarray(0, buf.length - keep));
          buf = buf.subarray(buf.length - keep);
          return false;
        }
        append(buf.subarray(0, at));
        const part = current!;
        parts.push({ name: part.name, ...(part.filename !== undefined ? { filename: part.filename } : {}), bytes: concat(part.chunks, part.size) });
        current = null;
        buf = buf.subarray(at + delimiter.length);
        state = "after-delimiter";
        return true;
      }
      case "done":
        return false;
    }
  };

  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (state === "done") continue; // the epilogue is ignored (and still counted by the body limit)
      const joined = new Uint8Array(buf.length + value.length);
      joined.set(buf, 0);
      joined.set(value, buf.length);
      buf = joined;
      while (step());
    }
  } finally {
    reader.releaseLock();
  }
  if (state !== "done") throw malformed("unexpected end of body");
  return parts;
}
