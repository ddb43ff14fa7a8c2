// The database remembers the keys it was written with (app_state key_fingerprint): the admin CLI and the
// server refuse other keys with a message naming the variable, before writing anything; the CLI never
// makes up development keys. Also: amounts over the bound are refused by the CLI before anything changes.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeServer } from "../../src/node";
import { leadReports, leads, members } from "../../src/db/schema";
import { runLeadCommand } from "../../src/services/leads/leads";
import { generateKeyMaterial, type KeyMaterial } from "../../src/security/keys";
import { runAdminWithEnv } from "../support/admin-cli";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";
import { CHENGDU, importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
let keys: KeyMaterial;
/** The keys the database needs now (the rotation test puts a new active key in front). */
let dataKeys: KeyMaterial;
const NO_KEYS = { ENCRYPTION_KEYS: "", HASH_KEY: "", SIGNING_KEY: "", LOG_CHAIN_KEY: "" };

/**
 * The admin CLI against this test's database, with only the given keys (empty: unset); in this process
 * (test/support/admin-cli.ts) unless `real`, which starts a real process.
 */
async function admin(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  return adminRun(env, args, false);
}

async function adminRun(env: Record<string, string>, args: string[], real: boolean): Promise<{ code: number; out: string }> {
  const full: Record<string, string | undefined> = { APP_ENV: "test", DATABASE_URL: ctx.deps.config.DATABASE_URL, LOG_LEVEL: "error", ...NO_KEYS, ...env };
  for (const [k, v] of Object.entries(full)) if (v === "") full[k] = undefined;
  const r = await runAdminWithEnv(full, args, { process: real });
  return { code: r.code, out: r.out };
}

const envKeys = (k: KeyMaterial) => ({ ENCRYPTION_KEYS: k.encryptionKeys, HASH_KEY: k.hashKey, SIGNING_KEY: k.signingKey, LOG_CHAIN_KEY: k.logChainKey ?? "" });

/** Every row of every table, as one string: "nothing written" means this did not change. */
async function snapshot(): Promise<string> {
  const tables = (await ctx.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).rows.map((r) => String(r.name));
  const parts: string[] = [];
  for (const t of tables) parts.push(`${t}:${JSON.stringify((await ctx.client.execute(`SELECT * FROM "${t}"`)).rows)}`);
  return parts.join("\n");
}

beforeAll(async () => {
  keys = await generateKeyMaterial();
  dataKeys = keys;
  ctx = await createTestContext({}, { keyMaterial: keys });
  await importExampleOrg(ctx.deps);
});
afterAll(async () => ctx?.close());

describe("keys that match the data", () => {
  it("records the fingerprint on first use and refuses a CLI with another key set, writing nothing", { timeout: 180_000 }, async () => {
    const first = await admin(envKeys(keys), "teams");
    expect(first.code, first.out).toBe(0);
    const recorded = (await ctx.client.execute("SELECT value FROM app_state WHERE key = 'key_fingerprint'")).rows[0] as unknown as { value: string } | undefined;
    expect(recorded).toBeDefined();
    // Fingerprints, never key material.
    for (const secret of [keys.hashKey, keys.logChainKey!, keys.encryptionKeys.split(":")[1]!]) expect(recorded!.value).not.toContain(secret);

    const other = join(ctx.dir, "other-secrets.json");
    writeFileSync(other, JSON.stringify(await generateKeyMaterial("k1")));
    const before = await snapshot();
    const refused = await admin({ SECRETS_FILE: other }, "hotline", "--ref", "C-1", "--subject", "medical_institution", "--type", "ghost_admission", "--region", "510104", "--target", "某医院", "--text", "挂床住院");
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/ENCRYPTION_KEYS: key "k1" is not the key this database was written with.*SECRETS_FILE/);
    expect(await snapshot()).toBe(before);
  });

  it("refuses a CLI without keys and without the secrets file, and creates no key file", { timeout: 120_000 }, async () => {
    const missing = join(ctx.dir, "nowhere", "dev-secrets.json");
    const before = await snapshot();
    // A real process: the environment it is started with is all it has.
    const refused = await adminRun({ SECRETS_FILE: missing }, ["teams"], true);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain("SECRETS_FILE:");
    expect(refused.out).toContain("ENCRYPTION_KEYS, HASH_KEY and SIGNING_KEY are not set");
    // Said in words, with the CLI's usage exit code, not as a crash with a stack trace.
    expect(refused.code).toBe(2);
    expect(refused.out).not.toMatch(/\n\s+at /);
    expect(existsSync(missing)).toBe(false);
    expect(await snapshot()).toBe(before);
  });

  it("keeps working after an encryption key rotation (old key kept for reading), and then needs the new key too", { timeout: 180_000 }, async () => {
    const fresh = await generateKeyMaterial("k2");
    const rotated = { ...keys, encryptionKeys: `${fresh.encryptionKeys},${keys.encryptionKeys}` };
    expect((await admin(envKeys(rotated), "teams")).code).toBe(0);
    dataKeys = rotated;
    const withoutNew = await admin(envKeys(keys), "teams");
    expect(withoutNew.code).not.toBe(0);
    expect(withoutNew.out).toContain('ENCRYPTION_KEYS: has no key "k2"');
  });

  it("refuses amounts over the bound on the command line, changing nothing", { timeout: 240_000 }, async () => {
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都金额医院" })));
    const { reportId } = (await res.json()) as { reportId: string };
    const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
    const coordinator = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!;
    for (const type of ["accept", "investigate"] as const) await runLeadCommand(ctx.deps, { leadId, command: { type }, actor: { member: coordinator, platform: "cli" }, dedupeKey: `amount-cli:${type}` });
    const before = await snapshot();
    for (const amount of ["1e25", "99999999999999", "10000000000.01", "100000000000000000000000000"]) {
      const r = await admin(envKeys(dataKeys), "lead", "conclude", leadId, "--as", coordinator.id, "--outcome", "substantiated", "--amount", amount);
      expect(r.code, r.out).toBe(2);
      expect(r.out).toMatch(amount === "1e25" ? /--amount 1e25: not an amount in yuan/ : /too large \(at most 10,000,000,000\.00 yuan\)/);
    }
    expect(await snapshot()).toBe(before);
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))!.state).toBe("investigating");
  });
});

describe("the server", () => {
  it("refuses to start with keys that do not match its database, naming the variable", { timeout: 120_000 }, async () => {
    const env = { PORT: "0", HOST: "127.0.0.1", DATABASE_URL: `file:${join(ctx.dir, "server.db")}`, SECRETS_FILE: join(ctx.dir, "server-secrets.json"), LOG_LEVEL: "silent", RECEIPT_LOOKUP_MIN_MS: "0" };
    const first = await startNodeServer(env);
    await first.close();
    expect(existsSync(env.SECRETS_FILE)).toBe(true);
    const other = await generateKeyMaterial("dev1");
    await expect(startNodeServer({ ...env, SECRETS_FILE: join(ctx.dir, "fresh-secrets.json"), ...envKeys(other) })).rejects.toThrow(/ENCRYPTION_KEYS: key "dev1" is not the key this database was written with/);
    await expect(startNodeServer({ ...env, ...envKeys(other), ENCRYPTION_KEYS: undefined as never })).rejects.toThrow(/HASH_KEY: is not the key/);
    // The right keys still start it.
    const again = await startNodeServer(env);
    await again.close();
  });
});
