// Receipt guessing is slowed per client, and a lookup takes the same minimum time hit or miss.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ RECEIPT_FAILURES_PER_WINDOW: "3", RECEIPT_FAILURE_WINDOW_MINUTES: "15", REPORTS_PER_HOUR: "2" });
});
afterAll(() => ctx.close());

const lookup = (receipt: string, client: string) => ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }, { "x-test-client": client }));

describe("receipt throttling", () => {
  it("refuses a client after too many misses, even with the right receipt, until the window ends", async () => {
    ctx.setNow("2026-11-24T02:00:00Z");
    const created = (await (await ctx.app.request("/api/v1/reports", jsonPost(validReport(), { "x-test-client": "10.9.9.9" }))).json()) as { receipt: string };
    for (const guess of ["AAAAA-AAAAA-AAAAA-AAAA1", "AAAAA-AAAAA-AAAAA-AAAA2", "AAAAA-AAAAA-AAAAA-AAAA3"]) expect((await lookup(guess, "198.51.100.1")).status).toBe(404);

    const blocked = await lookup(created.receipt, "198.51.100.1");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await blocked.json()) as any).error.code).toBe("rate_limited");

    expect((await lookup(created.receipt, "198.51.100.2")).status).toBe(200);

    ctx.setNow("2026-11-24T02:15:00Z");
    expect((await lookup(created.receipt, "198.51.100.1")).status).toBe(200);
  });

  it("throttles the status page the same way", async () => {
    ctx.setNow("2026-11-24T03:00:00Z");
    const page = (receipt: string) =>
      ctx.app.request("/status?lang=en", { method: "POST", body: new URLSearchParams({ receipt }), headers: { "x-test-client": "198.51.100.50" } });
    for (let i = 0; i < 3; i++) expect((await page(`BBBBB-BBBBB-BBBBB-BBBB${i}`)).status).toBe(404);
    const blocked = await page("BBBBB-BBBBB-BBBBB-BBBBB");
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toMatch(/Too many attempts\. Please try again in \d+ minutes\./);
  });

  it("limits submissions per client per hour", async () => {
    ctx.setNow("2026-11-24T05:00:00Z");
    const send = () => ctx.app.request("/api/v1/reports", jsonPost(validReport(), { "x-test-client": "198.51.100.99" }));
    expect((await send()).status).toBe(201);
    expect((await send()).status).toBe(201);
    expect((await send()).status).toBe(429);
  });
});

describe("receipt lookup timing", () => {
  it("takes at least the configured minimum whether the receipt exists or not", async () => {
    const timed = await createTestContext({ RECEIPT_LOOKUP_MIN_MS: "150" });
    try {
      const { receipt } = (await (await timed.app.request("/api/v1/reports", jsonPost(validReport()))).json()) as { receipt: string };
      for (const [candidate, expected] of [
        [receipt, 200],
        ["CCCCC-CCCCC-CCCCC-CCCCC", 404],
      ] as const) {
        const started = performance.now();
        const res = await timed.app.request("/api/v1/reports/status", jsonPost({ receipt: candidate }));
        const elapsed = performance.now() - started;
        expect(res.status).toBe(expected);
        expect(elapsed).toBeGreaterThanOrEqual(145);
      }
    } finally {
      await timed.close();
    }
  });
});
