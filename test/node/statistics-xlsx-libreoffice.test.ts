// The statistics workbook is a real workbook: LibreOffice opens it and reads its three sheets (numbers as
// numbers, dates, the header, a formula-looking name as text), and its XML has the frozen header row in
// bold with a fill, typed number, amount, ratio and date cells, and no formula anywhere.
import { strFromU8, unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { statisticsXlsx } from "../../src/services/statistics/exports";
import { libreOfficeSheets, requireSoffice } from "../support/libreoffice";
import { sampleLedger, sampleReport } from "../support/statistics-sample";

let zh: Uint8Array;
let en: Uint8Array;

beforeAll(async () => {
  zh = await statisticsXlsx(sampleReport(), sampleLedger(), "zh-CN");
  en = await statisticsXlsx(sampleReport(), sampleLedger(), "en");
});

describe("statistics workbook in LibreOffice", () => {
  it("opens with its three sheets, typed cells and the header in the chosen language", { timeout: 300_000 }, async () => {
    expect(requireSoffice()).toMatch(/LibreOffice/);
    const sheets = await libreOfficeSheets(zh);
    expect([...sheets.keys()].sort()).toEqual(["专项行动完成情况", "线索台账", "统计表"].sort());

    const stats = sheets.get("统计表")!;
    expect(stats[0]).toEqual(["统计项目", "数值", "指标代码"]);
    const value = (key: string) => stats.find((r) => r[2] === key)?.[1];
    // Raw values (not as shown): a number cell shows its number, so "10000.5" and "66.66…%" prove the type;
    // text cells would have kept "10000.50" and "66.7%" (LibreOffice keeps a percent cell's % sign).
    expect(value("leads.received")).toBe("41");
    expect(value("leads.bySource.batch")).toBe("11");
    expect(value("amounts.verifiedFen")).toBe("1234567.89");
    expect(value("amounts.finesFen")).toBe("10000.5");
    expect(value("rewards.paidFen")).toBe("12345");
    expect(value("timeliness.acknowledgedInTime")).toBe("87.5%");
    expect(value("timeliness.decidedInTime")).toMatch(/^66\.6666666\d*%$/);
    expect(value("timeliness.closedInTime")).toBe("");
    expect(value("period.from")).toBe("2026-01-01");
    expect(value("period.to")).toBe("2026-03-31");
    expect(value("breakdown.byRegion.510100")).toBe("29");
    expect(value("timelinessDetail.ackWorkingHours.median")).toBe("3.3");
    expect(stats.find((r) => r[2] === "amounts.recoveredFen")![0]).toBe("追回医保基金（元）");

    const ledger = sheets.get("线索台账")!;
    expect(ledger).toHaveLength(3);
    expect(ledger[0]!.slice(0, 6)).toEqual(["线索编号", "线索来源", "违规类型", "重点领域", "地区", "被举报机构或人员"]);
    const first = ledger[1]!;
    // A string cell: LibreOffice shows the text itself, never the formula's result ("点击").
    expect(first[5]).toBe('=HYPERLINK("http://evil.example","点击")');
    expect(first.slice(9, 14)).toEqual(["3", "2026-01-05", "2026-01-06", "2026-01-08", "2026-02-20"]);
    expect(first.slice(14)).toEqual(["举报属实", "123456.78", "100000", "25000.5", "约谈、曝光"]);
    expect(ledger[2]!.slice(9, 15)).toEqual(["1", "2026-03-01", "", "", "", ""]);

    const compliance = sheets.get("专项行动完成情况")!;
    expect(compliance).toEqual([
      ["专项行动", "报送事项", "截止日期", "单位数", "按时报送", "逾期报送", "未报送", "退回", "已发提醒", "已确认提醒"],
      ["2026年医保基金监管集中整治", "一月统计表", "2026-02-10", "21", "16", "3", "2", "1", "44", "37"],
      ["2026年医保基金监管集中整治", "二月统计表", "2026-03-10", "21", "18", "2", "1", "0", "", ""],
    ]);
  });
});

// --- the workbook's XML ---

type Files = Record<string, string>;
const unzip = (bytes: Uint8Array): Files => Object.fromEntries(Object.entries(unzipSync(bytes)).map(([name, data]) => [name, strFromU8(data)]));

/** The sheets' files in workbook order, by sheet name. */
function sheetFiles(files: Files): Map<string, string> {
  const rels = new Map([...files["xl/_rels/workbook.xml.rels"]!.matchAll(/<Relationship [^>]*Id="([^"]+)"[^>]*Target="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
  const relsAlt = new Map([...files["xl/_rels/workbook.xml.rels"]!.matchAll(/<Relationship [^>]*Target="([^"]+)"[^>]*Id="([^"]+)"/g)].map((m) => [m[2]!, m[1]!]));
  return new Map(
    [...files["xl/workbook.xml"]!.matchAll(/<sheet [^>]*>/g)].map(([tag]) => {
      const name = /name="([^"]+)"/.exec(tag)![1]!;
      const id = /r:id="([^"]+)"/.exec(tag)![1]!;
      const target = (rels.get(id) ?? relsAlt.get(id))!.replace(/^\/?(xl\/)?/, "");
      return [name, files[`xl/${target}`]!];
    }),
  );
}

