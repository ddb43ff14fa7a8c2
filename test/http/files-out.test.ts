// Files out, through the page routes: every download is named by us and by its detected type (a unit's
// "PDF" called x.html, a workbook called .docm, evidence with the tipster's own file name), never by
// the uploader; bytes of a type we do not accept go out as application/octet-stream .bin with nosniff;
// every CSV (board, batch feedback from the triage page) neutralises formulas that came from outside.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leadReports, members, reportAttachments, submissionFiles, units } from "../../src/db/schema";
import { batchLinkToken } from "../../src/services/leads/batch-cards";
import { caseLinkToken } from "../../src/services/chat-actions";
import { importScreeningBatch } from "../../src/services/leads/lead-sources";
import { boardUrl, unitPageUrl } from "../../src/services/campaigns/links";
import { createTestContext, type TestContext } from "../support/context";
import { seedCampaign, type SeededCampaign } from "../support/campaign-seed";
import { PNG_BYTES, PDF_BYTES, validReport } from "../support/fixtures";
import { docxFile } from "../support/office-files";
import { CHENGDU, importExampleOrg } from "../support/round-trips";
import { DANGEROUS_CELLS, parseRfc4180 } from "../support/csv-parse";

let ctx: TestContext;
let seed: SeededCampaign;
beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  seed = await seedCampaign(ctx, { units: 2 });
});
afterAll(() => ctx.close());

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
const unescape = (s: string) => s.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'");

/** Both parameters of a Content-Disposition: the plain name and the decoded UTF-8 one. */
function dispositionNames(header: string | null): { filename: string; filenameStar: string } {
  expect(header).not.toBeNull();
  const filename = /(?:^|;)\s*filename="([^"]*)"/.exec(header!)?.[1];
  const star = /(?:^|;)\s*filename\*=UTF-8''([^;\s]+)/.exec(header!)?.[1];
  expect(filename, header!).toBeDefined();
  expect(star, header!).toBeDefined();
  return { filename: filename!, filenameStar: decodeURIComponent(star!) };
}

// Bytes that sniff as PDF but are an HTML page after the magic: a polyglot that a browser would render
// as a page if it were saved as x.html.
const HTML_PDF = new TextEncoder().encode("%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n");

describe("a unit's documents", () => {
  it("are served as <unit>-<deliverable>.<detected type> in filename and filename*, never as x.html or .docm", async () => {
    const unitId = seed.unitIds[0]!;
    const contact = seed.contacts.get(unitId)!;
    const link = pathOf(await unitPageUrl(ctx.deps, { memberId: contact, unitId }, ctx.deps.now()));
    const assignmentId = seed.assignmentIds.get(`${unitId}|self-inspection`)!;
    const html = await (await ctx.app.request(link)).text();
    const section = html.slice(html.indexOf(`data-assignment="${assignmentId}"`));
    const m = /<form method="post" action="([^"]*\/submit\?[^"]*)"[^>]*>[\s\S]*?name="_once" value="([^"]+)"/.exec(section)!;
    const body = new FormData();
    body.set("_once", m[2]!);
    body.set("note", "见附件");
    body.append("files", new File([HTML_PDF as Uint8Array<ArrayBuffer>], "x.html", { type: "text/html" }));
    body.append("files", new File([docxFile() as Uint8Array<ArrayBuffer>], "宏.docm"));
    body.append("files", new File([HTML_PDF as Uint8Array<ArrayBuffer>], "x.pdf\r\nX-Evil: 1.pdf"));
    const res = await ctx.app.request(unescape(m[1]!), { method: "POST", body, redirect: "manual" });
    expect(res.status).toBe(303);

    const page = await (await ctx.app.request(res.headers.get("location")!)).text();
    const hrefs = [...page.matchAll(/<a href="([^"]*\/files\/[^"]+)"/g)].map((x) => unescape(x[1]!));
    expect(hrefs).toHaveLength(3);
    const unitName = (await ctx.db.query.units.findFirst({ where: eq(units.id, unitId) }))!.name;
    const seen: string[] = [];
    for (const href of hrefs) {
      const download = await ctx.app.request(href);
      expect(download.status).toBe(200);
      expect(download.headers.get("x-content-type-options")).toBe("nosniff");
      const type = download.headers.get("content-type")!;
      const { filename, filenameStar } = dispositionNames(download.headers.get("content-disposition"));
      const ext = type === "application/pdf" ? "pdf" : "docx";
      expect(filenameStar).toBe(`${unitName}-自查报告.${ext}`);
      expect(filename).toBe(`${unitId}-self-inspection.${ext}`);
      for (const bad of ["html", "docm", "x.pdf", "X-Evil", "\r", "\n"]) expect(download.headers.get("content-disposition")!, bad).not.toContain(bad);
      seen.push(type);
    }
    expect(seen.sort()).toEqual(["application/pdf", "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]);

    // The coordinator's board serves the same file under the same kind of name (in their language).
    const board = await (await ctx.app.request(pathOf(await boardUrl(ctx.deps, { memberId: seed.coordinatorId, campaignId: seed.campaignId }, ctx.deps.now())))).text();
    const boardHref = unescape(/<a href="([^"]+\/board\/files\/[^"]+)"/.exec(board)![1]!);
    const fromBoard = await ctx.app.request(boardHref);
    expect(fromBoard.status).toBe(200);
    const names = dispositionNames(fromBoard.headers.get("content-disposition"));
    expect(names.filename).toMatch(new RegExp(`^${unitId}-self-inspection\\.(pdf|docx)$`));
    expect(names.filenameStar).toMatch(new RegExp(`^${unitName}-(自查报告|Self-inspection report)\\.(pdf|docx)$`));

    // A stored file whose type we do not (or no longer) accept goes out as octet-stream .bin, nosniff.
    const fileId = /files\/([^?]+)/.exec(hrefs[0]!)![1]!;
    await ctx.db.update(submissionFiles).set({ mediaType: "text/html" }).where(eq(submissionFiles.id, fileId));
    const neutral = await ctx.app.request(hrefs[0]!);
    expect(neutral.headers.get("content-type")).toBe("application/octet-stream");
    expect(neutral.headers.get("x-content-type-options")).toBe("nosniff");
    const bin = dispositionNames(neutral.headers.get("content-disposition"));
    expect(bin.filename.endsWith(".bin")).toBe(true);
    expect(bin.filenameStar.endsWith(".bin")).toBe(true);
  });
});

