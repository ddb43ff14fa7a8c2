// The Node entry over real HTTP: migrations at start-up, and every accepted report survives a restart.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startNodeServer } from "../../src/node";
import { validReport } from "../support/fixtures";

const dir = mkdtempSync(join(tmpdir(), "fundwatch-node-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = {
  PORT: "0",
  HOST: "127.0.0.1",
  DATABASE_URL: `file:${join(dir, "fundwatch.db")}`,
  SECRETS_FILE: join(dir, "secrets.json"),
  LOG_LEVEL: "silent",
  RECEIPT_LOOKUP_MIN_MS: "0",
};

describe("Node server", () => {
  it("keeps every accepted report across a restart, readable with the same receipts", async () => {
    const first = await startNodeServer(env);
    const receipts: { reportId: string; receipt: string }[] = [];
    try {
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
      const posts = await Promise.all(
        Array.from({ length: 12 }, () => fetch(`${first.url}/api/v1/reports`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(validReport()) })),
      );
      for (const res of posts) {
        expect(res.status).toBe(201);
        receipts.push((await res.json()) as { reportId: string; receipt: string });
      }
    } finally {
      await first.close();
    }
    expect(statSync(env.SECRETS_FILE).mode & 0o077).toBe(0);

    const second = await startNodeServer(env);
    try {
      for (const { reportId, receipt } of receipts) {
        const res = await fetch(`${second.url}/api/v1/reports/status`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ receipt }) });
        expect(res.status).toBe(200);
        expect(((await res.json()) as any).report.id).toBe(reportId);
      }
    } finally {
      await second.close();
    }
  });

  it("refuses to start with a bad variable, naming it", async () => {
    await expect(startNodeServer({ ...env, PORT: "eighty" })).rejects.toThrow(/PORT: must be a whole number/);
    await expect(startNodeServer({ ...env, DATABASE_URL: "postgres://x" })).rejects.toThrow(/DATABASE_URL: must be a libSQL URL/);
    await expect(startNodeServer({ ...env, ENCRYPTION_KEYS: "k1:c2hvcnQ=" })).rejects.toThrow(/ENCRYPTION_KEYS: key "k1" must be 32 bytes/);
  });
});
