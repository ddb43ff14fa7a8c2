// Metadata stripping on real files built here: the identifying metadata is gone byte for byte, and
// the picture or document still decodes the same (independent decoders: jpeg-js, pngjs, pdf-lib).
import jpeg from "jpeg-js";
import { PDFDocument, PDFName, PDFHexString } from "pdf-lib";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { stripMetadata } from "../../src/core/metadata-strip";

const enc = new TextEncoder();
const bytesOf = (s: string) => enc.encode(s);
const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const contains = (hay: Uint8Array, needle: Uint8Array | string) => Buffer.from(hay).includes(typeof needle === "string" ? Buffer.from(needle, "utf8") : Buffer.from(needle));
const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts.map((p) => Buffer.from(p))));
const u16be = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const u32be = (n: number) => Uint8Array.of(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
const u32le = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);

const XMP = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Zhao Xiaohong 赵小红</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;

function image(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let k = 0; k < width * height; k++) data.set([(k * 37) % 256, (k * 91) % 256, (k * 13) % 256, 255], k * 4);
  return data;
}

/** A TIFF/EXIF block (big-endian) with IFD0 Artist and a GPS IFD holding a latitude. */
function exifPayload(): Uint8Array {
  const artist = bytesOf("Zhao Xiaohong\0");
  // Header 8, IFD0 at 8: count(2) + 2 entries(24) + next(4) = 30 → artist at 38, GPS IFD after it.
  const artistAt = 8 + 2 + 24 + 4;
  const gpsAt = artistAt + artist.length;
  const latAt = gpsAt + 2 + 24 + 4;
  const entry = (tag: number, type: number, count: number, value: Uint8Array) => concat(u16be(tag), u16be(type), u32be(count), value);
  const tiff = concat(
    bytesOf("MM"),
    u16be(42),
    u32be(8),
    u16be(2),
    entry(0x013b, 2, artist.length, u32be(artistAt)),
    entry(0x8825, 4, 1, u32be(gpsAt)),
    u32be(0),
    artist,
    u16be(2),
    entry(0x0001, 2, 2, concat(bytesOf("N\0"), Uint8Array.of(0, 0))),
    entry(0x0002, 5, 3, u32be(latAt)),
    u32be(0),
    u32be(39), u32be(1), u32be(54), u32be(1), u32be(3123), u32be(100),
  );
  return concat(bytesOf("Exif\0\0"), tiff);
}

const segment = (marker: number, payload: Uint8Array) => concat(Uint8Array.of(0xff, marker), u16be(payload.length + 2), payload);

