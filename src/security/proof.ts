// Proof of submission: a signed statement "report X with content hash H was received at T", which a
// tipster can keep and anyone can check against the published public key (GET
// /api/v1/proofs/public-key) or the verify endpoint. It carries no receipt and no identity.
import { fromBase64, sha256Hex, toBase64Url, utf8 } from "./encoding";
import type { KeyRing } from "./keys";

export interface ProofOfSubmission {
  type: "fundwatch.proof-of-submission";
  /** 2 signs every attachment's hash, size and type; 1 (issued before) signed only the hashes. */
  version: 1 | 2;
  reportId: string;
  submittedAt: string;
  contentHash: string;
  attachments: { sha256: string; sizeBytes: number; mediaType: string }[];
  keyId: string;
  algorithm: "ES256";
  signature: string;
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

export function contentHashOf(content: unknown): Promise<string> {
  return sha256Hex(canonicalJson(content));
}

type SignedFields = Pick<ProofOfSubmission, "reportId" | "submittedAt" | "contentHash" | "attachments">;

function signedText(p: SignedFields, version: ProofOfSubmission["version"]): string {
  if (version === 1) return `fundwatch-proof/v1\n${p.reportId}\n${p.submittedAt}\n${p.contentHash}\n${p.attachments.map((a) => a.sha256).join(",")}`;
  // Media types cannot contain ":" or ","; sizes are integers: the encoding is unambiguous.
  return `fundwatch-proof/v2\n${p.reportId}\n${p.submittedAt}\n${p.contentHash}\n${p.attachments.map((a) => `${a.sha256}:${a.sizeBytes}:${a.mediaType}`).join(",")}`;
}

export async function signProof(
  keys: KeyRing,
  fields: Pick<ProofOfSubmission, "reportId" | "submittedAt" | "contentHash" | "attachments">,
): Promise<ProofOfSubmission> {
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keys.signingKey, utf8.encode(signedText(fields, 2)));
  return {
    type: "fundwatch.proof-of-submission",
    version: 2,
    ...fields,
    keyId: keys.signingKeyId,
    algorithm: "ES256",
    signature: toBase64Url(new Uint8Array(sig)),
  };
}

export async function verifyProofSignature(publicJwk: JsonWebKey, proof: ProofOfSubmission): Promise<boolean> {
  const { kid: _kid, use: _use, alg: _alg, ...jwk } = publicJwk as JsonWebKey & { kid?: string; use?: string };
  const key = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  try {
    return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, fromBase64(proof.signature), utf8.encode(signedText(proof, proof.version)));
  } catch {
    return false;
  }
}
