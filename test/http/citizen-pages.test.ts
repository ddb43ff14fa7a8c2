// The public pages as a citizen meets them, through app.request(): official framing from the config,
// standards mode, /report small and cached, regions on demand without the script, one error summary,
// the receipt's "saved?" step and language switch, the PDF receipt and /verify (file, QR address,
// forgeries), the status page's next step, deadline and real-name acceptance notice, and the notice
// deadline on the leads' side (escalation until the reporter has seen it).
import { eq, like } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, PDFName, PDFRawStream, PDFDict, decodePDFRawStream } from "pdf-lib";
import { createApp } from "../../src/http/app";
import { loadCjkFont } from "../../src/http/cjk-font-node";
import { createReceiptPdfRenderer } from "../../src/http/receipt-pdf";
import { events, leads, members, outbox, reports } from "../../src/db/schema";
import { escalateOverdueLeads } from "../../src/services/leads/escalation";
import { runLeadCommand } from "../../src/services/leads/leads";
import { createTestContext, type TestContext } from "../support/context";
import { PNG_BYTES, REAL_NAME, jsonPost, multipart, validReport } from "../support/fixtures";
import { createPageClient } from "../support/page-client";
import { CHENGDU, importExampleOrg } from "../support/round-trips";
import { webReportFields } from "../support/web-report";

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext({ AUTHORITY_NAME_ZH: "成都市医疗保障局", AUTHORITY_NAME_EN: "Chengdu Healthcare Security Administration", FOOTER_LINES: "蜀ICP备12345678号|川公网安备51010402000001号" });
});
afterEach(() => ctx.close());

/** The form fields of a complete web report (district only: the server fills in the rest). */
function webReport(token: string, extra: Record<string, string> = {}) {
  return multipart(
    webReportFields(token, extra),
    [{ name: "病房.png", bytes: PNG_BYTES, type: "image/png" }],
  );
}
const tokenOf = (html: string) => /name="_once" value="([^"]+)"/.exec(html)![1]!;

async function fileReport(browser = createPageClient(ctx.app), extra: Record<string, string> = {}) {
  const form = await browser.get("/report");
  const receiptPage = await browser.post("/report", webReport(tokenOf(form.html), extra));
  expect(receiptPage.status).toBe(200);
  const receipt = /data-testid="receipt-code"[^>]*>([^<]+)</.exec(receiptPage.html)![1]!.trim();
  const reportId = /data-testid="report-id">([^<]+)</.exec(receiptPage.html)![1]!.trim();
  return { browser, receipt, reportId, html: receiptPage.html };
}

describe("official framing and standards mode", () => {
  it("every public page starts with <!DOCTYPE html> and speaks the configured authority, hotline and filing lines", async () => {
    for (const path of ["/", "/report", "/notice", "/privacy", "/verify", "/status", "/no-such-page"]) {
      const zh = await (await ctx.app.request(path)).text();
      expect(zh.startsWith("<!DOCTYPE html>"), path).toBe(true);
      expect(zh).toMatch(/<title>[^<]+ · 成都市医疗保障局<\/title>/);
      expect(zh).not.toContain("FundWatch");
      expect(zh).toContain('href="tel:12393"');
      expect(zh).toContain("蜀ICP备12345678号");
      expect(zh).toContain("川公网安备51010402000001号");
      const en = await (await ctx.app.request(`${path}?lang=en`)).text();
      expect(en).toContain("Chengdu Healthcare Security Administration");
    }
    const notice = await (await ctx.app.request("/notice")).text();
    expect(notice).toContain("15 个工作日内");
    expect(notice).toContain("5 个工作日内");
    expect(notice).toContain("诬告陷害");
    expect(notice).toContain("《医疗保障基金使用监督管理条例》");
  });

  it("refuses an emblem the pages' CSP would block and a malformed legal-basis entry, naming the variable", async () => {
    const { parseConfig } = await import("../../src/config");
    expect(() => parseConfig({ AUTHORITY_EMBLEM_URL: "https://elsewhere.example/logo.png" })).toThrow(/AUTHORITY_EMBLEM_URL/);
    expect(() => parseConfig({ LEGAL_BASIS: "只有一个名字" })).toThrow(/LEGAL_BASIS/);
    expect(parseConfig({ LEGAL_BASIS: "甲|A|https://a.example/x;乙|B" }).LEGAL_BASIS).toEqual([{ zh: "甲", en: "A", url: "https://a.example/x" }, { zh: "乙", en: "B" }]);
  });

  it("large text is a link and a cookie, no script needed", async () => {
    const browser = createPageClient(ctx.app);
    expect((await browser.get("/notice?text=large")).html).toContain('<html lang="zh-CN" class="large">');
    expect((await browser.get("/report")).html).toContain('class="large"');
    expect((await browser.get("/report?text=normal")).html).not.toContain('class="large"');
  });
});

