// QR codes as a matrix of dark modules (qrcode-generator, pure JS), drawn as SVG for pages and as
// rectangles in the PDF receipt. Only ASCII goes in (a verification address), so byte mode is exact.
import qrcode from "qrcode-generator";

export interface QrMatrix {
  size: number;
  isDark(row: number, col: number): boolean;
}

export function qrMatrix(text: string): QrMatrix {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new RangeError("QR text must be printable ASCII");
  const qr = qrcode(0, "M");
  qr.addData(text, "Byte");
  qr.make();
  return { size: qr.getModuleCount(), isDark: (r, c) => qr.isDark(r, c) };
}

/** One SVG path of the dark modules, with a 4-module quiet zone. */
export function qrSvgPath(m: QrMatrix): { viewBox: string; d: string } {
  const parts: string[] = [];
  for (let r = 0; r < m.size; r++)
    for (let c = 0; c < m.size; c++) {
      if (!m.isDark(r, c)) continue;
      // Runs of dark modules in a row become one rectangle: a third of the path text.
      let end = c;
      while (end + 1 < m.size && m.isDark(r, end + 1)) end++;
      parts.push(`M${c + 4} ${r + 4}h${end - c + 1}v1h-${end - c + 1}z`);
      c = end;
    }
  return { viewBox: `0 0 ${m.size + 8} ${m.size + 8}`, d: parts.join("") };
}
