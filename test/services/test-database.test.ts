// Guards the test setup itself: the "sqld" project really talks to a sqld server over HTTP, and the
// "file" project to an embedded file, so a passing sqld run means something.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, TEST_DB, type TestContext } from "../support/context";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

describe("test database", () => {
  it(`is the one the project asks for (${TEST_DB})`, async () => {
    expect(ctx.database).toBe(process.env.FUNDWATCH_TEST_DB === "sqld" ? "sqld" : "file");
    if (ctx.database === "sqld") {
      expect(ctx.deps.config.DATABASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(ctx.client.protocol).toBe("http");
    } else {
      expect(ctx.deps.config.DATABASE_URL).toBe(`file:${ctx.dbPath}`);
      expect(ctx.client.protocol).toBe("file");
    }
    // The real migrations ran: the newest tables exist.
    const tables = await ctx.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('delivery_lanes', 'app_state', 'lead_versions')");
    expect(tables.rows).toHaveLength(3);
  });
});
