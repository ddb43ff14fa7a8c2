// Shrinks a TrueType font to the glyphs a document uses by emptying every other glyph's outline, so
// glyph ids, cmap and metrics stay exactly as they were. pdf-lib's own subsetter (via
// @pdf-lib/fontkit) drops or mixes up glyphs of Noto Sans SC — most Chinese characters came out blank —
// so the PDF embeds this pruned font whole instead: ~100 KB rather than ~2.5 MB, and every glyph right.

const table = (font: Uint8Array, view: DataView, tag: string) => {
  const count = view.getUint16(4);
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    if (String.fromCharCode(font[at]!, font[at + 1]!, font[at + 2]!, font[at + 3]!) === tag) return { entry: at, offset: view.getUint32(at + 8), length: view.getUint32(at + 12) };
  }
  throw new Error(`font has no ${tag} table`);
};

/** Component glyph ids of a composite glyph (TrueType glyf format). */
function components(glyf: DataView, start: number): number[] {
  const ids: number[] = [];
  let at = start + 10;
  for (;;) {
    const flags = glyf.getUint16(at);
    ids.push(glyf.getUint16(at + 2));
    at += 4 + (flags & 0x0001 ? 4 : 2);
    if (flags & 0x0008) at += 2;
    else if (flags & 0x0040) at += 4;
    else if (flags & 0x0080) at += 8;
    if (!(flags & 0x0020)) return ids;
  }
}

/** A copy of `font` (TrueType outlines) where only `keep` (plus .notdef and their components) have outlines. */
export function pruneGlyphs(font: Uint8Array, keep: Iterable<number>): Uint8Array {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const head = table(font, view, "head");
  const loca = table(font, view, "loca");
  const glyf = table(font, view, "glyf");
  const longOffsets = view.getInt16(head.offset + 50) === 1;
  const glyphCount = loca.length / (longOffsets ? 4 : 2) - 1;
  const offsetOf = (id: number) => (longOffsets ? view.getUint32(loca.offset + id * 4) : view.getUint16(loca.offset + id * 2) * 2);
  const glyfView = new DataView(font.buffer, font.byteOffset + glyf.offset, glyf.length);

  const wanted = new Set<number>([0]);
  const queue = [0, ...keep];
  while (queue.length) {
    const id = queue.pop()!;
    if (id < 0 || id >= glyphCount) continue;
    wanted.add(id);
    const start = offsetOf(id);
    if (offsetOf(id + 1) > start && glyfView.getInt16(start) < 0) for (const c of components(glyfView, start)) if (!wanted.has(c)) queue.push(c);
  }

  // New glyf: the kept outlines, 4-byte aligned; new loca (long format) pointing into it.
  const pieces: { id: number; start: number; end: number }[] = [];
  let size = 0;
  for (let id = 0; id < glyphCount; id++) {
    if (!wanted.has(id)) continue;
    const start = offsetOf(id);
    const end = offsetOf(id + 1);
    pieces.push({ id, start, end });
    size += (end - start + 3) & ~3;
  }
  const newGlyf = new Uint8Array(size);
  const newLoca = new Uint8Array((glyphCount + 1) * 4);
  const locaView = new DataView(newLoca.buffer);
  let at = 0;
  let next = 0;
  for (let id = 0; id <= glyphCount; id++) {
    const piece = pieces[next];
    locaView.setUint32(id * 4, at);
    if (piece && piece.id === id) {
      newGlyf.set(font.subarray(glyf.offset + piece.start, glyf.offset + piece.end), at);
      at += (piece.end - piece.start + 3) & ~3;
      next++;
    }
  }

  // Reassemble: every table as it was, but loca and glyf replaced; head says long offsets now.
  const count = view.getUint16(4);
  const entries: { tag: string; data: Uint8Array; checksum: number }[] = [];
  for (let i = 0; i < count; i++) {
    const e = 12 + i * 16;
    const tag = String.fromCharCode(font[e]!, font[e + 1]!, font[e + 2]!, font[e + 3]!);
    const offset = view.getUint32(e + 8);
    const length = view.getUint32(e + 12);
    let data = tag === "loca" ? newLoca : tag === "glyf" ? newGlyf : font.subarray(offset, offset + length);
    if (tag === "head") {
      data = data.slice();
      new DataView(data.buffer).setInt16(50, 1);
    }
    entries.push({ tag, data, checksum: view.getUint32(e + 4) });
  }
  let total = 12 + 16 * count;
  for (const e of entries) total += (e.data.length + 3) & ~3;
  const out = new Uint8Array(total);
  const w = new DataView(out.buffer);
  out.set(font.subarray(0, 12), 0);
  let offset = 12 + 16 * count;
  entries.forEach((e, i) => {
    const d = 12 + 16 * i;
    for (let k = 0; k < 4; k++) out[d + k] = e.tag.charCodeAt(k);
    w.setUint32(d + 4, e.checksum);
    w.setUint32(d + 8, offset);
    w.setUint32(d + 12, e.data.length);
    out.set(e.data, offset);
    offset += (e.data.length + 3) & ~3;
  });
  return out;
}
