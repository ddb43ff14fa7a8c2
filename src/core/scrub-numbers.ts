// Identifying numbers by their shape, on the matching copy (scrub-normalise.ts): runs of digit groups
// joined by separators; every stretch of consecutive groups is tested as a phone, ID or card number,
// so "电话139 1234 5678 2026年" still finds the phone and leaves the year.
// Choices that keep ordinary text intact:
// - written in parts, every part has at least 3 digits (the last may be shorter), so dates
//   (2026-03-05, 2026.3.5) and lists (1、2、3) are never joined into a "number";
// - a stretch that ends just before 元/块/万/亿/% or starts just after ¥/$ is an amount, not a number;
// - a bank card found by its shape has 16–19 digits; written in parts it must pass the Luhn check or
//   carry the UnionPay prefix 62 (many UnionPay cards do not use Luhn). Shorter account numbers
//   (12–19 digits) are only taken after a keyword (卡号, 账号), so a 12-digit invoice code stays;
// - a short group of Chinese numerals at the edge, against a word, is part of that word
//   ("…八零零零，一家医院", "十二月"), and so are up to two numerals stuck to the number ("第三1391…").

import type { Span } from "./scrub-contacts";
import { NUMBER_SEPARATORS, type Normalised } from "./scrub-normalise";

const SEP = `[${NUMBER_SEPARATORS}]`;
// An ID's check character may stand apart ("… 236 X"), so a lone X may close a run.
const NUMBER_RUN = new RegExp(String.raw`\d+[Xx]?(?:${SEP}{1,4}\d+[Xx]?)*(?:${SEP}{1,4}[Xx](?![A-Za-z]))?`, "g");
// Never part of a number: a run written as an amount (1,234,567: ASCII thousands commas), an amount
// with cents inside a run (…，1,234.56), a date (2026-03-05, 2026.3.5, one separator) at either end of
// a run ("…8000。2021-12-04"; a date inside a run may be an ID's birth date: 110105 1949.12.31 002X),
// and a last group of at most 4 digits followed by a unit (…8000，2020年, 302室).
const AMOUNT = /^\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?$/;
const AMOUNT_WITH_CENTS = /(?<![\d,])\d{1,3}(?:,\d{3})+\.\d{1,2}(?![\d,])/g;
const DATE = /(?<!\d)(?:19|20)\d{2}([-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?!\d)/g;
const UNIT = /^[年月日号时点分秒岁天周个次人元块万亿床楼层室家位名张份项条]/;
const AMOUNT_AFTER = /^\s{0,2}[元块万亿%]/;
const AMOUNT_BEFORE = /[¥$]\s{0,2}$/;

const MOBILE = /^(?:0{0,2}86)?1[3-9]\d{9}$/;
const ID18 = /^[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]$/;
const ID15 = /^[1-9]\d{7}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}$/;
const CARD = /^\d{16,19}$/;
// Area codes are 010, 02x or 0 and three digits from 3; local numbers do not start with 0 or 1.
const LANDLINE = /^0(?:10|2\d|[3-9]\d{2})[2-9]\d{6,7}$/;
const ACCOUNT = /^\d{12,19}$/;
// An account number follows one of these words (and what people put between: ：, 是, spaces).
const ACCOUNT_KEYWORD = /(?:卡号|银行卡号?|储蓄卡号?|借记卡号?|信用卡号?|账号|帐号|账户|帐户)[\s:=]{0,6}(?:(?:号码|号)[\s:=]{0,4})?(?:(?:是|为)[\s:=]{0,4})?$/;
/** Longest number worth testing: a 19-digit card, or 0086 + a mobile, plus trimmed numerals. */
const MAX_DIGITS = 23;
/** Fewest digits of any number found by its shape (a landline with its area code). */
const MIN_DIGITS = 10;
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

/**
 * Written in parts, every part after an optional 86 / 0086 prefix has at least 3 digits, which keeps
 * dates (2026-03-01) and lists of small numbers from being joined into a "number". The last part may
 * be shorter (a 17-digit card in fours ends in one digit; an ID's check character).
 */
function shortParts(groups: string[]): number | null {
  const prefixed = /^(0{0,2}86)$/.test(groups[0]!) ? 1 : 0;
  const short = groups.slice(prefixed).filter((g) => g.length < 3).length;
  return short > 1 || (short === 1 && groups.at(-1)!.length >= 3) ? null : short;
}

/** Whether these digit groups, written together, are an identifying number. */
function isSensitiveNumber(groups: string[], afterAccountKeyword: boolean): boolean {
  const digits = groups.join("");
  if (digits.length === 0 || /[Xx]/.test(digits.slice(0, -1))) return false;
  if (groups.length === 1) return MOBILE.test(digits) || ID18.test(digits) || ID15.test(digits) || CARD.test(digits) || LANDLINE.test(digits) || (afterAccountKeyword && ACCOUNT.test(digits));
  const short = shortParts(groups);
  if (short === null) return false;
  if (short === 0 && MOBILE.test(digits)) return true;
  if (/^(0{0,2}86)$/.test(groups[0]!)) return false;
  // Not the old 15-digit ID in parts: a phone and the year after it ("…8000，2026年") would read as one.
  if (ID18.test(digits)) return true;
  if (CARD.test(digits) && (luhnValid(digits) || digits.startsWith("62"))) return true;
  if (afterAccountKeyword && ACCOUNT.test(digits)) return true;
  return LANDLINE.test(digits);
}

