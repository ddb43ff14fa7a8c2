// Reads the figures out of a statistics workbook a unit handed in: a stranger-controlled zip, so it is
// read within a budget (file size, zip entries, declared and compressed size of each part read, total
// inflated bytes, cells) and only the parts that matter (workbook, its relations, shared strings,
// worksheets). Anything over budget or malformed is "not comparable", never an exception to the caller.
import { unzipSync, type UnzipFileInfo } from "fflate";
import type { NotComparableReason } from "../../core/statistics/compare-figures";

export interface ReadBudget {
  /** The whole file. A statistics workbook is tens of KB. */
  maxFileBytes: number;
  /** Entries in the zip's directory (a workbook has a dozen or two). */
  maxEntries: number;
  /** One part as its header declares it inflated; the buffer fflate allocates is this size. */
  maxPartBytes: number;
  /** One part compressed: bounds the work of inflating a part whose header lies about its size. */
  maxPartCompressedBytes: number;
  /** All parts read, inflated. */
  maxTotalBytes: number;
  /** Cells looked at over all sheets. */
  maxCells: number;
  /** Worksheets looked at. */
  maxSheets: number;
}

export const DEFAULT_READ_BUDGET: ReadBudget = {
  maxFileBytes: 2 * 1024 * 1024,
  maxEntries: 200,
  maxPartBytes: 4 * 1024 * 1024,
  maxPartCompressedBytes: 512 * 1024,
  maxTotalBytes: 12 * 1024 * 1024,
  maxCells: 50_000,
  maxSheets: 20,
};

export type CellValue = string | number | null;

export interface SubmittedFigures {
  /** One per row holding a wanted key: the key and the value cell (the column most key rows fill with numbers). */
  rows: { key: string; cell: CellValue }[];
  /** The marker FundWatch wrote into the prepared workbook (hidden defined name), if still there. */
  marker: string | null;
}

export type ReadResult = { ok: true; figures: SubmittedFigures } | { ok: false; reason: NotComparableReason };

/** The hidden defined name that carries scope and period in a prepared workbook. */
export const SCOPE_MARKER_NAME = "_FundWatchScope";

class BudgetExceeded extends Error {}
class Unreadable extends Error {}

const WANTED_PART = /^xl\/(workbook\.xml|_rels\/workbook\.xml\.rels|sharedStrings\.xml|worksheets\/[^/]{1,64}\.xml)$/;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e[0] !== "#") return ENTITIES[e]!;
    const code = e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : "";
  });
}

const attr = (attrs: string, name: string) => new RegExp(`(?:^|\\s)${name}\\s*=\\s*"([^"]*)"`).exec(attrs)?.[1];

interface Token {
  /** Tag name (local part, no namespace prefix) or null for text. */
  tag: string | null;
  close: boolean;
  selfClosing: boolean;
  attrs: string;
  text: string;
}

/**
 * The tags and texts of an XML part in one linear pass: no pattern here can scan past the next `<` or
 * `>`, so a hostile part (unclosed tags, runs of `<`) costs time in proportion to its length.
 */
function* tokens(xml: string): Generator<Token> {
  for (const m of xml.matchAll(/<(\/?)([A-Za-z][\w.:-]{0,63})([^<>]*)>|([^<]+)/g)) {
    if (m[4] !== undefined) {
      yield { tag: null, close: false, selfClosing: false, attrs: "", text: m[4] };
      continue;
    }
    const attrs = m[3]!;
    const name = m[2]!;
    yield { tag: name.slice(name.indexOf(":") + 1), close: m[1] === "/", selfClosing: attrs.endsWith("/"), attrs, text: "" };
  }
}

/** The strings of sharedStrings.xml: each <si>'s <t> runs joined, phonetic guides (<rPh>) left out. */
function sharedStrings(xml: string): string[] {
  const out: string[] = [];
  let current: string[] | null = null;
  let inT = false;
  let inPhonetic = false;
  for (const tk of tokens(xml)) {
    if (tk.tag === "si") {
      if (tk.close || tk.selfClosing) {
        out.push(unescapeXml((current ?? []).join("")));
        current = null;
      } else current = [];
    } else if (tk.tag === "rPh") inPhonetic = !tk.close && !tk.selfClosing;
    else if (tk.tag === "t") inT = !tk.close && !tk.selfClosing;
    else if (tk.tag === null && inT && !inPhonetic && current) current.push(tk.text);
  }
  return out;
}

