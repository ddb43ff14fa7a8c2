// Removes what could identify a person from text before staff without need-to-know see it (chat cards,
// the inspector's case page): phone numbers, ID and bank card numbers, emails, the tipster's own name
// and contact, and names introduced by the usual markers (患者王某某, 我叫…, 姓名：…).
// Detection runs on a normalised copy (NFKC: full-width digits and letters as typed by Chinese input
// methods, dashes, ideographic spaces) and tolerates separators inside numbers and names
// (139.1234.5678, +86 139-1234-5678, 110105 19491231 002X, 赵 小红); what is found is cut out of the
// original text, so everything else reads exactly as written.

export const REDACTED = "[已隐去]";

export interface KnownIdentity {
  names?: string[];
  phones?: string[];
  idNumbers?: string[];
  emails?: string[];
}

// ---------------------------------------------------------------------------------------------
// Normalisation with a map back to the original text.
// ---------------------------------------------------------------------------------------------

const DASHES = /[\u2010-\u2015\u2212\u30fc\ufe58\ufe63]/;

interface Normalised {
  text: string;
  /** For each UTF-16 unit of `text`, where its source code point starts and ends in the original. */
  from: number[];
  to: number[];
}

export function normaliseForMatching(original: string): Normalised {
  let text = "";
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < original.length; ) {
    const cp = original.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    let norm = DASHES.test(ch) ? "-" : ch.normalize("NFKC");
    if (/\s/u.test(norm)) norm = " ";
    for (let k = 0; k < norm.length; k++) {
      from.push(i);
      to.push(i + ch.length);
    }
    text += norm;
    i += ch.length;
  }
  return { text, from, to };
}

// ---------------------------------------------------------------------------------------------
// Numbers: runs of digit groups joined by separators; every stretch of consecutive groups is tested
// as a phone, ID or card number, so "电话139 1234 5678 2026年" still finds the phone.
// ---------------------------------------------------------------------------------------------

// An ID's check character may stand apart ("… 236 X"), so a lone X may close a run.
const NUMBER_RUN = /\d+[Xx]?(?:[ \-.·_/()]{1,3}\d+[Xx]?)*(?:[ \-.·_/()]{1,3}[Xx](?![A-Za-z]))?/g;
const GROUP = /\d+[Xx]?|[Xx]/g;

const MOBILE = /^(?:0{0,2}86)?1[3-9]\d{9}$/;
const ID18 = /^[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]$/;
const ID15 = /^[1-9]\d{7}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}$/;
const CARD = /^\d{16,19}$/;
const LANDLINE = /^0\d{2,3}\d{7,8}$/;

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
  if (/[Xx]/.test(digits.slice(0, -1))) return false;
  if (groups.length === 1) return MOBILE.test(digits) || ID18.test(digits) || ID15.test(digits) || CARD.test(digits) || LANDLINE.test(digits);
  // Written in parts: every part after an optional 86 / 0086 prefix has at least 3 digits, which
  // keeps dates (2026-03-01) and lists of small numbers from being joined into a "number".
  // The last part may be shorter (a 17-digit card in fours ends in one digit; an ID's check character).
  const prefixed = /^(0{0,2}86)$/.test(groups[0]!) ? 1 : 0;
  const short = groups.slice(prefixed).filter((g) => g.length < 3).length;
  if (short > 1 || (short === 1 && groups.at(-1)!.length >= 3)) return false;
  if (short === 0 && MOBILE.test(digits)) return true;
  if (prefixed) return false;
  if (ID18.test(digits) || ID15.test(digits)) return true;
  if (CARD.test(digits) && luhnValid(digits)) return true;
  return /^0\d{2,3}$/.test(groups[0]!) && /^\d{7,8}$/.test(groups.slice(1).join(""));
}

type Span = [start: number, end: number];