interface Group {
  text: string;
  start: number;
  end: number;
}

/**
 * Groups i..j (`texts`) as a number, if they are one; else, at an end of the run that touches a word,
 * with up to MAX_TRIM Chinese numerals taken off, which belong to that word ("第三13912345678").
 */
function windowSpan(groups: Group[], i: number, j: number, texts: string[], edges: { spelled: Uint8Array; start: boolean; end: boolean; account: boolean }): Span | null {
  if (isSensitiveNumber(texts, edges.account)) return [groups[i]!.start, groups[j]!.end];
  const first = groups[i]!;
  const last = groups[j]!;
  const { spelled } = edges;
  for (let a = 0; a <= (edges.start ? MAX_TRIM : 0) && (a === 0 || spelled[first.start + a - 1]); a++)
    for (let b = 0; b <= (edges.end ? MAX_TRIM : 0) && (b === 0 || spelled[last.end - b]); b++) {
      if (a + b === 0) continue;
      const trimmed = [...texts];
      if (i === j) trimmed[0] = first.text.slice(a, first.text.length - b);
      else {
        trimmed[0] = first.text.slice(a);
        trimmed[trimmed.length - 1] = last.text.slice(0, last.text.length - b);
      }
      if (trimmed.every((t) => t.length > 0) && isSensitiveNumber(trimmed, edges.account && a === 0)) return [first.start + a, last.end - b];
    }
  return null;
}

/** The digit groups of a run: digits with an optional X after them, or a lone X. */
function groupsOf(text: string, start: number, end: number): Group[] {
  const groups: Group[] = [];
  for (let k = start; k < end; ) {
    const from = k;
    while (k < end && isDigit(text.charCodeAt(k))) k++;
    if (k < end && (text[k] === "X" || text[k] === "x")) k++;
    if (k > from) groups.push({ text: text.slice(from, k), start: from, end: k });
    else k++;
  }
  return groups;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

const HAN = /\p{Script=Han}/u;

/** A short group of Chinese numerals at the edge of a run, against a word: 三月, 一家医院, 十二月. */
function belongsToWords(g: Group, spelled: Uint8Array, neighbour: string | undefined): boolean {
  if (g.text.length >= 3 || neighbour === undefined || !HAN.test(neighbour)) return false;
  for (let k = g.start; k < g.end; k++) if (!spelled[k]) return false;
  return true;
}

export function numberSpans(norm: Normalised): Span[] {
  const { text, spelled } = norm;
  const spans: Span[] = [];
  for (const run of text.matchAll(NUMBER_RUN)) {
    const at = run.index!;
    const endAt = at + run[0].length;
    const groups = groupsOf(text, at, endAt);
    const amountAfter = AMOUNT_AFTER.test(text.slice(endAt, endAt + 3));
    const amountBefore = AMOUNT_BEFORE.test(text.slice(Math.max(0, at - 3), at));
    const account = ACCOUNT_KEYWORD.test(text.slice(Math.max(0, at - 16), at));
    if (AMOUNT.test(run[0])) continue;
    const blocked = new Set<number>();
    let k = 0;
    const block = (from: number, to: number) => {
      while (k < groups.length && groups[k]!.start < from) k++;
      for (; k < groups.length && groups[k]!.end <= to; k++) blocked.add(k);
    };
    const protectedParts = [...run[0].matchAll(AMOUNT_WITH_CENTS), ...[...run[0].matchAll(DATE)].filter((m) => m.index === 0 || m.index! + m[0].length === run[0].length)];
    for (const m of protectedParts.sort((x, y) => x.index! - y.index!)) block(at + m.index!, at + m.index! + m[0].length);
    if (groups.at(-1)!.text.length <= 4 && UNIT.test(text.slice(endAt, endAt + 1))) blocked.add(groups.length - 1);
    const first = belongsToWords(groups[0]!, spelled, text[at - 1]) ? 1 : 0;
    const last = groups.length > 1 && belongsToWords(groups.at(-1)!, spelled, text[endAt]) ? groups.length - 2 : groups.length - 1;
    const wordBefore = at === 0 || HAN.test(text[at - 1]!);
    const wordAfter = endAt === text.length || HAN.test(text[endAt]!);
    for (let i = first; i <= last; i++) {
      let digits = 0;
      const texts: string[] = [];
      for (let j = i; j <= last && !blocked.has(j); j++) {
        texts.push(groups[j]!.text);
        digits += groups[j]!.text.length;
        if (digits > MAX_DIGITS) break;
        const amount = (amountBefore && i === 0) || (amountAfter && j === groups.length - 1);
        if (digits >= MIN_DIGITS && !amount) {
          const edges = { spelled, start: i === 0 && wordBefore, end: j === groups.length - 1 && wordAfter, account: account && i === first };
          const span = windowSpan(groups, i, j, texts, edges);
          if (span) spans.push(text[span[0] - 1] === "+" ? [span[0] - 1, span[1]] : span);
        }
        // Only the last part may be short (after an 86 prefix): no longer stretch can be a number.
        if (groups[j]!.text.length < 3 && !(j === i && groups[i]!.text === "86")) break;
      }
    }
  }
  return spans;
}
