// Node's synchronous crypto (src/security/node-crypto.ts, used by `npm start`) and WebCrypto (Workers)
// write the same formats: each reads what the other wrote, byte-compatible, including over the HTTP
// intake path (a tip stored by a Node-crypto server is read by a WebCrypto one and the reverse).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { decryptBytes, decryptText, DecryptionError, encryptBytes, encryptText, keyedHash } from "../../src/security/cipher";
import { generateKeyMaterial, importKeyRing, type KeyMaterial, type KeyRing } from "../../src/security/keys";
import { nodeSyncCrypto } from "../../src/security/node-crypto";
import { contentHashOf, evidenceDigest, signProof, verifyProofSignature, type ProofOfSubmission } from "../../src/security/proof";
import { reports, type EventRow } from "../../src/db/schema";
import { chainHashOf } from "../../src/services/audit/event-chain";
import { sha256Hex, toHex, utf8 } from "../../src/security/encoding";
import { createTestContext, type TestContext } from "../support/context";
import { REAL_NAME, jsonPost, validReport } from "../support/fixtures";

let material: KeyMaterial;
let web: KeyRing;
let node: KeyRing;
beforeAll(async () => {
  material = await generateKeyMaterial("k7");
  web = await importKeyRing(material);
  node = await importKeyRing(material, { syncCrypto: nodeSyncCrypto });
});

describe("Node synchronous crypto and WebCrypto interchange", () => {
  it("only the Node key ring has the synchronous primitives", () => {
    expect(web.sync).toBeUndefined();
    expect(node.sync).toBeDefined();
  });

  it("text: Node writes, WebCrypto reads, and the reverse; the context still binds", async () => {
    const secret = "实名：李秀英 13800000000 — ünïcode ✓";
    const byNode = await encryptText(node, secret, "report:r1:reporter");
    const byWeb = await encryptText(web, secret, "report:r1:reporter");
    expect(byNode).toMatch(/^v1\.k7\.[\w-]{16}\.[\w-]+$/);
    expect(byNode.split(".")[3]!.length).toBe(byWeb.split(".")[3]!.length);
    expect(await decryptText(web, byNode, "report:r1:reporter")).toBe(secret);
    expect(await decryptText(node, byWeb, "report:r1:reporter")).toBe(secret);
    await expect(decryptText(node, byWeb, "report:r2:reporter")).rejects.toBeInstanceOf(DecryptionError);
    await expect(decryptText(web, byNode, "report:r2:reporter")).rejects.toBeInstanceOf(DecryptionError);
    const tampered = byNode.slice(0, -2) + (byNode.endsWith("A") ? "BB" : "AA");
    await expect(decryptText(node, tampered, "report:r1:reporter")).rejects.toBeInstanceOf(DecryptionError);
    expect(await decryptText(node, await encryptText(node, "", "c"), "c")).toBe("");
  });

  it("binary chunks: both directions, empty and large", async () => {
    for (const size of [0, 1, 4096, 70_000]) {
      const data = new Uint8Array(size).map((_, i) => (i * 31) % 256);
      const byNode = await encryptBytes(node, "k7", data, `file:f1:chunk:${size}`);
      const byWeb = await encryptBytes(web, "k7", data, `file:f1:chunk:${size}`);
      expect(byNode.length).toBe(byWeb.length);
      expect(await decryptBytes(web, "k7", byNode, `file:f1:chunk:${size}`)).toEqual(data);
      expect(await decryptBytes(node, "k7", byWeb, `file:f1:chunk:${size}`)).toEqual(data);
    }
    await expect(decryptBytes(node, "k7", new Uint8Array(8), "x")).rejects.toBeInstanceOf(DecryptionError);
    await expect(decryptBytes(node, "nope", new Uint8Array(40), "x")).rejects.toThrow(/not configured/);
  });

  it("keyed hashes are identical", async () => {
    expect(await keyedHash(node, "receipt", "ABCD-EFGH")).toBe(await keyedHash(web, "receipt", "ABCD-EFGH"));
    expect(await contentHashOf(node, { a: 1, b: "二" })).toBe(await contentHashOf(web, { a: 1, b: "二" }));
    expect(await evidenceDigest(node, "r1", "ab".repeat(32))).toBe(await evidenceDigest(web, "r1", "ab".repeat(32)));
  });

  it("the event chain's hash and the plain digest are identical", async () => {
    const event = { id: 7, occurredAt: 1_764_000_000_000, entityType: "lead", entityId: "L-1", action: "lead.escalated", actorType: "system", actorId: null, platform: "scheduler", data: '{"step":"二"}', dedupeKey: "k", chainHash: null } as unknown as EventRow;
    expect(await chainHashOf(node, "0".repeat(64), event)).toBe(await chainHashOf(web, "0".repeat(64), event));
    expect(toHex(node.sync!.sha256(utf8.encode("recipient|é中")))).toBe(await sha256Hex("recipient|é中"));
  });

  it("proofs signed by either verify against the published key", async () => {
    const fields = { reportId: "FW-20261124-ABCDEF", submittedAt: "2026-11-24T02:00:00.000Z", contentHash: "c".repeat(64), attachments: [{ sha256: "d".repeat(64), sizeBytes: 10, mediaType: "image/png" }] };
    for (const ring of [node, web]) {
      const proof = await signProof(ring, fields);
      expect(proof.signature).toMatch(/^[\w-]{86}$/);
      expect(await verifyProofSignature(web.signingPublicJwk, proof)).toBe(true);
      expect(await verifyProofSignature(node.signingPublicJwk, { ...proof, submittedAt: "2026-11-24T02:00:01.000Z" } as ProofOfSubmission)).toBe(false);
    }
  });
});

describe("over the intake path", () => {
  let nodeCtx: TestContext;
  let webCtx: TestContext;
  beforeAll(async () => {
    nodeCtx = await createTestContext({}, { keyMaterial: material });
    // The server as `npm start` builds it: the same keys, with Node's synchronous primitives.
    nodeCtx.deps.keys = node;
    webCtx = await createTestContext({}, { keyMaterial: material });
  });
  afterAll(async () => {
    await nodeCtx.close();
    await webCtx.close();
  });

  it("a tip stored with Node crypto reads with WebCrypto, and the reverse", async () => {
    for (const [writer, reader] of [
      [nodeCtx, web],
      [webCtx, node],
    ] as const) {
      const description = `住院部长期有挂床病人，白天不在医院，仍每天记账理疗项目（${writer === nodeCtx ? "Node" : "WebCrypto"} 写入）。`;
      const res = await writer.app.request("/api/v1/reports", jsonPost(validReport({ anonymous: false, reporter: REAL_NAME, description })));
      expect(res.status).toBe(201);
      const body = (await res.json()) as { reportId: string; receipt: string; proof: ProofOfSubmission };
      expect(await verifyProofSignature(reader.signingPublicJwk, body.proof)).toBe(true);
      const [row] = await writer.db.select().from(reports).where(eq(reports.id, body.reportId));
      expect(await decryptText(reader, row!.descriptionEnc, `report:${body.reportId}:description`)).toBe(description);
      expect(JSON.parse(await decryptText(reader, row!.reporterEnc!, `report:${body.reportId}:reporter`))).toEqual(REAL_NAME);
      // The receipt hash the writer stored is the one the other runtime computes: the lookup works across.
      const own = writer.deps.keys;
      writer.deps.keys = reader;
      const status = await writer.app.request("/api/v1/reports/status", jsonPost({ receipt: body.receipt }));
      writer.deps.keys = own;
      expect(status.status).toBe(200);
    }
  });
});
