// Bad requests get one error shape and the right status, and change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import { reports } from "../../src/db/schema";
import { createTestContext, type TestContext } from "../support/context";
import { PNG_BYTES, jsonPost, multipart, validReport } from "../support/fixtures";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ MAX_ATTACHMENTS: "1", MAX_ATTACHMENT_BYTES: "1024" });
});
afterAll(() => ctx.close());

const reportCount = async () => (await ctx.db.select({ n: count() }).from(reports))[0]!.n;

describe("error answers", () => {
  it("413 for a body over the upload limit, with nothing stored", async () => {
    const huge = new Uint8Array(3 * 1024 * 1024).fill(7);
    huge.set(PNG_BYTES);
    const res = await ctx.app.request("/api/v1/reports?lang=en", { method: "POST", body: multipart({ report: JSON.stringify(validReport()) }, [{ name: "huge.png", bytes: huge }]) });
    expect(res.status).toBe(413);
    const body = (await res.json()) as any;
    expect(body.error.code).toBe("payload_too_large");
    expect(body.error.message).toMatch(/at most 1 MB/);
    expect(await reportCount()).toBe(0);
  });

  it("413 for an oversized JSON body", async () => {
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ description: "x".repeat(300_000) })));
    expect(res.status).toBe(413);
  });

  it("415 for a content type the endpoint does not take", async () => {
    const res = await ctx.app.request("/api/v1/reports?lang=en", { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    expect(res.status).toBe(415);
    const body = (await res.json()) as any;
    expect(body.error).toMatchObject({ code: "unsupported_media_type", message: "Unsupported content type: use application/json, multipart/form-data." });
    const status = await ctx.app.request("/api/v1/reports/status", { method: "POST", body: multipart({ receipt: "x" }) });
    expect(status.status).toBe(415);
    expect(await reportCount()).toBe(0);
  });

  it("400 with a clear message for malformed JSON", async () => {
    const res = await ctx.app.request("/api/v1/reports?lang=zh-CN", { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.error.fields._).toBe("请求内容不是有效的 JSON。");
  });

  it("400 when the multipart report field is missing or not JSON", async () => {
    const missing = await ctx.app.request("/api/v1/reports?lang=en", { method: "POST", body: multipart({ other: "x" }) });
    expect(((await missing.json()) as any).error.fields.report).toBe("A multipart request needs a JSON field named report.");
    const broken = await ctx.app.request("/api/v1/reports?lang=en", { method: "POST", body: multipart({ report: "{" }) });
    expect(((await broken.json()) as any).error.fields.report).toBe("The request body is not valid JSON.");
  });

  it("404 as JSON under /api and as a page for people", async () => {
    const api = await ctx.app.request("/api/v1/nothing-here");
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: "not_found", requestId: expect.stringMatching(/^req_/) } });
    const page = await ctx.app.request("/nothing-here", { headers: { "accept-language": "en" } });
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain("Page not found");
  });

  it("500 answers in the error shape without leaking internals, and logs the cause", async () => {
    const broken = await createTestContext();
    broken.client.close();
    const res = await broken.app.request("/api/v1/reports", jsonPost(validReport()));
    expect(res.status).toBe(500);
    const body = (await res.json()) as any;
    expect(body.error.code).toBe("internal");
    expect(JSON.stringify(body)).not.toMatch(/libsql|sqlite|stack/i);
    expect(broken.logs.some((l) => l.level === "error")).toBe(true);
    const health = await broken.app.request("/healthz");
    expect(health.status).toBe(503);
    await broken.close();
  });

  it("refuses form posts a browser marks as coming from another site", async () => {
    const body = () => new URLSearchParams({ receipt: "AAAAA-AAAAA-AAAAA-AAAAA" });
    expect((await ctx.app.request("/status", { method: "POST", body: body(), headers: { origin: "https://evil.example" } })).status).toBe(403);
    expect((await ctx.app.request("/status", { method: "POST", body: body(), headers: { "sec-fetch-site": "cross-site" } })).status).toBe(403);
    expect((await ctx.app.request("/status", { method: "POST", body: body(), headers: { origin: "not a url" } })).status).toBe(403);
    expect((await ctx.app.request("http://localhost/status", { method: "POST", body: body(), headers: { origin: "http://localhost" } })).status).toBe(404);
    expect((await ctx.app.request("/status", { method: "POST", body: body() })).status).toBe(404);
  });

  it("sets security headers on pages", async () => {
    const res = await ctx.app.request("/report");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers health once the database is reachable", async () => {
    const res = await ctx.app.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: true });
  });
});
