// The event log is tamper-evident: the tick seals new rows into an HMAC chain, `npm run verify-log`
// recomputes it and names the first row that was edited, deleted or reordered by someone who dropped
// the append-only triggers, and the tick's log line publishes the chain head as an outside anchor.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { format, promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main as verifyLogMain } from "../../scripts/verify-log";
import { ConfigError } from "../../src/config";
import { runTick } from "../../src/scheduler/tick";
import { readChainHead, verifyEventChain } from "../../src/services/audit/event-chain";
import { generateKeyMaterial, KeyConfigError, type KeyMaterial } from "../../src/security/keys";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";

const run = promisify(execFile);
let ctx: TestContext;
let material: KeyMaterial;

beforeEach(async () => {
  material = await generateKeyMaterial();
  ctx = await createTestContext({}, { keyMaterial: material });
});
afterEach(() => ctx.close());

async function fileTips(n: number) {
  for (let i = 0; i < n; i++) {
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: `某某医院${i}` })));
    expect(res.status).toBe(201);
  }
}

const tick = () => runTick(ctx.deps, ctx.deps.now());
const verify = (anchor?: { id: number; hash: string }) => verifyEventChain(ctx.db, ctx.deps.keys, { pageSize: 3, ...(anchor ? { anchor } : {}) });
const sqlRun = (statement: string) => ctx.client.execute(statement);

/** The command line's environment: this test's database and keys (in the secrets file). */
function verifyLogEnv(): Record<string, string | undefined> {
  const secrets = join(ctx.dir, "secrets.json");
  writeFileSync(secrets, JSON.stringify(material));
  return { ...process.env, DATABASE_URL: `file:${ctx.dbPath}`, SECRETS_FILE: secrets, APP_ENV: "test", LOG_LEVEL: "silent", ENCRYPTION_KEYS: "", HASH_KEY: "", SIGNING_KEY: "", LOG_CHAIN_KEY: "" };
}

/**
 * Runs the real command line (`scripts/verify-log.ts` under tsx, as `npm run verify-log` does) as a process
 * against this test's database and keys; node with tsx's loader directly, without npx resolving tsx first.
 */
async function verifyLogProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "scripts/verify-log.ts", ...args], { env: verifyLogEnv() });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * The same command in this process (no 1–2 s process start): the script's exported main with the same
 * argv and environment, its standard output and error captured, and the exit code and "cannot run"
 * message its process entry would give (scripts/verify-log.ts, bottom). One test runs the real process.
 */
async function verifyLogCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const saved = { log: console.log, error: console.error };
  console.log = (...parts: unknown[]) => void stdout.push(`${format(...parts)}\n`);
  console.error = (...parts: unknown[]) => void stderr.push(`${format(...parts)}\n`);
  let code: number;
  try {
    code = await verifyLogMain(args, verifyLogEnv());
  } catch (err) {
    const known = err instanceof ConfigError || err instanceof KeyConfigError;
    console.error(`verify-log: cannot run: ${known ? err.message : err instanceof Error ? err.stack : String(err)}`);
    code = 2;
  } finally {
    Object.assign(console, saved);
  }
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