describe("/report is small and built once", () => {
  it("weighs at most 60 KB before compression in both languages and sizes, and lists provinces only", async () => {
    for (const path of ["/report", "/report?lang=en", "/report?text=large"]) {
      const html = await (await ctx.app.request(path)).text();
      expect(Buffer.byteLength(html), path).toBeLessThanOrEqual(60 * 1024);
      expect(html).toContain('value="510000"');
      expect(html).not.toContain('value="510104"');
    }
  });

  it("serves the static pages from the page cache: identical bytes per language, different across languages", async () => {
    for (const path of ["/", "/notice", "/privacy", "/verify", "/status"]) {
      const a = await (await ctx.app.request(path)).text();
      const b = await (await ctx.app.request(path)).text();
      const en = await (await ctx.app.request(`${path}?lang=en`)).text();
      expect(b).toBe(a);
      expect(en).not.toBe(a);
    }
  });

  it("without the script, 'list cities and districts' posts the form back with the province's lists and files nothing", async () => {
    const browser = createPageClient(ctx.app);
    const form = await browser.get("/report");
    const token = tokenOf(form.html);
    const fields = { _once: token, _region: "1", "region.provinceCode": "510000", targetName: "锦江某某医院", description: "康复科挂床住院" };
    const back = await browser.post("/report", multipart(fields));
    expect(back.status).toBe(200);
    expect(back.html).toContain('value="510100"'); // 成都市
    expect(back.html).toContain('value="510104"'); // 锦江区
    expect(back.html).not.toContain('value="110105"');
    expect(back.html).toContain('value="锦江某某医院"');
    expect(tokenOf(back.html)).toBe(token);
    expect(back.html).not.toContain('data-testid="form-errors"');
    expect(await ctx.db.select().from(reports)).toHaveLength(0);
  });

  it("shows one error summary (the only alert) linking to each field, and ties each error to its control", async () => {
    const browser = createPageClient(ctx.app);
    const form = await browser.get("/report");
    const res = await browser.post("/report", multipart({ _once: tokenOf(form.html), anonymous: "false" }));
    expect(res.status).toBe(400);
    expect(res.html.match(/role="alert"/g)).toHaveLength(1);
    for (const id of ["subject", "violationType", "targetName", "occurredFrom", "description", "reporterName", "reporterPhone", "reporterIdNumber"]) {
      expect(res.html, id).toContain(`href="#${id}"`);
      expect(res.html, id).toMatch(new RegExp(`id="${id}"[^>]*aria-describedby="[^"]*${id}-error"[^>]*aria-invalid="true"|id="${id}"[^>]*aria-invalid="true"`));
    }
  });
});

describe("the receipt is hard to lose", () => {
  it("keeps the receipt through the language switch, and asks 'saved?' before moving on", async () => {
    const { browser, receipt, html } = await fileReport();
    expect(html).toContain('data-copy="receipt-code"');
    expect(html).toContain('href="/report/receipt?lang=en"');
    const en = await browser.get("/report/receipt?lang=en");
    expect(en.status).toBe(200);
    expect(en.html).toContain(receipt);
    expect(en.html).toContain("Acknowledgement of receipt");
    const notSaved = await browser.post("/report/receipt/done?lang=en", new URLSearchParams({}));
    expect(notSaved.status).toBe(400);
    expect(notSaved.html).toContain('aria-invalid="true"');
    expect(notSaved.html).toContain(receipt);
    const saved = await browser.post("/report/receipt/done?lang=en", new URLSearchParams({ saved: "yes" }));
    expect(saved.hops).toEqual([303, 200]);
    expect(saved.html).toContain('id="receipt-form"');
  });

  it("the 受理回执 names the report, time, categories and authority, never the receipt, the target or the text", async () => {
    const { html, receipt, reportId } = await fileReport();
    const block = /<section class="official"[\s\S]*?<\/section>/.exec(html)![0];
    expect(block).toContain("受理回执");
    expect(block).toContain(reportId);
    expect(block).toContain("挂床住院");
    expect(block).toContain("四川省 成都市 锦江区");
    expect(block).toContain("成都市医疗保障局");
    expect(block).toContain("2026-12-15"); // 15 working days after Tue 2026-11-24
    expect(block).not.toContain(receipt);
    expect(block).not.toContain("锦江某某医院");
    expect(block).not.toContain("康复科");
    const link = /data-testid="verify-link">([^<]+)</.exec(block)![1]!.replace(/&amp;/g, "&");
    expect(new URL(link).pathname).toBe("/verify");
    expect(link.replace(/[^0-9A-Z]/gi, "").toUpperCase()).not.toContain(receipt.replace(/-/g, ""));
  });
});

