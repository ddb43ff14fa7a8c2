// Removes what could identify a person from text before staff without need-to-know see it (chat cards,
// the inspector's case page): phone numbers, ID and bank card numbers, emails, the tipster's own name
// and contact, and names introduced by the usual markers (患者王某某, 我叫…, 姓名：…).
// Detection runs on a normalised copy (scrub-normalise.ts: full width, invisible characters, numbers
// spelt in Chinese numerals, 一三八… or 幺三八洞…) and tolerates separators inside numbers and names
// (139.1234.5678, +86 139-1234-5678, 138，0013，8000, 110105 19491231 002X, 赵 小红); what is found is
// cut out of the original text, so everything else reads exactly as written, 三月 and 一家医院 included.
// Numbers: scrub-numbers.ts; e-mails (also li(at)example.cn), WeChat/QQ ids and account numbers after
// their keywords: scrub-contacts.ts.

import { contactSpans, type Span } from "./scrub-contacts";
import { numberSpans } from "./scrub-numbers";
import { NUMBER_SEPARATORS, normaliseForMatching } from "./scrub-normalise";

export const REDACTED = "[已隐去]";

export interface KnownIdentity {
  names?: string[];
  phones?: string[];
  idNumbers?: string[];
  emails?: string[];
}

/** What to scrub for a tipster whose identity is on file: every field they gave, e-mail included. */
export function knownIdentityOf(identity: { name: string; phone: string; idNumber: string; email?: string } | null | undefined): KnownIdentity {
  return identity ? { names: [identity.name], phones: [identity.phone], idNumbers: [identity.idNumber], emails: identity.email ? [identity.email] : [] } : {};
}

// ---------------------------------------------------------------------------------------------
// Known values and introduced names.
// ---------------------------------------------------------------------------------------------

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A pattern for a known value, read the way the text is (Chinese numerals, full width, no invisible
 * characters), that allows a few separators (spaces, dots, dashes, commas) between its characters.
 */
function knownValuePattern(value: string, separators: string): RegExp | null {
  const chars = Array.from(normaliseForMatching(value).text.replace(new RegExp(`[${separators}]`, "g"), ""));
  if (chars.length < 2) return null;
  return new RegExp(chars.map(escapeRegExp).join(`[${separators}]{0,4}`), "giu");
}

const NAME_SEPARATORS = " ·.\\-_'";

function knownPatterns(known: KnownIdentity): RegExp[] {
  const patterns: (RegExp | null)[] = [];
  for (const name of known.names ?? []) {
    patterns.push(knownValuePattern(name, NAME_SEPARATORS));
    // The given name alone (小红 for 赵小红) identifies too, once the full name is known.
    const han = Array.from(normaliseForMatching(name).text.replace(/[\s·.\-_']/g, ""));
    if (han.length >= 3 && han.every((c) => /\p{Script=Han}/u.test(c))) patterns.push(knownValuePattern(han.slice(1).join(""), NAME_SEPARATORS));
  }
  // A phone given as +86… is written without the prefix as often as with it.
  for (const phone of known.phones ?? []) patterns.push(knownValuePattern(phone.replace(/^\s*(?:\+|00)?\s*86[\s-]*(?=1[3-9])/, ""), NUMBER_SEPARATORS));
  for (const id of known.idNumbers ?? []) patterns.push(knownValuePattern(id, NUMBER_SEPARATORS));
  for (const email of known.emails ?? []) {
    patterns.push(knownValuePattern(email, " "));
    // The mailbox name alone (a QQ number, a pinyin name) identifies too, if it is long enough to be specific.
    const local = email.split("@")[0]!;
    if (local.length >= 5) patterns.push(new RegExp(`(?<![\\w.+-])${escapeRegExp(local)}(?![\\w+-])`, "gi"));
  }
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
  const coveredByKnown = new Uint8Array(norm.text.length);
  for (const [a, b] of spans) coveredByKnown.fill(1, a, b);
  spans.push(...markerNameSpans(norm.text).filter(([a, b]) => !coveredByKnown.subarray(a, b).includes(1)));
  spans.push(...contactSpans(norm.text), ...numberSpans(norm));
  if (spans.length === 0) return text;
  // Back to the original's positions, merged, then cut out in one pass.
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
  const parts: string[] = [];
  let at = 0;
  for (const [a, b] of merged) {
    parts.push(text.slice(at, a), REDACTED);
    at = b;
  }
  parts.push(text.slice(at));
  return parts.join("");
}

/** At most `maxChars` characters (code points), cut with "…". */
export function excerpt(text: string, maxChars: number): string {
  const chars = Array.from(text.trim());
  return chars.length <= maxChars ? chars.join("") : `${chars.slice(0, Math.max(0, maxChars - 1)).join("")}…`;
}
