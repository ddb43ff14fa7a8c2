// Every public route under generated input (fast-check): prototype keys ("constructor", "__proto__"),
// wrong types, junk bodies and content types, forged case tokens, cross-site browsers, webhooks with
// wrong or absent secrets. The answer is never a 5xx, and a rejected request stores nothing: the row
// count of every table is the same before and after (rate_limits excepted: counting failed receipt
// guesses is its job).
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatRuntime } from "../../src/chat/runtime";
import { leads } from "../../src/db/schema";
import { caseLinkToken } from "../../src/services/chat-actions";
import { importOrganisation, orgFileSchema } from "../../src/services/org/org";
import { createTestContext, type TestContext } from "../support/context";
import { PNG_BYTES, REAL_NAME, validReport } from "../support/fixtures";

let ctx: TestContext;
let tables: string[];
let receipt: string;
let leadId: string;
let validToken: string;

/** Every table's row count in one statement: one round trip however many tables the schema grows to. */
async function rowCounts(): Promise<Record<string, number>> {
  const query = tables.map((table) => `SELECT '${table}' AS t, count(*) AS n FROM "${table}"`).join(" UNION ALL ");
  const rows = (await ctx.db.all(sql.raw(query))) as { t: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

beforeAll(async () => {
  ctx = await createTestContext({
    REPORTS_PER_HOUR: "10000",
    RECEIPT_FAILURES_PER_WINDOW: "1000",
    TELEGRAM_BOT_TOKEN: "123456:FUZZ-token",
    TELEGRAM_WEBHOOK_SECRET: "fuzz-telegram-secret-0123",
    TELEGRAM_API_ROOT: "http://127.0.0.1:9",
    SLACK_BOT_TOKEN: "xoxb-fuzz",
    SLACK_SIGNING_SECRET: "fuzz-slack-signing-secret-0123",
    SLACK_API_URL: "http://127.0.0.1:9/api/",
    FEISHU_APP_ID: "cli_fuzz000000000001",
    FEISHU_APP_SECRET: "fuzz-feishu-app-secret-0123",
    FEISHU_VERIFICATION_TOKEN: "fuzz-feishu-token",
    FEISHU_ENCRYPT_KEY: "fuzz-feishu-encrypt-key",
    FEISHU_API_BASE: "http://127.0.0.1:9",
    DINGTALK_CLIENT_ID: "dingfuzz",
    DINGTALK_CLIENT_SECRET: "fuzz-dingtalk-client-secret-0123",
    DINGTALK_ROBOT_CODE: "dingfuzz",
    DINGTALK_API_BASE: "http://127.0.0.1:9",
    WECOM_CORP_ID: "wwfuzz",
    WECOM_AGENT_ID: "1000002",
    WECOM_SECRET: "fuzz-wecom-secret-0123456789",
    WECOM_TOKEN: "fuzztoken",
    WECOM_ENCODING_AES_KEY: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    WECOM_API_BASE: "http://127.0.0.1:9",
  });
  ctx.deps.chat = createChatRuntime(ctx.deps, { consoleWrite: () => undefined });
  await importOrganisation(
    ctx.deps,
    orgFileSchema.parse({
      teams: [{ name: "协调组", regionCode: "000000", platform: "console", chatId: "coord", coordinators: true }],
      members: [{ name: "陈协调", role: "coordinator", team: "协调组" }],
    }),
    { type: "system", platform: "cli" },
  );
  const created = await ctx.app.request("/api/v1/reports", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(validReport({ anonymous: false, reporter: REAL_NAME })) });
  expect(created.status).toBe(201);
  receipt = ((await created.json()) as { receipt: string }).receipt;
  leadId = (await ctx.db.select().from(leads))[0]!.id;
  const coordinator = (await ctx.db.query.members.findFirst())!;
  validToken = await caseLinkToken(ctx.deps, leadId, coordinator.id, ctx.deps.now().getTime() + 3_600_000);
  const names = (await ctx.db.all(sql.raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`))) as { name: string }[];
  tables = names.map((r) => r.name).filter((n) => n !== "rate_limits");
  expect(tables).toEqual(expect.arrayContaining(["reports", "report_attachments", "attachment_chunks", "attachment_stripped_chunks", "events", "leads", "outbox"]));
});
afterAll(() => ctx.close());

// ---------------------------------------------------------------------------------------------
// Generators.
// ---------------------------------------------------------------------------------------------

const PROTOTYPE_WORDS = ["constructor", "__proto__", "prototype", "toString", "hasOwnProperty", "valueOf", "__defineGetter__", "isPrototypeOf"];
const nasty = fc.oneof(
  fc.constantFrom(...PROTOTYPE_WORDS),
  fc.constantFrom("", " ", "null", "undefined", "NaN", "1e309", "-0", "０", "\u0000", "\ud800", "<script>", "../../etc/passwd", "%00", "😀".repeat(3)),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const nastyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, nasty, fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(fc.oneof(fc.constantFrom(...PROTOTYPE_WORDS), fc.string({ maxLength: 8 })), tie("value"), { maxKeys: 3 })),
})).value;

const REPORT_KEYS = ["subject", "violationType", "region", "targetName", "targetAddress", "occurredFrom", "occurredTo", "amountEstimate", "description", "anonymous", "reporter", "insider", "wantsReward", "locale"];
/** A valid report with some fields replaced or added (prototype keys included). */
const fuzzedReport = fc
  .tuple(
    fc.dictionary(fc.oneof(fc.constantFrom(...REPORT_KEYS), fc.constantFrom(...PROTOTYPE_WORDS)), nastyValue, { maxKeys: 3 }),
    fc.record({ provinceCode: nasty, districtCode: nasty }, { requiredKeys: [] }),
    fc.boolean(),
  )
  .map(([overrides, region, fuzzRegion]) => ({ ...validReport(), ...(fuzzRegion ? { region } : {}), ...overrides }));

const jsonBody = fc.oneof(
  fuzzedReport.map((r) => JSON.stringify(r)),
  nastyValue.map((v) => JSON.stringify(v) ?? "null"),
  fc.constantFrom("", "{", "[", '{"subject":"constructor"}', '{"__proto__":{"anonymous":true}}', "\u0000", "null", '"x"', "1".repeat(100)),
);
const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x", "", "application/JSON");
const receiptValue = fc.oneof(fc.constant("RECEIPT"), nasty.map(String), fc.stringMatching(/^[A-Z0-9-]{0,30}$/));
const lang = fc.constantFrom("", "?lang=en", "?lang=zh-CN", "?lang=constructor", "?lang=__proto__", "?lang=", "?lang=toString");

/** encodeURIComponent that does not throw on lone surrogates (a client would send them as U+FFFD). */
const encode = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"));

/** Any generated value as text (null-prototype objects cannot go through String()). */
const asText = (v: unknown): string => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));

function formOf(fields: [string, unknown][], files: { name: string; bytes: Uint8Array }[] = []): FormData {
  const form = new FormData();
  for (const [k, v] of fields) form.append(k, asText(v));
  for (const f of files) form.append("evidence", new File([f.bytes as Uint8Array<ArrayBuffer>], f.name));
  return form;
}
const formFields = fc.array(fc.tuple(fc.oneof(fc.constantFrom("receipt", "body", "inReplyTo", "subject", "violationType", "region.districtCode", "reporter.name", "anonymous", "report", "reason", "description", "evidence"), fc.constantFrom(...PROTOTYPE_WORDS)), nastyValue), { maxLength: 8 });
const fileArb = fc.record({
  name: fc.oneof(fc.constantFrom("a.png", "constructor", "__proto__", "", "../x.pdf", "赵小红.jpg"), fc.string({ maxLength: 20 })),
  bytes: fc.oneof(fc.constant(PNG_BYTES), fc.uint8Array({ maxLength: 64 }), fc.constant(new TextEncoder().encode("%PDF-1.4\n%%EOF"))),
});

// ---------------------------------------------------------------------------------------------
// The property: never a 5xx; a rejected request changes no table.
// ---------------------------------------------------------------------------------------------

async function check(path: string, init: RequestInit & { headers?: Record<string, string> }) {
  const before = await rowCounts();
  const res = await ctx.app.request(path.replace("RECEIPT", encodeURIComponent(receipt)), init);
  const text = await res.text();
  expect(res.status, `${init.method ?? "GET"} ${path} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) expect(await rowCounts(), `${init.method ?? "GET"} ${path} → ${res.status} stored something`).toEqual(before);
  return res.status;
}

const RUNS = { numRuns: 60 };

describe("fuzzing the public routes", () => {
  it('answers "subject":"constructor" with 400 and the normal validation message', async () => {
    for (const body of [validReport({ subject: "constructor" }), validReport({ subject: "__proto__", violationType: "constructor" }), validReport({ violationType: "toString" })]) {
      const res = await ctx.app.request("/api/v1/reports?lang=en", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
      expect(error.code).toBe("validation_failed");
      expect(Object.values(error.fields)).toContain("Please choose from the list.");
    }
    const page = await ctx.app.request("/report?lang=en", { method: "POST", body: new URLSearchParams({ subject: "constructor", violationType: "constructor:toString" }) });
    expect(page.status).toBe(400);
  });

  it("answers a JSON body that is not an object (null, a number, an array) with 400, not 500", async () => {
    for (const body of ["null", "7", "[]", '"report"', JSON.stringify(validReport({ region: "110105" })), JSON.stringify(validReport({ region: null }))]) {
      const res = await ctx.app.request("/api/v1/reports", { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(res.status, body).toBe(400);
    }
  });

  it("POST /api/v1/reports (JSON and multipart)", async () => {
    await fc.assert(
      fc.asyncProperty(jsonBody, contentType, lang, async (body, type, q) => {
        await check(`/api/v1/reports${q}`, { method: "POST", headers: type ? { "content-type": type } : {}, body });
      }),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(fuzzedReport, formFields, fc.array(fileArb, { maxLength: 3 }), async (report, fields, files) => {
        await check("/api/v1/reports", { method: "POST", body: formOf([["report", JSON.stringify(report)], ...fields], files) });
      }),
      RUNS,
    );
  });

  it("receipt routes: status, messages, attachments", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/api/v1/reports/status", "/api/v1/reports/messages", "/api/v1/proofs/verify"),
        fc.record({ receipt: receiptValue, body: nastyValue, inReplyTo: nastyValue, reportId: nasty, contentHash: nasty, signature: nasty, keyId: nasty, submittedAt: nasty }, { requiredKeys: [] }),
        contentType,
        async (path, body, type) => {
          await check(path, { method: "POST", headers: { "content-type": type }, body: JSON.stringify(body).replace('"RECEIPT"', JSON.stringify(receipt)) });
        },
      ),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(receiptValue, formFields, fc.array(fileArb, { maxLength: 2 }), async (r, fields, files) => {
        await check("/api/v1/reports/attachments", { method: "POST", body: formOf([["receipt", r === "RECEIPT" ? receipt : r], ...fields], files) });
      }),
      RUNS,
    );
  });

  it("page form posts and GETs", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("/report", "/status", "/status/reply", "/status/evidence"), formFields, fc.array(fileArb, { maxLength: 2 }), fc.boolean(), lang, async (path, fields, files, urlencoded, q) => {
        const withReceipt: [string, unknown][] = [["receipt", receipt], ...fields];
        const body = urlencoded ? new URLSearchParams(withReceipt.map(([k, v]) => [k, asText(v)])) : formOf(withReceipt, files);
        await check(`${path}${q}`, { method: "POST", body });
      }),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("/", "/report", "/status", "/api/v1/taxonomy", "/api/v1/openapi.json", "/api/v1/regions", "/healthz", "/nope"), lang, nasty, async (path, q, parent) => {
        await check(`${path}${q}`, { headers: { "accept-language": String(parent).replace(/[^\x20-\x7e]/g, "") } });
        await check(`/api/v1/regions?parent=${encode(String(parent))}`, {});
      }),
      RUNS,
    );
  });

  it("case pages with bad, forged or missing tokens, and bad ids", async () => {
    const token = fc.oneof(fc.constant(""), nasty.map(String), fc.constant("mem_X.9999999999999.abc"), fc.constant("VALID"));
    const id = fc.oneof(fc.constant("LEAD"), nasty.map(String), fc.constant("att_NOPE"));
    await fc.assert(
      fc.asyncProperty(token, id, id, fc.constantFrom("", "/attachments/", "/identity/", "/attachments/ID/original"), nastyValue, async (t, a, b, kind, reason) => {
        const lead = a === "LEAD" ? leadId : encode(a);
        const rest = kind === "" ? "" : kind.replace("ID", encode(b) || "x") + (kind.endsWith("/") ? encode(b) || "x" : "");
        const q = `?t=${encode(t === "VALID" ? validToken : t)}`;
        const post = kind.startsWith("/identity") || kind.endsWith("original");
        await check(`/cases/${lead}${rest}${q}`, post ? { method: "POST", body: new URLSearchParams({ reason: asText(reason) }) } : {});
      }),
      RUNS,
    );
  });

  it("webhooks with wrong or absent secrets and signatures", async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(fc.string({ maxLength: 40 })), jsonBody, fc.option(fc.string({ maxLength: 70 })), fc.option(fc.integer()), async (secret, body, signature, timestamp) => {
        const tg = await check("/webhooks/telegram", { method: "POST", headers: { "content-type": "application/json", ...(secret !== null ? { "x-telegram-bot-api-secret-token": secret } : {}) }, body });
        expect([400, 401, 404]).toContain(tg);
        const slack = await check("/webhooks/slack", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", ...(signature !== null ? { "x-slack-signature": signature } : {}), ...(timestamp !== null ? { "x-slack-request-timestamp": String(timestamp) } : {}) },
          body,
        });
        expect(slack).toBeGreaterThanOrEqual(400);
      }),
      RUNS,
    );
  });

  it("Feishu, DingTalk and WeCom callbacks with forged or absent signatures, or no body we can read, change nothing", async () => {
    const header = fc.option(fc.oneof(fc.string({ maxLength: 70 }), fc.integer().map(String), fc.constantFrom("", "0", String(Math.floor(Date.now() / 1000)), String(Date.now()))));
    const encrypted = fc.oneof(jsonBody, fc.base64String({ maxLength: 200 }).map((e) => JSON.stringify({ encrypt: e })), nasty.map((e) => JSON.stringify({ encrypt: e })));
    await fc.assert(
      fc.asyncProperty(encrypted, header, header, header, async (body, signature, timestamp, nonce) => {
        const opt = (name: string, v: string | null): Record<string, string> => (v === null ? {} : { [name]: v });
        const feishu = await check("/webhooks/feishu", {
          method: "POST",
          headers: { "content-type": "application/json", ...opt("x-lark-signature", signature), ...opt("x-lark-request-timestamp", timestamp), ...opt("x-lark-request-nonce", nonce) },
          body,
        });
        expect(feishu).toBeGreaterThanOrEqual(400);
        const dingtalk = await check("/webhooks/dingtalk", { method: "POST", headers: { "content-type": "application/json", ...opt("sign", signature), ...opt("timestamp", timestamp) }, body });
        expect(dingtalk).toBeGreaterThanOrEqual(400);
        const card = await check("/webhooks/dingtalk", {
          method: "POST",
          headers: { "content-type": "application/json", ...opt("x-ddpaas-signature", signature), ...opt("x-ddpaas-signature-timestamp", timestamp) },
          body,
        });
        expect(card).toBeGreaterThanOrEqual(400);
        const query = new URLSearchParams({ ...opt("msg_signature", signature), ...opt("timestamp", timestamp), ...opt("nonce", nonce), echostr: asText(body).slice(0, 60) });
        expect(await check(`/webhooks/wecom?${query}`, {})).toBeGreaterThanOrEqual(400);
        const xml = `<xml><ToUserName><![CDATA[wwfuzz]]></ToUserName><Encrypt><![CDATA[${asText(body).slice(0, 200)}]]></Encrypt></xml>`;
        for (const payload of [xml, body]) expect(await check(`/webhooks/wecom?${query}`, { method: "POST", headers: { "content-type": "text/xml" }, body: payload })).toBeGreaterThanOrEqual(400);
      }),
      RUNS,
    );
  });

  it("refuses every cross-site state change, API multipart included, and stores nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/api/v1/reports", "/api/v1/reports/messages", "/api/v1/reports/attachments", "/report", "/status/reply", "/status/evidence"),
        fc.constantFrom<Record<string, string>>({ "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site" }, { origin: "https://evil.example" }, { origin: "https://evil.example", "sec-fetch-site": "cross-site" }, { origin: "not a url" }),
        async (path, headers) => {
          const form = formOf([["report", JSON.stringify(validReport())], ["receipt", receipt], ["body", "hello from elsewhere"]], [{ name: "a.png", bytes: PNG_BYTES }]);
          const status = await check(path, { method: "POST", headers, body: form });
          expect(status).toBe(403);
        },
      ),
      { numRuns: 30 },
    );
    // Our own pages and non-browser clients still work.
    const ownForm = await ctx.app.request("/api/v1/reports", { method: "POST", headers: { "sec-fetch-site": "same-origin", origin: "null" }, body: formOf([["report", JSON.stringify(validReport())]]) });
    expect(ownForm.status).toBe(201);
    const script = await ctx.app.request("/api/v1/reports", { method: "POST", body: formOf([["report", JSON.stringify(validReport())]]) });
    expect(script.status).toBe(201);
  });
});