describe("proof a person can check", () => {
  it("downloads a PDF with Chinese text whose embedded proof /verify calls genuine; an edited one is not", async () => {
    const app = createApp({ ...ctx.deps, receiptPdf: createReceiptPdfRenderer(loadCjkFont) });
    const { browser, reportId } = await fileReport(createPageClient(app));
    const res = await app.request("/report/receipt.pdf", { headers: { cookie: [...browser.cookies()].map(([k, v]) => `${k}=${v}`).join("; ") } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const pdf = new Uint8Array(await res.arrayBuffer());
    expect(pdf.length).toBeLessThan(400 * 1024);

    // The embedded font really has outlines for the Chinese text (pdf-lib's subsetter lost them).
    const doc = await PDFDocument.load(pdf);
    const descriptor = doc.context
      .enumerateIndirectObjects()
      .map(([, o]) => o)
      .find((o): o is PDFDict => o instanceof PDFDict && o.get(PDFName.of("FontFile2")) !== undefined)!;
    const fontFile = doc.context.lookup(descriptor.get(PDFName.of("FontFile2"))) as PDFRawStream;
    const embedded = fontkit.create(Buffer.from(decodePDFRawStream(fontFile).decode()));
    for (const ch of "受理回执成都市医疗保障局挂床住院")
      expect((embedded.glyphForCodePoint(ch.codePointAt(0)!).path as unknown as { commands: unknown[] }).commands.length, ch).toBeGreaterThan(0);
    expect(doc.getTitle()).toContain(reportId);
    expect(doc.context.lookup(doc.context.trailerInfo.Info, PDFDict).get(PDFName.of("FundWatchProof"))).toBeDefined();

    const verify = async (bytes: Uint8Array, name = "回执.pdf") => (await app.request("/verify", { method: "POST", body: multipart({}, [{ name, bytes, type: "application/pdf" }], "proof") })).text();
    const genuine = await verify(pdf);
    expect(genuine).toContain('data-genuine="true"');
    expect(genuine).toContain(reportId);
    expect(genuine).toContain("成都市医疗保障局");

    const text = Buffer.from(pdf).toString("latin1");
    const inside = /\/FundWatchProof \(([A-Za-z0-9_-]+)\)/.exec(text)![1]!;
    const proof = JSON.parse(Buffer.from(inside, "base64url").toString("utf8")) as { reportId: string; submittedAt: string };
    const forged = { ...proof, submittedAt: new Date(Date.parse(proof.submittedAt) - 60_000).toISOString() };
    const edited = Buffer.from(text.replace(inside, Buffer.from(JSON.stringify(forged)).toString("base64url")), "latin1");
    const answer = await verify(edited);
    expect(answer).toContain('data-genuine="false"');
    expect(answer).toContain("电子签名无效");
    expect(await verify(new TextEncoder().encode("not a proof"), "x.txt")).toContain("无法从该文件中读取提交凭证");
  });

  it("verifies the JSON proof and the QR address; a QR address with another time or signature is not genuine", async () => {
    const created = (await (await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU })))).json()) as { reportId: string; proof: Record<string, string> };
    const json = new TextEncoder().encode(JSON.stringify(created.proof));
    const upload = await (await ctx.app.request("/verify?lang=en", { method: "POST", body: multipart({}, [{ name: "proof.json", bytes: json, type: "application/json" }], "proof") })).text();
    expect(upload).toContain('data-genuine="true"');
    expect(upload).toContain("Genuine");
    const p = created.proof;
    const q = (over: Record<string, string> = {}) => `/verify?${new URLSearchParams({ id: p.reportId!, t: p.submittedAt!, h: p.contentHash!, k: p.keyId!, s: p.signature!, ...over })}`;
    expect(await (await ctx.app.request(q())).text()).toContain('data-genuine="true"');
    expect(await (await ctx.app.request(q({ t: new Date(Date.parse(p.submittedAt!) + 1).toISOString() }))).text()).toContain('data-genuine="false"');
    const otherSignature = p.signature!.slice(0, -2) + (p.signature!.endsWith("AA") ? "BB" : "AA");
    expect(await (await ctx.app.request(q({ s: otherSignature }))).text()).toContain('data-genuine="false"');
    expect((await ctx.app.request("/verify?id=nonsense")).status).toBe(200);
  });

  it("without a PDF renderer (the Worker) the PDF link falls back to the printable receipt", async () => {
    const { browser } = await fileReport();
    const res = await browser.get("/report/receipt.pdf");
    expect(res.hops).toEqual([303, 200]);
    expect(res.html).toContain("受理回执");
  });
});

