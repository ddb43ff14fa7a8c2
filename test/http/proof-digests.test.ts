// Proofs of submission prove without identifying: a receipt (PDF or JSON) carries keyed digests of the
// evidence and a keyed content hash, never a plain SHA-256 that whoever holds the same photo could
// match. Proofs issued before (version 2, raw hashes; a fixture made by that code) still verify on
// /verify; an edited new proof does not.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app";
import { loadCjkFont } from "../../src/http/cjk-font-node";
import { createReceiptPdfRenderer } from "../../src/http/receipt-pdf";
import type { KeyMaterial } from "../../src/security/keys";
import { createTestContext, type TestContext } from "../support/context";
import { PDF_BYTES, PNG_BYTES, multipart, validReport } from "../support/fixtures";
import { createPageClient, formToken } from "../support/page-client";
import { webReportFields } from "../support/web-report";

let ctx: TestContext;
afterEach(() => ctx.close());

/** Every spelling of a digest that could sit in a file: hex (both cases), base64, base64url. */
function spellings(bytes: Uint8Array): string[] {
  const digest = createHash("sha256").update(bytes).digest();
  const b64 = digest.toString("base64");
  return [digest.toString("hex"), digest.toString("hex").toUpperCase(), b64, b64.replace(/=+$/, ""), digest.toString("base64url")];
}

function expectNone(haystack: Uint8Array, needles: string[], what: string) {
  const text = Buffer.from(haystack).toString("latin1");
  // The PDF carries the proof as base64url JSON: decode it too, so a hash inside it is found.
  const inside = /\/FundWatchProof \(([A-Za-z0-9_-]+)\)/.exec(text)?.[1];
  const decoded = inside ? Buffer.from(inside, "base64url").toString("utf8") : "";
  for (const n of needles) {
    expect(text.includes(n), `${what} contains ${n}`).toBe(false);
    expect(decoded.includes(n), `${what}'s embedded proof contains ${n}`).toBe(false);
  }
}

const verifyFile = async (app: TestContext["app"], bytes: Uint8Array, name: string, type: string) =>
  (await app.request("/verify?lang=en", { method: "POST", body: multipart({}, [{ name, bytes, type }], "proof") })).text();

