// The whole citizen loop through the JSON API and the pages: submit, receipt, status, two-way
// messages, more evidence, status changes made on the investigators' side.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { events, reportAttachments, reports } from "../../src/db/schema";
import { changeReportStatus, postInvestigatorMessage, revealReporterIdentity } from "../../src/services/intake/reports";
import { decryptBytes } from "../../src/security/cipher";
import { attachmentChunks } from "../../src/db/schema";
import { createTestContext, type TestContext } from "../support/context";
import { createPageClient, formToken } from "../support/page-client";
import { PDF_BYTES, PNG_BYTES, REAL_NAME, jsonPost, multipart, validReport } from "../support/fixtures";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

interface Created {
  reportId: string;
  receipt: string;
  submittedAt: string;
  proof: { contentHash: string; signature: string; attachments: { sha256: string }[] };
}

async function submit(input = validReport(), files: { name: string; bytes: Uint8Array }[] = []): Promise<Created> {
  const res = files.length
    ? await ctx.app.request("/api/v1/reports", { method: "POST", body: multipart({ report: JSON.stringify(input) }, files) })
    : await ctx.app.request("/api/v1/reports", jsonPost(input));
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
}

async function status(receipt: string) {
  const res = await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }));
  return { res, body: (await res.json()) as any };
}

const investigator = { type: "member" as const, id: "mem_inspector1", role: "inspector", platform: "service" };

