// Documents a unit uploads with a submission (self-inspection report, statistics table): every file is
// checked (count, size, real type from its content) before anything is written, then encrypted in
// chunks bound to the file (AES-GCM, like evidence) with its name encrypted too. The rows are written
// in the caller's batch with the submission they belong to, so a refused or failed submit stores
// nothing. Reading a file back is for the unit's contacts and coordinators only, each view logged.
import { and, asc, eq, inArray } from "drizzle-orm";
import { newId } from "../../core/ids";
import type { Locale } from "../../core/report-input";
import { assignments, deliverables, events, members, units, submissionFileChunks, submissionFiles, submissions, type AssignmentRow, type MemberRow } from "../../db/schema";
import { t } from "../../i18n";
import { decryptBytes, decryptText, encryptBytes, encryptText } from "../../security/cipher";
import { sha256Hex } from "../../security/encoding";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { eventRow } from "../events";
import { formatBytes, type IncomingFile } from "../intake/evidence";
import { asActor, type MemberActor } from "../leads/lead-model";
import { isCoordinator, mayActForUnit } from "./units";
import { sniffSubmissionType, type SubmissionMediaType } from "./document-type";
import type { FigureCheck } from "../../core/statistics/compare-figures";
import { checkSubmittedStatistics } from "../statistics/deliverable-figures";

/** Same chunk size as evidence: each row stays well under D1's / libSQL's comfortable row size. */
export const SUBMISSION_CHUNK_BYTES = 512 * 1024;

/**
 * A checked, encrypted document not yet in the database. Structurally a `StoredFileRef` of
 * assignments.ts once written with `storeSubmissionFiles`.
 */
export interface SealedSubmissionFile {
  id: string;
  /** The cleaned display name (kept in memory only for the caller's messages; stored encrypted). */
  name: string;
  fileNameEnc: string;
  mediaType: SubmissionMediaType;
  sizeBytes: number;
  sha256: string;
  keyId: string;
  /** Sealed chunks (12-byte IV + ciphertext + tag), in order. */
  chunks: Uint8Array[];
  /** For a statistics table: the file against the computed figures (stored as submission_files.figure_check). */
  figureCheck?: FigureCheck;
}

export type SubmissionFileRow = typeof submissionFiles.$inferSelect;

const nameContext = (fileId: string) => `submission_file:${fileId}:name`;
const chunkContext = (fileId: string, seq: number) => `submission_file:${fileId}:${seq}`;

/** A file name safe to show back (no paths, no control characters, bounded length). */
function displayName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return (clean || "file").slice(0, 160);
}

export interface SubmissionFileLimits {
  maxCount: number;
  maxBytes: number;
}

export const submissionFileLimits = (deps: ServiceDeps): SubmissionFileLimits => ({ maxCount: deps.config.MAX_SUBMISSION_FILES, maxBytes: deps.config.MAX_SUBMISSION_FILE_BYTES });

/**
 * Checks every file, then encrypts them. Throws validation_failed with field `files` (in `locale`)
 * at the first file that is empty, too large or of a type not accepted; nothing is written either way.
 * With `forAssignment` of a statistics table, each file is also compared with the unit's computed
 * figures (a file that cannot be read is "not comparable", never a refusal).
 */
export async function prepareSubmissionFiles(
  deps: ServiceDeps,
  files: IncomingFile[],
  locale: Locale,
  limits = submissionFileLimits(deps),
  forAssignment?: { assignmentId: string },
): Promise<SealedSubmissionFile[]> {
  const fail = (key: string, params: Record<string, string | number>): never => {
    throw new AppError("validation_failed", "submission file rejected", { fields: { files: t(locale, key, params) } });
  };
  if (files.length > limits.maxCount) fail("unit_page.file_too_many", { max: limits.maxCount });
  const checked: { name: string; bytes: Uint8Array; mediaType: SubmissionMediaType }[] = [];
  for (const file of files) {
    const name = displayName(file.name);
    if (file.bytes.length === 0) fail("unit_page.file_empty", { file: name });
    if (file.bytes.length > limits.maxBytes) fail("unit_page.file_too_large", { file: name, max: formatBytes(limits.maxBytes) });
    const mediaType = await sniffSubmissionType(file.bytes);
    if (!mediaType) fail("unit_page.file_type", { file: name });
    checked.push({ name, bytes: file.bytes, mediaType: mediaType! });
  }
  const keyId = deps.keys.activeEncryptionKeyId;
  const checks = forAssignment ? await checkSubmittedStatistics(deps, forAssignment.assignmentId, checked) : [];
  const sealed: SealedSubmissionFile[] = [];
  for (const [index, file] of checked.entries()) {
    const id = newId("sfl");
    const chunkCount = Math.max(1, Math.ceil(file.bytes.length / SUBMISSION_CHUNK_BYTES));
    const chunks: Uint8Array[] = [];
    for (let seq = 0; seq < chunkCount; seq++)
      chunks.push(await encryptBytes(deps.keys, keyId, file.bytes.subarray(seq * SUBMISSION_CHUNK_BYTES, (seq + 1) * SUBMISSION_CHUNK_BYTES), chunkContext(id, seq)));
    sealed.push({
      id,
      name: file.name,
      fileNameEnc: await encryptText(deps.keys, file.name, nameContext(id)),
      mediaType: file.mediaType,
      sizeBytes: file.bytes.length,
      sha256: await sha256Hex(file.bytes),
      keyId,
      chunks,
      ...(checks[index] ? { figureCheck: checks[index] } : {}),
    });
  }
  return sealed;
}