describe("tamper-evident event log", () => {
  it("passes on a fresh database and after sealing, and counts the events it checked", async () => {
    expect(await verify()).toMatchObject({ ok: true, checked: 0, unsealed: 0 });
    await fileTips(3);
    const before = await verify();
    expect(before).toMatchObject({ ok: true, checked: 0 });
    expect(before.unsealed).toBeGreaterThanOrEqual(6);
    const result = await tick();
    expect(result.jobs.sealEventLog).toBe("ok");
    const after = await verify();
    expect(after).toMatchObject({ ok: true, unsealed: 0 });
    expect(after.checked).toBe(before.unsealed);
    expect(after.head).toEqual(result.chainHead);
    expect(await readChainHead(ctx.db)).toEqual(result.chainHead);

    // The real process once (every other run of the command is in this process: verifyLogCli).
    const cli = await verifyLogProcess();
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`${after.checked} events checked`);
  }, 60_000);

  it("publishes the chain head in the tick's log line", async () => {
    await fileTips(1);
    const result = await tick();
    const line = ctx.logs.find((l) => l.msg === "tick");
    expect(line?.fields?.chainHead).toBe(`${result.chainHead!.id}:${result.chainHead!.hash}`);
    expect(result.chainHead!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps refusing edits and deletions while the triggers stand, sealed or not", async () => {
    await fileTips(2);
    await tick();
    await fileTips(1);
    const [{ maxId }] = (await sqlRun("SELECT max(id) AS maxId FROM events")).rows as unknown as [{ maxId: number }];
    await expect(sqlRun("UPDATE events SET data = '{}' WHERE id = 1")).rejects.toThrow(/append-only/);
    await expect(sqlRun(`UPDATE events SET data = '{}' WHERE id = ${maxId}`)).rejects.toThrow(/append-only/);
    await expect(sqlRun("UPDATE events SET chain_hash = 'x' WHERE id = 1")).rejects.toThrow(/append-only/);
    await expect(sqlRun(`UPDATE events SET chain_hash = 'x', action = 'forged' WHERE id = ${maxId}`)).rejects.toThrow(/append-only/);
    await expect(sqlRun("DELETE FROM events WHERE id = 1")).rejects.toThrow(/append-only/);
    expect((await verify()).ok).toBe(true);
  });

  it("names the row edited with the trigger dropped", async () => {
    await fileTips(3);
    await tick();
    await sqlRun("DROP TRIGGER events_no_update");
    await sqlRun(`UPDATE events SET data = '{"forged":true}' WHERE id = 3`);
    expect((await verify()).problem).toEqual({ kind: "edited", id: 3 });
    const cli = await verifyLogCli();
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/event 3: .*edited/);
  }, 60_000);

  it("names the row after a deleted one, and a cut-off tail", async () => {
    await fileTips(3);
    const { chainHead } = await tick();
    await sqlRun("DROP TRIGGER events_no_delete");
    await sqlRun("DELETE FROM events WHERE id = 2");
    expect((await verify()).problem).toEqual({ kind: "missing", id: 3, missingFrom: 2, missingTo: 2 });
    await sqlRun(`DELETE FROM events WHERE id >= ${chainHead!.id - 1}`);
    await sqlRun("DELETE FROM events WHERE id < 3");
    // Rows 1–2 gone from the start and the newest two from the end.
    expect((await verify()).problem).toMatchObject({ kind: "missing", id: 3, missingFrom: 1, missingTo: 2 });
  });

  it("catches the newest rows being cut off, with the head in the database or an outside anchor", async () => {
    await fileTips(2);
    const { chainHead } = await tick();
    await sqlRun("DROP TRIGGER events_no_delete");
    await sqlRun(`DELETE FROM events WHERE id = ${chainHead!.id}`);
    expect((await verify()).problem).toEqual({ kind: "truncated", lastId: chainHead!.id - 1, headId: chainHead!.id });
    // Covering tracks in app_state too still fails against the anchor kept elsewhere.
    await sqlRun("DELETE FROM app_state WHERE key = 'event_chain_head'");
    expect((await verify()).ok).toBe(true);
    expect((await verify(chainHead!)).problem).toMatchObject({ kind: "truncated", headId: chainHead!.id });
    const cli = await verifyLogCli("--anchor", `${chainHead!.id}:${chainHead!.hash}`);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`event ${chainHead!.id}`);
  }, 60_000);

  it("names the first of two rows whose contents were swapped", async () => {
    await fileTips(2);
    await tick();
    await sqlRun("DROP TRIGGER events_no_update");
    const rows = (await sqlRun("SELECT id, action, entity_id, data FROM events WHERE id IN (2, 3) ORDER BY id")).rows as unknown as { action: string; entity_id: string; data: string }[];
    const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
    await ctx.client.execute({ sql: "UPDATE events SET action = ?, entity_id = ?, data = ? WHERE id = 2", args: [b.action, b.entity_id, b.data] });
    await ctx.client.execute({ sql: "UPDATE events SET action = ?, entity_id = ?, data = ? WHERE id = 3", args: [a.action, a.entity_id, a.data] });
    expect((await verify()).problem).toEqual({ kind: "edited", id: 2 });
  });

  it("detects an anchor whose hash differs (a rewritten chain)", async () => {
    await fileTips(1);
    const { chainHead } = await tick();
    const forged = { id: chainHead!.id, hash: "0".repeat(64) };
    expect((await verify(forged)).problem).toEqual({ kind: "anchor_mismatch", id: chainHead!.id });
  });

  it("seals in bounded batches and continues the chain across ticks", async () => {
    await fileTips(4);
    await tick();
    await fileTips(4);
    const second = await tick();
    const report = await verify();
    expect(report).toMatchObject({ ok: true, unsealed: 0, head: second.chainHead });
  });

  it("never seals an event inserted later with an older time, and verify-log names it", async () => {
    await fileTips(2);
    const { chainHead } = await tick();
    // Someone with file access inserts a row claiming to have happened a day earlier (no trigger stops an INSERT).
    await sqlRun(`INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, platform, data) SELECT occurred_at - 86400000, entity_type, entity_id, 'report.identity_viewed', actor_type, platform, '{}' FROM events WHERE id = ${chainHead!.id}`);
    const [{ forged }] = (await sqlRun("SELECT max(id) AS forged FROM events")).rows as unknown as [{ forged: number }];
    await fileTips(1);

    // Found before it is sealed.
    expect((await verify()).problem).toEqual({ kind: "backdated", id: forged, latestId: chainHead!.id });
    const before = await verifyLogCli();
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(new RegExp(`event ${forged}: .*back-dated`));

    // The tick seals nothing from that row on, says so with ids only, and keeps saying so.
    for (let i = 0; i < 2; i++) {
      const result = await tick();
      expect(result.jobs.sealEventLog).toBe("failed");
      expect(result.sealBlockedAt).toBe(forged);
      expect(result.chainHead).toEqual(chainHead);
    }
    const sealedFrom = (await sqlRun(`SELECT count(*) AS n FROM events WHERE id >= ${forged} AND chain_hash IS NOT NULL`)).rows[0] as unknown as { n: number };
    expect(Number(sealedFrom.n)).toBe(0);
    const alarm = ctx.logs.find((l) => l.level === "error" && l.msg === "event log sealing stopped at a back-dated event");
    expect(alarm?.fields).toEqual({ eventId: forged, laterEventId: chainHead!.id, chainHeadId: chainHead!.id });
    expect((await sqlRun("SELECT value FROM app_state WHERE key = 'event_chain_blocked'")).rows[0]).toMatchObject({ value: JSON.stringify({ id: forged, latestId: chainHead!.id }) });
    const after = await verifyLogCli();
    expect(after.code).toBe(1);
    expect(after.stderr).toContain(`event ${forged}:`);
  }, 60_000);

  it("seals honest rows whose times are a little out of order (clock read before a slow commit)", async () => {
    await fileTips(1);
    const { chainHead } = await tick();
    await sqlRun(`INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, platform, data) SELECT occurred_at - 60000, entity_type, entity_id, action, actor_type, platform, data FROM events WHERE id = ${chainHead!.id}`);
    const result = await tick();
    expect(result).toMatchObject({ jobs: { sealEventLog: "ok" }, sealBlockedAt: null });
    expect(await verify()).toMatchObject({ ok: true, unsealed: 0 });
  });
});
