// PDF metadata stripping, changed in place, byte for byte the same length, so every xref offset
// stays right. One forward pass tokenises the whole file (each byte looked at a bounded number of
// times, so the work is linear in the size whatever the content) and records: object definitions,
// streams with their dictionaries, every /Info (trailers and cross-reference streams of every
// revision) and every /Metadata reference. Then:
// - the information dictionary's strings become blanks, and every object its values point to
//   (`/Author 4 0 R`), transitively, is blanked too;
// - every stream a /Metadata key points to (with or without /Type /Metadata), every /Type /Metadata
//   stream and every unfiltered stream holding an XMP packet becomes blanks (raw, or a stored deflate
//   stream of the same length when FlateDecode);
// - XMP packets anywhere else (`<?xpacket` … `<?xpacket end…>`, `<x:xmpmeta` … `</x:xmpmeta>`) become blanks.
// What cannot be cleaned safely is `incomplete`, never passed off as clean: object streams (their
// objects are compressed, so an information dictionary or a /Metadata key there is invisible), an
// encrypted file, a referenced object that is missing, a metadata stream with another filter.
import type { StripMeter } from "./strip-budget";

export type PdfStripResult = { ok: true; bytes: Uint8Array; removed: string[] } | { ok: false; reason: "malformed" | "incomplete" };

export class PdfMalformed extends Error {}

const SPACE = 0x20;
/** Containers nested deeper than this are refused (real files stay far below). */
const MAX_DEPTH = 128;

const WHITESPACE = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WHITESPACE[c] = 1;
const DELIMITER = new Uint8Array(256);
for (const c of "()<>[]{}/%") DELIMITER[c.charCodeAt(0)] = 1;
const isRegular = (c: number | undefined) => c !== undefined && !WHITESPACE[c] && !DELIMITER[c];

const ascii = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const ENDSTREAM = ascii("endstream");

/**
 * First index of `needle` in b[from, to), or -1. The first byte is found natively; the rest is
 * compared there, so the work is at most needle.length per byte.
 */
