// Group commit on the embedded libSQL file (src/db/group-commit.ts): concurrent write batches share
// one transaction, yet each caller gets exactly the result or error it would have had alone, only after
// the commit, and calls keep the order they were made in.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, type Client } from "@libsql/client";
import { openLibsqlDatabase } from "../../src/db/libsql-file";
import { groupCommitStats } from "../../src/db/group-commit";
import { createTestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";

let dir: string;
let url: string;
let client: Client;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "fw-group-commit-"));
  url = `file:${join(dir, "t.db")}`;
  ({ client } = await openLibsqlDatabase(url));
  await client.execute("create table t (id integer primary key, v text not null unique)");
});
afterEach(() => {
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (v: string) => ({ sql: "insert into t (v) values (?) returning id, v", args: [v] });
const values = async (c: Client = client) => (await c.execute("select v from t order by id")).rows.map((r) => String(r.v));

describe("group commit (embedded libSQL)", () => {
  it("concurrent batches share one commit, and each gets its own statements' results", async () => {
    const before = { ...groupCommitStats(client)! };
    const results = await Promise.all(["a", "b", "c", "d"].map((v) => client.batch([insert(v), { sql: "select count(*) as n from t where v = ?", args: [v] }])));
    expect(results.map((r) => r.length)).toEqual([2, 2, 2, 2]);
    expect(results.map((r) => r[0]!.rows[0]!.v)).toEqual(["a", "b", "c", "d"]);
    expect(results.map((r) => Number(r[1]!.rows[0]!.n))).toEqual([1, 1, 1, 1]);
    const after = groupCommitStats(client)!;
    expect(after.groups - before.groups).toBe(1);
    expect(after.groupedBatches - before.groupedBatches).toBe(4);
    expect(await values()).toEqual(["a", "b", "c", "d"]);
  });

  it("a failing batch fails alone: the others commit, its own statements leave nothing", async () => {
    await client.execute({ sql: "insert into t (v) values (?)", args: ["taken"] });
    const before = groupCommitStats(client)!.fallbacks;
    const outcomes = await Promise.allSettled([client.batch([insert("x1"), insert("x2")]), client.batch([insert("y1"), insert("taken")]), client.batch([insert("z1")])]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(groupCommitStats(client)!.fallbacks - before).toBe(1);
    expect(await values()).toEqual(["taken", "x1", "x2", "z1"]);
  });

  it("answers only after the commit: another connection already sees the rows", async () => {
    const other = createClient({ url });
    try {
      await Promise.all(
        ["p", "q", "r"].map(async (v) => {
          await client.batch([insert(v)]);
          // The caller is answered; a separate connection (another process, a crash-restart) must see it.
          expect((await other.execute({ sql: "select count(*) as n from t where v = ?", args: [v] })).rows[0]!.n).toBe(1);
        }),
      );
    } finally {
      other.close();
    }
  });

  it("keeps the order calls were made in: a read issued behind a waiting write sees it", async () => {
    const write = client.batch([insert("first")]);
    const readBatch = client.batch([{ sql: "select v from t", args: [] }]);
    const readExecute = client.execute("select count(*) as n from t");
    await write;
    expect((await readBatch)[0]!.rows.map((r) => r.v)).toEqual(["first"]);
    expect(Number((await readExecute).rows[0]!.n)).toBe(1);
    // A lone execute's error is still an execute's error.
    const failing = client.batch([insert("second")]);
    await expect(client.execute({ sql: "insert into t (v) values (?)", args: ["second"] })).rejects.toThrow(/UNIQUE/);
    await failing;
  });

  it("a connection setting issued while writes wait is applied, not swallowed by their transaction", async () => {
    expect(Number((await client.execute("PRAGMA foreign_keys")).rows[0]![0])).toBe(1);
    const waiting = [client.batch([insert("w1")]), client.batch([insert("w2")])];
    // Inside a transaction SQLite treats this as a no-op without an error (as a reconnect's setup would be).
    await client.execute("PRAGMA foreign_keys = OFF");
    await Promise.all(waiting);
    expect(Number((await client.execute("PRAGMA foreign_keys")).rows[0]![0])).toBe(0);
    await client.execute("PRAGMA foreign_keys = ON");
  });

  it("is not held by a test's fake timers", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setImmediate", "Date"] });
    try {
      await expect(Promise.all([client.batch([insert("t1")]), client.batch([insert("t2")])])).resolves.toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("every batch ends as it would have alone, in the order made (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h"), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }), async (batches) => {
        await client.execute("delete from t");
        const outcomes = await Promise.allSettled(batches.map((vs) => client.batch(vs.map(insert))));
        // The model: the batches one after another, each all or nothing.
        const committed: string[] = [];
        batches.forEach((vs, i) => {
          const ok = new Set(vs).size === vs.length && vs.every((v) => !committed.includes(v));
          expect(outcomes[i]!.status).toBe(ok ? "fulfilled" : "rejected");
          if (ok) {
            committed.push(...vs);
            expect((outcomes[i] as PromiseFulfilledResult<Awaited<ReturnType<Client["batch"]>>>).value.map((r) => r.rows[0]!.v)).toEqual(vs);
          }
        });
        expect(await values()).toEqual(committed);
      }),
      { numRuns: 60 },
    );
  });
});

describe("FUNDWATCH_GROUP_COMMIT", () => {
  const withSetting = async <T>(value: string, work: () => Promise<T>) => {
    process.env.FUNDWATCH_GROUP_COMMIT = value;
    try {
      return await work();
    } finally {
      delete process.env.FUNDWATCH_GROUP_COMMIT;
    }
  };

  it("off: every batch commits alone", async () => {
    const opened = await withSetting("off", () => openLibsqlDatabase(`file:${join(dir, "off.db")}`));
    try {
      expect(groupCommitStats(opened.client)).toBeUndefined();
    } finally {
      opened.client.close();
    }
  });

  it("a value other than on or off stops the opening, naming the variable, before a file is created", async () => {
    const path = join(dir, "never.db");
    await expect(withSetting("yes", () => openLibsqlDatabase(`file:${path}`))).rejects.toThrow(/FUNDWATCH_GROUP_COMMIT must be "on" or "off"/);
    expect(existsSync(path)).toBe(false);
  });
});

describe("group commit under a burst of tips", () => {
  it("twenty tips at once: every one accepted with its own receipt, and they shared commits", async () => {
    const ctx = await createTestContext({ REPORTS_PER_HOUR: "1000" });
    try {
      const before = { ...groupCommitStats(ctx.client)! };
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: `并发医院${i}` }), { "x-test-client": `198.51.100.${i}` }))),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(20).fill(201));
      const receipts = await Promise.all(replies.map(async (r) => ((await r.json()) as { receipt: string }).receipt));
      expect(new Set(receipts).size).toBe(20);
      expect(Number((await ctx.client.execute("select count(*) as n from reports")).rows[0]!.n)).toBe(20);
      const after = groupCommitStats(ctx.client)!;
      expect(after.groups).toBeGreaterThan(before.groups);
      expect(after.fallbacks).toBe(before.fallbacks);
    } finally {
      await ctx.close();
    }
  });
});
