// What a submitted document really is, from its bytes: PDF, PNG, JPEG, or an Office Open XML package
// (a zip) told apart as XLSX or DOCX by the main part its [Content_Types].xml declares. Names and the
// client's Content-Type are never trusted: a renamed executable or a macro workbook (.xlsm) is refused.
// Runs on Node and Workers (DecompressionStream), reading only the zip's directory and one small part.

export const SUBMISSION_MEDIA_TYPES = [
  "application/pdf",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "image/png",
  "image/jpeg",
] as const;
export type SubmissionMediaType = (typeof SUBMISSION_MEDIA_TYPES)[number];

export const XLSX_TYPE: SubmissionMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const DOCX_TYPE: SubmissionMediaType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

export const SUBMISSION_EXTENSIONS: Record<SubmissionMediaType, string> = {
  "application/pdf": "pdf",
  [XLSX_TYPE]: "xlsx",
  [DOCX_TYPE]: "docx",
  "image/png": "png",
  "image/jpeg": "jpg",
} as Record<SubmissionMediaType, string>;

export const SUBMISSION_TYPE_LABELS: Record<SubmissionMediaType, string> = {
  "application/pdf": "PDF",
  [XLSX_TYPE]: "XLSX",
  [DOCX_TYPE]: "DOCX",
  "image/png": "PNG",
  "image/jpeg": "JPEG",
} as Record<SubmissionMediaType, string>;

/** The main parts' content types: the workbook of a spreadsheet, the document of a word file. */
const MAIN_PART_TYPES: ReadonlyMap<string, SubmissionMediaType> = new Map([
  ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", XLSX_TYPE],
  ["application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", DOCX_TYPE],
]);

/** A [Content_Types].xml is a few KB; more than this inflated is not an Office file worth reading. */
const MAX_CONTENT_TYPES_BYTES = 256 * 1024;
const MAX_ZIP_ENTRIES = 10_000;

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/** The media type of the content, or null if it is not an accepted document. */
export async function sniffSubmissionType(bytes: Uint8Array): Promise<SubmissionMediaType | null> {
  if (bytes.length >= 5 && String.fromCharCode(...bytes.subarray(0, 5)) === "%PDF-") return "application/pdf";
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return officeType(bytes);
  return null;
}

async function officeType(zip: Uint8Array): Promise<SubmissionMediaType | null> {
  const xml = await readZipEntry(zip, "[Content_Types].xml", MAX_CONTENT_TYPES_BYTES);
  if (xml === null) return null;
  const declared = new Set<SubmissionMediaType>();
  for (const m of xml.matchAll(/ContentType\s*=\s*"([^"]+)"/g)) {
    const type = MAIN_PART_TYPES.get(m[1]!.trim().toLowerCase());
    if (type) declared.add(type);
  }
  // Exactly one main part; a macro-enabled workbook declares another main type and is refused here.
  return declared.size === 1 ? [...declared][0]! : null;
}

/** The text of one zip entry (stored or deflated), or null if the zip is malformed or the entry missing/too big. */
async function readZipEntry(zip: Uint8Array, name: string, maxBytes: number): Promise<string | null> {
  // End of central directory: 22 bytes, after at most a 64 KB comment.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--)
    if (u32(zip, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) return null;
  const entries = u16(zip, eocd + 10);
  let at = u32(zip, eocd + 16);
  if (entries > MAX_ZIP_ENTRIES) return null;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > zip.length || u32(zip, at) !== 0x02014b50) return null;
    const method = u16(zip, at + 10);
    const compressedSize = u32(zip, at + 20);
    const size = u32(zip, at + 24);
    const nameLength = u16(zip, at + 28);
    const extraLength = u16(zip, at + 30);
    const commentLength = u16(zip, at + 32);
    const localOffset = u32(zip, at + 42);
    const entryName = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (size > maxBytes || localOffset + 30 > zip.length || u32(zip, localOffset) !== 0x04034b50) return null;
    const dataStart = localOffset + 30 + u16(zip, localOffset + 26) + u16(zip, localOffset + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (data.length !== compressedSize) return null;
    if (method === 0) return new TextDecoder().decode(data);
    if (method !== 8) return null;
    const inflated = await inflateRaw(data, maxBytes);
    return inflated === null ? null : new TextDecoder().decode(inflated);
  }
  return null;
}

/** Inflates at most `maxBytes` (a lying size field cannot make it read a zip bomb to the end). */
async function inflateRaw(data: Uint8Array, maxBytes: number): Promise<Uint8Array | null> {
  let inflate: DecompressionStream;
  try {
    inflate = new DecompressionStream("deflate-raw");
  } catch {
    // Node before 20.12 has no "deflate-raw": the package cannot be read, so it is not accepted (never a 5xx).
    return null;
  }
  const reader = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(inflate).getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        return null;
      }
      parts.push(value);
    }
  } catch {
    return null;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