/** Column index (0-based) of a cell reference like "C12". */
function columnOf(ref: string | undefined): number | null {
  const m = ref ? /^([A-Z]{1,3})\d{1,7}$/.exec(ref) : null;
  if (!m) return null;
  let n = 0;
  for (const ch of m[1]!) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** The parts wanted, inflated within the budget (throws BudgetExceeded or Unreadable). */
function unzipWanted(bytes: Uint8Array, budget: ReadBudget): Record<string, Uint8Array> {
  let entries = 0;
  let declared = 0;
  const filter = (file: UnzipFileInfo) => {
    if (++entries > budget.maxEntries) throw new BudgetExceeded("too many entries");
    if (!WANTED_PART.test(file.name)) return false;
    if (file.originalSize > budget.maxPartBytes || file.size > budget.maxPartCompressedBytes) throw new BudgetExceeded(`part ${file.name} too large`);
    declared += file.originalSize;
    if (declared > budget.maxTotalBytes) throw new BudgetExceeded("parts too large together");
    if (file.compression !== 0 && file.compression !== 8) throw new Unreadable("unknown compression");
    return true;
  };
  try {
    // The buffer of each part is its declared size (bounded above); a part that inflates to more than it
    // declared is cut there, so it fails to parse rather than grow. The compressed cap bounds the work.
    return unzipSync(bytes, { filter });
  } catch (err) {
    if (err instanceof BudgetExceeded) throw err;
    throw new Unreadable(err instanceof Error ? err.message : "zip");
  }
}

const decode = (b: Uint8Array | undefined) => (b ? new TextDecoder("utf-8", { fatal: false }).decode(b) : null);

/** The worksheets in workbook order, as part paths, and the scope marker. */
function workbookSheets(parts: Record<string, Uint8Array>): { sheets: string[]; marker: string | null } {
  const workbook = decode(parts["xl/workbook.xml"]);
  const rels = decode(parts["xl/_rels/workbook.xml.rels"]);
  if (!workbook || !rels || !/<\/([A-Za-z]+:)?workbook>\s*$/.test(workbook)) throw new Unreadable("no workbook");
  const targets = new Map<string, string>();
  for (const tk of tokens(rels)) {
    if (tk.tag !== "Relationship" || tk.close) continue;
    const id = attr(tk.attrs, "Id");
    const target = attr(tk.attrs, "Target");
    if (id && target) targets.set(id, target.startsWith("/") ? target.slice(1) : `xl/${target}`);
  }
  const sheets: string[] = [];
  let marker: string | null = null;
  let inMarker = false;
  for (const tk of tokens(workbook)) {
    if (tk.tag === "sheet" && !tk.close) {
      const id = attr(tk.attrs, "r:id");
      const path = id ? targets.get(id) : undefined;
      if (path && parts[path] && !sheets.includes(path)) sheets.push(path);
    } else if (tk.tag === "definedName") inMarker = !tk.close && !tk.selfClosing && attr(tk.attrs, "name") === SCOPE_MARKER_NAME;
    // The name's value is a formula string constant: "…" with "" for a quote.
    else if (tk.tag === null && inMarker && marker === null) marker = unescapeXml(tk.text).replace(/^"|"$/g, "").replace(/""/g, '"');
  }
  return { sheets, marker };
}

/** Every row of a sheet as cells by column (strings resolved), within the cell budget. */
function sheetRows(xml: string, shared: string[], budget: { cells: number }): CellValue[][] {
  if (!/<\/([A-Za-z]+:)?worksheet>\s*$/.test(xml)) throw new Unreadable("truncated sheet");
  const rows: CellValue[][] = [];
  let row: CellValue[] | null = null;
  let cell: { column: number; type: string | undefined; v: string[] | null; t: string[] } | null = null;
  let next = 0;
  let inV = false;
  let inT = false;
  let inPhonetic = false;
  const finish = () => {
    if (!row || !cell) return;
    const v = cell.v?.join("");
    let value: CellValue = null;
    if (cell.type === "s") value = v !== undefined ? (shared[Number(v)] ?? null) : null;
    else if (cell.type === "inlineStr") value = unescapeXml(cell.t.join(""));
    else if (cell.type === "str" || cell.type === "e" || cell.type === "b") value = v !== undefined ? unescapeXml(v) : null;
    else if (v !== undefined && v.trim() !== "") value = Number.isFinite(Number(v)) ? Number(v) : unescapeXml(v);
    row[cell.column] = value;
    cell = null;
  };
  for (const tk of tokens(xml)) {
    switch (tk.tag) {
      case "row":
        if (tk.close || tk.selfClosing) {
          if (!tk.close) rows.push([]);
          else if (row) rows.push(row);
          row = null;
        } else {
          row = [];
          next = 0;
        }
        break;
      case "c":
        if (tk.close) finish();
        else if (row) {
          if (--budget.cells < 0) throw new BudgetExceeded("too many cells");
          const column = columnOf(attr(tk.attrs, "r")) ?? next;
          if (column > 16_383) throw new Unreadable("column out of range");
          next = column + 1;
          cell = { column, type: attr(tk.attrs, "t"), v: null, t: [] };
          if (tk.selfClosing) finish();
        }
        break;
      case "v":
        inV = !tk.close && !tk.selfClosing;
        if (inV && cell) cell.v = [];
        break;
      case "t":
        inT = !tk.close && !tk.selfClosing;
        break;
      case "rPh":
        inPhonetic = !tk.close && !tk.selfClosing;
        break;
      case null:
        if (cell && inV) cell.v!.push(tk.text);
        else if (cell && inT && !inPhonetic) cell.t.push(tk.text);
        break;
    }
  }
  return rows;
}

/** A cell as a number: numbers as they are, text like "1,234.50" or "33.3%" read (the percentage as a share). */
export function cellNumber(cell: CellValue): number | null {
  if (typeof cell === "number") return Number.isFinite(cell) ? cell : null;
  if (typeof cell !== "string") return null;
  const text = cell.trim().replace(/[,，\s]/g, "");
  const m = /^(-?\d+(?:\.\d+)?)(%?)$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] ? n / 100 : n;
}

