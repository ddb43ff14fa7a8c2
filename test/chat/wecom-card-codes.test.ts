// The one-time codes WeCom gives for updating a template card: the newest unexpired one is taken (once),
// codes expire after 72 hours, a retry's repeated code is kept once, and expired rows are pruned through
// the primary key's range (no table scan).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expiredCardCodeRows, wecomCardCodes, WECOM_CODE_TTL_MS } from "../../src/services/chat/wecom-card-codes";
import { createTestContext, type TestContext } from "../support/context";

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext();
});

afterAll(async () => {
  await ctx.close();
});

describe("WeCom card codes", () => {
  it("gives the newest code first, each once, with the task it was given for", async () => {
    const codes = wecomCardCodes(ctx.deps);
    await codes.put("fwroot1", "rc-send", "fwroot1");
    await codes.put("fwroot1", "rc-press", "fwroot1@ab");
    await codes.put("fwroot1", "rc-press", "fwroot1@ab");
    expect(await codes.take("fwroot1")).toEqual({ code: "rc-press", taskId: "fwroot1@ab" });
    expect(await codes.take("fwroot1")).toEqual({ code: "rc-send", taskId: "fwroot1" });
    expect(await codes.take("fwroot1")).toBeNull();
    expect(await codes.take("never-sent")).toBeNull();
  });

  it("never gives a code older than 72 hours, and prunes rows of cards nobody touched since", async () => {
    const codes = wecomCardCodes(ctx.deps);
    ctx.setNow(new Date("2026-11-24T02:00:00Z"));
    await codes.put("fwold", "rc-old", "fwold");
    await codes.put("fwkept", "rc-kept", "fwkept");
    ctx.setNow(new Date(Date.parse("2026-11-24T02:00:00Z") + WECOM_CODE_TTL_MS + 1000));
    expect(await codes.take("fwkept")).toBeNull();
    await codes.put("fwnew", "rc-new", "fwnew");
    const rows = await ctx.client.execute("SELECT key FROM app_state WHERE key LIKE 'wecom_rc:%' ORDER BY key");
    expect(rows.rows.map((r) => r.key)).toEqual(["wecom_rc:fwnew"]);
  });

  it("prunes through the primary key's range", async () => {
    const query = expiredCardCodeRows(ctx.db, 0).toSQL();
    const plan = await ctx.client.execute({ sql: `EXPLAIN QUERY PLAN ${query.sql}`, args: query.params as never });
    expect(plan.rows.map((r) => String(r.detail)).join("\n")).toMatch(/SEARCH app_state USING INDEX sqlite_autoindex_app_state_1 \(key>\? AND key<\?\)/);
  });
});
