// A small SpreadsheetML (.xlsx) writer on fflate: sheets with a bold, filled, frozen header row, column
// widths and typed cells (numbers, dates with a number format, text as shared strings, never a formula).
// It replaces a 130 KB (gzipped) workbook library that the Worker bundle carried for this one file.
import { strToU8, zipSync } from "fflate";

/** A typed cell: a string is always text (never a formula); numbers and dates may carry a number format. */
export type XlsxCell = { value: string | number | Date; numFmt?: string } | null;

export interface XlsxSheet {
  name: string;
  header: readonly string[];
  rows: readonly (readonly XlsxCell[])[];
  /** Column widths in characters, first column first. */
  widths: readonly number[];
}

const HEADER_FILL = "FFDDEBF7";
const HEADER_BORDER = "FF9BC2E6";
/** Style index of the header cells in cellXfs (0 is the default style). */
const HEADER_XF = 1;
/** The first id for custom number formats (ids below are built in, ECMA-376 §18.8.30). */
const FIRST_CUSTOM_NUMFMT = 164;
const DAY_MS = 86_400_000;
/** Day 0 of the workbook's 1900 date system as a serial count (1899-12-30, which absorbs the 1900 leap bug). */
const EPOCH_MS = Date.UTC(1899, 11, 30);

/** Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF): dropped. */
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text for an XML element or attribute: forbidden characters dropped, markup and whitespace controls escaped. */
export function xmlText(text: string): string {
  return text.replace(NOT_XML, "").replace(/[&<>"'\t\n\r]/g, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      case "'":
        return "&apos;";
      default:
        // Tab, LF and CR as references: an XML parser would otherwise turn CR (and, in attributes, all three) into something else.
        return `&#${c.charCodeAt(0)};`;
    }
  });
}

/**
 * A shared string's text: spreadsheet readers decode `_xHHHH_` as a character (ECMA-376 §22.4.2.4), so
 * a literal one keeps its text by escaping its underscore as `_x005F_` (every such underscore, also one
 * that ends the sequence before it: "_x005F_x0041_" has two).
 */
const sharedStringText = (text: string) => xmlText(text.replace(/_(?=x[0-9A-Fa-f]{4}_)/g, "_x005F_"));

/** Characters a sheet name may not hold, and its 31-character limit. */
export const sheetName = (text: string) => [...text.replace(NOT_XML, "").replace(/[\\/?*[\]:]/g, "_")].slice(0, 31).join("") || "Sheet";

/** "A", "B", …, "Z", "AA", … for a 0-based column index. */
function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** A number as xsd:double text; only finite numbers are cells. */
function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError("xlsx: a number cell must be finite");
  return String(n);
}

/** A date as the workbook's date serial (days since 1899-12-30 UTC, fraction for the time of day). */
const dateSerial = (date: Date) => (date.getTime() - EPOCH_MS) / DAY_MS;

class SharedStrings {
  private readonly index = new Map<string, number>();
  private readonly list: string[] = [];
  count = 0;
  add(text: string): number {
    this.count++;
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.list.length;
      this.index.set(text, i);
      this.list.push(text);
    }
    return i;
  }
  xml(): string {
    const items = this.list.map((s) => `<si><t xml:space="preserve">${sharedStringText(s)}</t></si>`).join("");
    return `${XML_DECL}<sst xmlns="${NS_MAIN}" count="${this.count}" uniqueCount="${this.list.length}">${items}</sst>`;
  }
}

class Styles {
  private readonly formats = new Map<string, number>();
  /** The cellXfs index for a number format (one xf per format, after the default and header styles). */
  xfFor(numFmt: string): number {
    let i = this.formats.get(numFmt);
    if (i === undefined) {
      i = this.formats.size;
      this.formats.set(numFmt, i);
    }
    return HEADER_XF + 1 + i;
  }
  xml(): string {
    const formats = [...this.formats.keys()];
    const numFmts = formats.length
      ? `<numFmts count="${formats.length}">${formats.map((f, i) => `<numFmt numFmtId="${FIRST_CUSTOM_NUMFMT + i}" formatCode="${xmlText(f)}"/>`).join("")}</numFmts>`
      : "";
    const fonts = `<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>`;
    const fills =
      `<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>` +
      `<fill><patternFill patternType="solid"><fgColor rgb="${HEADER_FILL}"/><bgColor indexed="64"/></patternFill></fill></fills>`;
    const borders =
      `<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>` +
      `<border><left/><right/><top/><bottom style="thin"><color rgb="${HEADER_BORDER}"/></bottom><diagonal/></border></borders>`;
    const xfs = [
      `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`,
      `<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>`,
      ...formats.map((_, i) => `<xf numFmtId="${FIRST_CUSTOM_NUMFMT + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`),
    ];
    return (
      `${XML_DECL}<styleSheet xmlns="${NS_MAIN}">${numFmts}${fonts}${fills}${borders}` +
      `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
      `<cellXfs count="${xfs.length}">${xfs.join("")}</cellXfs>` +
      `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
    );
  }
}

