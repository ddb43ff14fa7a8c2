// The workbook writer under generated input (fast-check): any text (control characters, markup, emoji,
// lone surrogates, formula-looking "=cmd|…", literal "_x0041_") and any finite number comes back from the
// zip's XML as written, a string always as a shared string and never a formula; sheet names stay valid.
import fc from "fast-check";
import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { sheetName, writeXlsx, type XlsxCell } from "../../src/services/statistics/xlsx-writer";

// --- a tiny reader: enough SpreadsheetML to read back what the writer wrote ---

const unescapeXml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" } as Record<string, string>)[name]!;
  });
/** A shared string as a spreadsheet reads it: `_xHHHH_` is a character (ECMA-376 §22.4.2.4). */
const sharedText = (raw: string) => unescapeXml(raw).replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

interface ReadCell {
  t: string | null;
  s: string | null;
  v: string;
  formula: boolean;
}

function readWorkbook(bytes: Uint8Array) {
  const files = Object.fromEntries(Object.entries(unzipSync(bytes)).map(([name, data]) => [name, strFromU8(data)]));
  const shared = [...files["xl/sharedStrings.xml"]!.matchAll(/<si><t xml:space="preserve">([^<]*)<\/t><\/si>/g)].map((m) => sharedText(m[1]!));
  const names = [...files["xl/workbook.xml"]!.matchAll(/<sheet name="([^"]*)"/g)].map((m) => unescapeXml(m[1]!));
  const sheets = names.map((_, i) => {
    const xml = files[`xl/worksheets/sheet${i + 1}.xml`]!;
    const cells = new Map<string, ReadCell>();
    for (const m of xml.matchAll(/<c r="([A-Z]+\d+)"([^>]*)>([\s\S]*?)<\/c>/g)) {
      cells.set(m[1]!, { t: /t="([^"]+)"/.exec(m[2]!)?.[1] ?? null, s: /s="([^"]+)"/.exec(m[2]!)?.[1] ?? null, v: /<v>([^<]*)<\/v>/.exec(m[3]!)![1]!, formula: /<f[\s>]/.test(m[3]!) });
    }
    return cells;
  });
  return { files, shared, names, sheets };
}

/** What XML 1.0 can carry of a text: the writer drops the rest (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F). */
const xmlCarriable = (text: string) => text.replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "");
const FORBIDDEN_RAW = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const nastyText = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({ unit: fc.constantFrom("<", "&", ">", '"', "'", "\r", "\n", "\t", "\u0000", "\u001b", "\uFFFE", "\uD800", "😀", "_x0041_", "_x", "=", "|", "中", " ") }),
  fc.constantFrom("=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example","x")', "+1+1", "-2", "@SUM(A1)", "_x000D_", "_x005F_x0041_", "", " lead "),
  fc.string().map((s) => `=cmd|'${s}'!A0`),
);

describe("xlsx writer round trip", () => {
  it("keeps any text as a shared string and any finite number as a number", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(nastyText, fc.double({ noNaN: true, noDefaultInfinity: true })), { minLength: 1, maxLength: 8 }), nastyText, (pairs, header) => {
        const rows = pairs.map(([text, n]): XlsxCell[] => [{ value: text }, { value: n }, { value: n, numFmt: "#,##0.00" }]);
        const book = readWorkbook(writeXlsx([{ name: "S", header: [header, "n", "yuan"], rows, widths: [10, 10, 10] }]));
        const sheet = book.sheets[0]!;
        expect(book.shared[Number(sheet.get("A1")!.v)]).toBe(xmlCarriable(header));
        pairs.forEach(([text, n], i) => {
          const a = sheet.get(`A${i + 2}`)!;
          expect(a).toMatchObject({ t: "s", formula: false });
          expect(book.shared[Number(a.v)]).toBe(xmlCarriable(text));
          for (const col of ["B", "C"]) {
            const c = sheet.get(`${col}${i + 2}`)!;
            expect(c).toMatchObject({ t: null, formula: false });
            expect(Number(c.v)).toBe(n === 0 ? 0 : n);
          }
        });
        for (const [name, xml] of Object.entries(book.files)) expect(FORBIDDEN_RAW.test(xml), name).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("writes dates as serials with their format, and sheet names valid, unique and at most 31 characters", () => {
    fc.assert(
      fc.property(fc.array(nastyText, { minLength: 1, maxLength: 4 }), fc.integer({ min: Date.UTC(1900, 2, 1), max: Date.UTC(9999, 11, 31) }), (names, ms) => {
        const sheets = names.map((name) => ({ name, header: ["d"], rows: [[{ value: new Date(ms), numFmt: "yyyy-mm-dd" }]], widths: [12] }));
        const book = readWorkbook(writeXlsx(sheets));
        expect(book.names).toHaveLength(names.length);
        expect(new Set(book.names.map((n) => n.toLowerCase())).size).toBe(names.length);
        book.names.forEach((name, i) => {
          expect([...name].length).toBeGreaterThan(0);
          expect([...name].length).toBeLessThanOrEqual(31);
          expect(name).not.toMatch(/[\\/?*[\]:]/);
          if (names.filter((n) => sheetName(n).toLowerCase() === sheetName(names[i]!).toLowerCase()).length === 1) expect(name).toBe(sheetName(names[i]!));
          const d = book.sheets[i]!.get("A2")!;
          expect(Number(d.v)).toBe((ms - Date.UTC(1899, 11, 30)) / 86_400_000);
          const xf = [...book.files["xl/styles.xml"]!.matchAll(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/g)][0]![1]!.match(/<xf [^>]*>/g)![Number(d.s)]!;
          const id = /numFmtId="(\d+)"/.exec(xf)![1]!;
          expect(book.files["xl/styles.xml"]).toContain(`<numFmt numFmtId="${id}" formatCode="yyyy-mm-dd"/>`);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a number it cannot write", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) expect(() => writeXlsx([{ name: "S", header: ["n"], rows: [[{ value }]], widths: [] }])).toThrow(RangeError);
  });
});
