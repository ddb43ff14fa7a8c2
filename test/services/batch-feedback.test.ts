// The feedback file of a screening batch: every row in the file's order with its lead's outcome, as
// CSV for Excel and as an .xlsx that is a valid ZIP (read back here with a small reader).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchRows, members } from "../../src/db/schema";
import { fenToYuan } from "../../src/core/money";
import { batchFeedbackRows, crc32, feedbackCsv, feedbackXlsx, shanghaiDate } from "../../src/services/leads/batch-feedback";
import { importScreeningBatch, parseCsv } from "../../src/services/leads/lead-sources";
import { runLeadCommand, type MemberActor } from "../../src/services/leads/leads";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
let coordinator: MemberActor;
const staff = { type: "member" as const, id: "mem_coordinator", role: "coordinator", platform: "cli" };
const CSV = [
  "rule,institution,region_code,subject,violation_type,amount_yuan,details,ref",
  '"规则A, ""追溯码""",青羊某某大药房,510105,pharmacy,fake_invoices,48200.00,"含逗号, 和""引号""",NHSA-1',
  "规则B,武侯某某社区卫生服务中心,510107,medical_institution,fake_patient_condition_receipt,3150.50,,NHSA-2",
  "规则C,锦江某某康复医院,510104,medical_institution,ghost_admission,,,",
  "规则D,青羊某某大药房,510105,pharmacy,fake_invoices,10,,NHSA-4",
].join("\r\n");

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  const m = await ctx.db.query.members.findFirst({ where: eq(members.role, "coordinator") });
  coordinator = { member: m!, platform: "cli" };
});
afterAll(() => ctx.close());

let key = 0;
async function run(leadId: string, command: Parameters<typeof runLeadCommand>[1]["command"]) {
  const r = await runLeadCommand(ctx.deps, { leadId, command, actor: coordinator, dedupeKey: `t:${key++}` });
  expect(r.status).toBe("done");
}

/** Entries of a store-only ZIP, read from its central directory, each checked against its CRC. */
function readStoredZip(zip: Uint8Array): Map<string, string> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  expect(view.getUint32(eocd, true)).toBe(0x06054b50);
  const entries = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const out = new Map<string, string>();
  const dec = new TextDecoder("utf-8", { fatal: true });
  for (let i = 0; i < entries; i++) {
    expect(view.getUint32(at, true)).toBe(0x02014b50);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const size = view.getUint32(at + 20, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = dec.decode(zip.subarray(at + 46, at + 46 + nameLen));
    expect(method).toBe(0);
    expect(view.getUint32(local, true)).toBe(0x04034b50);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = zip.subarray(start, start + size);
    expect(crc32(data)).toBe(crc);
    out.set(name, dec.decode(data));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

describe("batch feedback file", () => {
  it("formats money by digits and dates in Shanghai time; CRC-32 is the standard one", () => {
    expect([fenToYuan(0), fenToYuan(5), fenToYuan(123456), fenToYuan(4820000)]).toEqual(["0.00", "0.05", "1234.56", "48200.00"]);
    expect(shanghaiDate(Date.parse("2026-11-30T16:30:00Z"))).toBe("2026-12-01");
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("round-trips the batch's references with outcomes, amounts, closing dates and handlers", async () => {
    ctx.setNow("2026-11-24T02:00:00Z");
    const batch = await importScreeningBatch(ctx.deps, CSV, staff, "nhsa-2026-11.csv", { reference: "国医保办发〔2026〕1号", feedbackDueOn: "2026-12-31" });
    expect(batch).toMatchObject({ rows: 4, created: 3, corroborated: 1 });
    const rows = await ctx.db.select().from(batchRows).where(eq(batchRows.batchId, batch.batchId)).orderBy(batchRows.rowNo);
    const [pharmacy, clinic, rehab] = [rows[0]!.leadId, rows[1]!.leadId, rows[2]!.leadId];
    expect(rows[3]!.leadId).toBe(pharmacy);

    ctx.setNow("2026-11-30T17:00:00Z"); // 1 Dec 01:00 in Shanghai
    await run(pharmacy, { type: "accept" });
    await run(pharmacy, { type: "conclude", outcome: "substantiated", amountFen: 4_820_001 });
    await run(clinic, { type: "accept" });
    await run(clinic, { type: "conclude", outcome: "referred_police" });
    await run(rehab, { type: "acknowledge" });

    const feedback = await batchFeedbackRows(ctx.deps, batch.batchId);
    const csv = feedbackCsv(feedback);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(csv.split("\r\n")).toHaveLength(6); // header, 4 rows, final CRLF
    const table = parseCsv(csv);
    const [header, ...lines] = table;
    const col = (name: string) => header!.findIndex((h) => h.endsWith(name));
    const pick = (line: string[]) => [line[col(" ref")], line[col("lead_id")], line[col("state_code")], line[col("outcome_code")], line[col("verified_amount_yuan")], line[col("referral")], line[col("closed_on")]];
    expect(lines.map(pick)).toEqual([
      ["NHSA-1", pharmacy, "concluded", "substantiated", "48200.01", "", "2026-12-01"],
      ["NHSA-2", clinic, "concluded", "referred_police", "", "已移送公安机关", "2026-12-01"],
      ["row 4", rehab, "acknowledged", "", "", "", ""],
      ["NHSA-4", pharmacy, "concluded", "substantiated", "48200.01", "", "2026-12-01"],
    ]);
    expect(lines[0]![col("state")]).toBe("已办结");
    expect(lines[0]![col("institution")]).toBe("青羊某某大药房");
    expect(lines.every((l) => l[col("handler")] !== "")).toBe(true);
    expect(csv).toContain('"规则A, ""追溯码"""'); // RFC 4180 quoting
    expect(lines[0]![col("rule")]).toBe('规则A, "追溯码"');
    expect(csv).not.toContain("含逗号"); // row details are not echoed

    const sheets = readStoredZip(feedbackXlsx(feedback));
    expect([...sheets.keys()]).toEqual(expect.arrayContaining(["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"]));
    const sheet = sheets.get("xl/worksheets/sheet1.xml")!;
    const cellsOf = (xml: string) =>
      [...xml.matchAll(/<row r="(\d+)">(.*?)<\/row>/g)].map((m) => [...m[2]!.matchAll(/<t xml:space="preserve">(.*?)<\/t>/g)].map((c) => c[1]!.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&")));
    expect(cellsOf(sheet)).toEqual(table);
  });

  it("refuses an unknown batch", async () => {
    await expect(batchFeedbackRows(ctx.deps, "0000000000000000")).rejects.toThrow(/no screening batch/);
  });
});
