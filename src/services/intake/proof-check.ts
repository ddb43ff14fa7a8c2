// Checking a proof of submission for anyone who holds one: the signature against the key that made it,
// and the record (a report with that number, time and content). Proofs arrive as the JSON file, the
// PDF receipt (which carries the proof inside it) or the short form in the receipt's QR code.
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { parseBoundedJson } from "../../core/json-depth";
import { reportAttachments, reports } from "../../db/schema";
import { fromBase64, toBase64Url, utf8 } from "../../security/encoding";
import type { KeyRing } from "../../security/keys";
import { evidenceDigest, verifyProofSignature, type ProofOfSubmission } from "../../security/proof";
import type { ServiceDeps } from "../deps";
import { findSigningPublicKey } from "./proof-keys";

const proofBase = {
  type: z.literal("fundwatch.proof-of-submission"),
  reportId: z.string().max(64),
  submittedAt: z.string().max(40),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  keyId: z.string().max(100),
  algorithm: z.literal("ES256"),
  signature: z.string().max(200),
};
const sizeAndType = { sizeBytes: z.number().int(), mediaType: z.string().max(100) };
/** Version 3 (keyed digests) as issued now; versions 1 and 2 (plain hashes) as issued before. */
export const proofSchema = z.discriminatedUnion("version", [
  z.object({ ...proofBase, version: z.literal(3), attachments: z.array(z.object({ digest: z.string().max(64), ...sizeAndType })).max(50) }),
  z.object({ ...proofBase, version: z.union([z.literal(1), z.literal(2)]), attachments: z.array(z.object({ sha256: z.string().max(64), ...sizeAndType })).max(50) }),
]);

export interface ProofCheck {
  signatureValid: boolean;
  matchesRecord: boolean;
}

export async function checkProof(deps: ServiceDeps, proof: ProofOfSubmission): Promise<ProofCheck> {
  const publicKey = await findSigningPublicKey(deps, proof.keyId);
  const signatureValid = publicKey !== null && (await verifyProofSignature(publicKey, proof));
  // The primary key finds the row; time and hash must match it too.
  const record = await deps.db.query.reports.findFirst({
    columns: { id: true },
    where: and(eq(reports.id, proof.reportId), eq(reports.contentHash, proof.contentHash), eq(reports.createdAt, Date.parse(proof.submittedAt) || -1)),
  });
  return { signatureValid, matchesRecord: record !== undefined };
}

/** What the QR code carries: enough to check, nothing to get in (no receipt code, no identity). */
export const proofLinkSchema = z.object({
  id: z.string().regex(/^FW-\d{8}-[0-9A-Z]{4,16}$/),
  t: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/),
  h: z.string().regex(/^[0-9a-f]{64}$/),
  k: z.string().regex(/^[\w.:-]{1,100}$/),
  s: z.string().regex(/^[A-Za-z0-9_-]{40,200}$/),
});
export type ProofLink = z.output<typeof proofLinkSchema>;

/** The public verification address of a proof (the receipt's QR code). */
export function verificationUrl(baseUrl: string, proof: ProofOfSubmission): string {
  const q = new URLSearchParams({ id: proof.reportId, t: proof.submittedAt, h: proof.contentHash, k: proof.keyId, s: proof.signature });
  return `${baseUrl.replace(/\/+$/, "")}/verify?${q.toString()}`;
}

/**
 * The full proof behind a QR link: the attachment list it signed is the submission's own files, in
 * the order they were stored (rowid), as they were signed. Null when no such report is on record.
 */
export async function proofFromLink(deps: ServiceDeps, link: ProofLink): Promise<ProofOfSubmission | null> {
  const createdAt = Date.parse(link.t);
  const report = await deps.db.query.reports.findFirst({ columns: { id: true, createdAt: true }, where: and(eq(reports.id, link.id), eq(reports.contentHash, link.h), eq(reports.createdAt, createdAt)) });
  if (!report) return null;
  const files = await deps.db
    .select({ sha256: reportAttachments.sha256, sizeBytes: reportAttachments.sizeBytes, mediaType: reportAttachments.mediaType })
    .from(reportAttachments)
    .where(and(eq(reportAttachments.reportId, report.id), eq(reportAttachments.createdAt, createdAt), sql`${reportAttachments.messageId} IS NULL`))
    .orderBy(asc(sql`rowid`));
  // The link does not say its version (links printed before version 3 look the same): the proof is
  // the version whose signature holds; if neither does, the verdict is "signature invalid" either way.
  const signed = { type: "fundwatch.proof-of-submission" as const, reportId: link.id, submittedAt: link.t, contentHash: link.h, keyId: link.k, algorithm: "ES256" as const, signature: link.s };
  const current: ProofOfSubmission = { ...signed, version: 3, attachments: await keyedAttachments(deps.keys, link.id, files) };
  const publicKey = await findSigningPublicKey(deps, link.k);
  if (publicKey !== null && (await verifyProofSignature(publicKey, current))) return current;
  return { ...signed, version: 2, attachments: files };
}

/** The attachment list a version 3 proof signed, from the stored plain hashes (which never leave the server). */
function keyedAttachments(keys: KeyRing, reportId: string, files: { sha256: string; sizeBytes: number; mediaType: string }[]) {
  return Promise.all(files.map(async (f) => ({ digest: await evidenceDigest(keys, reportId, f.sha256), sizeBytes: f.sizeBytes, mediaType: f.mediaType })));
}

/** The PDF receipt carries its proof in the document information (key below), base64url JSON. */
export const PDF_PROOF_KEY = "FundWatchProof";
export const encodeProofForPdf = (proof: ProofOfSubmission) => toBase64Url(utf8.encode(JSON.stringify(proof)));

/** A JSON proof is ~1 KB (50 attachments ~7 KB); our PDF receipt is well under 1 MB. Larger files are refused unread. */
export const MAX_PROOF_JSON_BYTES = 64 * 1024;
export const MAX_PROOF_PDF_BYTES = 5 * 1024 * 1024;

const isPdf = (bytes: Uint8Array) => new TextDecoder("latin1").decode(bytes.subarray(0, 5)) === "%PDF-";

/** Whether an uploaded proof file is over its limit (by kind): such a file is never decoded or parsed. */
export function isProofFileTooLarge(bytes: Uint8Array): boolean {
  return bytes.length > (isPdf(bytes) ? MAX_PROOF_PDF_BYTES : MAX_PROOF_JSON_BYTES);
}

/** The proof inside an uploaded file: the JSON download, or the PDF receipt. Null if there is none (or it is over its limit). */
export function proofFromFile(bytes: Uint8Array): ProofOfSubmission | null {
  if (isProofFileTooLarge(bytes)) return null;
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 5));
  let json: string | null = null;
  if (head === "%PDF-") {
    // Written uncompressed (no object streams) so it is found without a PDF parser.
    const text = new TextDecoder("latin1").decode(bytes);
    const m = new RegExp(`/${PDF_PROOF_KEY}\\s*\\(([A-Za-z0-9_-]{20,8000})\\)`).exec(text);
    if (m) {
      try {
        json = new TextDecoder().decode(fromBase64(m[1]!));
      } catch {
        return null;
      }
    }
  } else {
    json = new TextDecoder().decode(bytes);
  }
  if (json === null) return null;
  // Depth-bounded before parsing, like every JSON we are handed.
  const value = parseBoundedJson(json);
  if (!value.ok) return null;
  const parsed = proofSchema.safeParse(value.value);
  return parsed.success ? (parsed.data as ProofOfSubmission) : null;
}
