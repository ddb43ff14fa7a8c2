// Evidence files are recognised by their first bytes, never by name or the client's Content-Type:
// a renamed executable must not pass as a photo.

export const EVIDENCE_MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "application/pdf"] as const;
export type EvidenceMediaType = (typeof EVIDENCE_MEDIA_TYPES)[number];

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** The media type the content really has, or null if it is not an accepted evidence format. */
export function sniffEvidenceType(head: Uint8Array): EvidenceMediaType | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a") return "image/gif";
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "image/webp";
  if (ascii(head, 4, 8) === "ftyp" && ["heic", "heix", "hevc", "heim", "heis", "mif1", "msf1"].includes(ascii(head, 8, 12)))
    return "image/heic";
  // PDF allows up to 1 KB of junk before the header; real files start with it.
  if (ascii(head, 0, 5) === "%PDF-") return "application/pdf";
  return null;
}

export const EXTENSION_BY_TYPE: Record<EvidenceMediaType, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/heic": "heic",
  "application/pdf": "pdf",
};
