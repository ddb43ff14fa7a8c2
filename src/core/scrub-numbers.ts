// Identifying numbers by their shape, on the matching copy (scrub-normalise.ts): runs of digit groups
// joined by separators; every stretch of consecutive groups is tested as a phone, ID or card number,
// so "电话139 1234 5678 2026年" still finds the phone and leaves the year.
// Choices that keep ordinary text intact:
// - written in parts, every part has at least 3 digits (the last may be shorter), so dates
//   (2026-03-05, 2026.3.5) and lists (1、2、3) are never joined into a "number";
// - a stretch that ends just before 元/块/万/亿/% or starts just after ¥/$ is an amount, not a number;
// - a bank card found by its shape has 16–19 digits; written in parts it must pass the Luhn check or
//   carry the UnionPay prefix 62 (many UnionPay cards do not use Luhn). Shorter account numbers are
//   only taken after a keyword (卡号, 账号: scrub-contacts.ts), so a 12-digit invoice code stays.

import type { Span } from "./scrub-contacts";
import { NUMBER_SEPARATORS, type Normalised } from "./scrub-normalise";

const SEP = `[${NUMBER_SEPARATORS}]`;
// An ID's check character may stand apart ("… 236 X"), so a lone X may close a run.
const NUMBER_RUN = new RegExp(String.raw`\d+[Xx]?(?:${SEP}{1,4}\d+[Xx]?)*(?:${SEP}{1,4}[Xx](?![A-Za-z]))?`, "g");
const GROUP = /\d+[Xx]?|[Xx]/g;
const AMOUNT_AFTER = /^\s{0,2}[元块万亿%]/;
const AMOUNT_BEFORE = /[¥$]\s{0,2}$/;

const MOBILE = /^(?:0{0,2}86)?1[3-9]\d{9}$/;
const ID18 = /^[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]$/;
const ID15 = /^[1-9]\d{7}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}$/;
const CARD = /^\d{16,19}$/;
const LANDLINE = /^0\d{2,3}\d{7,8}$/;
/** Longest number worth testing: a 19-digit card, or 0086 + a mobile, plus trimmed numerals. */
const MAX_DIGITS = 23;
/** Chinese numerals at either end of a stretch that may belong to the words around (第三, 一家). */
const MAX_TRIM = 2;

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let k = 0; k < digits.length; k++) {
    let d = Number(digits[digits.length - 1 - k]);
    if (k % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Whether these digit groups, written together, are an identifying number. */
function isSensitiveNumber(groups: string[]): boolean {
  const digits = groups.join("");
  if (digits.length === 0 || /[Xx]/.test(digits.slice(0, -1))) return false;
  if (groups.length === 1) return MOBILE.test(digits) || ID18.test(digits) || ID15.test(digits) || CARD.test(digits) || LANDLINE.test(digits);
  // Written in parts: every part after an optional 86 / 0086 prefix has at least 3 digits.
  // The last part may be shorter (a 17-digit card in fours ends in one digit; an ID's check character).
  const prefixed = /^(0{0,2}86)$/.test(groups[0]!) ? 1 : 0;
  const short = groups.slice(prefixed).filter((g) => g.length < 3).length;
  if (short > 1 || (short === 1 && groups.at(-1)!.length >= 3)) return false;
  if (short === 0 && MOBILE.test(digits)) return true;
  if (prefixed) return false;
  if (ID18.test(digits) || ID15.test(digits)) return true;
  if (CARD.test(digits) && (luhnValid(digits) || digits.startsWith("62"))) return true;
  return /^0\d{2,3}$/.test(groups[0]!) && /^\d{7,8}$/.test(groups.slice(1).join(""));
}

interface Group {
  text: string;
  start: number;
  end: number;
}

/**
 * Groups i..j as a number, if they are one; else with up to MAX_TRIM Chinese numerals taken off
 * either end, which belong to the words around ("第三13912345678", "勾一三九…").
 */
function windowSpan(groups: Group[], i: number, j: number, spelled: boolean[]): Span | null {
  const texts = groups.slice(i, j + 1).map((g) => g.text);
  if (isSensitiveNumber(texts)) return [groups[i]!.start, groups[j]!.end];
  const first = groups[i]!;
  const last = groups[j]!;
  for (let a = 0; a <= MAX_TRIM && (a === 0 || spelled[first.start + a - 1]); a++)
    for (let b = 0; b <= MAX_TRIM && (b === 0 || spelled[last.end - b]); b++) {
      if (a + b === 0) continue;
      const trimmed = [...texts];
      if (i === j) trimmed[0] = first.text.slice(a, first.text.length - b);
      else {
        trimmed[0] = first.text.slice(a);
        trimmed[trimmed.length - 1] = last.text.slice(0, last.text.length - b);
      }
      if (trimmed.every((t) => t.length > 0) && isSensitiveNumber(trimmed)) return [first.start + a, last.end - b];
    }
  return null;
}

export function numberSpans(norm: Normalised): Span[] {
  const { text, spelled } = norm;
  const spans: Span[] = [];
  for (const run of text.matchAll(NUMBER_RUN)) {
    const at = run.index!;
    const groups: Group[] = [...run[0].matchAll(GROUP)].map((g) => ({ text: g[0], start: at + g.index!, end: at + g.index! + g[0].length }));
    const amountAfter = AMOUNT_AFTER.test(text.slice(at + run[0].length, at + run[0].length + 3));
    const amountBefore = AMOUNT_BEFORE.test(text.slice(Math.max(0, at - 3), at));
    for (let i = 0; i < groups.length; i++) {
      let digits = 0;
      for (let j = i; j < groups.length; j++) {
        digits += groups[j]!.text.length;
        if (digits > MAX_DIGITS) break;
        if ((amountBefore && i === 0) || (amountAfter && j === groups.length - 1)) continue;
        const span = windowSpan(groups, i, j, spelled);
        if (span) spans.push(text[span[0] - 1] === "+" ? [span[0] - 1, span[1]] : span);
        // Only the last part may be short (after an 86 prefix): no longer stretch can be a number.
        if (groups[j]!.text.length < 3 && !(j === i && groups[i]!.text === "86")) break;
      }
    }
  }
  return spans;
}
