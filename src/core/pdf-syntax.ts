// PDF syntax for the metadata stripper (./pdf-strip.ts): tokens, byte search and a blank deflate
// stream. Every function advances through the bytes and spends what it reads from the meter, so
// callers that move forward stay linear in the file size.
import type { StripMeter } from "./strip-budget";

export class PdfMalformed extends Error {}

export const SPACE = 0x20;

export const WHITESPACE = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WHITESPACE[c] = 1;
const DELIMITER = new Uint8Array(256);
for (const c of "()<>[]{}/%") DELIMITER[c.charCodeAt(0)] = 1;
export const isRegular = (c: number | undefined) => c !== undefined && !WHITESPACE[c] && !DELIMITER[c];

export const ascii = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
export const ENDSTREAM = ascii("endstream");

/**
 * First index of `needle` in b[from, to), or -1. The first byte is found natively; the rest is
 * compared there, so the work is at most needle.length per byte.
 */
export function findBytes(b: Uint8Array, needle: Uint8Array, from: number, meter: StripMeter, to = b.length): number {
  const first = needle[0]!;
  const last = to - needle.length;
  for (let at = b.indexOf(first, from); at >= 0 && at <= last; at = b.indexOf(first, at + 1)) {
    let k = 1;
    while (k < needle.length && b[at + k] === needle[k]) k++;
    meter.spend(k);
    if (k === needle.length) {
      meter.spend(at - from + 1);
      return at;
    }
  }
  meter.spend(to - from + 1);
  return -1;
}

/** The bytes [from, to) as a string, built without spreading (spreading a typed array is slow). */
export function shortString(b: Uint8Array, from: number, to: number): string {
  let out = "";
  for (let k = from; k < to; k++) out += String.fromCharCode(b[k]!);
  return out;
}

export const startsWithAt = (b: Uint8Array, needle: Uint8Array, at: number) => needle.every((v, k) => b[at + k] === v);

export type Token =
  | { kind: "int"; value: number; start: number; end: number }
  | { kind: "name" | "keyword"; value: string; start: number; end: number }
  | { kind: "string" | "other"; start: number; end: number }
  | { kind: "open" | "close"; container: "dict" | "array"; start: number; end: number };

/** End (exclusive) of the literal string whose `(` is at `open`, honouring escapes and nesting. */
function literalStringEnd(b: Uint8Array, open: number): number {
  let depth = 0;
  for (let k = open; k < b.length; k++) {
    const c = b[k];
    if (c === 0x5c) k++;
    else if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return k + 1;
  }
  throw new PdfMalformed();
}

/** The token at `p` (after whitespace and comments), or null at `end`. Spends its length. */
export function nextToken(b: Uint8Array, p: number, end: number, meter: StripMeter): Token | null {
  const from = p;
  for (;;) {
    while (p < end && WHITESPACE[b[p]!]) p++;
    if (p < end && b[p] === 0x25) {
      while (p < end && b[p] !== 0x0a && b[p] !== 0x0d) p++;
      continue;
    }
    break;
  }
  if (p >= end) {
    meter.spend(p - from + 1);
    return null;
  }
  const start = p;
  const c = b[p]!;
  let token: Token;
  if (c === 0x28) token = { kind: "string", start, end: literalStringEnd(b, p) };
  else if (c === 0x3c && b[p + 1] === 0x3c) token = { kind: "open", container: "dict", start, end: p + 2 };
  else if (c === 0x3e && b[p + 1] === 0x3e) token = { kind: "close", container: "dict", start, end: p + 2 };
  else if (c === 0x3c) {
    let k = p + 1;
    while (k < b.length && b[k] !== 0x3e) k++;
    if (k >= b.length) throw new PdfMalformed();
    token = { kind: "string", start, end: k + 1 };
  } else if (c === 0x5b) token = { kind: "open", container: "array", start, end: p + 1 };
  else if (c === 0x5d) token = { kind: "close", container: "array", start, end: p + 1 };
  else if (c === 0x2f) {
    let k = p + 1;
    while (isRegular(b[k])) k++;
    token = { kind: "name", value: shortString(b, p + 1, Math.min(k, p + 64)), start, end: k };
  } else if (isRegular(c)) {
    let k = p;
    let value = 0;
    let digits = true;
    for (; isRegular(b[k]); k++) {
      const d = b[k]! - 0x30;
      if (d >= 0 && d <= 9) value = value * 10 + d;
      else digits = false;
    }
    // Object numbers and generations are small; a longer run of digits is just a number.
    if (digits && k - p <= 10) token = { kind: "int", value, start, end: k };
    else token = { kind: "keyword", value: shortString(b, p, Math.min(k, p + 32)), start, end: k };
  } else token = { kind: "other", start, end: p + 1 }; // a stray ) > } or {
  meter.spend(token.end - from + 1);
  return token;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let s = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

/** A zlib stream of exactly `length` bytes that inflates to blanks (stored blocks), or null if too short. */
export function blankZlibStream(length: number): Uint8Array | null {
  const payload = length - 6; // 2-byte header, 4-byte Adler-32
  const blocks = Math.max(1, Math.ceil(payload / (65535 + 5)));
  const raw = payload - 5 * blocks;
  if (raw < 0) return null;
  const out = new Uint8Array(length);
  out[0] = 0x78;
  out[1] = 0x01;
  let at = 2;
  let left = raw;
  for (let n = 0; n < blocks; n++) {
    const size = n === blocks - 1 ? left : Math.min(65535, left);
    out[at] = n === blocks - 1 ? 1 : 0;
    out[at + 1] = size & 0xff;
    out[at + 2] = size >> 8;
    out[at + 3] = ~size & 0xff;
    out[at + 4] = (~size >> 8) & 0xff;
    out.fill(SPACE, at + 5, at + 5 + size);
    at += 5 + size;
    left -= size;
  }
  new DataView(out.buffer).setUint32(at, adler32(new Uint8Array(raw).fill(SPACE)));
  return out;
}
