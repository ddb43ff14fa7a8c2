// Evidence uploads: checked completely (count, size, real type) before anything is written, then
// encrypted in chunks small enough for D1's row limit. A copy with the metadata stripped (EXIF GPS,
// author, XMP, document info) is stored encrypted beside the original once the request has been
// accepted (./strip-evidence.ts): inspectors see that copy.
import { EVIDENCE_MEDIA_TYPES, sniffEvidenceType, type EvidenceMediaType } from "../../core/evidence";
import { newId } from "../../core/ids";
import type { Locale } from "../../core/report-input";
import { attachmentChunks, attachmentStrippedChunks, reportAttachments } from "../../db/schema";
import { t } from "../../i18n";
import { asc, isNull, eq } from "drizzle-orm";
import { decryptBytes, encryptBytes, encryptText } from "../../security/cipher";
import { sha256Hex } from "../../security/encoding";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { ATTACHMENT_CHUNK_BYTES, storeStrippedCopies, strippedChunkContext, type FileToStrip } from "./strip-evidence";

export { ATTACHMENT_CHUNK_BYTES, strippedChunkContext };

export interface IncomingFile {
  name: string;
  bytes: Uint8Array;
}

export interface CheckedFile extends IncomingFile {
  mediaType: EvidenceMediaType;
  sha256: string;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/** A file name safe to show back (no paths, no control characters, bounded length). */
function displayName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return (clean || "file").slice(0, 120);
}

/** Throws validation_failed (field `evidence`) unless every file is acceptable. */
export async function checkEvidence(
  files: IncomingFile[],
  limits: { maxCount: number; maxBytes: number },
  locale: Locale,
): Promise<CheckedFile[]> {
  const fail = (key: string, params: Record<string, string | number>) => {
    throw new AppError("validation_failed", "evidence rejected", { fields: { evidence: t(locale, key, params) } });
  };
  if (files.length > limits.maxCount) fail("validation.evidence_too_many", { max: limits.maxCount });
  const checked: CheckedFile[] = [];
  for (const file of files) {
    const name = displayName(file.name);
    if (file.bytes.length === 0) fail("validation.evidence_empty", { file: name });
    if (file.bytes.length > limits.maxBytes) fail("validation.evidence_too_large", { file: name, max: formatBytes(limits.maxBytes) });
    const mediaType = sniffEvidenceType(file.bytes.subarray(0, 16));
    if (!mediaType || !EVIDENCE_MEDIA_TYPES.includes(mediaType)) fail("validation.evidence_type", { file: name });
    checked.push({ name, bytes: file.bytes, mediaType: mediaType!, sha256: await sha256Hex(file.bytes) });
  }
  return checked;
}

export interface PreparedAttachments {
  statements: unknown[];
  attachments: { id: string; sha256: string; sizeBytes: number; mediaType: string }[];
  /** For storeStrippedCopies once the caller's batch has committed (never before: see strip-evidence.ts). */
  toStrip: FileToStrip[];
}

/**
 * Insert statements for the files (originals only, no stripped copy yet), to run in the caller's
 * batch with the rows they belong to.
 */
export async function prepareAttachmentInserts(
  deps: ServiceDeps,
  input: { reportId: string; messageId: string | null; uploadedBy: "reporter" | "investigator"; files: CheckedFile[]; createdAt: number },
): Promise<PreparedAttachments> {
  const statements: unknown[] = [];
  const attachments: PreparedAttachments["attachments"] = [];
  const toStrip: FileToStrip[] = [];
  const keyId = deps.keys.activeEncryptionKeyId;
  for (const file of input.files) {
    const id = newId("att");
    const chunkCount = Math.max(1, Math.ceil(file.bytes.length / ATTACHMENT_CHUNK_BYTES));
    statements.push(
      deps.db.insert(reportAttachments).values({
        id,
        reportId: input.reportId,
        messageId: input.messageId,
        createdAt: input.createdAt,
        uploadedBy: input.uploadedBy,
        fileNameEnc: await encryptText(deps.keys, file.name, `attachment:${id}:name`),
        mediaType: file.mediaType,
        sizeBytes: file.bytes.length,
        sha256: file.sha256,
        keyId,
        chunkCount,
        strippedSizeBytes: null,
        strippedChunkCount: null,
      }),
    );
    for (let seq = 0; seq < chunkCount; seq++) {
      const plain = file.bytes.subarray(seq * ATTACHMENT_CHUNK_BYTES, (seq + 1) * ATTACHMENT_CHUNK_BYTES);
      const sealed = await encryptBytes(deps.keys, keyId, plain, `attachment:${id}:${seq}`);
      statements.push(deps.db.insert(attachmentChunks).values({ attachmentId: id, seq, data: Buffer.from(sealed) }));
    }
    attachments.push({ id, sha256: file.sha256, sizeBytes: file.bytes.length, mediaType: file.mediaType });
    toStrip.push({ id, mediaType: file.mediaType, keyId, bytes: file.bytes });
  }
  return { statements, attachments, toStrip };
}

/**
 * The decrypted bytes of an attachment: the metadata-stripped copy inspectors are served, or the
 * original (only after an audited release). Null when the stripped copy does not exist.
 */
export async function readAttachmentBytes(
  deps: ServiceDeps,
  attachment: typeof reportAttachments.$inferSelect,
  variant: "stripped" | "original",
): Promise<Uint8Array | null> {
  if (variant === "stripped" && attachment.strippedChunkCount === null) return null;
  const table = variant === "stripped" ? attachmentStrippedChunks : attachmentChunks;
  const chunks = await deps.db.select().from(table).where(eq(table.attachmentId, attachment.id)).orderBy(asc(table.seq));
  const parts = await Promise.all(
    chunks.map((ch) =>
      decryptBytes(deps.keys, attachment.keyId, new Uint8Array(ch.data), variant === "stripped" ? strippedChunkContext(attachment.id, ch.seq) : `attachment:${attachment.id}:${ch.seq}`),
    ),
  );
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    body.set(p, offset);
    offset += p.length;
  }
  return body;
}

/**
 * Makes the stripped copy for attachments stored before stripping existed, oldest first, at most
 * `limit` per call so a run stays bounded (for an admin command or a maintenance job). Returns how many
 * were looked at and how many got a copy; files that cannot be stripped (HEIC …) keep none, so a
 * caller looping until `stripped` is 0 stops.
 */
export async function backfillStrippedCopies(deps: ServiceDeps, limit = 20): Promise<{ examined: number; stripped: number }> {
  const pending = await deps.db.select().from(reportAttachments).where(isNull(reportAttachments.strippedChunkCount)).orderBy(asc(reportAttachments.createdAt)).limit(limit);
  let stripped = 0;
  for (const attachment of pending) {
    const original = (await readAttachmentBytes(deps, attachment, "original"))!;
    stripped += await storeStrippedCopies(deps, [{ id: attachment.id, mediaType: attachment.mediaType as EvidenceMediaType, keyId: attachment.keyId, bytes: original }]);
  }
  return { examined: pending.length, stripped };
}
