// An RFC 4180 reader written for the tests, independent of the project's own CSV code: quoted fields,
// doubled quotes, CRLF between records. Used to read back what the project's CSV writer produced.

/** Cells that a spreadsheet would run as a formula (or shift into one) if written verbatim. */
export const DANGEROUS_CELLS = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+cmd|' /C calc'!A0", "-1+1", "\t=1", "\r=1"];

export function parseRfc4180(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  if (text === "") return rows;
  for (;;) {
    let cell = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error("unterminated quoted field");
        cell += text.slice(i, q);
        i = q + 1;
        if (text[i] === '"') {
          cell += '"';
          i++;
        } else break;
      }
    } else {
      const end = text.slice(i).search(/,|\r\n/);
      const stop = end < 0 ? text.length : i + end;
      cell = text.slice(i, stop);
      if (cell.includes('"')) throw new Error(`bare quote in unquoted field ${JSON.stringify(cell)}`);
      i = stop;
    }
    row.push(cell);
    if (text[i] === ",") {
      i++;
      continue;
    }
    rows.push(row);
    row = [];
    if (text.startsWith("\r\n", i)) i += 2;
    else if (i < text.length) throw new Error(`unexpected character at ${i}`);
    if (i >= text.length) return rows;
  }
}
