// The one money formatter: Chinese order in zh-CN ("1,234,567.89 元"), the ISO code in English, exact
// digits for every amount the system accepts (round-trips through the parser), never "NaN".
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMoney, formatYuan, MAX_AMOUNT_FEN, parseYuanText } from "../../src/core/money";

const NBSP = "\u00a0";
const fen = fc.integer({ min: 0, max: MAX_AMOUNT_FEN });

describe("formatMoney", () => {
  it("writes yuan the Chinese way in zh-CN and with the currency code in English", () => {
    expect(formatMoney(123_456_789, "zh-CN")).toBe(`1,234,567.89${NBSP}元`);
    expect(formatMoney(123_456_789, "en")).toBe(`CNY${NBSP}1,234,567.89`);
    expect(formatMoney(0, "zh-CN")).toBe(`0.00${NBSP}元`);
    expect(formatMoney(5, "en")).toBe(`CNY${NBSP}0.05`);
    expect(formatMoney(20_000_000, "zh-CN")).toBe(`200,000.00${NBSP}元`);
    expect(formatMoney(MAX_AMOUNT_FEN, "en")).toBe(`CNY${NBSP}10,000,000,000.00`);
  });

  it("never puts ¥ after the number", () => {
    fc.assert(
      fc.property(fen, fc.constantFrom("zh-CN" as const, "en" as const), (n, locale) => {
        expect(formatMoney(n, locale)).not.toMatch(/\d\s*[¥￥]/);
      }),
    );
  });

  it("round-trips the digits of every amount through the parser, in both languages", () => {
    fc.assert(
      fc.property(fen, (n) => {
        for (const text of [formatMoney(n, "zh-CN"), formatMoney(n, "en").replace(/^CNY\u00a0/, ""), formatYuan(n)]) {
          expect(parseYuanText(text)).toEqual({ ok: true, fen: n });
        }
        // The digits are the amount's own: no rounding, no exponent, exactly two decimals.
        expect(formatYuan(n).replace(/,/g, "")).toBe(`${Math.floor(n / 100)}.${String(n % 100).padStart(2, "0")}`);
      }),
      { numRuns: 500 },
    );
  });

  it("never writes NaN, Infinity or an exponent, whatever number it is given", () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e25, -0, 0.5)), fc.constantFrom("zh-CN" as const, "en" as const), (n, locale) => {
        const text = formatMoney(n, locale);
        expect(text).not.toMatch(/NaN|Infinity|e[+-]?\d/i);
      }),
      { numRuns: 500 },
    );
  });

  it("groups thousands and keeps the sign of a negative correction", () => {
    expect(formatYuan(-123_456)).toBe("-1,234.56");
    expect(formatYuan(100_000_00)).toBe("100,000.00");
    expect(formatYuan(99)).toBe("0.99");
  });
});
