// Names of every file we serve. A download is named by us — from what the bytes were detected to be and
// from names we choose (证据-1.pdf, <unit>-<deliverable>.xlsx, the batch or campaign id) — never from
// what an uploader typed: a "PDF" named x.html or a workbook named x.docm would otherwise be saved under
// that name (browsers prefer filename* over filename) and open as a page or a macro document.

/** Path separators, characters Windows refuses, and anything that is not printable in a name. */
const UNSAFE_NAME_CHARS = /[\\/:*?"<>|\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const MAX_STEM_CHARS = 80;

/**
 * A name stem (no extension) safe on every file system: path and control characters (bidi overrides
 * included) become "_", spaces collapse, leading dots and trailing dots or spaces go, at most 80
 * characters (code points). Empty becomes `fallback`.
 */
export function safeFileStem(raw: string, fallback = "file"): string {
  const cleaned = raw.normalize("NFC").replace(UNSAFE_NAME_CHARS, "_").replace(/\s+/g, " ").trim().replace(/^\.+/, "");
  const bounded = [...cleaned].slice(0, MAX_STEM_CHARS).join("").replace(/[. ]+$/, "");
  return bounded || fallback;
}

/** What a download is served as: the media type and extension we detected, or a neutral .bin. */
export interface DownloadType {
  contentType: string;
  extension: string;
}

/** The served type of stored bytes: an accepted type with its extension, else application/octet-stream and .bin. */
export function downloadType(mediaType: string, accepted: Readonly<Record<string, string>>): DownloadType {
  const extension = Object.hasOwn(accepted, mediaType) ? accepted[mediaType] : undefined;
  return extension ? { contentType: mediaType, extension } : { contentType: "application/octet-stream", extension: "bin" };
}

/** RFC 8187 ext-value: UTF-8, percent-encoded except attr-char. */
function extValue(text: string): string {
  return `UTF-8''${encodeURIComponent(text).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/**
 * The one Content-Disposition builder (RFC 6266): `filename` an ASCII form (the given ASCII stem, or
 * the stem with other characters as "_"), `filename*` the full UTF-8 name; both with our extension.
 */
export function contentDisposition(name: { stem: string; extension: string; asciiStem?: string }): string {
  const ext = /^[a-z0-9]{1,8}$/.test(name.extension) ? name.extension : "bin";
  const stem = safeFileStem(name.stem);
  const ascii = safeFileStem((name.asciiStem ?? stem).replace(/[^\x20-\x7e]/g, "_").replace(/[%;\\]/g, "_"), "download");
  return `attachment; filename="${ascii}.${ext}"; filename*=${extValue(`${stem}.${ext}`)}`;
}