interface Styles {
  numFmts: Map<string, string>;
  fonts: string[];
  fills: string[];
  xfs: { numFmtId: string; fontId: string; fillId: string }[];
}

function styles(xml: string): Styles {
  const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1] ?? "0";
  const cellXfs = /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(xml)![1]!;
  return {
    // Built-in formats have no <numFmt> entry (ECMA-376 §18.8.30: 4 is #,##0.00, 10 is 0.00%); custom ones do.
    numFmts: new Map([["4", "#,##0.00"], ["10", "0.00%"], ...[...xml.matchAll(/<numFmt [^>]*>/g)].map(([tag]): [string, string] => [attr(tag, "numFmtId"), attr(tag, "formatCode")])]),
    fonts: [...(/<fonts[^>]*>([\s\S]*?)<\/fonts>/.exec(xml)![1]!.matchAll(/<font>([\s\S]*?)<\/font>/g))].map((m) => m[1]!),
    fills: [...(/<fills[^>]*>([\s\S]*?)<\/fills>/.exec(xml)![1]!.matchAll(/<fill>([\s\S]*?)<\/fill>/g))].map((m) => m[1]!),
    xfs: [...cellXfs.matchAll(/<xf[^>]*>/g)].map(([tag]) => ({ numFmtId: attr(tag, "numFmtId"), fontId: attr(tag, "fontId"), fillId: attr(tag, "fillId") })),
  };
}

/** A cell's tag attributes and value by reference ("K2"). */
function cell(sheet: string, ref: string): { t: string | null; s: string | null; v: string | null; f: boolean } {
  const m = new RegExp(`<c r="${ref}"([^>]*?)(?:/>|>([\\s\\S]*?)</c>)`).exec(sheet);
  if (!m) return { t: null, s: null, v: null, f: false };
  return { t: /t="([^"]+)"/.exec(m[1]!)?.[1] ?? null, s: /s="([^"]+)"/.exec(m[1]!)?.[1] ?? null, v: /<v>([^<]*)<\/v>/.exec(m[2] ?? "")?.[1] ?? null, f: /<f[\s>]/.test(m[2] ?? "") };
}

