// Contact details found by their shape or by the word that introduces them, on the matching copy
// (scrub-normalise.ts): e-mails, also written to dodge filters (li(at)example.cn, li#163.com,
// li 艾特 qq 点 com), and WeChat and QQ ids after their keywords (account numbers: scrub-numbers.ts).
// Only the detail is cut: the keyword stays, so the sentence still says what was there.
// Every pattern is bounded and anchored by a lookbehind, so matching stays linear in the text.

export type Span = [start: number, end: number];

const AT = String.raw`(?:\s{0,3}(?:@|[(\[{<【]\s{0,2}(?:at|@|艾特)\s{0,2}[)\]}>】]|艾特|#)\s{0,3}|\s{1,3}at\s{1,3})`;
const DOT = String.raw`(?:\s{0,3}(?:\.|。|[(\[{<【]\s{0,2}(?:dot|点|\.)\s{0,2}[)\]}>】]|点)\s{0,3}|\s{1,3}dot\s{1,3})`;
const EMAIL = new RegExp(String.raw`(?<![\w.+-])[\w.+-]{1,64}${AT}(?:[a-z0-9-]{1,63}${DOT}){1,6}[a-z]{2,24}(?![a-z0-9-])`, "gi");

// The keyword, then what people put between it and the id (：, 号, 是, spaces). Each optional word
// must start with its own character, so the spaces cannot be split between quantifiers. "id" is a word
// only when no id letter follows it: in "微信:Idaaa_-A" the id is the whole "Idaaa_-A" (taken as the
// word "id", its first two letters were left in the text).
const GAP = String.raw`[\s:=]{0,6}(?:(?:号码|账号|号|id(?![a-z_-]))[\s:=]{0,4}){0,2}(?:(?:是|为)[\s:=]{0,4})?`;
const WECHAT_KEY = String.raw`(?:微信号?|威信|薇信|徽信|v信|(?<![a-z])(?:vx|wx|wechat|weixin)(?![a-z]))`;
const QQ_KEY = String.raw`(?:(?<![a-z])qq(?![a-z])|扣扣|企鹅)`;
const NOT_AMOUNT = String.raw`(?!\s{0,2}[元块万亿%]|\.\d)`;
// A WeChat id: 6–20 letters, digits, _ or -, starting with a letter; or the phone or QQ number it is
// registered with.
const WECHAT_ID = new RegExp(String.raw`${WECHAT_KEY}${GAP}(?<id>[a-z][a-z0-9_-]{5,19}(?![a-z0-9_-])|\+?[1-9]\d{4,12}(?!\d)${NOT_AMOUNT})`, "dgi");
const QQ_ID = new RegExp(String.raw`${QQ_KEY}${GAP}(?<id>[1-9](?:[ -]?\d){4,10}(?![ -]?\d)${NOT_AMOUNT})`, "dgi");
// WeChat's own internal ids stand alone.
const WXID = /(?<![a-z0-9_-])wxid_[a-z0-9_-]{4,40}/gi;

export function contactSpans(norm: string): Span[] {
  const spans: Span[] = [];
  for (const m of norm.matchAll(EMAIL)) spans.push([m.index!, m.index! + m[0].length]);
  for (const m of norm.matchAll(WXID)) spans.push([m.index!, m.index! + m[0].length]);
  for (const pattern of [WECHAT_ID, QQ_ID]) for (const m of norm.matchAll(pattern)) spans.push(m.indices!.groups!.id!);
  return spans;
}
