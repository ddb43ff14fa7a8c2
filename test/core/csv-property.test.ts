// The project's one CSV writer (src/core/csv.ts), as a property: every cell of a written file reads back
// (RFC 4180, with a reader of the test's own) as the original text, or as ' + the original when the text
// starts with a character a spreadsheet would run (= + - @ tab CR); numbers we write stay numbers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvField, numeral, toCsv } from "../../src/core/csv";
import { DANGEROUS_CELLS, parseRfc4180 } from "../support/csv-parse";

const DANGEROUS_START = /^[=+\-@\t\r]/;
const expected = (s: string) => (DANGEROUS_START.test(s) ? `'${s}` : s);

// Strings rich in the characters that matter: quotes, commas, CR, LF, tab, the formula starters, CJK.
const cellText = fc.oneof(
  fc.string({ unit: fc.constantFrom("=", "+", "-", "@", "\t", "\r", "\n", '"', ",", " ", "'", "a", "1", "医", "|", "!"), maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.constantFrom(...DANGEROUS_CELLS),
);

describe("csv writer", () => {
  it("every cell parses back to the original, or to ' + original when it starts dangerously", () => {
    fc.assert(
      fc.property(fc.array(fc.array(cellText, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }), (table) => {
        const text = toCsv(table);
        expect(text.startsWith("\uFEFF")).toBe(true);
        const back = parseRfc4180(text.slice(1));
        expect(back).toEqual(table.map((row) => row.map(expected)));
      }),
      { numRuns: 300 },
    );
  });

  it("the listed attacks are neutralised; our own numbers and numerals are written as numbers", () => {
    expect(DANGEROUS_CELLS.map(csvField)).toEqual(["\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"", "'@SUM(A1)", "'+cmd|' /C calc'!A0", "'-1+1", "'\t=1", "\"'\r=1\""]);
    expect(csvField(-5)).toBe("-5");
    expect(csvField(12)).toBe("12");
    expect(csvField(numeral("-1234.50"))).toBe("-1234.50");
    expect(csvField("-5")).toBe("'-5");
    expect(() => numeral("=1+1")).toThrow();
    expect(csvField(null)).toBe("");
    expect(csvField(Number.NaN)).toBe("");
  });
});