describe("evidence on the case page", () => {
  it("is named 证据-n / evidence-n with its detected type, never the tipster's file name", async () => {
    const form = new FormData();
    form.append("report", JSON.stringify(validReport({ region: CHENGDU, targetName: "成都某某医院" })));
    form.append("evidence", new File([PNG_BYTES as Uint8Array<ArrayBuffer>], "李四-举报.html", { type: "text/html" }));
    form.append("evidence", new File([PDF_BYTES as Uint8Array<ArrayBuffer>], "payload.docm"));
    const res = await ctx.app.request("/api/v1/reports", { method: "POST", body: form });
    expect(res.status).toBe(201);
    const { reportId } = (await res.json()) as { reportId: string };
    const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
    const files = await ctx.db.select().from(reportAttachments).where(eq(reportAttachments.reportId, reportId));
    const png = files.find((f) => f.mediaType === "image/png")!;
    const pdf = files.find((f) => f.mediaType === "application/pdf")!;
    const memberOf = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!;
    const q = async (name: string) => `t=${encodeURIComponent(await caseLinkToken(ctx.deps, leadId, (await memberOf(name)).id, ctx.deps.now().getTime() + 600_000))}`;

    const coordinator = await q("陈静");
    const stripped = await ctx.app.request(`/cases/${leadId}/attachments/${png.id}?${coordinator}`);
    expect(stripped.status).toBe(200);
    expect(stripped.headers.get("content-type")).toBe("image/png");
    const zh = dispositionNames(stripped.headers.get("content-disposition"));
    expect(zh).toEqual({ filename: "evidence-1.png", filenameStar: "证据-1.png" });
    const original = await ctx.app.request(`/cases/${leadId}/attachments/${pdf.id}/original?${coordinator}`, { method: "POST", body: new URLSearchParams({ reason: "核对原件" }) });
    expect(original.status).toBe(200);
    expect(dispositionNames(original.headers.get("content-disposition"))).toEqual({ filename: "evidence-2.pdf", filenameStar: "证据-2.pdf" });
    for (const r of [stripped, original]) for (const bad of ["李四", "html", "docm", "payload"]) expect(r.headers.get("content-disposition")!).not.toContain(encodeURIComponent(bad));

    // A member reading in English gets evidence-n.
    const chen = await memberOf("陈静");
    await ctx.db.update(members).set({ locale: "en" }).where(eq(members.id, chen.id));
    const en = await ctx.app.request(`/cases/${leadId}/attachments/${png.id}?${coordinator}`);
    await ctx.db.update(members).set({ locale: chen.locale }).where(eq(members.id, chen.id));
    expect(dispositionNames(en.headers.get("content-disposition"))).toEqual({ filename: "evidence-1.png", filenameStar: "evidence-1.png" });

    // Bytes stored under a type we do not accept are served neutrally.
    await ctx.db.update(reportAttachments).set({ mediaType: "text/html" }).where(eq(reportAttachments.id, png.id));
    const neutral = await ctx.app.request(`/cases/${leadId}/attachments/${png.id}?${coordinator}`);
    expect(neutral.headers.get("content-type")).toBe("application/octet-stream");
    expect(neutral.headers.get("x-content-type-options")).toBe("nosniff");
    expect(dispositionNames(neutral.headers.get("content-disposition"))).toEqual({ filename: "evidence-1.bin", filenameStar: "证据-1.bin" });
  });
});