describe("stripMetadata: JPEG", () => {
  const width = 24;
  const height = 16;
  const plain = Uint8Array.from(jpeg.encode({ data: image(width, height), width, height }, 90).data);
  // Metadata segments go right after SOI, as cameras write them; a preview with its own EXIF after EOI.
  const withMetadata = concat(
    plain.subarray(0, 2),
    segment(0xe1, exifPayload()),
    segment(0xe1, concat(bytesOf("http://ns.adobe.com/xap/1.0/\0"), bytesOf(XMP))),
    segment(0xed, concat(bytesOf("Photoshop 3.0\x008BIM"), Uint8Array.of(0x04, 0x04, 0, 0, 0, 0, 0, 16, 0x1c, 0x02, 0x50, 0, 13), bytesOf("Zhao Xiaohong"))),
    segment(0xfe, bytesOf("taken by Zhao Xiaohong at 幸福小区3栋")),
    plain.subarray(2),
    concat(Uint8Array.of(0xff, 0xd8), segment(0xe1, exifPayload()), Uint8Array.of(0xff, 0xd9)),
  );

  it("removes EXIF (Artist, GPS), XMP, IPTC, comments and trailing data", () => {
    expect(contains(withMetadata, "Zhao Xiaohong")).toBe(true);
    const result = stripMetadata("image/jpeg", withMetadata);
    if (!result.ok) throw new Error(result.reason);
    for (const needle of ["Zhao Xiaohong", "赵小红", "幸福小区", "Exif\0\0", "http://ns.adobe.com/xap", "Photoshop 3.0", "8BIM"]) expect(contains(result.bytes, needle)).toBe(false);
    expect(result.removed).toEqual(expect.arrayContaining(["EXIF/XMP (APP1)", "IPTC (APP13)", "comment", "data after end of image"]));
  });

  it("keeps the picture: same dimensions and pixels as before", () => {
    const result = stripMetadata("image/jpeg", withMetadata);
    if (!result.ok) throw new Error(result.reason);
    const before = jpeg.decode(Buffer.from(plain), { useTArray: true });
    const after = jpeg.decode(Buffer.from(result.bytes), { useTArray: true });
    expect([after.width, after.height]).toEqual([width, height]);
    expect(Buffer.from(after.data).equals(Buffer.from(before.data))).toBe(true);
    // A file without metadata passes unchanged.
    const again = stripMetadata("image/jpeg", plain);
    expect(again.ok && Buffer.from(again.bytes).equals(Buffer.from(plain))).toBe(true);
  });

  it("keeps only the orientation of the EXIF, so a rotated phone photo still shows upright", async () => {
    const { exifOrientation } = await import("../../src/core/metadata-strip");
    // Little-endian EXIF with Artist and Orientation 6 (rotate 90°).
    const artist = bytesOf("Zhao Xiaohong\0");
    const le16 = (n: number) => Uint8Array.of(n & 0xff, n >> 8);
    const tiff = concat(bytesOf("II"), le16(42), u32le(8), le16(2), le16(0x013b), le16(2), u32le(artist.length), u32le(38), le16(0x0112), le16(3), u32le(1), concat(le16(6), le16(0)), u32le(0), artist);
    const rotated = concat(plain.subarray(0, 2), segment(0xe1, concat(bytesOf("Exif\0\0"), tiff)), plain.subarray(2));
    const result = stripMetadata("image/jpeg", rotated);
    if (!result.ok) throw new Error(result.reason);
    expect(contains(result.bytes, "Zhao Xiaohong")).toBe(false);
    expect(exifOrientation(result.bytes.subarray(6, 6 + 32))).toBe(6);
    expect(result.bytes.length).toBe(plain.length + 36);
    expect(jpeg.decode(Buffer.from(result.bytes)).width).toBe(width);
  });

  it("refuses a truncated or fake JPEG instead of guessing", () => {
    expect(stripMetadata("image/jpeg", withMetadata.subarray(0, 200))).toEqual({ ok: false, reason: "malformed" });
    expect(stripMetadata("image/jpeg", Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00))).toEqual({ ok: false, reason: "malformed" });
  });
});

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const pngChunk = (type: string, data: Uint8Array) => concat(u32be(data.length), bytesOf(type), data, u32be(crc32(concat(bytesOf(type), data))));

describe("stripMetadata: PNG", () => {
  const width = 9;
  const height = 7;
  const plain = Uint8Array.from(PNG.sync.write(Object.assign(new PNG({ width, height }), { data: image(width, height) })));
  const iend = plain.length - 12;
  const withMetadata = concat(
    plain.subarray(0, 33), // signature + IHDR
    pngChunk("tEXt", bytesOf("Author\0Zhao Xiaohong")),
    pngChunk("iTXt", concat(bytesOf("XML:com.adobe.xmp\0\0\0\0\0"), bytesOf(XMP))),
    pngChunk("zTXt", concat(bytesOf("Comment\0\0"), Uint8Array.of(0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01))),
    pngChunk("eXIf", exifPayload().subarray(6)),
    pngChunk("tIME", Uint8Array.of(0x07, 0xea, 11, 24, 10, 0, 0)),
    plain.subarray(33, iend),
    plain.subarray(iend),
  );

  it("removes text, XMP, EXIF and time chunks and still decodes to the same pixels", () => {
    const result = stripMetadata("image/png", withMetadata);
    if (!result.ok) throw new Error(result.reason);
    for (const needle of ["Zhao Xiaohong", "Author", "tEXt", "iTXt", "zTXt", "eXIf", "tIME", "adobe"]) expect(contains(result.bytes, needle)).toBe(false);
    const decoded = PNG.sync.read(Buffer.from(result.bytes));
    expect([decoded.width, decoded.height]).toEqual([width, height]);
    expect(decoded.data.equals(PNG.sync.read(Buffer.from(plain)).data)).toBe(true);
  });
});