/**
 * The figures of the first worksheet that names any of `keys` in a cell: for each such row, the key
 * and the cell in the value column (the column besides the key column that most key rows fill with a
 * number, so a blanked value reads as blank rather than as another column's number).
 */
export function readSubmittedFigures(bytes: Uint8Array, keys: ReadonlySet<string>, budget: ReadBudget = DEFAULT_READ_BUDGET): ReadResult {
  if (bytes.length > budget.maxFileBytes) return { ok: false, reason: "too_large" };
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b || bytes[2] !== 0x03 || bytes[3] !== 0x04) return { ok: false, reason: "not_xlsx" };
  try {
    const parts = unzipWanted(bytes, budget);
    if (!parts["xl/workbook.xml"]) return { ok: false, reason: "not_xlsx" };
    const { sheets, marker } = workbookSheets(parts);
    const sharedXml = decode(parts["xl/sharedStrings.xml"]);
    if (sharedXml !== null && !/<\/([A-Za-z]+:)?sst>\s*$/.test(sharedXml)) throw new Unreadable("truncated shared strings");
    const shared = sharedXml ? sharedStrings(sharedXml) : [];
    const cellBudget = { cells: budget.maxCells };
    for (const path of sheets.slice(0, budget.maxSheets)) {
      const rows = sheetRows(decode(parts[path])!, shared, cellBudget);
      const keyed: { key: string; at: number; row: CellValue[] }[] = [];
      for (const row of rows) {
        const at = row.findIndex((c) => typeof c === "string" && keys.has(c.trim()));
        if (at >= 0) keyed.push({ key: (row[at] as string).trim(), at, row });
      }
      if (!keyed.length) continue;
      const votes = new Map<number, number>();
      for (const k of keyed)
        k.row.forEach((c, col) => {
          if (col !== k.at && cellNumber(c ?? null) !== null) votes.set(col, (votes.get(col) ?? 0) + 1);
        });
      const valueColumn = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
      return { ok: true, figures: { rows: keyed.map((k) => ({ key: k.key, cell: valueColumn === undefined ? null : (k.row[valueColumn] ?? null) })), marker } };
    }
    return { ok: false, reason: "no_figures" };
  } catch (err) {
    if (err instanceof BudgetExceeded) return { ok: false, reason: "too_large" };
    // Anything else a hostile or broken file provokes (parse errors, RangeErrors) is "unreadable".
    return { ok: false, reason: "unreadable" };
  }
}
