// Proofs of submission sign every attachment's hash, size and type, and stay verifiable after the
// signing key is rotated: every key that ever signed is published and used by /proofs/verify.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app";
import { generateKeyMaterial, importKeyRing, type KeyMaterial } from "../../src/security/keys";
import { toBase64Url, utf8 } from "../../src/security/encoding";
import { createTestContext, type TestContext } from "../support/context";
import { PNG_BYTES, jsonPost, multipart, validReport } from "../support/fixtures";

let ctx: TestContext;
let material: KeyMaterial;
beforeAll(async () => {
  material = await generateKeyMaterial();
  ctx = await createTestContext({}, { keyMaterial: material });
});
afterAll(() => ctx.close());

async function submitWithFile(app = ctx.app) {
  const res = await app.request("/api/v1/reports", { method: "POST", body: multipart({ report: JSON.stringify(validReport()) }, [{ name: "a.png", bytes: PNG_BYTES }]) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { proof: any }).proof;
}

const verify = async (proof: unknown, app = ctx.app) => (await (await app.request("/api/v1/proofs/verify", jsonPost(proof))).json()) as { signatureValid: boolean; matchesRecord: boolean };

describe("proof of submission", () => {
  it("covers each attachment's size and media type, not only its hash", async () => {
    const proof = await submitWithFile();
    expect(proof.version).toBe(3);
    expect(await verify(proof)).toEqual({ signatureValid: true, matchesRecord: true });
    const resized = { ...proof, attachments: [{ ...proof.attachments[0], sizeBytes: proof.attachments[0].sizeBytes + 1 }] };
    expect((await verify(resized)).signatureValid).toBe(false);
    const retyped = { ...proof, attachments: [{ ...proof.attachments[0], mediaType: "application/pdf" }] };
    expect((await verify(retyped)).signatureValid).toBe(false);
  });

  it("still verifies proofs signed before a key rotation, and publishes every key that signed", async () => {
    const before = await submitWithFile();
    const rotated = await generateKeyMaterial();
    const keys = await importKeyRing({ ...material, signingKey: rotated.signingKey });
    const app = createApp({ ...ctx.deps, keys });
    const after = await submitWithFile(app);
    expect(after.keyId).not.toBe(before.keyId);
    expect(await verify(before, app)).toEqual({ signatureValid: true, matchesRecord: true });
    expect(await verify(after, app)).toEqual({ signatureValid: true, matchesRecord: true });

    const jwks = (await (await app.request("/api/v1/proofs/public-keys")).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([after.keyId, before.keyId]);
    // The single-key endpoint keeps answering with the active key.
    expect(((await (await app.request("/api/v1/proofs/public-key")).json()) as { kid: string }).kid).toBe(after.keyId);
    // A key id that never signed here does not verify anything.
    expect((await verify({ ...before, keyId: "unknown-key" }, app)).signatureValid).toBe(false);
  });

  it("verifies version 1 proofs issued before attachments' size and type were signed", async () => {
    const current = await submitWithFile();
    // Re-sign the same statement the way version 1 did (plain hashes only), with the same key.
    const sha256 = createHash("sha256").update(PNG_BYTES).digest("hex");
    const text = `fundwatch-proof/v1\n${current.reportId}\n${current.submittedAt}\n${current.contentHash}\n${sha256}`;
    const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ctx.deps.keys.signingKey, utf8.encode(text));
    const v1 = { ...current, version: 1, attachments: current.attachments.map(({ digest: _d, ...a }: { digest: string }) => ({ ...a, sha256 })), signature: toBase64Url(new Uint8Array(sig)) };
    expect(await verify(v1)).toEqual({ signatureValid: true, matchesRecord: true });
    // …and a version 1 signature presented as version 2 fails.
    expect((await verify({ ...v1, version: 2 })).signatureValid).toBe(false);
  });
});
