// Hostile bodies through the real app: JSON nested 100,000 deep is a 400 on every JSON route (never a
// 500, never parsed), the multipart `report` part and /verify proofs are capped before they are
// decoded (413), `Origin: null` without Sec-Fetch-Site is cross-site, and the PDF receipt is rendered
// once per report and language and counted against the receipt's rate limit.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatRuntime } from "../../src/chat/runtime";
import { createApp } from "../../src/http/app";
import type { ReceiptDocument } from "../../src/http/public/receipt-document";
import { reports } from "../../src/db/schema";
import { createTestContext, type TestContext } from "../support/context";
import { FakeSlack, FakeTelegram } from "../support/fake-chat-servers";
import { jsonPost, multipart, PNG_BYTES, validReport } from "../support/fixtures";
import { createPageClient } from "../support/page-client";
import { webReportFields } from "../support/web-report";

const TG_SECRET = "telegram-secret-0123456789";
const SLACK_SECRET = "slack-signing-secret-abcdef0123";
const DEEP = "[".repeat(100_000) + "]".repeat(100_000);
// 40,000 levels of objects: as deep as fits in the 256 KB a JSON body may have.
const DEEP_OBJECT = '{"a":'.repeat(40_000) + "1" + "}".repeat(40_000);

let ctx: TestContext;
let telegram: FakeTelegram;
let slack: FakeSlack;
let receipt = "";

beforeAll(async () => {
  telegram = await new FakeTelegram().start();
  slack = await new FakeSlack().start();
  ctx = await createTestContext({
    TELEGRAM_BOT_TOKEN: "777000:TEST-token",
    TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
    TELEGRAM_API_ROOT: telegram.url,
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: `${slack.url}/api/`,
    RECEIPT_LOOKUPS_PER_WINDOW: "12",
  });
  ctx.deps.chat = createChatRuntime(ctx.deps, { consoleWrite: () => undefined });
  receipt = ((await (await ctx.app.request("/api/v1/reports", jsonPost(validReport(), { "x-test-client": "192.0.2.1" }))).json()) as { receipt: string }).receipt;
}, 60_000);

afterAll(async () => {
  await ctx?.close();
  await telegram?.stop();
  await slack?.stop();
});

const jsonBody = (text: string, headers: Record<string, string> = {}): RequestInit => ({ method: "POST", headers: { "content-type": "application/json", ...headers }, body: text });

async function expectTooDeep(res: Response) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: { code: string; fields?: Record<string, string> } };
  expect(body.error.code).toBe("validation_failed");
  expect(Object.values(body.error.fields ?? {}).join(" ")).toMatch(/nested too deeply: at most 64 levels/);
}

describe("deeply nested JSON", () => {
  it("is a 400 with a clear message on every JSON API route, arrays and objects alike, and stores nothing", async () => {
    const before = (await ctx.db.select({ id: reports.id }).from(reports)).length;
    for (const path of ["/api/v1/reports", "/api/v1/reports/status", "/api/v1/reports/messages", "/api/v1/reports/reward-claim", "/api/v1/proofs/verify"])
      for (const text of [DEEP, DEEP_OBJECT]) await expectTooDeep(await ctx.app.request(`${path}?lang=en`, jsonBody(text)));
    // The multipart form of POST /api/v1/reports: the `report` part is JSON too.
    await expectTooDeep(await ctx.app.request("/api/v1/reports?lang=en", { method: "POST", body: multipart({ report: DEEP }, [{ name: "a.png", bytes: PNG_BYTES, type: "image/png" }]) }));
    // Brackets inside strings are text, not nesting: a report whose description is all brackets is fine.
    expect((await ctx.app.request("/api/v1/reports", jsonPost(validReport({ description: "[{".repeat(1500) })))).status).toBe(201);
    expect((await ctx.db.select({ id: reports.id }).from(reports)).length).toBe(before + 1);
  });

  it("is refused by the Telegram and Slack webhooks (400, verified first), never a 5xx", async () => {
    const tg = await ctx.app.request("/webhooks/telegram", jsonBody(`{"update_id":1,"message":${DEEP}}`, { "x-telegram-bot-api-secret-token": TG_SECRET }));
    expect(tg.status).toBe(400);
    const body = `{"type":"event_callback","event":${DEEP}}`;
    const ts = String(Math.floor(ctx.deps.now().getTime() / 1000));
    const signature = `v0=${createHmac("sha256", SLACK_SECRET).update(`v0:${ts}:${body}`).digest("hex")}`;
    const sl = await ctx.app.request("/webhooks/slack", jsonBody(body, { "x-slack-request-timestamp": ts, "x-slack-signature": signature }));
    expect(sl.status).toBe(400);
    const form = new URLSearchParams({ payload: "[".repeat(20_000) + "]".repeat(20_000) }).toString();
    const formSignature = `v0=${createHmac("sha256", SLACK_SECRET).update(`v0:${ts}:${form}`).digest("hex")}`;
    const interactive = await ctx.app.request("/webhooks/slack", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": ts, "x-slack-signature": formSignature },
      body: form,
    });
    expect(interactive.status).toBe(400);
  });

  it("in an uploaded proof on /verify is not a proof (400 page), never a 500", async () => {
    const res = await ctx.app.request("/verify?lang=en", { method: "POST", body: multipart({}, [{ name: "proof.json", bytes: new TextEncoder().encode("[".repeat(30_000) + "]".repeat(30_000)), type: "application/json" }], "proof") });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("No proof of submission could be read");
  });
});