function numberSpans(norm: string): Span[] {
  const spans: Span[] = [];
  for (const run of norm.matchAll(NUMBER_RUN)) {
    const groups = [...run[0].matchAll(GROUP)].map((g) => ({ text: g[0], start: run.index! + g.index!, end: run.index! + g.index! + g[0].length }));
    for (let i = 0; i < groups.length; i++)
      for (let j = i; j < groups.length && j < i + 7; j++)
        if (isSensitiveNumber(groups.slice(i, j + 1).map((g) => g.text))) {
          const start = norm[groups[i]!.start - 1] === "+" ? groups[i]!.start - 1 : groups[i]!.start;
          spans.push([start, groups[j]!.end]);
        }
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------
// Emails, known values and introduced names.
// ---------------------------------------------------------------------------------------------

const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A pattern for a known value that allows separators (spaces, dots, dashes) between its characters. */
function knownValuePattern(value: string, separators: string): RegExp | null {
  const chars = Array.from(normaliseForMatching(value).text.replace(new RegExp(`[${separators}]`, "g"), ""));
  if (chars.length < 2) return null;
  return new RegExp(chars.map(escapeRegExp).join(`[${separators}]*`), "giu");
}

const NAME_SEPARATORS = " ·.\\-_'";
const NUMBER_SEPARATORS = " ·.\\-_/()";

function knownPatterns(known: KnownIdentity): RegExp[] {
  const patterns: (RegExp | null)[] = [];
  for (const name of known.names ?? []) {
    patterns.push(knownValuePattern(name, NAME_SEPARATORS));
    // The given name alone (小红 for 赵小红) identifies too, once the full name is known.
    const han = Array.from(normaliseForMatching(name).text.replace(/[\s·.\-_']/g, ""));
    if (han.length >= 3 && han.every((c) => /\p{Script=Han}/u.test(c))) patterns.push(knownValuePattern(han.slice(1).join(""), NAME_SEPARATORS));
  }
  for (const value of [...(known.phones ?? []), ...(known.idNumbers ?? [])]) patterns.push(knownValuePattern(value, NUMBER_SEPARATORS));
  for (const email of known.emails ?? []) patterns.push(knownValuePattern(email, " "));
  return patterns.filter((p): p is RegExp => p !== null);
}

// A marker followed by a name: a common surname and one or two more Han characters. Requiring a
// surname keeps words like 病人白天… or 医生说… intact; the marker stays so the sentence still reads.
const NAME_AFTER_MARKER =
  /(我叫|本人|姓名[:：]?|名叫|患者|病人|参保人员|参保人|医生|大夫|护士|院长|主任|科长|老板|店长|经理)[ :：]?([\u4e00-\u9fa5]{2,3})/dg;
const COMMON_SURNAMES = new Set(
  Array.from(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝",
  ),
);
// Everyday words that happen to start with a surname character.
const COMMON_WORDS = new Set(["白天", "白班", "高价", "高额", "金额", "全部", "全天", "连续", "周末", "常年", "长期", "于是", "时间", "时候", "明显", "明知", "安排", "成功", "向来", "严重", "平时", "方便", "任何", "毛病", "康复", "申请", "关系", "包括", "宁可", "米饭", "左右", "苏醒", "费用", "房间", "尤其", "解释", "应该", "和我", "和他", "和她", "何时", "多次", "曾经", "田间", "石膏", "钱款", "余额"]);
const NOT_A_NAME_THIRD = /[知说在是的和与于从让把被了也都就还称讲表告等们对向给为白每天经长常也又再不没已]/;

function markerNameSpans(norm: string): Span[] {
  const spans: Span[] = [];
  for (const m of norm.matchAll(NAME_AFTER_MARKER)) {
    const name = m[2]!;
    if (!COMMON_SURNAMES.has(name[0]!) || COMMON_WORDS.has(name.slice(0, 2))) continue;
    const [start, end] = m.indices![2]!;
    spans.push([start, name.length === 3 && NOT_A_NAME_THIRD.test(name[2]!) ? end - 1 : end]);
  }
  return spans;
}

export function scrubText(text: string, known: KnownIdentity = {}): string {
  const norm = normaliseForMatching(text);
  const spans: Span[] = [];
  for (const pattern of knownPatterns(known)) for (const m of norm.text.matchAll(pattern)) spans.push([m.index!, m.index! + m[0].length]);
  // A known name is exact; the marker heuristic only guesses where a name ends, so it yields to it.
  const knownSpans = [...spans];
  spans.push(...markerNameSpans(norm.text).filter(([a, b]) => !knownSpans.some(([x, y]) => a < y && x < b)));
  for (const m of norm.text.matchAll(EMAIL)) spans.push([m.index!, m.index! + m[0].length]);
  spans.push(...numberSpans(norm.text));
  if (spans.length === 0) return text;
  // Back to the original's positions, merged, then cut out from the end so positions stay valid.
  const original = spans
    .filter(([a, b]) => b > a)
    .map(([a, b]) => [norm.from[a]!, norm.to[b - 1]!] as Span)
    .sort((x, y) => x[0] - y[0]);
  const merged: Span[] = [];
  for (const span of original) {
    const last = merged.at(-1);
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  let out = text;
  for (const [a, b] of merged.reverse()) out = out.slice(0, a) + REDACTED + out.slice(b);
  return out;
}

/** At most `maxChars` characters (code points), cut with "…". */
export function excerpt(text: string, maxChars: number): string {
  const chars = Array.from(text.trim());
  return chars.length <= maxChars ? chars.join("") : `${chars.slice(0, Math.max(0, maxChars - 1)).join("")}…`;
}
