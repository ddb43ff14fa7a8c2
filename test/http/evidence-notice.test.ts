// Inspectors hear about new evidence: a tipster's added files post a notice in the thread of the
// lead's card, as replies do — once per submission (a repeated request posts nothing more), files
// arriving while a notice waits join it, and the notice names neither a file nor the tipster.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leadReports, outbox, reports } from "../../src/db/schema";
import { checkEvidence } from "../../src/services/intake/evidence";
import { addReporterMessage } from "../../src/services/intake/reports";
import { createChatHarness, type ChatHarness } from "../support/chat-harness";
import { multipart, PDF_BYTES, PNG_BYTES, REAL_NAME } from "../support/fixtures";

const CHENGDU_CHAT = "-1001000000001";
let h: ChatHarness;
let ctx: ChatHarness["ctx"];

const FILE_NAMES = ["李秀英-住院清单.png", "病历-13912345678.pdf"];

function attach(receipt: string, files: { name: string; bytes: Uint8Array }[], key?: string) {
  return ctx.app.request("/api/v1/reports/attachments", { method: "POST", body: multipart({ receipt }, files), headers: key ? { "idempotency-key": key } : {} });
}

const notices = () => h.sentTo(CHENGDU_CHAT).filter((c) => String(c.body.text).includes("举报人补充了"));

beforeAll(async () => {
  h = await createChatHarness();
  ctx = h.ctx;
});
afterAll(async () => h?.close());

describe("evidence added by a tipster", () => {
  let receipt = "";
  let reportId = "";
  let leadId = "";
  let cardMessageId = 0;

  it("posts one notice in the lead's thread, with the count and without names, once even when the upload is repeated", async () => {
    const tip = await h.submitTip({ region: { districtCode: "510104" }, subject: "pharmacy", violationType: "drugs_for_daily_goods", targetName: "成都某某大药房", anonymous: false, reporter: REAL_NAME });
    receipt = tip.receipt;
    reportId = tip.reportId;
    leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, tip.reportId) }))!.leadId;
    await h.deliver();
    const card = h.sentTo(CHENGDU_CHAT).find((c) => JSON.stringify(c.body).includes(leadId));
    expect(card, "the lead's card was posted").toBeTruthy();
    cardMessageId = h.messageIdOf(card!);

    const files = [
      { name: FILE_NAMES[0]!, bytes: PNG_BYTES },
      { name: FILE_NAMES[1]!, bytes: PDF_BYTES },
    ];
    expect((await attach(receipt, files, "evidence-key-1")).status).toBe(201);
    // The same request again (a retry after a lost answer): answered as a repeat, no second upload, no second notice.
    expect((await attach(receipt, files, "evidence-key-1")).status).toBe(409);
    await h.deliver();

    expect(notices()).toHaveLength(1);
    const notice = notices()[0]!;
    expect(notice.body.text).toBe(`线索 ${leadId} 的举报 #1：举报人补充了 2 个文件，请在案件页面查看。`);
    expect(notice.body.reply_to_message_id ?? (notice.body.reply_parameters as { message_id?: number } | undefined)?.message_id).toBe(cardMessageId);
    const sent = JSON.stringify(notice.body);
    for (const secret of [...FILE_NAMES, REAL_NAME.name, REAL_NAME.phone, REAL_NAME.idNumber]) expect(sent).not.toContain(secret);

    // Delivering again sends nothing more.
    await h.deliver();
    expect(notices()).toHaveLength(1);
  });

  it("counts uploads that arrive while a notice waits in that one notice", async () => {
    expect((await attach(receipt, [{ name: "a.png", bytes: PNG_BYTES }], "evidence-key-2")).status).toBe(201);
    ctx.setNow(new Date(ctx.deps.now().getTime() + 1_000));
    expect((await attach(receipt, [{ name: "b.pdf", bytes: PDF_BYTES }], "evidence-key-3")).status).toBe(201);
    // One row waits (the second coalesced into it).
    const waiting = (await ctx.db.select().from(outbox).where(eq(outbox.status, "pending"))).filter((r) => r.coalesceKey?.startsWith("tipster-evidence:"));
    expect(waiting).toHaveLength(1);
    await h.deliver();
    expect(notices()).toHaveLength(2);
    expect(notices()[1]!.body.text).toBe(`线索 ${leadId} 的举报 #1：举报人补充了 2 个文件，请在案件页面查看。`);
  });

  it("says in the reply digest how many files came with a reply, without naming them", async () => {
    const report = (await ctx.db.query.reports.findFirst({ where: eq(reports.id, reportId) }))!;
    const files = await checkEvidence([{ name: FILE_NAMES[0]!, bytes: PNG_BYTES }], { maxCount: 5, maxBytes: 1_000_000 }, "zh-CN");
    await addReporterMessage(ctx.deps, report, { body: "补充一张收费单照片。", files, channel: "web" });
    await h.deliver();
    const digest = h.sentTo(CHENGDU_CHAT).at(-1)!;
    expect(digest.body.text).toContain("补充一张收费单照片。");
    expect(digest.body.text).toContain("（附 1 个文件，请在案件页面查看）");
    expect(JSON.stringify(digest.body)).not.toContain(FILE_NAMES[0]!);
    // The reply's file is not announced a second time as evidence on its own.
    expect(notices()).toHaveLength(2);
  });

  it("says it in English to an English-speaking team, one file in the singular", async () => {
    const { t } = await import("../../src/i18n");
    expect(t("en", "evidence_notice.one", { id: "lead_X", tip: 2 })).toBe("Tip #2 on lead lead_X: the tipster added 1 file. Open the case page to see it.");
    expect(t("en", "evidence_notice.many", { id: "lead_X", tip: 2, count: 3 })).toBe("Tip #2 on lead lead_X: the tipster added 3 files. Open the case page to see them.");
  });
});