describe("citizen intake over the JSON API", () => {
  it("stores a JSON report and answers with a report id, a grouped receipt and a signed proof", async () => {
    const created = await submit();
    expect(created.reportId).toMatch(/^FW-20261124-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(created.receipt).toMatch(/^([0-9A-HJKMNP-TV-Z]{5}-){3}[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(created.proof.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const row = await ctx.db.query.reports.findFirst({ where: eq(reports.id, created.reportId) });
    expect(row).toMatchObject({ status: "received", regionCode: "110105", provinceCode: "110000", amountEstimateFen: 1234567, isAnonymous: true, reporterEnc: null });
    const logged = await ctx.db.select().from(events).where(eq(events.entityId, created.reportId));
    expect(logged.map((e) => e.action)).toEqual(["report.submitted"]);
  });

  it("stores multipart reports with evidence encrypted in chunks that decrypt to the original", async () => {
    const big = new Uint8Array(1_300_000);
    big.set(PNG_BYTES);
    for (let i = PNG_BYTES.length; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const created = await submit(validReport(), [
      { name: "ward-photo.png", bytes: big },
      { name: "invoice.pdf", bytes: PDF_BYTES },
    ]);
    expect(created.proof.attachments).toHaveLength(2);
    const atts = await ctx.db.select().from(reportAttachments).where(eq(reportAttachments.reportId, created.reportId));
    const photo = atts.find((a) => a.mediaType === "image/png")!;
    expect(photo.chunkCount).toBe(3);
    const chunks = (await ctx.db.select().from(attachmentChunks).where(eq(attachmentChunks.attachmentId, photo.id))).sort((a, b) => a.seq - b.seq);
    const parts = await Promise.all(chunks.map((c) => decryptBytes(ctx.deps.keys, photo.keyId, new Uint8Array(c.data), `attachment:${photo.id}:${c.seq}`)));
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) joined.set(p, (offset += p.length) - p.length);
    // Compared as buffers: toEqual walks 1.3 million elements one by one (5 s alone, a minute under load).
    expect(joined.length).toBe(big.length);
    expect(Buffer.from(joined).equals(Buffer.from(big))).toBe(true);
    expect(atts.find((a) => a.mediaType === "application/pdf")).toBeDefined();
  });

  it("shows status and timeline for a receipt typed loosely, and 404 for an unknown one", async () => {
    const created = await submit();
    const { res, body } = await status(created.receipt.toLowerCase().replace(/-/g, " "));
    expect(res.status).toBe(200);
    expect(body.report).toMatchObject({ id: created.reportId, status: "received", open: true, attachmentCount: 0 });
    expect(body.timeline).toEqual([{ at: created.submittedAt, kind: "submitted", status: "received", outcome: null }]);
    const unknown = await status("00000-00000-00000-00000");
    expect(unknown.res.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
  });

  it("carries a conversation both ways and closes with an outcome", async () => {
    const created = await submit();
    const { messageId: questionId } = await postInvestigatorMessage(ctx.deps, { reportId: created.reportId, body: "请问挂床病人大概有多少人？", actor: investigator });
    let view = (await status(created.receipt)).body;
    expect(view.messages).toEqual([expect.objectContaining({ id: questionId, from: "investigator", body: "请问挂床病人大概有多少人？" })]);

    const reply = await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt: created.receipt, body: "大约二十人，三楼病区。", inReplyTo: questionId }));
    expect(reply.status).toBe(201);
    view = (await status(created.receipt)).body;
    expect(view.messages.map((m: any) => [m.from, m.body, m.inReplyTo])).toEqual([
      ["investigator", "请问挂床病人大概有多少人？", null],
      ["reporter", "大约二十人，三楼病区。", questionId],
    ]);
    expect(view.timeline.map((e: any) => e.kind)).toEqual(["submitted", "investigator_message", "reporter_message"]);

    await changeReportStatus(ctx.deps, { reportId: created.reportId, to: "in_review", actor: investigator });
    await changeReportStatus(ctx.deps, { reportId: created.reportId, to: "concluded", outcome: "substantiated", actor: investigator });
    view = (await status(created.receipt)).body;
    expect(view.report).toMatchObject({ status: "concluded", outcome: "substantiated", open: false });

    const late = await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt: created.receipt, body: "还有一件事" }));
    expect(late.status).toBe(409);
    expect(((await late.json()) as any).error.code).toBe("report_closed");

    const transitions = await ctx.db.select().from(events).where(eq(events.entityId, created.reportId));
    expect(transitions.filter((e) => e.action === "report.status_changed").map((e) => [e.fromState, e.toState, e.actorId])).toEqual([
      ["received", "in_review", "mem_inspector1"],
      ["in_review", "concluded", "mem_inspector1"],
    ]);
  });

  it("refuses a reply to a question that belongs to another report", async () => {
    const a = await submit();
    const b = await submit();
    const { messageId } = await postInvestigatorMessage(ctx.deps, { reportId: a.reportId, body: "问题", actor: investigator });
    const res = await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt: b.receipt, body: "回答", inReplyTo: messageId }));
    expect(res.status).toBe(404);
  });

  it("adds evidence after submission", async () => {
    const created = await submit();
    const res = await ctx.app.request("/api/v1/reports/attachments", { method: "POST", body: multipart({ receipt: created.receipt }, [{ name: "more.pdf", bytes: PDF_BYTES }]) });
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body.attachments).toEqual([expect.objectContaining({ mediaType: "application/pdf", sizeBytes: PDF_BYTES.length })]);
    const view = (await status(created.receipt)).body;
    expect(view.report.attachmentCount).toBe(1);
    expect(view.timeline.map((e: any) => e.kind)).toContain("evidence_added");

    const none = await ctx.app.request("/api/v1/reports/attachments", { method: "POST", body: multipart({ receipt: created.receipt }) });
    expect(none.status).toBe(400);
  });

  it("reveals a real-name identity only through an audited call", async () => {
    const created = await submit(validReport({ anonymous: false, reporter: REAL_NAME }));
    const identity = await revealReporterIdentity(ctx.deps, { reportId: created.reportId, actor: { ...investigator, role: "coordinator" }, reason: "reward payment" });
    expect(identity).toEqual(REAL_NAME);
    const views = (await ctx.db.select().from(events).where(eq(events.entityId, created.reportId))).filter((e) => e.action === "report.identity_viewed");
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ actorId: "mem_inspector1", actorRole: "coordinator" });
    expect(views[0]!.data).not.toContain(REAL_NAME.idNumber);
  });

  it("verifies its own proofs and rejects tampered ones", async () => {
    const created = await submit();
    const ok = await ctx.app.request("/api/v1/proofs/verify", jsonPost(created.proof));
    expect(await ok.json()).toEqual({ signatureValid: true, matchesRecord: true });
    const tampered = { ...created.proof, contentHash: "f".repeat(64) };
    const bad = await ctx.app.request("/api/v1/proofs/verify", jsonPost(tampered));
    expect(await bad.json()).toEqual({ signatureValid: false, matchesRecord: false });
    const jwk = (await (await ctx.app.request("/api/v1/proofs/public-key")).json()) as JsonWebKey & { d?: string };
    expect(jwk.kty).toBe("EC");
    expect(jwk.d).toBeUndefined();
  });

  it("serves the taxonomy and the region tree in both languages", async () => {
    const en = (await (await ctx.app.request("/api/v1/taxonomy?lang=en")).json()) as any;
    const zh = (await (await ctx.app.request("/api/v1/taxonomy", { headers: { "accept-language": "zh-CN" } })).json()) as any;
    expect(en.subjects[0]).toMatchObject({ code: "medical_institution", label: "Medical institution" });
    expect(zh.subjects[0].types[0]).toEqual({ code: "split_hospitalisation", label: "分解住院" });
    const cities = (await (await ctx.app.request("/api/v1/regions?parent=510000")).json()) as any;
    expect(cities.regions.map((r: any) => r.name)).toContain("成都市");
    expect((await ctx.app.request("/api/v1/regions?parent=123456")).status).toBe(404);
  });
});