const XML_DECL = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n`;
const NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships";
const CT = "application/vnd.openxmlformats-officedocument.spreadsheetml";

function cellXml(ref: string, cell: NonNullable<XlsxCell>, strings: SharedStrings, styles: Styles, headerStyle: boolean): string {
  const style = headerStyle ? ` s="${HEADER_XF}"` : cell.numFmt ? ` s="${styles.xfFor(cell.numFmt)}"` : "";
  if (typeof cell.value === "string") return `<c r="${ref}"${style} t="s"><v>${strings.add(cell.value)}</v></c>`;
  const n = cell.value instanceof Date ? dateSerial(cell.value) : cell.value;
  return `<c r="${ref}"${style}><v>${numberText(n)}</v></c>`;
}

function sheetXml(sheet: XlsxSheet, strings: SharedStrings, styles: Styles): string {
  const rows = [sheet.header.map((text): XlsxCell => ({ value: text })), ...sheet.rows];
  const rowXml = rows
    .map((row, r) => {
      const cells = row.map((cell, c) => (cell === null ? "" : cellXml(`${columnName(c)}${r + 1}`, cell, strings, styles, r === 0))).join("");
      return `<row r="${r + 1}">${cells}</row>`;
    })
    .join("");
  const width = Math.max(sheet.header.length, ...sheet.rows.map((r) => r.length), 1);
  const cols = sheet.widths.length ? `<cols>${sheet.widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${numberText(w)}" customWidth="1"/>`).join("")}</cols>` : "";
  return (
    `${XML_DECL}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
    `<dimension ref="A1:${columnName(width - 1)}${rows.length}"/>` +
    // The header row stays in view: a frozen pane below row 1.
    `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
    `<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>` +
    `<sheetFormatPr defaultRowHeight="15"/>${cols}<sheetData>${rowXml}</sheetData>` +
    `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`
  );
}

/** Sheet names made valid and unique (a workbook refuses two sheets of one name, case-insensitively). */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((raw) => {
    const base = sheetName(raw);
    let name = base;
    for (let i = 2; seen.has(name.toLowerCase()); i++) name = `${[...base].slice(0, 31 - String(i).length - 1).join("")}_${i}`;
    seen.add(name.toLowerCase());
    return name;
  });
}

/** The workbook as .xlsx bytes (a deflated zip of SpreadsheetML parts). */
export function writeXlsx(sheets: readonly XlsxSheet[]): Uint8Array {
  if (sheets.length === 0) throw new RangeError("xlsx: a workbook needs a sheet");
  const strings = new SharedStrings();
  const styles = new Styles();
  const names = uniqueNames(sheets.map((s) => s.name));
  const files: Record<string, Uint8Array> = {};
  sheets.forEach((sheet, i) => (files[`xl/worksheets/sheet${i + 1}.xml`] = strToU8(sheetXml(sheet, strings, styles))));
  const sheetOverrides = sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="${CT}.worksheet+xml"/>`).join("");
  files["[Content_Types].xml"] = strToU8(
    `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
      `<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>${sheetOverrides}` +
      `<Override PartName="/xl/styles.xml" ContentType="${CT}.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="${CT}.sharedStrings+xml"/></Types>`,
  );
  files["_rels/.rels"] = strToU8(`${XML_DECL}<Relationships xmlns="${NS_PKG_REL}"><Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`);
  const sheetRels = sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${NS_REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join("");
  const n = sheets.length;
  files["xl/_rels/workbook.xml.rels"] = strToU8(
    `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">${sheetRels}` +
      `<Relationship Id="rId${n + 1}" Type="${NS_REL}/styles" Target="styles.xml"/><Relationship Id="rId${n + 2}" Type="${NS_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
  );
  files["xl/workbook.xml"] = strToU8(
    `${XML_DECL}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><bookViews><workbookView/></bookViews><sheets>` +
      names.map((name, i) => `<sheet name="${xmlText(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("") +
      `</sheets></workbook>`,
  );
  files["xl/styles.xml"] = strToU8(styles.xml());
  files["xl/sharedStrings.xml"] = strToU8(strings.xml());
  return zipSync(files, { level: 6 });
}
