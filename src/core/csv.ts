// The one CSV writer: every CSV the project writes (campaign board, batch feedback from the CLI and the
// triage page) goes through csvField, so no export can carry a formula into a spreadsheet.
//
// Formula neutralising (OWASP "CSV injection"): a text cell that starts with = + - @, a tab or a CR
// gets a leading ' so Excel/WPS/LibreOffice show it as text and never evaluate it. Typed cells decide
// what is a number: a JS number we wrote ourselves (counts, ids of rows) and a numeral() (an exact
// decimal we formatted, such as yuan from fen) are written as they are and stay numbers in the
// spreadsheet, a negative one included; every string is text, however numeric it looks ("-1+1" from a
// file is neutralised). Quoting is RFC 4180: a field with " , CR or LF, or leading/trailing spaces, is
// quoted with quotes doubled.

/** An exact decimal we formatted ourselves, written unquoted so it stays a number. */
export interface CsvNumeral {
  readonly numeral: string;
}
export type CsvCell = string | number | CsvNumeral | null | undefined;

/** Marks text we formatted as a number ("-12.50"); anything that is not a plain decimal is refused. */
export function numeral(text: string): CsvNumeral {
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`not a decimal numeral: ${JSON.stringify(text)}`);
  return { numeral: text };
}

/** Characters that make a spreadsheet read a cell as a formula (or shift it into one). */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "object") return value.numeral;
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** UTF-8 with a byte-order mark (Excel opens Chinese text right only with it), CRLF line ends. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return `\uFEFF${rows.map((r) => r.map(csvField).join(",")).join("\r\n")}\r\n`;
}
