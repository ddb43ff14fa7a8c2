// The 受理回执 as a PDF (pdf-lib + @pdf-lib/fontkit, pure JS): A4, the authority, the rows of the
// receipt document, notes, and the QR code of the verification address. The proof travels inside the
// file (document information, uncompressed) so the PDF itself can be uploaded to /verify. Chinese text
// needs a CJK font: the caller passes its bytes (see cjk-font-node.ts); only the glyphs used keep outlines.
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, PDFName, type PDFDict, PDFString, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import { qrMatrix } from "../core/qr";
import { pruneGlyphs } from "./font-prune";
import { encodeProofForPdf, PDF_PROOF_KEY } from "../services/intake/proof-check";
import type { ReceiptDocument } from "./public/receipt-document";

export type ReceiptPdfRenderer = (doc: ReceiptDocument) => Promise<Uint8Array>;

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const RED = rgb(0.706, 0.137, 0.165);
const INK = rgb(0.11, 0.14, 0.16);
const MUTED = rgb(0.31, 0.35, 0.39);

/** Breaks text into lines that fit `width` (CJK may break anywhere; Latin prefers spaces). */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const ch of Array.from(text)) {
    const next = line + ch;
    if (font.widthOfTextAtSize(next, size) <= width) {
      line = next;
      continue;
    }
    const space = line.lastIndexOf(" ");
    if (ch !== " " && space > line.length / 2) {
      lines.push(line.slice(0, space));
      line = line.slice(space + 1) + ch;
    } else {
      lines.push(line);
      line = ch === " " ? "" : ch;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function drawEmblem(page: PDFPage, x: number, y: number, r: number) {
  page.drawCircle({ x, y, size: r, color: RED });
  page.drawCircle({ x, y, size: r * 0.84, borderColor: rgb(1, 1, 1), borderWidth: 1 });
  page.drawRectangle({ x: x - r * 0.12, y: y - r * 0.5, width: r * 0.24, height: r, color: rgb(1, 1, 1) });
  page.drawRectangle({ x: x - r * 0.5, y: y - r * 0.12, width: r, height: r * 0.24, color: rgb(1, 1, 1) });
}

export function createReceiptPdfRenderer(loadFont: () => Promise<Uint8Array>): ReceiptPdfRenderer {
  return async (doc) => {
    const pdf = await PDFDocument.create();
    pdf.registerFontkit(fontkit);
    // Only the glyphs this receipt shows keep their outlines (see font-prune.ts), embedded whole.
    const full = await loadFont();
    const text = [doc.title, doc.authority, doc.verifyCaption, doc.verifyUrl, doc.footer, ...doc.notes, ...doc.rows.flatMap((r) => [r.label, r.value])].join("");
    const glyphIds = fontkit.create(full as Buffer).glyphsForString(text).map((g) => g.id);
    const font = await pdf.embedFont(pruneGlyphs(full, glyphIds), { subset: false });
    pdf.setTitle(`${doc.title} ${doc.proof.reportId}`);
    pdf.setAuthor(doc.authority);
    pdf.setCreator("FundWatch");
    pdf.setLanguage(doc.locale);
    pdf.setCreationDate(new Date(doc.proof.submittedAt));
    // getInfoDict is private in the typings; the dictionary is the trailer's /Info.
    (pdf as unknown as { getInfoDict(): PDFDict }).getInfoDict().set(PDFName.of(PDF_PROOF_KEY), PDFString.of(encodeProofForPdf(doc.proof)));

    const page = pdf.addPage(A4);
    const [width, height] = A4;
    const inner = width - 2 * MARGIN;
    let y = height - MARGIN;

    drawEmblem(page, MARGIN + 18, y - 18, 18);
    page.drawText(doc.authority, { x: MARGIN + 46, y: y - 24, size: 16, font, color: RED });
    y -= 50;
    page.drawLine({ start: { x: MARGIN, y }, end: { x: width - MARGIN, y }, thickness: 2, color: RED });
    y -= 40;
    const titleWidth = font.widthOfTextAtSize(doc.title, 24);
    page.drawText(doc.title, { x: (width - titleWidth) / 2, y, size: 24, font, color: INK });
    y -= 36;

    const labelWidth = 130;
    for (const row of doc.rows) {
      const size = row.mono ? 9 : 11.5;
      const lines = wrap(row.value, font, size, inner - labelWidth);
      page.drawText(row.label, { x: MARGIN, y, size: 11.5, font, color: MUTED });
      lines.forEach((l, i) => page.drawText(l, { x: MARGIN + labelWidth, y: y - i * (size + 5), size, font, color: INK }));
      y -= Math.max(1, lines.length) * (size + 5) + 10;
    }
    y -= 6;
    page.drawLine({ start: { x: MARGIN, y }, end: { x: width - MARGIN, y }, thickness: 0.5, color: MUTED });
    y -= 22;
    for (const note of doc.notes)
      for (const l of wrap(note, font, 10.5, inner)) {
        page.drawText(l, { x: MARGIN, y, size: 10.5, font, color: INK });
        y -= 16;
      }

    // The QR code of the verification address, with its caption and the address in small print.
    const qr = qrMatrix(doc.verifyUrl);
    const box = 150;
    const cell = box / (qr.size + 8);
    const qx = MARGIN;
    const qy = Math.max(MARGIN + 60, y - box - 20);
    for (let r = 0; r < qr.size; r++)
      for (let c = 0; c < qr.size; c++)
        if (qr.isDark(r, c)) page.drawRectangle({ x: qx + (c + 4) * cell, y: qy + box - (r + 5) * cell, width: cell + 0.05, height: cell + 0.05, color: rgb(0, 0, 0) });
    let cy = qy + box - 28;
    for (const l of wrap(doc.verifyCaption, font, 11, inner - box - 16)) {
      page.drawText(l, { x: qx + box + 16, y: cy, size: 11, font, color: INK });
      cy -= 17;
    }
    for (const l of wrap(doc.verifyUrl, font, 7, inner - box - 16)) {
      page.drawText(l, { x: qx + box + 16, y: cy - 4, size: 7, font, color: MUTED });
      cy -= 10;
    }
    for (const l of wrap(doc.footer, font, 9, inner)) {
      page.drawText(l, { x: MARGIN, y: MARGIN - 10, size: 9, font, color: MUTED });
    }
    // Uncompressed objects: the proof in the information dictionary stays findable without a parser.
    return pdf.save({ useObjectStreams: false });
  };
}
