// The scrubber's matching copy of a text: what a reader would take for the same characters, with a map
// back to the original so that a match cuts out exactly the original's span and nothing else.
// - NFKC: full-width digits, letters and punctuation as typed by Chinese input methods (１３８，＠，－),
//   circled and parenthesised numerals (①③⑧).
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
  from: number[];
  to: number[];
  /** For each UTF-16 unit of `text`: a digit read from a Chinese numeral (so it may belong to the words around). */
  spelled: boolean[];
}

const SPELLED_DIGITS: Readonly<Record<string, string>> = {
  〇: "0", 零: "0", 一: "1", 二: "2", 三: "3", 四: "4", 五: "5", 六: "6", 七: "7", 八: "8", 九: "9",
  壹: "1", 贰: "2", 貳: "2", 叁: "3", 參: "3", 肆: "4", 伍: "5", 陆: "6", 陸: "6", 柒: "7", 捌: "8", 玖: "9",
  幺: "1", 两: "2", 兩: "2", 洞: "0", 拐: "7", 勾: "9",
};

/** Fewest numerals in a run for Chinese numerals to be read as digits (a QQ number has 5). */
export const MIN_SPELLED_RUN = 5;
/** Separators allowed between the numerals of a run (in the matching copy). */
export const NUMBER_SEPARATORS = " \\-.·_/()\\[\\],、。【】";
const SEPARATOR = new RegExp(`^[${NUMBER_SEPARATORS}]$`);
const MAX_GAP = 4;

const INVISIBLE = /^[\p{Cf}\u034f\u115f\u1160\u3164\uffa0]$/u;
const SPACE = /^[\p{Z}\s]$/u;
const DASHES = /^[\u2010-\u2015\u2212\u30fc\ufe58\ufe63]$/;
const MIDDLE_DOTS = /^[\u2027\u30fb\uff65]$/;

function normaliseChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code < 0x80) return code === 0x20 || !SPACE.test(ch) ? ch : " ";
  if (INVISIBLE.test(ch)) return "";
  if (SPACE.test(ch)) return " ";
  if (DASHES.test(ch)) return "-";
  if (MIDDLE_DOTS.test(ch)) return "·";
  return ch.normalize("NFKC");
}

export function normaliseForMatching(original: string): Normalised {
  // One entry per code point of the matching copy; Chinese numerals are decided after the pass.
  const chars: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < original.length; ) {
    const ch = String.fromCodePoint(original.codePointAt(i)!);
    for (const c of normaliseChar(ch)) {
      chars.push(/\s/.test(c) ? " " : c);
      start.push(i);
      end.push(i + ch.length);
    }
    i += ch.length;
  }
  const spelledAt = readSpelledNumerals(chars);

  let text = "";
  const from: number[] = [];
  const to: number[] = [];
  const spelled: boolean[] = [];
  for (let k = 0; k < chars.length; k++) {
    const c = chars[k]!;
    for (let u = 0; u < c.length; u++) {
      from.push(start[k]!);
      to.push(end[k]!);
      spelled.push(spelledAt[k]!);
    }
    text += c;
  }
  return { text, from, to, spelled };
}

/** Replaces, in place, the Chinese numerals of every run long enough to be a number; returns which were. */
function readSpelledNumerals(chars: string[]): boolean[] {
  const spelled = new Array<boolean>(chars.length).fill(false);
  let count = 0;
  let lastNumeral = -1;
  let pending: number[] = [];
  const close = () => {
    if (count >= MIN_SPELLED_RUN)
      for (const k of pending) {
        chars[k] = SPELLED_DIGITS[chars[k]!]!;
        spelled[k] = true;
      }
    count = 0;
    pending = [];
    lastNumeral = -1;
  };
  for (let k = 0; k < chars.length; k++) {
    const c = chars[k]!;
    const isDigit = c >= "0" && c <= "9" && c.length === 1;
    if (isDigit || SPELLED_DIGITS[c] !== undefined) {
      if (lastNumeral >= 0 && k - lastNumeral - 1 > MAX_GAP) close();
      count++;
      if (!isDigit) pending.push(k);
      lastNumeral = k;
    } else if (!SEPARATOR.test(c)) close();
  }
  close();
  return spelled;
}