describe("the status page answers 'what now?'", () => {
  async function openStatus(browser: ReturnType<typeof createPageClient>, receipt: string) {
    return browser.post("/status", new URLSearchParams({ receipt }));
  }

  it("says the state in words, the decision deadline on the working-day calendar, lists own files, keeps the language", async () => {
    const { browser, receipt } = await fileReport();
    const page = await openStatus(browser, receipt);
    expect(page.html).toContain('data-kind="decision"');
    expect(page.html).toContain("最迟 2026-12-15");
    expect(page.html).toContain("我们已收到您的举报");
    expect(page.html).toMatch(/data-testid="own-files"[\s\S]*病房\.png/);
    const en = await browser.get("/status/view?lang=en");
    for (const href of en.html.match(/href="\/[^"]*"/g) ?? []) if (!href.startsWith('href="/assets/')) expect(href).toContain("lang=");
    expect(en.html).toContain("by 2026-12-15 at the latest");
  });

  it("shows a real-name reporter the acceptance notice after the decision; the leads escalate it until seen", async () => {
    await importExampleOrg(ctx.deps);
    const { browser, receipt, reportId } = await fileReport(createPageClient(ctx.app), {
      anonymous: "false",
      "reporter.name": REAL_NAME.name,
      "reporter.phone": REAL_NAME.phone,
      "reporter.idNumber": REAL_NAME.idNumber,
    });
    const other = await fileReport(createPageClient(ctx.app), {
      targetName: "青羊某某医院",
      "region.districtCode": "510105",
      anonymous: "false",
      "reporter.name": REAL_NAME.name,
      "reporter.phone": REAL_NAME.phone,
      "reporter.idNumber": REAL_NAME.idNumber,
    });
    const before = await openStatus(browser, receipt);
    expect(before.html).toContain("受理告知会显示在本页");
    expect(before.html).not.toContain('data-testid="decision-notice"');

    const all = await ctx.db.select().from(leads);
    const accept = async (leadId: string, key: string) => {
      const lead = all.find((l) => l.id === leadId)!;
      const assignee = (await ctx.db.select().from(members).where(eq(members.id, lead.assigneeId!)))[0]!;
      expect((await runLeadCommand(ctx.deps, { leadId, command: { type: "accept" }, actor: { member: assignee, platform: "telegram" }, dedupeKey: key })).status).toBe("done");
    };
    const leadOf = (name: string) => all.find((l) => l.targetName === name)!;
    ctx.setNow("2026-11-25T02:00:00Z");
    await accept(leadOf("锦江某某医院").id, "accept-1");
    await accept(leadOf("青羊某某医院").id, "accept-2");
    // The notice is due 5 working days after the decision (Wed 25 Nov → Wed 2 Dec, end of day).
    const [accepted] = await ctx.db.select().from(leads).where(eq(leads.id, leadOf("青羊某某医院").id));
    expect(accepted!.nextEscalationAt).toBe(Date.parse("2026-12-02T15:59:59.999Z"));

    // The first reporter looks and sees the notice; the second does not look.
    const after = await openStatus(browser, receipt);
    expect(after.html).toMatch(/data-testid="decision-notice"[\s\S]*受理告知[\s\S]*2026-11-25 决定受理/);
    expect(after.html).toContain("规定最迟 2026-12-02 前告知");
    const seen = await ctx.db.select().from(events).where(eq(events.action, "report.decision_notice_seen"));
    expect(seen.map((e) => e.entityId)).toEqual([reportId]);

    ctx.setNow("2026-12-03T02:00:00Z");
    await escalateOverdueLeads(ctx.deps);
    const reminders = await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, "esc:%"));
    const texts = reminders.map((r) => String((JSON.parse(r.payload) as { message: { text: string } }).message.text));
    const notifyKeys = reminders.map((r) => r.dedupeKey).filter((k) => k?.includes(":notify:"));
    expect(notifyKeys).toEqual([`esc:${leadOf("青羊某某医院").id}:notify:0`]);
    expect(texts.join("\n")).toContain("实名举报人尚未获知受理决定");
    expect(other.reportId).not.toBe(reportId);
    // The lead whose reporter saw the notice is done with it: nothing more falls due for the notice.
    const [seenLead] = await ctx.db.select().from(leads).where(eq(leads.id, leadOf("锦江某某医院").id));
    expect(JSON.parse(seenLead!.escalations).notify).toBe(3);
  });
});
