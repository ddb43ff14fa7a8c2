// Submit once: every page form post answers with a redirect and carries a one-time token, so reload,
// back-and-resubmit and double click create nothing new; the API honours Idempotency-Key (a repeat
// answers 409 duplicate_submission with the original report id and stores nothing).
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTick } from "../../src/scheduler/tick";
import { attachmentChunks, events, leads, outbox, reportAttachments, reportMessages, reports, reportTimeline, submissionKeys } from "../../src/db/schema";
import { purgeExpiredSubmissionKeys } from "../../src/services/intake/submission-keys";
import { postInvestigatorMessage } from "../../src/services/intake/reports";
import { createTestContext, type TestContext } from "../support/context";
import { PDF_BYTES, PNG_BYTES, jsonPost, multipart, validReport } from "../support/fixtures";
import { createPageClient, formToken } from "../support/page-client";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function rowCounts() {
  const tables = { reports, reportAttachments, attachmentChunks, reportMessages, reportTimeline, events, leads, outbox };
  const out: Record<string, number> = {};
  for (const [name, table] of Object.entries(tables)) out[name] = (await ctx.db.select({ n: count() }).from(table))[0]!.n;
  return out;
}

const pageTip = (token: string, targetName = "某某社区卫生服务站") =>
  multipart({
    _once: token,
    subject: "medical_institution",
    violationType: "medical_institution:ghost_admission",
    "region.districtCode": "110105",
    targetName,
    occurredFrom: "2026-03-01",
    description: "住院部长期有挂床病人，白天不在医院，仍每天记账理疗项目。",
    anonymous: "true",
  });

const receiptOf = (html: string) => /data-testid="receipt-code"[^>]*>([^<]+)</.exec(html)?.[1] ?? null;

describe("page forms", () => {
  it("reload of the receipt page, and the same form sent again, file nothing new", async () => {
    const browser = createPageClient(ctx.app);
    const token = formToken((await browser.get("/report?lang=en")).html, "report-form");
    const first = await browser.post("/report?lang=en", pageTip(token));
    expect(first.hops).toEqual([303, 200]);
    const receipt = receiptOf(first.html)!;
    const after = await rowCounts();

    const reload = await browser.get("/report/receipt?lang=en");
    expect(receiptOf(reload.html)).toBe(receipt);
    // Back, then submit the same page again: answered with the same receipt.
    const again = await browser.post("/report?lang=en", pageTip(token));
    expect(again.hops).toEqual([303, 200]);
    expect(receiptOf(again.html)).toBe(receipt);
    // Even from a browser whose first answer was lost (no cookie): the receipt comes back.
    const lost = await createPageClient(ctx.app).post("/report?lang=en", pageTip(token));
    expect(receiptOf(lost.html)).toBe(receipt);
    // The language switch keeps the receipt page.
    expect(receiptOf((await browser.get("/report/receipt?lang=zh-CN")).html)).toBe(receipt);
    expect(await rowCounts()).toEqual(after);
  });

  it("a double click (two posts racing with one token) makes one report, both answered with its receipt", async () => {
    const token = formToken(await (await ctx.app.request("/report")).text(), "report-form");
    const before = await rowCounts();
    const [a, b] = await Promise.all([createPageClient(ctx.app).post("/report", pageTip(token, "双击诊所")), createPageClient(ctx.app).post("/report", pageTip(token, "双击诊所"))]);
    expect(receiptOf(a.html)).toBeTruthy();
    expect(receiptOf(a.html)).toBe(receiptOf(b.html));
    const after = await rowCounts();
    expect(after.reports! - before.reports!).toBe(1);
  });

  it("refuses a missing, forged or expired token without storing anything and keeps what was typed", async () => {
    const before = await rowCounts();
    for (const token of ["", "forged.token.value", `${"A".repeat(22)}.abc.${"B".repeat(32)}`]) {
      const res = await ctx.app.request("/report?lang=en", { method: "POST", body: pageTip(token, "篡改诊所") });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain("This form has expired or was already used.");
      expect(html).toContain('value="篡改诊所"');
      expect(formToken(html)).not.toBe(token);
    }
    const old = formToken(await (await ctx.app.request("/report")).text());
    ctx.setNow(new Date(ctx.deps.now().getTime() + 25 * 3_600_000));
    expect((await ctx.app.request("/report", { method: "POST", body: pageTip(old, "篡改诊所") })).status).toBe(400);
    ctx.setNow(new Date(ctx.deps.now().getTime() - 25 * 3_600_000));
    expect(await rowCounts()).toEqual(before);
  });

  it("reload after a reply or an upload posts nothing twice", async () => {
    const browser = createPageClient(ctx.app);
    const receipt = receiptOf((await browser.post("/report", pageTip(formToken((await browser.get("/report")).html), "回复诊所"))).html)!;
    const view = await browser.post("/status?lang=en", new URLSearchParams({ receipt }));
    const replyToken = formToken(view.html, "reply-form");
    const evidenceToken = formToken(view.html, "evidence-form");
    const reply = () => browser.post("/status/reply?lang=en", multipart({ _once: replyToken, body: "补充：三楼东侧病房。" }));
    const upload = () => browser.post("/status/evidence?lang=en", multipart({ _once: evidenceToken }, [{ name: "a.png", bytes: PNG_BYTES }, { name: "b.pdf", bytes: PDF_BYTES }]));
    expect((await reply()).html).toContain('data-testid="status-notice">Sent.');
    expect((await upload()).html).toContain("2 files added.");
    const after = await rowCounts();
    // Reload of the result page is a GET; the same posts again (back + resubmit) are repeats.
    await browser.get("/status/view?lang=en&done=sent");
    const [r2, u2] = [await reply(), await upload()];
    expect(r2.html).toContain('data-testid="status-notice">Sent.');
    expect(u2.html).toContain("2 files added.");
    expect(await rowCounts()).toEqual(after);
    const messages = r2.html.match(/data-from="reporter"/g) ?? [];
    expect(messages).toHaveLength(1);
  });

  it("a reply token works only for the report it was issued with", async () => {
    const b1 = createPageClient(ctx.app);
    const b2 = createPageClient(ctx.app);
    const r1 = receiptOf((await b1.post("/report", pageTip(formToken((await b1.get("/report")).html), "甲诊所"))).html)!;
    const r2 = receiptOf((await b2.post("/report", pageTip(formToken((await b2.get("/report")).html), "乙诊所"))).html)!;
    const v1 = await b1.post("/status?lang=en", new URLSearchParams({ receipt: r1 }));
    await b2.post("/status?lang=en", new URLSearchParams({ receipt: r2 }));
    const token = formToken(v1.html, "reply-form");
    await b1.post("/status/reply?lang=en", multipart({ _once: token, body: "甲的补充" }));
    // The same token used on another report's page is a different key there: it posts, once.
    const other = await b2.post("/status/reply?lang=en", multipart({ _once: token, body: "乙的补充" }));
    expect(other.html).toContain("乙的补充");
    expect(other.html).not.toContain("甲的补充");
  });
});

