// The embedded client's statement cache (src/db/statement-cache.ts): statements are reused, and a
// failed statement, a schema change or a reconnect never leaves a stale or broken one behind.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Client } from "@libsql/client";
import { openLibsqlDatabase } from "../../src/db/libsql-file";
import { statementCacheStats } from "../../src/db/statement-cache";

let dir: string;
let client: Client;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "fw-stmt-cache-"));
  ({ client } = await openLibsqlDatabase(`file:${join(dir, "t.db")}`));
  await client.execute("create table t (id integer primary key, v text not null unique, n integer)");
});
afterEach(() => {
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

const hits = () => statementCacheStats().hits;

describe("statement cache (embedded libSQL)", () => {
  it("reuses a statement that ran before", async () => {
    await client.execute({ sql: "insert into t (v, n) values (?, ?)", args: ["a", 1] });
    const before = hits();
    await client.execute({ sql: "insert into t (v, n) values (?, ?)", args: ["b", 2] });
    await client.execute({ sql: "insert into t (v, n) values (?, ?)", args: ["c", 3] });
    expect(hits() - before).toBe(2);
    const rows = await client.execute({ sql: "select v, n from t where n >= ? order by n", args: [2] });
    const again = await client.execute({ sql: "select v, n from t where n >= ? order by n", args: [3] });
    expect(rows.rows.map((r) => [r.v, r.n])).toEqual([["b", 2], ["c", 3]]);
    expect(again.rows.map((r) => [r.v, r.n])).toEqual([["c", 3]]);
    expect(again.columns).toEqual(["v", "n"]);
  });

  it("a statement that failed is not poisoned: the same SQL runs again, alone and in a batch", async () => {
    const insert = "insert into t (v, n) values (?, ?)";
    await client.execute({ sql: insert, args: ["a", 1] });
    await expect(client.execute({ sql: insert, args: ["a", 2] })).rejects.toThrow(/UNIQUE/);
    await client.execute({ sql: insert, args: ["b", 2] });
    await expect(
      client.batch([
        { sql: insert, args: ["c", 3] },
        { sql: insert, args: ["a", 4] },
      ]),
    ).rejects.toThrow(/UNIQUE/);
    // The failed batch rolled back entirely; the same statements then commit.
    await client.batch([
      { sql: insert, args: ["c", 3] },
      { sql: insert, args: ["d", 4] },
    ]);
    const rows = await client.execute("select v from t order by v");
    expect(rows.rows.map((r) => r.v)).toEqual(["a", "b", "c", "d"]);
  });

  it("a changed schema is seen: re-created tables, added columns, star projections", async () => {
    await client.execute({ sql: "insert into t (v, n) values (?, ?)", args: ["a", 1] });
    const select = "select v, n from t where id = ?";
    expect((await client.execute({ sql: select, args: [1] })).rows[0]).toMatchObject({ v: "a", n: 1 });
    expect((await client.execute("select * from t")).columns).toEqual(["id", "v", "n"]);
    const generation = statementCacheStats().generation;
    // Same names, other order and types: the cached statement must read the new table.
    await client.execute("drop table t");
    await client.execute("create table t (n text, id integer primary key, v text)");
    expect(statementCacheStats().generation).toBeGreaterThan(generation);
    await client.execute({ sql: "insert into t (id, v, n) values (?, ?, ?)", args: [1, "z", "nine"] });
    const after = await client.execute({ sql: select, args: [1] });
    expect(after.columns).toEqual(["v", "n"]);
    expect(after.rows[0]).toMatchObject({ v: "z", n: "nine" });
    await client.execute("alter table t add column w text");
    expect((await client.execute("select * from t")).columns).toEqual(["n", "id", "v", "w"]);
    await client.executeMultiple("alter table t add column x text; alter table t add column y text;");
    expect((await client.execute("select * from t")).columns).toEqual(["n", "id", "v", "w", "x", "y"]);
  });

  it("works after the connection is reopened", async () => {
    const insert = "insert into t (v, n) values (?, ?)";
    await client.execute({ sql: insert, args: ["a", 1] });
    await client.reconnect();
    await client.execute({ sql: insert, args: ["b", 2] });
    const before = hits();
    await client.execute({ sql: insert, args: ["c", 3] });
    expect(hits() - before).toBe(1);
    expect((await client.execute("select count(*) as c from t")).rows[0]!.c).toBe(3);
  });

  it("an interactive transaction rolled back leaves the cached statements usable", async () => {
    const insert = "insert into t (v, n) values (?, ?)";
    const tx = await client.transaction("write");
    await tx.execute({ sql: insert, args: ["a", 1] });
    await tx.rollback();
    await client.execute({ sql: insert, args: ["a", 1] });
    expect((await client.execute("select count(*) as c from t")).rows[0]!.c).toBe(1);
  });
});
