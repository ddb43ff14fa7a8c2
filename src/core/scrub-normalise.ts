// The scrubber's matching copy of a text: what a reader would take for the same characters, with a map
// back to the original so that a match cuts out exactly the original's span and nothing else.
// - NFKC: full-width digits, letters and punctuation as typed by Chinese input methods (１３８，＠，－),
//   circled and parenthesised numerals (①③⑧); only the full-width comma stays itself (see below).
// - Every Unicode space and line/paragraph separator becomes " "; dashes become "-".
// - Invisible characters (zero-width space/joiners, word joiner, BOM, soft hyphen: all of Unicode's
//   format characters, plus the grapheme joiner and the blank Hangul fillers) are dropped, so
//   "139\u200b1234…" reads as one number.
// - Numbers spelt in Chinese: 〇零一二三四五六七八九, the capital (financial) digits 壹贰叁肆伍陆柒捌玖 and
//   the spoken forms used when reading out numbers (幺 1, 两 2, 洞 0, 拐 7, 勾 9) read as digits, but only
//   inside a run of at least MIN_SPELLED_RUN numerals (separators allowed between them). A phone, ID,
//   card or QQ number has at least that many; 三月, 一家医院, 两次, 山洞, 拐弯, 勾选 and names such as
//   陆建华 or 王一博 have fewer, so they stay Chinese characters and the name rules still see them.
//   拾佰仟万 are not digits: a number with them (壹拾贰万) is an amount, and they end a run.

export interface Normalised {
  text: string;
  /** For each UTF-16 unit of `text`, where its source code point starts and ends in the original. */
  from: Int32Array;
  to: Int32Array;
  /** For each UTF-16 unit of `text`: 1 if a digit read from a Chinese numeral (so it may belong to the words around). */
  spelled: Uint8Array;
}

const SPELLED_DIGITS: ReadonlyMap<number, number> = new Map(
  Object.entries({
    〇: "0", 零: "0", 一: "1", 二: "2", 三: "3", 四: "4", 五: "5", 六: "6", 七: "7", 八: "8", 九: "9",
    壹: "1", 贰: "2", 貳: "2", 叁: "3", 參: "3", 肆: "4", 伍: "5", 陆: "6", 陸: "6", 柒: "7", 捌: "8", 玖: "9",
    幺: "1", 两: "2", 兩: "2", 洞: "0", 拐: "7", 勾: "9",
  }).map(([numeral, digit]) => [numeral.charCodeAt(0), digit.charCodeAt(0)]),
);

/** Fewest numerals in a run for Chinese numerals to be read as digits (a QQ number has 5). */
export const MIN_SPELLED_RUN = 5;
/** Separators allowed between the numerals of a run (in the matching copy), as a character class body. */
export const NUMBER_SEPARATORS = " \\-.·_/()\\[\\],，、。【】";
const SEPARATORS = new Set(Array.from(NUMBER_SEPARATORS.replace(/\\/g, ""), (c) => c.charCodeAt(0)));
const MAX_GAP = 4;

const INVISIBLE = /^[\p{Cf}\u034f\u115f\u1160\u3164\uffa0]$/u;
const SPACE = /^[\p{Z}\s]$/u;
const DASHES = /^[\u2010-\u2015\u2212\u30fc\ufe58\ufe63]$/;
const MIDDLE_DOTS = /^[\u2027\u30fb\uff65]$/;

/** The matching form of a character that is neither printable ASCII nor a CJK unified ideograph. */
function normaliseChar(ch: string): string {
  if (INVISIBLE.test(ch)) return "";
  if (SPACE.test(ch)) return " ";
  if (DASHES.test(ch)) return "-";
  if (MIDDLE_DOTS.test(ch)) return "·";
  // Kept apart from ",": a thousands separator is ASCII (1,234元), a full-width comma ends a clause.
  if (ch === "，") return ch;
  return ch.normalize("NFKC").replace(/\s/g, " ");
}

export function normaliseForMatching(original: string): Normalised {
  // UTF-16 units of the matching copy, each with the span of the original code point it comes from.
  let units = new Uint16Array(original.length + 16);
  let from = new Int32Array(units.length);
  let to = new Int32Array(units.length);
  let n = 0;
  const emit = (unit: number, start: number, end: number) => {
    if (n === units.length) {
      const grown = (a: Int32Array) => Int32Array.from({ length: a.length * 2 }, (_, k) => a[k] ?? 0);
      const bigger = new Uint16Array(units.length * 2);
      bigger.set(units);
      units = bigger;
      from = grown(from);
      to = grown(to);
    }
    units[n] = unit;
    from[n] = start;
    to[n] = end;
    n++;
  };
  for (let i = 0; i < original.length; ) {
    const code = original.charCodeAt(i);
    // Printable ASCII and the CJK Unified Ideographs are their own matching form: the common case.
    if ((code >= 0x20 && code < 0x7f) || (code >= 0x4e00 && code <= 0x9fff)) {
      emit(code, i, i + 1);
      i++;
      continue;
    }
    const width = original.codePointAt(i)! > 0xffff ? 2 : 1;
    const norm = normaliseChar(original.slice(i, i + width));
    for (let u = 0; u < norm.length; u++) emit(norm.charCodeAt(u), i, i + width);
    i += width;
  }
  units = units.subarray(0, n);
  const spelled = readSpelledNumerals(units);
  let text = "";
  for (let k = 0; k < n; k += 8192) text += String.fromCharCode(...units.subarray(k, Math.min(n, k + 8192)));
  return { text, from: from.subarray(0, n), to: to.subarray(0, n), spelled };
}

/** Replaces, in place, the Chinese numerals of every run long enough to be a number; marks which were. */
function readSpelledNumerals(units: Uint16Array): Uint8Array {
  const spelled = new Uint8Array(units.length);
  let count = 0;
  let lastNumeral = -1;
  let pending: number[] = [];
  const close = () => {
    if (count >= MIN_SPELLED_RUN)
      for (const k of pending) {
        units[k] = SPELLED_DIGITS.get(units[k]!)!;
        spelled[k] = 1;
      }
    count = 0;
    pending = [];
    lastNumeral = -1;
  };
  for (let k = 0; k < units.length; k++) {
    const c = units[k]!;
    const isDigit = c >= 0x30 && c <= 0x39;
    if (isDigit || SPELLED_DIGITS.has(c)) {
      if (lastNumeral >= 0 && k - lastNumeral - 1 > MAX_GAP) close();
      count++;
      if (!isDigit) pending.push(k);
      lastNumeral = k;
    } else if (count > 0 && !SEPARATORS.has(c)) close();
  }
  close();
  return spelled;
}
