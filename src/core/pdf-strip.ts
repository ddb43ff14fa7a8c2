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
import { ascii, blankZlibStream, ENDSTREAM, findBytes, nextToken, PdfMalformed, shortString, SPACE, startsWithAt, WHITESPACE, type Token } from "./pdf-syntax";

export { PdfMalformed };

/** Containers nested deeper than this are refused (real files stay far below). */
const MAX_DEPTH = 128;

export type PdfStripResult = { ok: true; bytes: Uint8Array; removed: string[] } | { ok: false; reason: "malformed" | "incomplete" };

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