describe("Idempotency-Key on the API", () => {
  it("a repeated report answers 409 duplicate_submission with the original id and stores nothing", async () => {
    const headers = { "idempotency-key": "5f0c7d1e-2b8a-4c53-9a64-0d3b8f6e2a11" };
    const first = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "幂等医院" }), headers));
    expect(first.status).toBe(201);
    const { reportId } = (await first.json()) as { reportId: string };
    const before = await rowCounts();
    const again = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "幂等医院" }), headers));
    expect(again.status).toBe(409);
    expect(((await again.json()) as any).error).toMatchObject({ code: "duplicate_submission", reportId, sameRequest: true });
    // The same key with another body is still that key: refused 422, naming no report.
    const reused = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "别的医院" }), headers));
    expect(reused.status).toBe(422);
    const reusedError = ((await reused.json()) as any).error;
    expect(reusedError.code).toBe("idempotency_key_reused");
    expect(reusedError).not.toHaveProperty("reportId");
    expect(reusedError).not.toHaveProperty("sameRequest");
    expect(JSON.stringify(reusedError)).not.toContain(reportId);
    expect(await rowCounts()).toEqual(before);
    // Without the header, nothing changes for clients that never send it.
    expect((await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "幂等医院" })))).status).toBe(201);
  });

  it("binds the key to the client: another client's same key is its own, and no answer names another client's report", async () => {
    const key = { "idempotency-key": "shared-by-chance-1" };
    const from = (client: string) => ({ ...key, "x-test-client": client });
    const a = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "甲医院" }), from("198.51.100.10")));
    expect(a.status).toBe(201);
    const { reportId: reportA } = (await a.json()) as { reportId: string };

    // Another client, same key, same body or another: its own tip is stored normally.
    const before = await rowCounts();
    const sameBody = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "甲医院" }), from("198.51.100.11")));
    expect(sameBody.status).toBe(201);
    const { reportId: reportB } = (await sameBody.json()) as { reportId: string };
    expect(reportB).not.toBe(reportA);
    const otherBody = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "乙医院" }), from("2001:db8:1:2::5")));
    expect(otherBody.status).toBe(201);
    expect((await rowCounts()).reports).toBe(before.reports! + 2);

    // An IPv6 client is one /64: another address in it is the same client (a repeat), its own report named.
    const { reportId: reportC } = (await otherBody.json()) as { reportId: string };
    const sameNet = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "乙医院" }), from("2001:db8:1:2::99")));
    expect(sameNet.status).toBe(409);
    expect(((await sameNet.json()) as any).error).toMatchObject({ code: "duplicate_submission", reportId: reportC, sameRequest: true });

    // The first client: a repeat answers 409 with its own report; a different body 422, naming none.
    const repeat = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "甲医院" }), from("198.51.100.10")));
    expect(repeat.status).toBe(409);
    expect(((await repeat.json()) as any).error).toMatchObject({ code: "duplicate_submission", reportId: reportA, sameRequest: true });
    const mid = await rowCounts();
    const changed = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "丙医院" }), from("198.51.100.10")));
    expect(changed.status).toBe(422);
    const text = await changed.text();
    expect(JSON.parse(text).error.code).toBe("idempotency_key_reused");
    for (const id of [reportA, reportB, reportC]) expect(text).not.toContain(id);
    expect(text).not.toContain("sameRequest");
    expect(await rowCounts()).toEqual(mid);
  });

  it("messages and attachments: a different body under a used key is 422 naming nothing; a racing different body too", async () => {
    const { receipt } = (await (await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "消息医院" })))).json()) as { receipt: string };
    const msg = (body: string) => ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt, body }, { "idempotency-key": "msg-reuse" }));
    expect((await msg("第一条补充")).status).toBe(201);
    const before = await rowCounts();
    const reused = await msg("另一条补充");
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as any).error).not.toHaveProperty("reportId");
    // Racing copies with different bodies under one fresh key: one stored, the others refused (409 or 422).
    const statuses = (await Promise.all(["甲", "乙", "丙"].map((b) => ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt, body: `补充${b}` }, { "idempotency-key": "msg-race" }))))).map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 422)).toHaveLength(2);
    expect((await rowCounts()).reportMessages).toBe(before.reportMessages! + 1);
  });

  it("two racing requests with one key store one report", async () => {
    const headers = { "idempotency-key": "race-1" };
    const before = await rowCounts();
    const statuses = (await Promise.all([1, 2, 3].map(() => ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "并发医院" }), headers))))).map((r) => r.status);
    expect(statuses.sort()).toEqual([201, 409, 409]);
    expect((await rowCounts()).reports! - before.reports!).toBe(1);
  });

  it("messages and attachments are idempotent per report", async () => {
    const { receipt, reportId } = (await (await ctx.app.request("/api/v1/reports", jsonPost(validReport({ targetName: "附件医院" })))).json()) as { receipt: string; reportId: string };
    await postInvestigatorMessage(ctx.deps, { reportId, body: "请补充", actor: { type: "member", id: "m1", role: "inspector", platform: "service" } });
    const msg = () => ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt, body: "补充材料一" }, { "idempotency-key": "msg-1" }));
    expect((await msg()).status).toBe(201);
    const before = await rowCounts();
    const dup = await msg();
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as any).error).toMatchObject({ code: "duplicate_submission", reportId });
    const files = () => ctx.app.request("/api/v1/reports/attachments", { method: "POST", headers: { "idempotency-key": "files-1" }, body: multipart({ receipt }, [{ name: "a.png", bytes: PNG_BYTES }]) });
    expect((await files()).status).toBe(201);
    const mid = await rowCounts();
    expect(mid.reportAttachments).toBe(before.reportAttachments! + 1);
    expect((await files()).status).toBe(409);
    expect(await rowCounts()).toEqual(mid);
  });

  it("rejects a malformed key with 400 and stores nothing", async () => {
    const before = await rowCounts();
    for (const key of ["", "x".repeat(256), "with space", "caf\u00e9"]) {
      const res = await ctx.app.request("/api/v1/reports", { method: "POST", headers: { "content-type": "application/json", "idempotency-key": key }, body: JSON.stringify(validReport()) });
      expect(res.status, JSON.stringify(key)).toBe(400);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("forgets used keys after a day (purged by the tick, through the expiry index)", async () => {
    await ctx.app.request("/api/v1/reports", jsonPost(validReport(), { "idempotency-key": "old-key" }));
    const n = async () => (await ctx.db.select({ n: count() }).from(submissionKeys))[0]!.n;
    const before = await n();
    expect(before).toBeGreaterThan(0);
    ctx.setNow(new Date(ctx.deps.now().getTime() + 25 * 3_600_000));
    const result = await runTick(ctx.deps, ctx.deps.now());
    expect(result.jobs.purgeExpiredSubmissionKeys).toBe("ok");
    expect(await n()).toBe(0);
    expect((await purgeExpiredSubmissionKeys(ctx.deps)).purged).toBe(0);
    const plan = await ctx.client.execute({ sql: "EXPLAIN QUERY PLAN SELECT key_hash FROM submission_keys WHERE expires_at < ? LIMIT 1000", args: [Date.now()] });
    expect(JSON.stringify(plan.rows)).toContain("submission_keys_expires_idx");
    ctx.setNow(new Date(ctx.deps.now().getTime() - 25 * 3_600_000));
  });
});
