// The metadata-stripped copy of each evidence file, made only after the request that brought the file
// has been accepted (its quotas and rate limits counted in the committed write batch): a refused or
// throttled upload never costs a strip. Each file gets a CPU budget (steps linear in its size and a
// wall-clock deadline, so one file holds the event loop for at most STRIP_DEADLINE_MS). A file the
// stripper cannot clean or that runs out of budget keeps no stripped copy: the case page then shows
// it only through a coordinator's logged release of the original, as for HEIC.
import type { EvidenceMediaType } from "../../core/evidence";
import { stripMetadata } from "../../core/metadata-strip";
import { StripMeter, type StripBudget } from "../../core/strip-budget";
import { and, eq, isNull } from "drizzle-orm";
import { asBatch } from "../../db/client";
import { retryBusyWrite } from "../../db/retry";
import { attachmentStrippedChunks, reportAttachments } from "../../db/schema";
import { encryptBytes } from "../../security/cipher";
import type { ServiceDeps } from "../deps";

/** Stripping is linear at under 8 steps a byte; twice that plus a floor is the step budget. */
const STRIP_STEPS_PER_BYTE = 16;
const STRIP_BASE_STEPS = 1_000_000;
/** The longest one file may hold the event loop; well under a health check's patience. */
export const STRIP_DEADLINE_MS = 300;

/** Size of the encrypted chunks of an original or a stripped copy (small enough for D1's row limit). */
export const ATTACHMENT_CHUNK_BYTES = 512 * 1024;
/** Encryption context of a stripped-copy chunk (distinct from the original's, so chunks cannot be swapped). */
export const strippedChunkContext = (attachmentId: string, seq: number) => `attachment:${attachmentId}:stripped:${seq}`;

export interface FileToStrip {
  id: string;
  mediaType: EvidenceMediaType;
  keyId: string;
  bytes: Uint8Array;
}

/** The budget of one file, starting now (performance.now: a monotonic clock on Node and Workers). */
export function stripBudgetFor(sizeBytes: number): StripBudget {
  return { maxSteps: STRIP_STEPS_PER_BYTE * sizeBytes + STRIP_BASE_STEPS, clock: () => performance.now(), deadline: performance.now() + STRIP_DEADLINE_MS };
}

/**
 * Strips each file within its budget and stores the encrypted copy beside the original (only where
 * none exists yet). Never throws: the files are already stored, and a file without a copy is simply
 * shown to coordinators only. Returns how many got a copy.
 */
export async function storeStrippedCopies(deps: ServiceDeps, files: FileToStrip[]): Promise<number> {
  let stored = 0;
  for (const file of files) {
    const meter = new StripMeter(stripBudgetFor(file.bytes.length));
    const started = performance.now();
    const result = stripMetadata(file.mediaType, file.bytes, meter);
    const fields = { attachmentId: file.id, mediaType: file.mediaType, ok: result.ok, steps: meter.steps, ms: Math.round(performance.now() - started) };
    if (!result.ok) {
      deps.log.info("evidence strip", { ...fields, reason: result.reason });
      continue;
    }
    deps.log.debug("evidence strip", fields);
    try {
      const chunkCount = Math.max(1, Math.ceil(result.bytes.length / ATTACHMENT_CHUNK_BYTES));
      const statements: unknown[] = [];
      for (let seq = 0; seq < chunkCount; seq++) {
        const plain = result.bytes.subarray(seq * ATTACHMENT_CHUNK_BYTES, (seq + 1) * ATTACHMENT_CHUNK_BYTES);
        const sealed = await encryptBytes(deps.keys, file.keyId, plain, strippedChunkContext(file.id, seq));
        statements.push(deps.db.insert(attachmentStrippedChunks).values({ attachmentId: file.id, seq, data: Buffer.from(sealed) }));
      }
      statements.push(
        deps.db
          .update(reportAttachments)
          .set({ strippedSizeBytes: result.bytes.length, strippedChunkCount: chunkCount })
          .where(and(eq(reportAttachments.id, file.id), isNull(reportAttachments.strippedChunkCount))),
      );
      await retryBusyWrite(deps.db, async () => deps.db.batch(asBatch(statements)));
      stored++;
    } catch (err) {
      deps.log.warn("evidence strip not stored", { attachmentId: file.id, error: err instanceof Error ? err.name : "unknown" });
    }
  }
  return stored;
}
