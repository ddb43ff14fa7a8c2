// Node only: the CJK font for the PDF receipt, Noto Sans SC (SIL OFL 1.1) from the pinned
// @fontsource/noto-sans-sc package, read once from node_modules — no network. Its WOFF "chinese-
// simplified" subset (≈8,000 characters: GB 2312 and more, plus Latin) is unpacked to a plain
// TrueType font without the layout tables (GSUB/GPOS/…), which pdf-lib's subsetter does not need and
// which make fontkit ~30× slower; the result is kept in memory (≈2.5 MB).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { inflateSync } from "node:zlib";

const FONT_FILE = "@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-400-normal.woff";
const DROPPED_TABLES = new Set(["GSUB", "GPOS", "GDEF", "BASE", "STAT", "vhea", "vmtx"]);

/** WOFF 1.0 → sfnt (TrueType/OpenType), leaving out `drop` tables. */
export function woffToSfnt(woff: Uint8Array, drop: ReadonlySet<string> = new Set()): Uint8Array {
  const view = new DataView(woff.buffer, woff.byteOffset, woff.byteLength);
  if (view.getUint32(0) !== 0x774f4646) throw new Error("not a WOFF file");
  const flavor = view.getUint32(4);
  const count = view.getUint16(12);
  const tables: { tag: string; data: Uint8Array; checksum: number }[] = [];
  for (let i = 0; i < count; i++) {
    const at = 44 + i * 20;
    const tag = String.fromCharCode(woff[at]!, woff[at + 1]!, woff[at + 2]!, woff[at + 3]!);
    if (drop.has(tag)) continue;
    const offset = view.getUint32(at + 4);
    const compressed = view.getUint32(at + 8);
    const original = view.getUint32(at + 12);
    const raw = woff.subarray(offset, offset + compressed);
    tables.push({ tag, data: compressed < original ? new Uint8Array(inflateSync(raw)) : raw, checksum: view.getUint32(at + 16) });
  }
  const n = tables.length;
  let size = 12 + 16 * n;
  for (const t of tables) size += (t.data.length + 3) & ~3;
  const out = new Uint8Array(size);
  const w = new DataView(out.buffer);
  const pow = 2 ** Math.floor(Math.log2(n));
  w.setUint32(0, flavor);
  w.setUint16(4, n);
  w.setUint16(6, pow * 16);
  w.setUint16(8, Math.log2(pow));
  w.setUint16(10, n * 16 - pow * 16);
  let offset = 12 + 16 * n;
  tables.forEach((t, i) => {
    const d = 12 + 16 * i;
    for (let k = 0; k < 4; k++) out[d + k] = t.tag.charCodeAt(k);
    w.setUint32(d + 4, t.checksum);
    w.setUint32(d + 8, offset);
    w.setUint32(d + 12, t.data.length);
    out.set(t.data, offset);
    offset += (t.data.length + 3) & ~3;
  });
  return out;
}

let font: Promise<Uint8Array> | null = null;

export function loadCjkFont(): Promise<Uint8Array> {
  font ??= readFile(createRequire(import.meta.url).resolve(FONT_FILE)).then((woff) => woffToSfnt(woff, DROPPED_TABLES));
  // A failed read is not cached: the next receipt tries again.
  font.catch(() => (font = null));
  return font;
}
