// A busy database (another writer holds the lock) is waited out within the request's budget: an
// accepted tip never answers 500 because of SQLITE_BUSY.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failedConstraint, isBusyError, withBusyRetry } from "../../src/db/retry";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";
import { CHENGDU, importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  // SQLite's own busy wait off, so a held lock surfaces as SQLITE_BUSY as it does from sqld.
  await ctx.client.execute("PRAGMA busy_timeout = 0");
});
afterAll(() => ctx.close());

describe("busy database", () => {
  it("answers 201 for a tip submitted while another process holds the write lock for 400 ms", async () => {
    // Another process (an admin CLI run, a second server): in this one, SQLite's busy wait would block
    // the event loop and the lock holder together.
    const holder = spawn(process.execPath, ["test/support/hold-write-lock.mjs", ctx.dbPath, "400"], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => holder.stdout!.on("data", (d: Buffer) => d.toString().includes("locked") && resolve()));
    const started = Date.now();
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "锁等待医院" })));
    const exited = new Promise((resolve) => holder.on("exit", resolve));
    await exited;
    expect(res.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    // The connection is usable afterwards (a busy failure used to leave it stuck).
    expect((await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "锁等待医院" })))).status).toBe(201);
  });

  it("answers 503 with Retry-After when the lock outlasts the budget, storing nothing", async () => {
    const holder = spawn(process.execPath, ["test/support/hold-write-lock.mjs", ctx.dbPath, "9000"], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => holder.stdout!.on("data", (d: Buffer) => d.toString().includes("locked") && resolve()));
    const count = async () => Number((await ctx.client.execute("SELECT count(*) AS n FROM reports")).rows[0]!.n);
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "长锁医院" })));
    await new Promise((resolve) => holder.on("exit", resolve));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    const before = await count();
    expect((await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "长锁医院" })))).status).toBe(201);
    expect(await count()).toBe(before + 1);
    expect((await ctx.client.execute("SELECT count(*) AS n FROM reports WHERE target_name = '长锁医院'")).rows[0]!.n).toBe(1);
  }, 20_000);

  it("gives up after the budget with the busy error itself", async () => {
    let calls = 0;
    const busy = Object.assign(new Error("SQLITE_BUSY: database is locked"), { code: "SQLITE_BUSY" });
    // A budget of a second: on a loaded machine a 5 ms sleep can take 100 ms, and two of them would use up a
    // 100 ms budget before the third try (the flake this replaced).
    await expect(withBusyRetry(async () => (calls++, Promise.reject(busy)), { budgetMs: 1000 })).rejects.toBe(busy);
    expect(calls).toBeGreaterThan(2);
    const other = new Error("boom");
    calls = 0;
    await expect(withBusyRetry(async () => (calls++, Promise.reject(other)))).rejects.toBe(other);
    expect(calls).toBe(1);
  });

  it("recognises busy and constraint errors through cause chains", () => {
    expect(isBusyError(new Error("x", { cause: new Error("database is locked") }))).toBe(true);
    expect(isBusyError(new Error("UNIQUE constraint failed: leads.cluster_slot"))).toBe(false);
    expect(failedConstraint(new Error("wrapped", { cause: new Error("SQLITE_CONSTRAINT_UNIQUE: UNIQUE constraint failed: lead_versions.lead_id, lead_versions.version") }))).toEqual({
      kind: "unique",
      columns: "lead_versions.lead_id, lead_versions.version",
    });
    expect(failedConstraint(new Error("NOT NULL constraint failed: lead_versions.lead_id"))).toEqual({ kind: "not_null", columns: "lead_versions.lead_id" });
  });
});