describe("multipart parts and proofs are capped before they are decoded", () => {
  it("refuses a `report` part over 256 KB with 413 naming the field", async () => {
    const big = JSON.stringify(validReport({ description: "x".repeat(300 * 1024) }));
    const res = await ctx.app.request("/api/v1/reports?lang=en", { method: "POST", body: multipart({ report: big }) });
    expect(res.status).toBe(413);
    const error = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("payload_too_large");
    expect(error.message).toBe('The field "report" is too large: at most 256 KB.');
  });

  it("/verify answers 413 with a localised page for a 65 KB JSON proof and a 6 MB PDF", async () => {
    const json = new Uint8Array(65 * 1024).fill(0x20);
    json[0] = 0x7b;
    const pdf = new Uint8Array(6 * 1024 * 1024).fill(0x20);
    pdf.set(new TextEncoder().encode("%PDF-1.7\n"), 0);
    for (const [bytes, name] of [
      [json, "proof.json"],
      [pdf, "receipt.pdf"],
    ] as const) {
      const zh = await ctx.app.request("/verify", { method: "POST", body: multipart({}, [{ name, bytes }], "proof") });
      expect(zh.status, name).toBe(413);
      expect(await zh.text()).toContain("JSON 提交凭证最大 64 KB，PDF 受理回执最大 5 MB");
    }
    const en = await ctx.app.request("/verify?lang=en", { method: "POST", body: multipart({}, [{ name: "proof.json", bytes: json }], "proof") });
    expect(en.status).toBe(413);
    expect(await en.text()).toContain("a JSON proof is at most 64 KB, a PDF acknowledgement at most 5 MB");
  });
});

describe("Origin: null", () => {
  it("is cross-site on state-changing routes unless Sec-Fetch-Site vouches for it; webhooks are exempt", async () => {
    const refused = await ctx.app.request("/api/v1/reports", jsonPost(validReport(), { origin: "null" }));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    const page = await ctx.app.request("/status", { method: "POST", body: new URLSearchParams({ receipt }), headers: { origin: "null" } });
    expect(page.status).toBe(403);
    // Our own form under Referrer-Policy: no-referrer: Origin null, Sec-Fetch-Site same-origin.
    expect((await ctx.app.request("/api/v1/reports", jsonPost(validReport(), { origin: "null", "sec-fetch-site": "same-origin" }))).status).toBe(201);
    expect((await ctx.app.request("/webhooks/telegram", jsonBody('{"update_id":5}', { origin: "null", "x-telegram-bot-api-secret-token": "wrong" }))).status).toBe(401);
  });
});

describe("the PDF receipt", () => {
  it("is rendered once per report and language for 20 parallel downloads, and downloads count against the receipt's rate limit", async () => {
    const renders: string[] = [];
    const app = createApp({
      ...ctx.deps,
      receiptPdf: async (doc: ReceiptDocument) => {
        renders.push(doc.locale);
        await new Promise((r) => setTimeout(r, 50));
        return new TextEncoder().encode(`%PDF-1.7 ${doc.locale}`);
      },
    });
    const browser = createPageClient(app);
    const client = { "x-test-client": "198.51.100.77" };
    const form = await browser.get("/report");
    const token = /name="_once" value="([^"]+)"/.exec(form.html)![1]!;
    const filed = await browser.post(
      "/report",
      multipart(webReportFields(token)),
      client,
    );
    expect(filed.status).toBe(200);
    const cookie = [...browser.cookies()].map(([k, v]) => `${k}=${v}`).join("; ");
    // 12 lookups per window for this client: of 20 parallel downloads 12 are served, 8 refused.
    const answers = await Promise.all(Array.from({ length: 20 }, () => app.request("/report/receipt.pdf", { headers: { cookie, ...client } })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(12);
    expect(statuses.filter((s) => s === 429)).toHaveLength(8);
    expect(renders).toEqual(["zh-CN"]);
    const refused = answers.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // The same limit covers the status page: this client is refused there too, even with the right receipt.
    expect((await app.request("/api/v1/reports/status", jsonPost({ receipt }, client))).status).toBe(429);
    // Another client, the other language: one more render, then served from memory.
    const other = { cookie, "x-test-client": "198.51.100.78" };
    for (let i = 0; i < 3; i++) expect((await app.request("/report/receipt.pdf?lang=en", { headers: other })).status).toBe(200);
    expect(renders).toEqual(["zh-CN", "en"]);
  });
});
