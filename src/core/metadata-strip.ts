// Removes what a camera, phone or office program writes about the author and place into an evidence
// file (EXIF with GPS and owner name, XMP, IPTC, comments, PDF document info), keeping the picture or
// the document itself intact. Pure: bytes in, bytes out. Inspectors are served the stripped copy; the
// original stays encrypted and leaves only through an audited reveal. Every format is stripped in work
// linear in the file size, metered against a budget (./strip-budget.ts): a file that runs out of it is
// `over_budget`, and the caller keeps it unstripped (shown only through an audited release).
import type { EvidenceMediaType } from "./evidence";
import { PdfMalformed, stripPdf } from "./pdf-strip";
import { defaultStripBudget, OverBudget, StripMeter } from "./strip-budget";

export type StripResult =
  | { ok: true; bytes: Uint8Array; removed: string[] }
  /**
   * `unsupported`: no stripper for the format; `malformed`: the structure did not parse; `incomplete`:
   * metadata may remain; `over_budget`: the file needed more work than its budget allowed.
   */
  | { ok: false; reason: "unsupported" | "malformed" | "incomplete" | "over_budget" };

class Malformed extends Error {}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ascii = (b: Uint8Array, from: number, length: number) => String.fromCharCode(...b.subarray(from, from + length));

/**
 * Strips `bytes` of the given (sniffed) type. `meter` carries the budget (and afterwards the work
 * spent); without one the budget is linear in the size with room to spare.
 */