/** Insert statements (not awaited) for the caller's batch: one file row and its chunks per file. */
export function submissionFileInserts(
  deps: ServiceDeps,
  files: readonly SealedSubmissionFile[],
  input: { submissionId: string; assignmentId: string; uploadedBy: string; createdAt: number },
): unknown[] {
  const statements: unknown[] = [];
  for (const f of files) {
    statements.push(
      deps.db.insert(submissionFiles).values({
        id: f.id,
        submissionId: input.submissionId,
        assignmentId: input.assignmentId,
        uploadedBy: input.uploadedBy,
        fileNameEnc: f.fileNameEnc,
        mediaType: f.mediaType,
        sizeBytes: f.sizeBytes,
        sha256: f.sha256,
        keyId: f.keyId,
        chunkCount: f.chunks.length,
        figureCheck: f.figureCheck ? JSON.stringify(f.figureCheck) : null,
        createdAt: input.createdAt,
      }),
    );
    f.chunks.forEach((data, seq) => statements.push(deps.db.insert(submissionFileChunks).values({ fileId: f.id, seq, data: Buffer.from(data) })));
  }
  return statements;
}


/** Coordinators (any unit's files) and the contacts of the file's own unit; nobody else, inactive never. */
export function mayReadUnitFiles(member: MemberRow, unitId: string): boolean {
  return isCoordinator(member) || mayActForUnit(member, unitId);
}

export interface SubmissionFileView extends Omit<SubmissionFileRow, "fileNameEnc"> {
  name: string;
}

/** The files of these submissions (names decrypted), in upload order; for pages that list them. */
export async function listSubmissionFiles(deps: ServiceDeps, submissionIds: readonly string[]): Promise<SubmissionFileView[]> {
  if (!submissionIds.length) return [];
  const rows = await deps.db.select().from(submissionFiles).where(inArray(submissionFiles.submissionId, [...submissionIds])).orderBy(asc(submissionFiles.createdAt), asc(submissionFiles.id));
  return Promise.all(rows.map(async ({ fileNameEnc, ...row }) => ({ ...row, name: await decryptText(deps.keys, fileNameEnc, nameContext(row.id)) })));
}

/**
 * One file's bytes for a reader allowed to see it, after writing the `submission_file.viewed` event
 * (who, from where, which file): the view is on record before a byte leaves. Unknown file → not_found;
 * a reader who may not see it → forbidden (and nothing is logged as viewed).
 */
export async function openSubmissionFile(
  deps: ServiceDeps,
  input: { fileId: string; reader: MemberActor; via: "unit_page" | "board"; campaignId?: string },
): Promise<{ file: SubmissionFileView; assignment: AssignmentRow; bytes: Uint8Array }> {
  const row = await deps.db.query.submissionFiles.findFirst({ where: eq(submissionFiles.id, input.fileId) });
  const assignment = row ? await deps.db.query.assignments.findFirst({ where: eq(assignments.id, row.assignmentId) }) : undefined;
  // A file whose submission never happened (stored, then discarded or orphaned) is not there.
  const submission = row ? await deps.db.query.submissions.findFirst({ columns: { id: true }, where: eq(submissions.id, row.submissionId) }) : undefined;
  if (!row || !assignment || !submission || (input.campaignId !== undefined && assignment.campaignId !== input.campaignId)) throw new AppError("not_found", "submission file not found");
  // The reader as the database has them now (a contact moved to another unit loses access at once).
  const member = await deps.db.query.members.findFirst({ where: and(eq(members.id, input.reader.member.id), eq(members.active, true)) });
  if (!member || !mayReadUnitFiles(member, assignment.unitId)) throw new AppError("forbidden", "not a contact of this unit or a coordinator");
  await deps.db.insert(events).values(
    eventRow(asActor({ ...input.reader, member }), {
      occurredAt: deps.now().getTime(),
      entityType: "submission",
      entityId: row.submissionId,
      action: "submission_file.viewed",
      data: JSON.stringify({ fileId: row.id, assignmentId: row.assignmentId, unitId: assignment.unitId, via: input.via }),
    }),
  );
  const chunks = await deps.db.select().from(submissionFileChunks).where(eq(submissionFileChunks.fileId, row.id)).orderBy(asc(submissionFileChunks.seq));
  if (chunks.length !== row.chunkCount) throw new AppError("internal", `submission file ${row.id} has ${chunks.length} of ${row.chunkCount} chunks`);
  const parts = await Promise.all(chunks.map((ch) => decryptBytes(deps.keys, row.keyId, new Uint8Array(ch.data), chunkContext(row.id, ch.seq))));
  const bytes = new Uint8Array(row.sizeBytes);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  const { fileNameEnc, ...meta } = row;
  return { file: { ...meta, name: await decryptText(deps.keys, fileNameEnc, nameContext(row.id)) }, assignment, bytes };
}

/**
 * What a unit's document is called when downloaded: "<unit>-<deliverable>[-<period>]" in the reader's
 * language, with an ASCII form from the unit id and deliverable key. Never the uploader's own name.
 */
export async function submissionDownloadStem(deps: ServiceDeps, assignment: AssignmentRow, locale: Locale): Promise<{ stem: string; asciiStem: string }> {
  const [unit, deliverable] = await Promise.all([
    deps.db.query.units.findFirst({ columns: { name: true }, where: eq(units.id, assignment.unitId) }),
    deps.db.query.deliverables.findFirst({ columns: { key: true, title: true, titleEn: true }, where: eq(deliverables.id, assignment.deliverableId) }),
  ]);
  const title = (locale === "en" && deliverable?.titleEn) || deliverable?.title || "document";
  const period = assignment.period ? [assignment.period] : [];
  return {
    stem: [unit?.name ?? assignment.unitId, title, ...period].join("-"),
    asciiStem: [assignment.unitId, deliverable?.key ?? "document", ...period].join("-"),
  };
}