describe("CSV formulas", () => {
  it("the batch feedback file from the triage page neutralises every dangerous cell; the XLSX keeps them as strings", async () => {
    const header = "rule,institution,region_code,subject,violation_type,period_from,period_to,amount_yuan,details,ref";
    const csvCell = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const lines = [header, ...DANGEROUS_CELLS.map((d, i) => [csvCell(d), csvCell(`${d} 医院${i}`), "510104", "medical_institution", "ghost_admission", "", "", "", "", csvCell(`${d}#${i}`)].join(","))];
    const staff = { type: "member" as const, id: "mem_coordinator", role: "coordinator", platform: "cli" };
    const { batchId } = await importScreeningBatch(ctx.deps, lines.join("\r\n") + "\r\n", staff, "公式测试", {});
    const coordinator = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!;
    const token = await batchLinkToken(ctx.deps, batchId, coordinator.id, ctx.deps.now().getTime() + 30 * 60_000);
    const res = await ctx.app.request(`/batches/${batchId}/feedback.csv?t=${encodeURIComponent(token)}`);
    expect(res.status).toBe(200);
    expect(dispositionNames(res.headers.get("content-disposition")).filename).toBe(`batch-${batchId}-feedback.csv`);
    const rows = parseRfc4180((await res.text()).replace(/^\uFEFF/, ""));
    const body = rows.slice(1);
    expect(body).toHaveLength(DANGEROUS_CELLS.length);
    body.forEach((row, i) => {
      // The import trims cells ("\t=1" is stored as "=1"): what it stored must come back neutralised.
      const d = DANGEROUS_CELLS[i]!.trim();
      expect(row[0]).toBe(`'${d}#${i}`);
      expect(row[1]).toBe(`'${d}`);
      expect(row[2]).toBe(`'${d} 医院${i}`);
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    });

    const xlsx = await ctx.app.request(`/batches/${batchId}/feedback.xlsx?t=${encodeURIComponent(token)}`);
    expect(dispositionNames(xlsx.headers.get("content-disposition")).filename).toBe(`batch-${batchId}-feedback.xlsx`);
    const text = Buffer.from(await xlsx.arrayBuffer()).toString("utf8");
    const sheet = text.slice(text.indexOf("<worksheet"), text.indexOf("</worksheet>"));
    expect(sheet).not.toMatch(/<f[ >]/);
    const cells = [...sheet.matchAll(/<c [^>]*>/g)].map((x) => x[0]);
    expect(cells.every((c) => c.includes('t="inlineStr"'))).toBe(true);
    expect(sheet).toContain("=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)");
  });

  it("the board CSV neutralises a unit name that is a formula; its own counts stay numbers", async () => {
    const unitId = seed.unitIds[1]!;
    for (const d of DANGEROUS_CELLS) {
      await ctx.db.update(units).set({ name: d }).where(eq(units.id, unitId));
      const url = pathOf(await boardUrl(ctx.deps, { memberId: seed.coordinatorId, campaignId: seed.campaignId }, ctx.deps.now())).replace("/board?", "/board.csv?");
      const res = await ctx.app.request(url);
      expect(res.status).toBe(200);
      expect(dispositionNames(res.headers.get("content-disposition")).filename).toBe(`${seed.campaignId}-board.csv`);
      const rows = parseRfc4180((await res.text()).replace(/^\uFEFF/, ""));
      const mine = rows.filter((r) => r[1] === unitId);
      expect(mine.length).toBeGreaterThan(0);
      for (const r of mine) {
        expect(r[2]).toBe(`'${d}`);
        expect(r[r.length - 1]).toMatch(/^\d+$/);
      }
    }
  });
});