function findBytes(b: Uint8Array, needle: Uint8Array, from: number, meter: StripMeter, to = b.length): number {
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
function shortString(b: Uint8Array, from: number, to: number): string {
  let out = "";
  for (let k = from; k < to; k++) out += String.fromCharCode(b[k]!);
  return out;
}

const startsWithAt = (b: Uint8Array, needle: Uint8Array, at: number) => needle.every((v, k) => b[at + k] === v);

type Token =
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
function nextToken(b: Uint8Array, p: number, end: number, meter: StripMeter): Token | null {
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

interface DictSummary {
  start: number;
  type?: string;
  /** Filter names; null when the dictionary has no /Filter. */
  filters: string[] | null;
  hasDecodeParms: boolean;
  length?: number;
}

interface Frame {
  container: "dict" | "array";
  start: number;
  dict?: DictSummary;
  key?: string;
  /** Integers after a key that may still turn into a reference (`4 0 R`). */
  pending: number[];
  /** Names in an array (for /Filter), at most a few. */
  names: string[];
}

interface StreamInfo {
  dict: DictSummary;
  dataStart: number;
  dataEnd: number;
}

interface ObjectDef {
  start: number;
  end: number;
  stream?: StreamInfo;
}

interface Scan {
  objects: Map<string, ObjectDef[]>;
  streams: StreamInfo[];
  infoRefs: Set<string>;
  infoRanges: [number, number][];
  metadataRefs: Set<string>;
  objectStreams: boolean;
  encrypted: boolean;
}

type Value = { kind: "ref"; key: string } | { kind: "int"; value: number } | { kind: "name"; value: string } | { kind: "dict"; start: number; end: number } | { kind: "array"; names: string[] } | { kind: "other" };

function recordEntry(scan: Scan, dict: DictSummary, key: string, value: Value) {
  switch (key) {
    case "Type":
      if (value.kind === "name") dict.type = value.value;
      if (value.kind === "name" && value.value === "ObjStm") scan.objectStreams = true;
      break;
    case "Filter":
      dict.filters = value.kind === "name" ? [value.value] : value.kind === "array" ? value.names : ["?"];
      break;
    case "DecodeParms":
      dict.hasDecodeParms = true;
      break;
    case "Length":
      if (value.kind === "int") dict.length = value.value;
      break;
    case "Info":
      if (value.kind === "ref") scan.infoRefs.add(value.key);
      else if (value.kind === "dict") scan.infoRanges.push([value.start, value.end]);
      break;
    case "Metadata":
      if (value.kind === "ref") scan.metadataRefs.add(value.key);
      break;
    case "Encrypt":
      scan.encrypted = true;
      break;
  }
}

/** The data range of the stream whose keyword `stream` ends at `p`; returns it and the offset after `endstream`. */
function streamData(b: Uint8Array, p: number, dict: DictSummary, meter: StripMeter): { dataStart: number; dataEnd: number; after: number } {
  let dataStart = p;
  if (b[dataStart] === 0x0d) dataStart++;
  if (b[dataStart] === 0x0a) dataStart++;
  if (dict.length !== undefined && dataStart + dict.length <= b.length) {
    let k = dataStart + dict.length;
    const limit = k + 4;
    while (k < b.length && k < limit && WHITESPACE[b[k]!]) k++;
    if (startsWithAt(b, ENDSTREAM, k)) {
      meter.spend(dict.length + 16);
      return { dataStart, dataEnd: dataStart + dict.length, after: k + 9 };
    }
  }
  // No usable /Length (indirect or wrong): the data runs to the next `endstream`.
  const at = findBytes(b, ENDSTREAM, dataStart, meter);
  if (at < 0) throw new PdfMalformed();
  let dataEnd = at;
  if (b[dataEnd - 1] === 0x0a && dataEnd - 1 >= dataStart) dataEnd--;
  if (b[dataEnd - 1] === 0x0d && dataEnd - 1 >= dataStart) dataEnd--;
  return { dataStart, dataEnd, after: at + 9 };
}

/** The one forward pass: every byte is tokenised once, stream data is skipped by its length. */
function scanPdf(b: Uint8Array, meter: StripMeter): Scan {
  const scan: Scan = { objects: new Map(), streams: [], infoRefs: new Set(), infoRanges: [], metadataRefs: new Set(), objectStreams: false, encrypted: false };
  const stack: Frame[] = [];
  // Top level: the last two tokens (for `N G obj`), the object being defined, the dictionary just closed.
  let prev1: Token | null = null;
  let prev2: Token | null = null;
  let current: { key: string; def: ObjectDef | null } | null = null;
  let lastTopDict: DictSummary | null = null;

  /** A complete value inside the innermost container (or at top level). */
  const emit = (value: Value, start: number, end: number) => {
    const frame = stack[stack.length - 1];
    if (!frame) {
      if (current && !current.def) {
        current.def = { start, end };
        const defs = scan.objects.get(current.key);
        if (defs) defs.push(current.def);
        else scan.objects.set(current.key, [current.def]);
      }
      return;
    }
    if (frame.container === "array") {
      if (value.kind === "name" && frame.names.length < 8) frame.names.push(value.value);
      return;
    }
    if (frame.key === undefined) {
      if (value.kind === "name") frame.key = value.value;
      return;
    }
    recordEntry(scan, frame.dict!, frame.key, value);
    frame.key = undefined;
  };
  /** Integers held back in a dictionary become values once it is clear they are not a reference. */
  const flushPending = (frame: Frame | undefined) => {
    if (!frame || frame.pending.length === 0) return;
    const [first] = frame.pending;
    frame.pending = [];
    if (frame.key !== undefined) emit({ kind: "int", value: first! }, 0, 0);
  };

  let p = 0;
  for (;;) {
    const token = nextToken(b, p, b.length, meter);
    if (!token) break;
    p = token.end;
    const frame = stack[stack.length - 1];
    if (frame && frame.container === "dict" && frame.key !== undefined) {
      if (token.kind === "int" && frame.pending.length < 2) {
        frame.pending.push(token.value);
        continue;
      }
      if (token.kind === "keyword" && token.value === "R" && frame.pending.length === 2) {
        const [num, gen] = frame.pending;
        frame.pending = [];
        emit({ kind: "ref", key: `${num} ${gen}` }, token.start, token.end);
        continue;
      }
      flushPending(frame);
    }
    switch (token.kind) {
      case "open":
        if (stack.length >= MAX_DEPTH) throw new PdfMalformed();
        stack.push({ container: token.container, start: token.start, pending: [], names: [], ...(token.container === "dict" ? { dict: { start: token.start, filters: null, hasDecodeParms: false } } : {}) });
        break;
      case "close": {
        if (!frame || frame.container !== token.container) break; // stray: ignored, as readers do
        stack.pop();
        if (frame.container === "dict") {
          emit({ kind: "dict", start: frame.start, end: token.end }, frame.start, token.end);
          if (stack.length === 0) lastTopDict = frame.dict!;
        } else emit({ kind: "array", names: frame.names }, frame.start, token.end);
        break;
      }
      case "name":
        emit({ kind: "name", value: token.value }, token.start, token.end);
        break;
      case "int":
        emit({ kind: "int", value: token.value }, token.start, token.end);
        break;
      case "keyword":
        if (!frame && token.value === "obj" && prev1?.kind === "int" && prev2?.kind === "int") {
          current = { key: `${prev2.value} ${prev1.value}`, def: null };
          // The integers were taken for the previous object's value only if it had none; harmless.
        } else if (!frame && token.value === "endobj") {
          current = null;
        } else if (!frame && token.value === "stream" && lastTopDict && prev1?.kind === "close") {
          const { dataStart, dataEnd, after } = streamData(b, token.end, lastTopDict, meter);
          const stream: StreamInfo = { dict: lastTopDict, dataStart, dataEnd };
          scan.streams.push(stream);
          if (current?.def) {
            current.def.stream = stream;
            current.def.end = after;
          }
          p = after;
        } else emit({ kind: "other" }, token.start, token.end);
        break;
      default:
        emit({ kind: "other" }, token.start, token.end);
    }
    if (!stack.length) {
      prev2 = prev1;
      prev1 = token;
    }
  }
  return scan;
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
function blankZlibStream(length: number): Uint8Array | null {
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

/** XMP packets by their content: [start, end) of each, by start (a packet and the x:xmpmeta inside it may both be listed). */
const XMP_MARKERS = [
  [ascii("<?xpacket begin"), ascii("<?xpacket end"), ascii(">")],
  [ascii("<x:xmpmeta"), ascii("</x:xmpmeta"), ascii(">")],
] as const;

function xmpPackets(b: Uint8Array, meter: StripMeter): [number, number][] | null {
  const packets: [number, number][] = [];
  for (const [open, close, last] of XMP_MARKERS) {
    let from = 0;
    for (;;) {
      const at = findBytes(b, open, from, meter);
      if (at < 0) break;
      // Each search starts after the previous packet, so the whole file is read once per kind.
      const endTag = findBytes(b, close, at + open.length, meter);
      const end = endTag < 0 ? -1 : findBytes(b, last, endTag + close.length, meter);
      if (end < 0) return null; // an XMP packet that never ends: cannot tell where the metadata stops
      packets.push([at, end + 1]);
      from = end + 1;
    }
  }
  return packets.sort((x, y) => x[0] - y[0]);
}

export function stripPdf(original: Uint8Array, meter: StripMeter): PdfStripResult {
  if (shortString(original, 0, 5) !== "%PDF-") throw new PdfMalformed();
  const b = original.slice();
  meter.spend(b.length);
  if (findBytes(b, ascii("startxref"), 0, meter) < 0) throw new PdfMalformed();
  const scan = scanPdf(b, meter);
  const removed = new Set<string>();
  let complete = !scan.objectStreams && !scan.encrypted;

  const blankStream = (s: StreamInfo): boolean => {
    meter.spend(s.dataEnd - s.dataStart + 1);
    const filters = s.dict.filters;
    if (!filters || filters.length === 0) {
      b.fill(SPACE, s.dataStart, s.dataEnd);
      return true;
    }
    if (filters.length === 1 && (filters[0] === "FlateDecode" || filters[0] === "Fl") && !s.dict.hasDecodeParms) {
      const blank = blankZlibStream(s.dataEnd - s.dataStart);
      if (blank) {
        b.set(blank, s.dataStart);
        return true;
      }
    }
    complete = false;
    return false;
  };

  /** Blanks every string in [start, end) and returns the references found there. */
  const blankStrings = (start: number, end: number): string[] => {
    const refs: string[] = [];
    let prev1: Token | null = null;
    let prev2: Token | null = null;
    for (let p = start; ; ) {
      const token = nextToken(b, p, end, meter);
      if (!token) break;
      p = token.end;
      if (token.kind === "string") {
        if (b[token.start] === 0x28) b.fill(SPACE, token.start + 1, token.end - 1);
        else {
          // "20" pairs decode to blanks in every reader (some treat whitespace in hex strings as zeros).
          for (let h = token.start + 1; h < token.end - 1; h++) b[h] = (h - token.start) % 2 === 1 ? 0x32 : 0x30;
          if ((token.end - token.start - 2) % 2 === 1) b[token.end - 2] = SPACE;
        }
        meter.spend(token.end - token.start);
        removed.add("document info");
      } else if (token.kind === "keyword" && token.value === "R" && prev1?.kind === "int" && prev2?.kind === "int") {
        refs.push(`${prev2.value} ${prev1.value}`);
      }
      prev2 = prev1;
      prev1 = token;
    }
    return refs;
  };

  // Document information: the dictionaries named by every revision's /Info, and what their values
  // point to, transitively (each object once).
  const seen = new Set<string>();
  const queue = [...scan.infoRefs];
  const nested = scan.infoRanges.sort((x, y) => x[0] - y[0] || y[1] - x[1]);
  let coveredTo = -1;
  for (const [start, end] of nested) {
    if (end <= coveredTo) continue; // inside a range already blanked
    coveredTo = end;
    queue.push(...blankStrings(start, end));
  }
  while (queue.length) {
    const key = queue.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    const defs = scan.objects.get(key);
    if (!defs) {
      complete = false; // compressed, or missing: cannot tell what it held
      continue;
    }
    for (const def of defs) {
      if (def.stream) {
        if (blankStream(def.stream)) removed.add("document info");
      } else queue.push(...blankStrings(def.start, def.end));
    }
  }

  // Metadata streams: what a /Metadata key points to, whatever its dictionary says, and every
  // stream that says /Type /Metadata.
  const metadataStreams = new Set<StreamInfo>(scan.streams.filter((s) => s.dict.type === "Metadata"));
  for (const key of scan.metadataRefs) {
    const defs = scan.objects.get(key);
    if (!defs) complete = false;
    for (const def of defs ?? []) {
      if (def.stream) metadataStreams.add(def.stream);
      else blankStrings(def.start, def.end);
    }
  }
  // XMP found by its content: an unfiltered stream holding a packet is metadata as a whole; in any
  // other place (an image's own XMP, a stray packet) the packet itself becomes blanks.
  const packets = xmpPackets(b, meter);
  if (!packets) complete = false;
  let cursor = 0;
  for (const s of scan.streams) {
    while (cursor < (packets?.length ?? 0) && packets![cursor]![1] <= s.dataStart) cursor++;
    const hit = packets?.[cursor];
    if (hit && hit[0] < s.dataEnd && (!s.dict.filters || s.dict.filters.length === 0)) metadataStreams.add(s);
  }
  // Packets first: a stream replaced by a blank deflate stream must not be written over afterwards.
  for (const [start, end] of packets ?? []) {
    b.fill(SPACE, start, end);
    meter.spend(end - start);
    removed.add("XMP metadata");
  }
  for (const s of metadataStreams) if (blankStream(s)) removed.add("XMP metadata");

  if (!complete) return { ok: false, reason: "incomplete" };
  return { ok: true, bytes: b, removed: [...removed] };
}