describe("proof version 3: keyed digests", () => {
  it("the PDF receipt and the JSON proof carry no raw SHA-256 of any attachment, and both verify", async () => {
    ctx = await createTestContext();
    const app = createApp({ ...ctx.deps, receiptPdf: createReceiptPdfRenderer(loadCjkFont) });
    const browser = createPageClient(app);
    const form = await browser.get("/report");
    const fields = webReportFields(formToken(form.html));
    const page = await browser.post("/report", multipart(fields, [{ name: "病房.png", bytes: PNG_BYTES, type: "image/png" }, { name: "单据.pdf", bytes: PDF_BYTES, type: "application/pdf" }]));
    expect(page.status).toBe(200);
    const pdfRes = await app.request("/report/receipt.pdf", { headers: { cookie: [...browser.cookies()].map(([k, v]) => `${k}=${v}`).join("; ") } });
    expect(pdfRes.status).toBe(200);
    const pdf = new Uint8Array(await pdfRes.arrayBuffer());
    const forbidden = [...spellings(PNG_BYTES), ...spellings(PDF_BYTES)];
    expectNone(pdf, forbidden, "PDF receipt");
    expectNone(new TextEncoder().encode(page.html), forbidden, "receipt page");
    expect(await verifyFile(app, pdf, "receipt.pdf", "application/pdf")).toContain('data-genuine="true"');

    // The API's JSON proof: version 3, one keyed digest per file, none of them a raw hash.
    const res = await ctx.app.request("/api/v1/reports", { method: "POST", body: multipart({ report: JSON.stringify(validReport()) }, [{ name: "a.png", bytes: PNG_BYTES }]) });
    expect(res.status).toBe(201);
    const body = new Uint8Array(await res.arrayBuffer());
    expectNone(body, spellings(PNG_BYTES), "API answer");
    const { proof } = JSON.parse(Buffer.from(body).toString("utf8")) as { proof: { version: number; attachments: { digest: string; sha256?: string }[] } };
    expect(proof.version).toBe(3);
    expect(proof.attachments).toHaveLength(1);
    expect(proof.attachments[0]!.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(proof.attachments[0]!.sha256).toBeUndefined();
    const json = new TextEncoder().encode(JSON.stringify(proof));
    expect(await verifyFile(ctx.app, json, "proof.json", "application/json")).toContain('data-genuine="true"');
  });

  it("the same photo in two reports gets two different digests (receipts cannot be linked by their evidence)", async () => {
    ctx = await createTestContext();
    const submit = async () =>
      ((await (await ctx.app.request("/api/v1/reports", { method: "POST", body: multipart({ report: JSON.stringify(validReport()) }, [{ name: "a.png", bytes: PNG_BYTES }]) })).json()) as { proof: { attachments: { digest: string }[] } }).proof;
    const [a, b] = [await submit(), await submit()];
    expect(a.attachments[0]!.digest).not.toBe(b.attachments[0]!.digest);
  });

  it("refuses a tampered new proof: digest, size, type, content hash or time changed", async () => {
    ctx = await createTestContext();
    const res = await ctx.app.request("/api/v1/reports", { method: "POST", body: multipart({ report: JSON.stringify(validReport()) }, [{ name: "a.png", bytes: PNG_BYTES }]) });
    const { proof } = (await res.json()) as { proof: { contentHash: string; submittedAt: string; attachments: { digest: string; sizeBytes: number; mediaType: string }[] } };
    const file = proof.attachments[0]!;
    const flip = (hex: string) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);
    const tampered = [
      { ...proof, attachments: [{ ...file, digest: flip(file.digest) }] },
      { ...proof, attachments: [{ ...file, digest: createHash("sha256").update(PNG_BYTES).digest("hex") }] },
      { ...proof, attachments: [{ ...file, sizeBytes: file.sizeBytes + 1 }] },
      { ...proof, attachments: [{ ...file, mediaType: "application/pdf" }] },
      { ...proof, attachments: [] },
      { ...proof, contentHash: flip(proof.contentHash) },
      { ...proof, submittedAt: new Date(Date.parse(proof.submittedAt) + 1).toISOString() },
      // Presented as an old-format proof with the raw hash: the version 2 statement was never signed.
      { ...proof, version: 2, attachments: [{ sha256: createHash("sha256").update(PNG_BYTES).digest("hex"), sizeBytes: file.sizeBytes, mediaType: file.mediaType }] },
    ];
    for (const t of tampered) {
      const answer = await verifyFile(ctx.app, new TextEncoder().encode(JSON.stringify(t)), "proof.json", "application/json");
      expect(answer, JSON.stringify(t)).toContain('data-genuine="false"');
    }
    expect(await verifyFile(ctx.app, new TextEncoder().encode(JSON.stringify(proof)), "proof.json", "application/json")).toContain('data-genuine="true"');
  });
});

describe("proofs issued before version 3", () => {
  it("a version 2 proof made by the earlier code (committed fixture) still verifies: file, QR address and API", async () => {
    const fixture = JSON.parse(readFileSync(new URL("../fixtures/proof-v2.json", import.meta.url), "utf8")) as {
      keyMaterial: KeyMaterial;
      proof: { version: number; reportId: string; submittedAt: string; contentHash: string; keyId: string; signature: string };
      reports: Record<string, unknown>[];
      reportAttachments: Record<string, unknown>[];
    };
    expect(fixture.proof.version).toBe(2);
    ctx = await createTestContext({}, { keyMaterial: fixture.keyMaterial });
    for (const [table, rows] of [["reports", fixture.reports], ["report_attachments", fixture.reportAttachments]] as const)
      for (const row of rows) {
        const cols = Object.keys(row);
        await ctx.client.execute({ sql: `INSERT INTO ${table} (${cols.join(",")}) VALUES (${cols.map(() => "?").join(",")})`, args: cols.map((c) => row[c] as string | number | null) });
      }
    const json = new TextEncoder().encode(JSON.stringify(fixture.proof));
    const answer = await verifyFile(ctx.app, json, "proof.json", "application/json");
    expect(answer).toContain('data-genuine="true"');
    expect(answer).toContain(fixture.proof.reportId);

    const p = fixture.proof;
    const qr = `/verify?${new URLSearchParams({ id: p.reportId, t: p.submittedAt, h: p.contentHash, k: p.keyId, s: p.signature })}`;
    expect(await (await ctx.app.request(qr)).text()).toContain('data-genuine="true"');

    const api = await ctx.app.request("/api/v1/proofs/verify", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fixture.proof) });
    expect(await api.json()).toEqual({ signatureValid: true, matchesRecord: true });
    // An edited old proof is still refused.
    const edited = new TextEncoder().encode(JSON.stringify({ ...fixture.proof, submittedAt: new Date(Date.parse(p.submittedAt) - 1000).toISOString() }));
    expect(await verifyFile(ctx.app, edited, "proof.json", "application/json")).toContain('data-genuine="false"');
  });
});