describe("citizen intake through the pages", () => {
  const tipForm = (token: string) =>
    multipart(
      {
        _once: token,
        subject: "medical_institution",
        violationType: "medical_institution:split_hospitalisation",
        "region.districtCode": "510104",
        targetName: "锦江某某医院",
        occurredFrom: "2026-06-01",
        amountEstimate: "3,000.50",
        description: "病人住院满十五天就办出院，第二天再办入院。",
        anonymous: "false",
        "reporter.name": REAL_NAME.name,
        "reporter.phone": REAL_NAME.phone,
        "reporter.idNumber": REAL_NAME.idNumber,
        insider: "true",
      },
      [{ name: "record.png", bytes: PNG_BYTES }],
    );

  it("submits the form, shows the receipt after a redirect, and opens the status page with it", async () => {
    const browser = createPageClient(ctx.app);
    const form = await browser.get("/report?lang=en");
    const res = await browser.post("/report?lang=en", tipForm(formToken(form.html, "report-form")));
    expect(res.hops).toEqual([303, 200]);
    expect(res.url).toBe("/report/receipt?lang=en");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = res.html;
    const receipt = /data-testid="receipt-code"[^>]*>([^<]+)</.exec(html)![1]!;
    const reportId = /data-testid="report-id">([^<]+)</.exec(html)![1]!;
    expect(html).toContain("download=\"fundwatch-proof-");
    expect(html).not.toContain(REAL_NAME.idNumber);
    // The receipt travels in an encrypted cookie, never in the URL.
    expect([...browser.cookies().values()].join(" ")).not.toContain(receipt);

    const row = await ctx.db.query.reports.findFirst({ where: eq(reports.id, reportId) });
    expect(row).toMatchObject({ provinceCode: "510000", cityCode: "510100", districtCode: "510104", amountEstimateFen: 300050, isInsider: true, channel: "web" });

    const statusPage = await browser.post("/status?lang=en", new URLSearchParams({ receipt }));
    expect(statusPage.hops).toEqual([303, 200]);
    expect(statusPage.url).toBe("/status/view?lang=en");
    expect(statusPage.html).toContain(`Report ${reportId}`);
    expect(statusPage.html).toContain('data-status="received"');
    expect(statusPage.html).toContain("Evidence submitted: 1 file<");
    expect(statusPage.html).not.toContain(receipt);

    await postInvestigatorMessage(ctx.deps, { reportId, body: "Which ward was it?", actor: investigator });
    const view = await browser.get("/status/view?lang=en");
    const reply = await browser.post("/status/reply?lang=en", multipart({ _once: formToken(view.html, "reply-form"), body: "Ward 3, east wing." }));
    expect(reply.hops).toEqual([303, 200]);
    expect(reply.html).toContain("Which ward was it?");
    expect(reply.html).toContain("Ward 3, east wing.");
    expect(reply.html).toContain('data-testid="status-notice">Sent.');

    const zh = await browser.get("/status/view?lang=zh-CN");
    const more = await browser.post("/status/evidence?lang=zh-CN", multipart({ _once: formToken(zh.html, "evidence-form") }, [{ name: "b.pdf", bytes: PDF_BYTES }]));
    expect(more.html).toContain("已添加 1 个文件。");

    // Leaving ends the session: the status page asks for the receipt again.
    await browser.post("/status/leave?lang=en", new URLSearchParams());
    const after = await browser.get("/status/view?lang=en");
    expect(after.status).toBe(401);
    expect(after.html).toContain('id="receipt-form"');
  });

  it("answers an unknown receipt on the page with 404 and the entry form", async () => {
    const res = await ctx.app.request("/status?lang=zh-CN", { method: "POST", body: new URLSearchParams({ receipt: "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ" }) });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("没有找到与该回执码对应的举报");
  });
});