describe("stripMetadata: WebP", () => {
  const riffChunk = (type: string, data: Uint8Array) => concat(bytesOf(type), u32le(data.length), data, data.length & 1 ? Uint8Array.of(0) : new Uint8Array(0));
  // VP8X: flags (EXIF 0x08 | XMP 0x04), reserved, canvas width-1 and height-1 (24 bits each).
  const vp8x = Uint8Array.of(0x0c, 0, 0, 0, 99, 0, 0, 49, 0, 0);
  const vp8l = Uint8Array.of(0x2f, 0x63, 0xc0, 0x18, 0x00, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07);
  const body = concat(bytesOf("WEBP"), riffChunk("VP8X", vp8x), riffChunk("VP8L", vp8l), riffChunk("EXIF", exifPayload()), riffChunk("XMP ", bytesOf(XMP)));
  const file = concat(bytesOf("RIFF"), u32le(body.length), body);

  it("drops EXIF and XMP chunks, clears their flags and fixes the RIFF size", () => {
    const result = stripMetadata("image/webp", file);
    if (!result.ok) throw new Error(result.reason);
    const out = result.bytes;
    expect(contains(out, "Zhao Xiaohong")).toBe(false);
    expect(contains(out, "EXIF")).toBe(false);
    expect(contains(out, "XMP ")).toBe(false);
    expect(new DataView(out.buffer, out.byteOffset).getUint32(4, true)).toBe(out.length - 8);
    expect(latin1(out.subarray(12, 16))).toBe("VP8X");
    expect(out[20]! & 0x0c).toBe(0);
    // Canvas size untouched: 100 × 50.
    expect([1 + (out[24]! | (out[25]! << 8) | (out[26]! << 16)), 1 + (out[27]! | (out[28]! << 8) | (out[29]! << 16))]).toEqual([100, 50]);
    expect(contains(out, vp8l)).toBe(true);
  });
});

describe("stripMetadata: GIF", () => {
  const subBlocks = (data: Uint8Array) => concat(Uint8Array.of(data.length), data, Uint8Array.of(0));
  const header = concat(bytesOf("GIF89a"), Uint8Array.of(1, 0, 1, 0, 0x80, 0, 0), Uint8Array.of(0, 0, 0, 255, 255, 255));
  const imageBlock = Uint8Array.of(0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00);
  const file = concat(
    header,
    Uint8Array.of(0x21, 0xfe),
    subBlocks(bytesOf("Zhao Xiaohong")),
    Uint8Array.of(0x21, 0xff, 11),
    bytesOf("XMP DataXMP"),
    subBlocks(bytesOf("<x:xmpmeta>Zhao</x:xmpmeta>")),
    imageBlock,
    Uint8Array.of(0x3b),
  );
  it("drops comments and the XMP application extension, keeps the image", () => {
    const result = stripMetadata("image/gif", file);
    if (!result.ok) throw new Error(result.reason);
    expect(Buffer.from(result.bytes).equals(Buffer.from(concat(header, imageBlock, Uint8Array.of(0x3b))))).toBe(true);
  });
});

/** Every xref table entry in use points at "N G obj": the byte offsets survived. */
function xrefOffsetsValid(pdf: Uint8Array): boolean {
  const text = latin1(pdf);
  const startxref = Number(/startxref\s+(\d+)/.exec(text.slice(-64))![1]);
  const table = /^xref\s+(\d+)\s+(\d+)\s+/.exec(text.slice(startxref));
  if (!table) return false;
  const first = Number(table[1]);
  const entries = text.slice(startxref + table[0].length).split(/\r?\n|\r/).slice(0, Number(table[2]));
  return entries.every((line, k) => {
    const [offset, gen, kind] = line.trim().split(/\s+/);
    return kind === "f" || new RegExp(`^${first + k}\\s+${Number(gen)}\\s+obj`).test(text.slice(Number(offset)));
  });
}

