// `npm run admin -- batch feedback <id>` run as a real process: the CSV it writes to standard output
// neutralises formulas that came in with the batch's rows (=HYPERLINK, @SUM, +cmd|, -1+1, tab, CR).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyMaterial, type KeyMaterial } from "../../src/security/keys";
import { importScreeningBatch } from "../../src/services/leads/lead-sources";
import { createTestContext, type TestContext } from "../support/context";
import { DANGEROUS_CELLS, parseRfc4180 } from "../support/csv-parse";
import { importExampleOrg } from "../support/round-trips";

const run = promisify(execFile);
let ctx: TestContext;
let keys: KeyMaterial;

beforeAll(async () => {
  keys = await generateKeyMaterial();
  ctx = await createTestContext({}, { keyMaterial: keys });
  await importExampleOrg(ctx.deps);
});
afterAll(async () => ctx?.close());

describe("npm run admin -- batch feedback", () => {
  it("writes every dangerous cell of the batch with a leading '", { timeout: 120_000 }, async () => {
    const header = "rule,institution,region_code,subject,violation_type,period_from,period_to,amount_yuan,details,ref";
    const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const lines = [header, ...DANGEROUS_CELLS.map((d, i) => [q(d), q(`${d} 机构${i}`), "510104", "medical_institution", "ghost_admission", "", "", "", "", q(`${d}#${i}`)].join(","))];
    const staff = { type: "member" as const, id: "mem_coordinator", role: "coordinator", platform: "cli" };
    const { batchId } = await importScreeningBatch(ctx.deps, lines.join("\r\n") + "\r\n", staff, "公式测试", {});
    const env = { ...process.env, APP_ENV: "test", DATABASE_URL: ctx.deps.config.DATABASE_URL, ENCRYPTION_KEYS: keys.encryptionKeys, HASH_KEY: keys.hashKey, SIGNING_KEY: keys.signingKey, LOG_CHAIN_KEY: keys.logChainKey ?? "", LOG_LEVEL: "error" };
    const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/admin.ts", "batch", "feedback", batchId], { env, timeout: 90_000 });
    const rows = parseRfc4180(stdout.replace(/^\uFEFF/, ""));
    expect(rows.slice(1)).toHaveLength(DANGEROUS_CELLS.length);
    rows.slice(1).forEach((row, i) => {
      const d = DANGEROUS_CELLS[i]!.trim();
      expect(row[0]).toBe(`'${d}#${i}`);
      expect(row[1]).toBe(`'${d}`);
      expect(row[2]).toBe(`'${d} 机构${i}`);
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    });
  });
});
