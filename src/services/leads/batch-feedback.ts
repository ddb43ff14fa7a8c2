// The feedback file (逐条反馈) of a screening batch: one line per row of the file, in its order, with
// what became of the row's lead; as CSV (UTF-8 with BOM, RFC 4180, CRLF) or a minimal .xlsx workbook.
import { asc, eq } from "drizzle-orm";
import { batchRows, leads, members, screeningBatches } from "../../db/schema";
import { numeral, toCsv, type CsvCell } from "../../core/csv";
import { fenToYuan } from "../../core/money";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";

export interface FeedbackRow {
  rowNo: number;
  /** The row's reference, or `row <line>` when the file gave none. */
  ref: string;
  rule: string;
  institution: string;
  leadId: string;
  state: string;
  outcome: string | null;
  amountFen: number | null;
  closedAt: number | null;
  handler: string | null;
}

export const FEEDBACK_HEADER = ["参考号 ref", "筛查规则 rule", "机构 institution", "线索编号 lead_id", "状态 state", "状态代码 state_code", "办理结果 outcome", "结果代码 outcome_code", "核实金额(元) verified_amount_yuan", "移送 referral", "办结日期 closed_on", "承办人 handler"];

/** The batch's rows and their leads, in the file's order (one read). */
export async function batchFeedbackRows(deps: ServiceDeps, batchId: string): Promise<FeedbackRow[]> {
  const batch = await deps.db.query.screeningBatches.findFirst({ where: eq(screeningBatches.id, batchId) });
  if (!batch) throw new AppError("not_found", `no screening batch ${batchId}`);
  const rows = await deps.db
    .select({
      rowNo: batchRows.rowNo,
      ref: batchRows.ref,
      rule: batchRows.rule,
      institution: batchRows.institution,
      leadId: batchRows.leadId,
      state: leads.state,
      outcome: leads.outcome,
      amountFen: leads.substantiatedAmountFen,
      closedAt: leads.closedAt,
      handler: members.displayName,
    })
    .from(batchRows)
    .innerJoin(leads, eq(leads.id, batchRows.leadId))
    .leftJoin(members, eq(members.id, leads.assigneeId))
    .where(eq(batchRows.batchId, batchId))
    .orderBy(asc(batchRows.rowNo));
  return rows.map((r) => ({ ...r, ref: r.ref || `row ${r.rowNo}` }));
}


/** The Asia/Shanghai calendar date of an instant (UTC+8 all year, no daylight saving). */
export function shanghaiDate(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The cells of a feedback line, in FEEDBACK_HEADER's order. */
export function feedbackCells(r: FeedbackRow): string[] {
  const referral = r.outcome?.startsWith("referred_") ? t("zh-CN", `report_outcome.${r.outcome}`) : "";
  return [
    r.ref,
    r.rule,
    r.institution,
    r.leadId,
    t("zh-CN", `chat.lead_state.${r.state}`),
    r.state,
    r.outcome ? t("zh-CN", `report_outcome.${r.outcome}`) : "",
    r.outcome ?? "",
    r.amountFen === null ? "" : fenToYuan(r.amountFen),
    referral,
    r.closedAt === null ? "" : shanghaiDate(r.closedAt),
    r.handler ?? "",
  ];
}

const AMOUNT_COLUMN = FEEDBACK_HEADER.indexOf("核实金额(元) verified_amount_yuan");

/**
 * CSV for Excel through the project's one writer (src/core/csv.ts: BOM, RFC 4180, CRLF, formulas
 * neutralised): every cell from the batch file is text; the verified amount, which we format from fen,
 * stays a number.
 */
export function feedbackCsv(rows: FeedbackRow[]): string {
  return toCsv([FEEDBACK_HEADER, ...rows.map((r) => feedbackCells(r).map((v, i): CsvCell => (i === AMOUNT_COLUMN && v !== "" ? numeral(v) : v)))]);
}

// --- .xlsx: the few OOXML parts Excel needs, in a store-only ZIP written here (no dependency) ---

const xmlText = (v: string) =>
  v
    // Characters XML 1.0 cannot carry at all are dropped.
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");

/** Column letters of a 0-based index: 0 → A, 26 → AA. */
function columnName(i: number): string {
  let s = "";
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The worksheet XML: a header row and every value as an inline string (amounts stay exact text). */
export function sheetXml(table: string[][]): string {
  const rows = table.map(
    (cells, r) =>
      `<row r="${r + 1}">${cells.map((v, c) => `<c r="${columnName(c)}${r + 1}" t="inlineStr"><is><t xml:space="preserve">${xmlText(v)}</t></is></c>`).join("")}</row>`,
  );
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows.join("")}</sheetData></worksheet>`;
}

export function feedbackXlsx(rows: FeedbackRow[], sheetName = "反馈"): Uint8Array {
  const parts: [string, string][] = [
    [
      "[Content_Types].xml",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    ],
    [
      "_rels/.rels",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      "xl/workbook.xml",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${xmlText(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      "xl/_rels/workbook.xml.rels",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ],
    ["xl/worksheets/sheet1.xml", sheetXml([FEEDBACK_HEADER, ...rows.map(feedbackCells)])],
  ];
  const enc = new TextEncoder();
  return storedZip(parts.map(([name, text]) => ({ name, data: enc.encode(text) })));
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3), as ZIP stores it. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A ZIP archive with every entry stored (method 0): what OOXML readers accept, without a compressor. */
export function storedZip(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  // 1980-01-01 00:00 in DOS time: a fixed date keeps the output reproducible.
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  for (const f of files) {
    const name = enc.encode(f.name);
    const crc = crc32(f.data);
    const local = new Uint8Array(30 + name.length + f.data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true); // version needed
    lv.setUint16(6, 0x0800, true); // UTF-8 names
    lv.setUint16(8, 0, true); // stored
    lv.setUint16(10, dosTime, true);
    lv.setUint16(12, dosDate, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, f.data.length, true);
    lv.setUint32(22, f.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 0, true);
    local.set(name, 30);
    local.set(f.data, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true); // version made by
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint16(10, 0, true);
    cv.setUint16(12, dosTime, true);
    cv.setUint16(14, dosDate, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, f.data.length, true);
    cv.setUint32(24, f.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const centralSize = centrals.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + centralSize + end.length);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