export function stripMetadata(mediaType: EvidenceMediaType, bytes: Uint8Array, meter: StripMeter = new StripMeter(defaultStripBudget(bytes.length))): StripResult {
  try {
    switch (mediaType) {
      case "image/jpeg":
        return stripJpeg(bytes, meter);
      case "image/png":
        return stripPng(bytes, meter);
      case "image/webp":
        return stripWebp(bytes, meter);
      case "image/gif":
        return stripGif(bytes, meter);
      case "application/pdf":
        return stripPdf(bytes, meter);
      default:
        return { ok: false, reason: "unsupported" };
    }
  } catch (err) {
    if (err instanceof OverBudget) return { ok: false, reason: "over_budget" };
    if (err instanceof Malformed || err instanceof PdfMalformed || err instanceof RangeError) return { ok: false, reason: "malformed" };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// JPEG: segments until SOS, entropy-coded data until the next real marker, repeated until EOI.
// Kept: JFIF (APP0), ICC profile (APP2 "ICC_PROFILE"), Adobe colour transform (APP14), every
// non-APP segment, and the EXIF orientation alone (in a new minimal APP1). Dropped: EXIF/XMP (APP1), MPF and FlashPix (other APP2), APP3–APP13 (IPTC is
// APP13), APP15, comments, and anything after EOI (phones append depth maps and previews with
// their own EXIF there).
// ---------------------------------------------------------------------------------------------

function keepJpegSegment(marker: number, payload: Uint8Array): boolean {
  if (marker === 0xfe) return false; // COM
  if (marker < 0xe0 || marker > 0xef) return true;
  if (marker === 0xe0) return true;
  if (marker === 0xe2) return ascii(payload, 0, 12) === "ICC_PROFILE\0";
  if (marker === 0xee) return ascii(payload, 0, 5) === "Adobe";
  return false;
}

/** The EXIF Orientation (1–8) in an APP1 payload, if any: the one EXIF value a viewer needs. */
export function exifOrientation(payload: Uint8Array): number | null {
  if (ascii(payload, 0, 6) !== "Exif\0\0" || payload.length < 14) return null;
  const tiff = payload.subarray(6);
  const little = ascii(tiff, 0, 2) === "II";
  if (!little && ascii(tiff, 0, 2) !== "MM") return null;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return null;
  const count = view.getUint16(ifd, little);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + 12 * k;
    if (entry + 12 > tiff.length) return null;
    if (view.getUint16(entry, little) === 0x0112 && view.getUint16(entry + 2, little) === 3) {
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : null;
    }
  }
  return null;
}

/** An APP1 segment holding nothing but the orientation, so a rotated phone photo still shows upright. */
function orientationSegment(orientation: number): Uint8Array {
  const payload = Uint8Array.of(
    ...[0x45, 0x78, 0x69, 0x66, 0, 0], // "Exif\0\0"
    ...[0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8], // big-endian TIFF, IFD0 at 8
    ...[0, 1], // one entry
    ...[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0], // Orientation, SHORT, 1
    ...[0, 0, 0, 0], // no next IFD
  );
  return Uint8Array.of(0xff, 0xe1, 0, payload.length + 2, ...payload);
}

const JPEG_SEGMENT_NAMES: Record<number, string> = { 0xe1: "EXIF/XMP (APP1)", 0xed: "IPTC (APP13)", 0xfe: "comment" };

function stripJpeg(b: Uint8Array, meter: StripMeter): StripResult {
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new Malformed();
  const parts: Uint8Array[] = [b.subarray(0, 2)];
  const removed = new Set<string>();
  let i = 2;
  let sawEnd = false;
  let sawFrame = false;
  let keptOrientation = false;
  while (i < b.length) {
    if (b[i] !== 0xff) throw new Malformed();
    while (b[i + 1] === 0xff) i++; // fill bytes
    const marker = b[i + 1];
    if (marker === undefined) throw new Malformed();
    if (marker === 0xd9) {
      parts.push(b.subarray(i, i + 2));
      if (i + 2 < b.length) removed.add("data after end of image");
      sawEnd = true;
      break;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      meter.spend(2);
      parts.push(b.subarray(i, i + 2));
      i += 2;
      continue;
    }
    if (i + 4 > b.length) throw new Malformed();
    const length = (b[i + 2]! << 8) | b[i + 3]!;
    const end = i + 2 + length;
    if (length < 2 || end > b.length) throw new Malformed();
    meter.spend(end - i);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) sawFrame = true;
    const payload = b.subarray(i + 4, end);
    if (keepJpegSegment(marker, payload)) parts.push(b.subarray(i, end));
    else {
      removed.add(JPEG_SEGMENT_NAMES[marker] ?? `APP${marker - 0xe0}`);
      const orientation = marker === 0xe1 && !keptOrientation ? exifOrientation(payload) : null;
      if (orientation !== null && orientation !== 1) {
        parts.push(orientationSegment(orientation));
        keptOrientation = true;
      }
    }
    i = end;
    if (marker === 0xda) {
      // Entropy-coded data: FF00 is a stuffed byte, FFD0–FFD7 restart markers; any other marker ends it.
      const start = i;
      while (i < b.length) {
        if (b[i] === 0xff && b[i + 1] !== 0x00 && !(b[i + 1]! >= 0xd0 && b[i + 1]! <= 0xd7) && b[i + 1] !== 0xff) break;
        i++;
      }
      meter.spend(i - start + 1);
      parts.push(b.subarray(start, i));
    }
  }
  if (!sawEnd || !sawFrame) throw new Malformed();
  meter.spend(b.length);
  return { ok: true, bytes: concat(parts), removed: [...removed] };
}

// ---------------------------------------------------------------------------------------------
// PNG: text chunks (tEXt, iTXt, zTXt: Author, Comment, XMP …), eXIf and tIME are dropped, and
// nothing after IEND is kept.
// ---------------------------------------------------------------------------------------------

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_DROPPED = new Set(["tEXt", "iTXt", "zTXt", "eXIf", "tIME"]);

function stripPng(b: Uint8Array, meter: StripMeter): StripResult {
  if (!PNG_SIGNATURE.every((v, k) => b[k] === v)) throw new Malformed();
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  const removed = new Set<string>();
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = 8;
  let first = true;
  for (;;) {
    if (i + 12 > b.length) throw new Malformed();
    const length = view.getUint32(i);
    const type = ascii(b, i + 4, 4);
    const end = i + 12 + length;
    if (end > b.length || !/^[A-Za-z]{4}$/.test(type)) throw new Malformed();
    if (first && type !== "IHDR") throw new Malformed();
    meter.spend(end - i);
    first = false;
    if (PNG_DROPPED.has(type)) removed.add(type);
    else parts.push(b.subarray(i, end));
    i = end;
    if (type === "IEND") break;
  }
  if (i < b.length) removed.add("data after IEND");
  meter.spend(i);
  return { ok: true, bytes: concat(parts), removed: [...removed] };
}