async function pdfWithMetadata(options: { compressXmp: boolean; objectStreams: boolean }): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 100]).drawText("Invoice 2026-03", { x: 10, y: 50, size: 12 });
  doc.setAuthor("赵小红");
  doc.setTitle("Zhao Xiaohong payslip");
  doc.setCreator("Zhao's laptop");
  doc.setKeywords(["幸福小区3栋"]);
  (doc as unknown as { getInfoDict(): { set(k: PDFName, v: unknown): void } }).getInfoDict().set(PDFName.of("Company"), PDFHexString.fromText("Xingfu Clinic HR"));
  const xmp = bytesOf(XMP);
  const stream = options.compressXmp
    ? doc.context.flateStream(xmp, { Type: "Metadata", Subtype: "XML" })
    : doc.context.stream(xmp, { Type: "Metadata", Subtype: "XML", Length: xmp.length });
  doc.catalog.set(PDFName.of("Metadata"), doc.context.register(stream));
  return doc.save({ useObjectStreams: options.objectStreams });
}

const utf16Hex = (s: string) => Buffer.from(s, "utf16le").swap16().toString("hex").toUpperCase();

describe("stripMetadata: PDF", () => {
  it("blanks the document info and the XMP stream in place, keeping header, xref and pages", async () => {
    const original = await pdfWithMetadata({ compressXmp: false, objectStreams: false });
    expect(latin1(original).toUpperCase()).toContain(utf16Hex("赵小红"));
    expect(contains(original, "Zhao Xiaohong")).toBe(true);
    const result = stripMetadata("application/pdf", original);
    if (!result.ok) throw new Error(result.reason);
    const text = latin1(result.bytes);
    for (const secret of ["赵小红", "Zhao Xiaohong payslip", "Zhao's laptop", "幸福小区3栋", "Xingfu Clinic HR"]) expect(text.toUpperCase()).not.toContain(utf16Hex(secret));
    expect(text).not.toContain("Zhao");
    expect(text).not.toContain("xmpmeta");
    expect(text.startsWith("%PDF-")).toBe(true);
    expect(result.bytes.length).toBe(original.length);
    expect(xrefOffsetsValid(result.bytes)).toBe(true);
    const reloaded = await PDFDocument.load(result.bytes);
    expect(reloaded.getPageCount()).toBe(1);
    expect(reloaded.getPage(0).getSize()).toEqual({ width: 200, height: 100 });
    expect((reloaded.getAuthor() ?? "").trim()).toBe("");
    expect(result.removed).toEqual(expect.arrayContaining(["document info", "XMP metadata"]));
  });

  it("replaces a compressed XMP stream with a same-length deflate stream of blanks", async () => {
    const original = await pdfWithMetadata({ compressXmp: true, objectStreams: false });
    const result = stripMetadata("application/pdf", original);
    if (!result.ok) throw new Error(result.reason);
    expect(xrefOffsetsValid(result.bytes)).toBe(true);
    const reloaded = await PDFDocument.load(result.bytes);
    const metadataRef = reloaded.catalog.get(PDFName.of("Metadata"));
    const stream = reloaded.context.lookup(metadataRef) as unknown as { getContents(): Uint8Array; dict: { get(n: PDFName): unknown } };
    const { inflateSync } = await import("node:zlib");
    const inflated = inflateSync(Buffer.from(stream.getContents()));
    expect(inflated.toString("latin1").trim()).toBe("");
  });

  it("says incomplete when the info dictionary sits in a compressed object stream", async () => {
    const original = await pdfWithMetadata({ compressXmp: false, objectStreams: true });
    expect(stripMetadata("application/pdf", original)).toEqual({ ok: false, reason: "incomplete" });
  });

  it("has no stripper for HEIC", () => {
    expect(stripMetadata("image/heic", bytesOf("\0\0\0\x18ftypheic"))).toEqual({ ok: false, reason: "unsupported" });
  });
});
