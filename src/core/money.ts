// Money in integer fen: the one bound, parsing what people type, and the one way amounts are written.
// The upper bound on any amount of money the system accepts, in integer fen. 10^12 fen = 100 亿元
// (10 billion yuan): far above any single case of fund fraud (the largest reported are a few 亿), far
// below Number.MAX_SAFE_INTEGER (~9 × 10^15), so every amount, sum of a few amounts and fen × basis
// point product stays exact. Every edge where an amount enters (tip form and API, chat conclusion,
// CLI flags, batch imports, hotline calls) checks it; the reward computation checks again.
import type { Locale } from "./report-input";

export const MAX_AMOUNT_FEN = 1_000_000_000_000;
export const MAX_AMOUNT_YUAN = MAX_AMOUNT_FEN / 100;

/** A non-negative safe integer of fen within the bound. */
export function isValidAmountFen(fen: unknown): fen is number {
  return typeof fen === "number" && Number.isSafeInteger(fen) && fen >= 0 && fen <= MAX_AMOUNT_FEN;
}

export type AmountParse = { ok: true; fen: number } | { ok: false; reason: "amount_invalid" | "amount_too_large" };

/**
 * "12000", "12,000.50", "1.2万", "¥12000", "12000元" into fen, by digits (never `Number("1e25")`):
 * exponents, signs and more than two decimals are invalid; anything over the bound is too large.
 */
export function parseYuanText(text: string): AmountParse {
  const s = text.trim().replace(/[,，\s]/g, "").replace(/(元|¥|￥|rmb|cny)$/i, "").replace(/^[¥￥]/, "");
  const wan = /^(\d+)(?:\.(\d{1,6}))?万$/.exec(s);
  const plain = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  const m = wan ?? plain;
  if (!m) return { ok: false, reason: "amount_invalid" };
  const whole = m[1]!.replace(/^0+(?=\d)/, "");
  const frac = m[2] ?? "";
  // Digits only, as BigInt: a 30-digit string is "too large", not a float rounded into range.
  const fenDigits = wan ? BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, "0")) : BigInt(whole) * 100n + BigInt(frac.padEnd(2, "0") || "0");
  if (fenDigits > BigInt(MAX_AMOUNT_FEN)) return { ok: false, reason: "amount_too_large" };
  return { ok: true, fen: Number(fenDigits) };
}

/** Integer fen as yuan with two decimals, by digits ("-" sign kept): 123456 → "1234.56" — the form a spreadsheet reads as a number. */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const digits = String(Math.abs(fen)).padStart(3, "0");
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** "1,234,567.89": fen as yuan digits with thousands separators, no currency (tables, CLI, limits in text). */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) return "—";
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${yuan}.${String(abs % 100).padStart(2, "0")}`;
}

/** Keeps the amount and its unit on one line on a narrow screen. */
const NBSP = "\u00a0";

/**
 * An amount of money as a reader of `locale` writes it: zh-CN "1,234,567.89 元" (the unit after the
 * number, as Chinese text does), en "CNY 1,234,567.89" (the ISO code: "¥" alone also means yen).
 * The one formatter for money on pages, chat cards and messages; by digits, never floating point.
 */
export function formatMoney(fen: number, locale: Locale): string {
  const digits = formatYuan(fen);
  return locale === "zh-CN" ? `${digits}${NBSP}元` : `CNY${NBSP}${digits}`;
}
