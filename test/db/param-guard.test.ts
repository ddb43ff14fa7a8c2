// The D1 parameter guard the whole suite runs under (vitest.config.ts sets FUNDWATCH_MAX_BOUND_PARAMETERS):
// a statement binding more than 100 parameters fails the test that made it, naming the SQL.
import { inArray } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chunk, idChunks, insertChunks, rowsPerInsert } from "../../src/db/chunk";
import { boundParameterViolations } from "../../src/db/param-guard";
import { appState } from "../../src/db/schema";
import { createTestContext, type TestContext } from "../support/context";

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
});
afterEach(() => ctx.close());

describe("D1's 100 bound parameters per statement", () => {
  it("is switched on for the whole suite", () => {
    expect(process.env.FUNDWATCH_MAX_BOUND_PARAMETERS).toBe("100");
  });

  it("fails a statement over the limit, alone, in a batch or in drizzle, and lets one at the limit through", async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `k${i}`);
    const refused = async (p: Promise<unknown>) => {
      const err = await p.then(() => null, (e: unknown) => e as Error & { cause?: Error });
      return String(err?.cause?.message ?? err?.message);
    };
    expect(await refused(ctx.db.select().from(appState).where(inArray(appState.key, ids)))).toMatch(/binds 101 parameters \(D1 allows 100\): select/);
    expect(await refused(ctx.db.batch([ctx.db.select().from(appState).where(inArray(appState.key, ids))]))).toMatch(/binds 101 parameters/);
    expect(await refused(ctx.client.execute({ sql: `SELECT ${ids.map(() => "?").join(",")}`, args: ids }))).toMatch(/binds 101/);
    // Each was recorded too (a caught error cannot hide one); these three were meant, so they are cleared.
    expect(boundParameterViolations().splice(0)).toHaveLength(3);
    expect(await ctx.db.select().from(appState).where(inArray(appState.key, ids.slice(0, 100)))).toEqual([]);
    // Rows of 3 columns: 33 per statement, all inside one batch.
    const rows = ids.map((key) => ({ key, value: "v", updatedAt: 1 }));
    await ctx.db.batch(insertChunks(rows, 3).map((part) => ctx.db.insert(appState).values(part)) as never);
    expect((await ctx.db.select().from(appState).where(inArray(appState.key, ids.slice(0, 100)))).length).toBe(100);
  });

  it("chunks by floor(100 / columns)", () => {
    expect(rowsPerInsert(3)).toBe(33);
    expect(rowsPerInsert(17)).toBe(5);
    expect(rowsPerInsert(200)).toBe(1);
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(idChunks(Array.from({ length: 250 }, (_, i) => i)).map((c) => c.length)).toEqual([100, 100, 50]);
  });
});
