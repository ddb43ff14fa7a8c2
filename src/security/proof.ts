// Proof of submission: a signed statement "report X with content hash H was received at T", which a
// tipster can keep and anyone can check against the published public key (GET
// /api/v1/proofs/public-key) or the verify endpoint. It carries no receipt and no identity.
//
// Version 3 (current) carries no raw hash of anything a finder could hold or guess: each evidence file
// appears as a keyed digest (HMAC-SHA-256 with a server-held subkey of HASH_KEY, over the report id and
// the file's SHA-256), and the content hash is keyed the same way. Whoever finds a receipt and has the
// same photo, or drafts of the same text, cannot confirm what was reported. Versions 1 and 2 (raw
// hashes) were issued before and still verify.
import { fromBase64, toHex, toBase64Url, utf8 } from "./encoding";
import type { KeyRing } from "./keys";

/** An attachment as versions 1 and 2 signed it: its plain SHA-256. */
export interface HashedProofAttachment {
  sha256: string;
  sizeBytes: number;
  mediaType: string;
}
/** An attachment as version 3 signs it: a keyed digest only the server can compute. */
export interface KeyedProofAttachment {
  digest: string;
  sizeBytes: number;
  mediaType: string;
}

interface ProofBase {
  type: "fundwatch.proof-of-submission";
  reportId: string;
  submittedAt: string;
  contentHash: string;
  keyId: string;
  algorithm: "ES256";
  signature: string;
}

/**
 * 3 signs keyed digests of the evidence and a keyed content hash; 2 (issued before) signed every
 * attachment's plain hash, size and type; 1 signed only the plain hashes.
 */
export type ProofOfSubmission = ProofBase & ({ version: 1 | 2; attachments: HashedProofAttachment[] } | { version: 3; attachments: KeyedProofAttachment[] });

export const CURRENT_PROOF_VERSION = 3;

/** HMAC-SHA-256 (hex, 64 characters like the plain hashes it replaces) under HASH_KEY, per purpose. */
async function keyedHex(keys: KeyRing, purpose: string, value: string): Promise<string> {
  const data = utf8.encode(`${purpose}\u0000${value}`);
  if (keys.sync) return toHex(keys.sync.hmac("hash", data));
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", keys.hashKey, data)));
}

/** An evidence file's digest in a version 3 proof: bound to the report, so the same photo in two reports differs. */
export function evidenceDigest(keys: KeyRing, reportId: string, sha256: string): Promise<string> {
  return keyedHex(keys, "proof-evidence/v3", `${reportId}\n${sha256}`);
}

/** Deterministic JSON (sorted keys) so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * The content hash of a report (version 3): keyed, because the report's fields are short and often
 * guessable (institution, type, dates), and a plain hash would let anyone confirm a guess.
 */
export function contentHashOf(keys: KeyRing, content: unknown): Promise<string> {
  return keyedHex(keys, "proof-content/v3", canonicalJson(content));
}

function signedText(p: ProofOfSubmission): string {
  const head = `${p.reportId}\n${p.submittedAt}\n${p.contentHash}\n`;
  if (p.version === 3) return `fundwatch-proof/v3\n${head}${p.attachments.map((a) => `${a.digest}:${a.sizeBytes}:${a.mediaType}`).join(",")}`;
  if (p.version === 1) return `fundwatch-proof/v1\n${head}${p.attachments.map((a) => a.sha256).join(",")}`;
  // Media types cannot contain ":" or ","; sizes are integers: the encoding is unambiguous.
  return `fundwatch-proof/v2\n${head}${p.attachments.map((a) => `${a.sha256}:${a.sizeBytes}:${a.mediaType}`).join(",")}`;
}

/** Signs a version 3 proof: the attachments' plain hashes go in, only their keyed digests come out. */
export async function signProof(
  keys: KeyRing,
  fields: { reportId: string; submittedAt: string; contentHash: string; attachments: HashedProofAttachment[] },
): Promise<ProofOfSubmission> {
  const attachments = await Promise.all(
    fields.attachments.map(async (a) => ({ digest: await evidenceDigest(keys, fields.reportId, a.sha256), sizeBytes: a.sizeBytes, mediaType: a.mediaType })),
  );
  const unsigned = { type: "fundwatch.proof-of-submission" as const, version: 3 as const, reportId: fields.reportId, submittedAt: fields.submittedAt, contentHash: fields.contentHash, attachments };
  const text = utf8.encode(signedText({ ...unsigned, keyId: "", algorithm: "ES256", signature: "" }));
  const sig = keys.sync ? keys.sync.signEs256(text) : new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keys.signingKey, text));
  return {
    ...unsigned,
    keyId: keys.signingKeyId,
    algorithm: "ES256",
    signature: toBase64Url(sig),
  };
}

export async function verifyProofSignature(publicJwk: JsonWebKey, proof: ProofOfSubmission): Promise<boolean> {
  const { kid: _kid, use: _use, alg: _alg, ...jwk } = publicJwk as JsonWebKey & { kid?: string; use?: string };
  const key = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  try {
    return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, fromBase64(proof.signature), utf8.encode(signedText(proof)));
  } catch {
    return false;
  }
}