// ---------------------------------------------------------------------------------------------
// WebP (RIFF): EXIF and XMP chunks are dropped and their VP8X flags cleared; unknown chunks are
// dropped too, since the format lets writers put anything there.
// ---------------------------------------------------------------------------------------------

const WEBP_KEPT = new Set(["VP8 ", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF", "ICCP"]);

function stripWebp(b: Uint8Array, meter: StripMeter): StripResult {
  if (ascii(b, 0, 4) !== "RIFF" || ascii(b, 8, 4) !== "WEBP") throw new Malformed();
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const riffEnd = Math.min(b.length, 8 + view.getUint32(4, true));
  const chunks: Uint8Array[] = [];
  const removed = new Set<string>();
  let i = 12;
  while (i + 8 <= riffEnd) {
    const type = ascii(b, i, 4);
    const size = view.getUint32(i + 4, true);
    const end = i + 8 + size + (size & 1);
    if (i + 8 + size > riffEnd) throw new Malformed();
    meter.spend(Math.min(end, riffEnd) - i);
    if (WEBP_KEPT.has(type)) {
      const chunk = b.slice(i, Math.min(end, riffEnd));
      // VP8X flags: bit 3 EXIF, bit 2 XMP present.
      if (type === "VP8X" && chunk.length > 8) chunk[8] = chunk[8]! & ~0x0c;
      chunks.push(chunk);
    } else {
      removed.add(type.trim());
    }
    i = end;
  }
  if (!chunks.some((c) => ["VP8 ", "VP8L", "VP8X"].includes(ascii(c, 0, 4)))) throw new Malformed();
  const body = concat(chunks);
  meter.spend(body.length);
  const header = new Uint8Array(12);
  header.set(b.subarray(0, 4), 0);
  new DataView(header.buffer).setUint32(4, 4 + body.length, true);
  header.set(b.subarray(8, 12), 8);
  return { ok: true, bytes: concat([header, body]), removed: [...removed] };
}

// ---------------------------------------------------------------------------------------------
// GIF: comment extensions and application extensions other than the animation-loop ones (XMP
// lives in an "XMP DataXMP" application extension) are dropped.
// ---------------------------------------------------------------------------------------------

function gifSubBlocksEnd(b: Uint8Array, i: number, meter: StripMeter): number {
  for (;;) {
    const size = b[i];
    if (size === undefined) throw new Malformed();
    meter.spend(1 + size);
    i += 1 + size;
    if (size === 0) return i;
  }
}

function stripGif(b: Uint8Array, meter: StripMeter): StripResult {
  const signature = ascii(b, 0, 6);
  if (signature !== "GIF87a" && signature !== "GIF89a") throw new Malformed();
  const packed = b[10];
  if (packed === undefined) throw new Malformed();
  let i = 13 + (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);
  const parts: Uint8Array[] = [b.subarray(0, i)];
  const removed = new Set<string>();
  for (;;) {
    const introducer = b[i];
    if (introducer === 0x3b) {
      parts.push(b.subarray(i, i + 1));
      break;
    }
    if (introducer === 0x2c) {
      const flags = b[i + 9];
      if (flags === undefined) throw new Malformed();
      const tableEnd = i + 10 + (flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0);
      const end = gifSubBlocksEnd(b, tableEnd + 1, meter); // +1: LZW minimum code size
      parts.push(b.subarray(i, end));
      i = end;
    } else if (introducer === 0x21) {
      const label = b[i + 1];
      const end = gifSubBlocksEnd(b, i + 2, meter);
      const appId = label === 0xff ? ascii(b, i + 3, 11) : "";
      if (label === 0xfe) removed.add("comment");
      else if (label === 0xff && appId !== "NETSCAPE2.0" && appId !== "ANIMEXTS1.0") removed.add(`application ${appId.trim()}`);
      else parts.push(b.subarray(i, end));
      i = end;
    } else {
      throw new Malformed();
    }
  }
  if (i + 1 < b.length) removed.add("data after trailer");
  meter.spend(i + 1);
  return { ok: true, bytes: concat(parts), removed: [...removed] };
}