describe("statistics workbook XML", () => {
  it("freezes a bold, filled header row on every sheet and names the sheets in the chosen language", () => {
    for (const [bytes, names] of [
      [zh, ["统计表", "线索台账", "专项行动完成情况"]],
      [en, ["Statistics", "Lead ledger", "Campaign compliance"]],
    ] as const) {
      const files = unzip(bytes);
      const st = styles(files["xl/styles.xml"]!);
      const sheets = sheetFiles(files);
      expect([...sheets.keys()]).toEqual(names);
      for (const [name, xml] of sheets) {
        expect(xml, name).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"|<pane [^>]*state="frozen"[^>]*ySplit="1"/);
        expect(xml, name).toMatch(/<col [^>]*width="\d+"[^>]*customWidth="1"/);
        const a1 = cell(xml, "A1");
        expect(a1.t, name).toBe("s");
        const xf = st.xfs[Number(a1.s)]!;
        expect(st.fonts[Number(xf.fontId)], name).toMatch(/<b\/>/);
        expect(st.fills[Number(xf.fillId)], name).toMatch(/patternType="solid"/);
        // A data row is not bold.
        const a2 = cell(xml, "A2");
        expect(st.fonts[Number(st.xfs[Number(a2.s ?? 0)]?.fontId ?? 0)] ?? "").not.toMatch(/<b\/>/);
        // Never a formula: text that looks like one is a shared string.
        expect(xml, name).not.toMatch(/<f[\s>]/);
      }
    }
  });

  it("types counts, amounts, ratios and dates, and keeps formula-looking text a string", () => {
    const files = unzip(zh);
    const st = styles(files["xl/styles.xml"]!);
    const format = (c: { s: string | null }) => st.numFmts.get(st.xfs[Number(c.s)]!.numFmtId);
    const sheets = sheetFiles(files);
    const ledger = sheets.get("线索台账")!;
    // J2 corroboration: a plain number.
    expect(cell(ledger, "J2")).toMatchObject({ t: null, v: "3", f: false });
    // K2 received 2026-01-05: a date serial (days since 1899-12-30) with the yyyy-mm-dd format.
    const k2 = cell(ledger, "K2");
    expect(k2.t).toBeNull();
    expect(Number(k2.v)).toBe((Date.UTC(2026, 0, 5) - Date.UTC(1899, 11, 30)) / 86_400_000);
    expect(format(k2)).toBe("yyyy-mm-dd");
    // P2 verified 123456.78 yuan, as a number with #,##0.00.
    const p2 = cell(ledger, "P2");
    expect(p2.t).toBeNull();
    expect(Number(p2.v)).toBe(123456.78);
    expect(format(p2)).toBe("#,##0.00");
    // F2 the target "=HYPERLINK(…)": a shared string, its text as given.
    const f2 = cell(ledger, "F2");
    expect(f2).toMatchObject({ t: "s", f: false });
    const shared = [...files["xl/sharedStrings.xml"]!.matchAll(/<si>\s*<t[^>]*>([\s\S]*?)<\/t>\s*<\/si>/g)].map((m) => m[1]!);
    expect(shared[Number(f2.v)]!.replace(/&quot;/g, '"')).toBe('=HYPERLINK("http://evil.example","点击")');

    const stats = sheets.get("统计表")!;
    const rowOf = (key: string) => {
      const i = shared.indexOf(key);
      const m = new RegExp(`<c r="C(\\d+)"[^>]*t="s"[^>]*><v>${i}</v>`).exec(stats);
      return m![1]!;
    };
    const ratio = cell(stats, `B${rowOf("timeliness.acknowledgedInTime")}`);
    expect(ratio).toMatchObject({ t: null, v: "0.875" });
    expect(format(ratio)).toBe("0.0%");
    const fines = cell(stats, `B${rowOf("amounts.finesFen")}`);
    expect(Number(fines.v)).toBe(10000.5);
    expect(format(fines)).toBe("#,##0.00");
    const received = cell(stats, `B${rowOf("leads.received")}`);
    expect(received).toMatchObject({ t: null, v: "41" });
    const from = cell(stats, `B${rowOf("period.from")}`);
    expect(format(from)).toBe("yyyy-mm-dd");

    const compliance = sheets.get("专项行动完成情况")!;
    expect(format(cell(compliance, "C2"))).toBe("yyyy-mm-dd");
    expect(cell(compliance, "D2")).toMatchObject({ t: null, v: "21" });
  });
});
