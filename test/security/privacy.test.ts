// Privacy: the database never holds a receipt or a tipster's identity in readable form, logs carry
// none of it, and the event log cannot be rewritten.
import { readFileSync, existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { normaliseReceipt } from "../../src/core/receipt";
import { createTestContext, type TestContext } from "../support/context";
import { PNG_BYTES, REAL_NAME, jsonPost, multipart, validReport } from "../support/fixtures";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ LOG_LEVEL: "debug" });
});
afterAll(() => ctx.close());

function rawDatabaseBytes(): Buffer {
  // WAL mode: recent pages may still sit in the -wal file, so read both.
  const parts = [ctx.dbPath, `${ctx.dbPath}-wal`].filter(existsSync).map((p) => readFileSync(p));
  return Buffer.concat(parts);
}

const secretPhoto = (() => {
  const bytes = new Uint8Array(4096);
  bytes.set(PNG_BYTES);
  bytes.set(new TextEncoder().encode("PHOTO-MARKER-7d3f1a SECRET PIXELS"), 100);
  return bytes;
})();

describe("data at rest", () => {
  it("holds no receipt, identity, contact, description, message, file name or file content in plain text", async () => {
    const description = "内部员工举报：院长授意虚构康复理疗项目，标记ZXQ-DESCRIPTION-MARKER。";
    const res = await ctx.app.request("/api/v1/reports", {
      method: "POST",
      body: multipart({ report: JSON.stringify(validReport({ anonymous: false, reporter: REAL_NAME, description, insider: true })) }, [
        { name: "李秀英-工资条.png", bytes: secretPhoto },
      ]),
    });
    expect(res.status).toBe(201);
    const { receipt } = (await res.json()) as { receipt: string };
    await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt, body: "补充说明 MESSAGE-MARKER-93ab" }));
    await ctx.client.execute("PRAGMA wal_checkpoint(PASSIVE)");

    const raw = rawDatabaseBytes();
    const text = raw.toString("utf8");
    const forbidden = [
      receipt,
      normaliseReceipt(receipt)!,
      REAL_NAME.name,
      REAL_NAME.phone,
      REAL_NAME.idNumber,
      REAL_NAME.email,
      "ZXQ-DESCRIPTION-MARKER",
      "MESSAGE-MARKER-93ab",
      "工资条",
      "PHOTO-MARKER-7d3f1a",
    ];
    for (const secret of forbidden) {
      expect(text.includes(secret), `found "${secret}" in the database file`).toBe(false);
      expect(raw.includes(Buffer.from(secret, "utf16le")), `found UTF-16 "${secret}"`).toBe(false);
    }
    // The target institution stays readable on purpose: leads are clustered and routed by it.
    expect(text).toContain(validReport().targetName);
  });

  it("binds each ciphertext to its row, so a value copied into another report does not decrypt", async () => {
    const make = async () => {
      const r = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ anonymous: false, reporter: REAL_NAME })));
      return ((await r.json()) as { reportId: string; receipt: string }).reportId;
    };
    const a = await make();
    const b = await make();
    await ctx.client.execute({ sql: "UPDATE reports SET description_enc = (SELECT description_enc FROM reports WHERE id = ?) WHERE id = ?", args: [a, b] });
    const { decryptText } = await import("../../src/security/cipher");
    const row = (await ctx.client.execute({ sql: "SELECT description_enc FROM reports WHERE id = ?", args: [b] })).rows[0]!;
    await expect(decryptText(ctx.deps.keys, String(row.description_enc), `report:${b}:description`)).rejects.toThrow(/does not verify/);
  });

  it("keeps identity, receipts and addresses out of the logs", async () => {
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ anonymous: false, reporter: REAL_NAME }), { "x-test-client": "198.51.100.23", "user-agent": "Mozilla/5.0 TestAgent" }));
    const { receipt } = (await res.json()) as { receipt: string };
    await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }));
    const logged = JSON.stringify(ctx.logs);
    expect(ctx.logs.length).toBeGreaterThan(0);
    for (const secret of [receipt, REAL_NAME.name, REAL_NAME.phone, REAL_NAME.idNumber, "198.51.100.23", "TestAgent"]) expect(logged).not.toContain(secret);
  });

  it("stores no client address or user agent anywhere", async () => {
    await ctx.app.request("/api/v1/reports", jsonPost(validReport(), { "x-test-client": "192.0.2.77", "user-agent": "UA-MARKER-55" }));
    await ctx.client.execute("PRAGMA wal_checkpoint(PASSIVE)");
    const text = rawDatabaseBytes().toString("utf8");
    expect(text).not.toContain("192.0.2.77");
    expect(text).not.toContain("UA-MARKER-55");
  });
});

describe("the event log", () => {
  it("refuses updates and deletes", async () => {
    await ctx.app.request("/api/v1/reports", jsonPost(validReport()));
    await expect(ctx.client.execute("UPDATE events SET action = 'forged'")).rejects.toThrow(/append-only/);
    await expect(ctx.client.execute("DELETE FROM events")).rejects.toThrow(/append-only/);
    const rows = await ctx.db.all(sql`SELECT count(*) AS n FROM events WHERE action = 'forged'`);
    expect(rows).toEqual([{ n: 0 }]);
  });
});
