// Removes what could identify a person from text before it is shown in a chat: phone numbers, ID and
// bank card numbers, emails, the tipster's own name and contact, and names introduced by the usual
// markers (患者王某某, 我叫…, 姓名：…). Inspectors get the full text only on the audited case page.

export const REDACTED = "[已隐去]";

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const PATTERNS: RegExp[] = [
  /[\w.+-]+@[\w-]+(\.[\w-]+)+/g, // email
  /(?<!\d)[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)/g, // 18-digit ID
  /(?<!\d)\d{16,19}(?!\d)/g, // bank card
  /(?<!\d)[1-9]\d{7}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}(?!\d)/g, // 15-digit ID
  /(?<!\d)(\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)/g, // mobile
  /(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)/g, // landline with area code
];

// A marker followed by a 2–3 character Han name; the marker stays so the sentence still reads. Words
// that usually follow a marker instead of a name (患者在…, 医生说…) are left alone; when in doubt a
// third character is taken too: removing too much is better than leaking a name.
const NAME_AFTER_MARKER =
  /(我叫|本人|姓名[:：]?|名叫|患者|病人|参保人员|参保人|医生|大夫|护士|院长|主任|科长|老板|店长|经理)[\s:：]?([\u4e00-\u9fa5]{2,3})/g;
const NOT_A_NAME_START = /^[在于的是和与从让把被了也都就还称讲说们等已未均将会要对向给为]/;
const NOT_A_NAME_THIRD = /[知说在是的和与于从让把被了也都就还称讲表告等们对向给为]/;

export function scrubText(text: string, known: { names?: string[]; phones?: string[]; idNumbers?: string[] } = {}): string {
  let out = text;
  for (const value of [...(known.idNumbers ?? []), ...(known.phones ?? []), ...(known.names ?? [])].filter((v) => v && v.trim().length >= 2))
    out = out.replace(new RegExp(escapeRegExp(value.trim()), "gi"), REDACTED);
  for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
  out = out.replace(NAME_AFTER_MARKER, (match, marker: string, name: string) => {
    if (NOT_A_NAME_START.test(name) || name.startsWith("某")) return match;
    const kept = name.length === 3 && NOT_A_NAME_THIRD.test(name[2]!) ? name[2]! : "";
    return `${marker}${REDACTED}${kept}`;
  });
  return out;
}

/** At most `maxChars` characters (code points), cut with "…". */
export function excerpt(text: string, maxChars: number): string {
  const chars = Array.from(text.trim());
  return chars.length <= maxChars ? chars.join("") : `${chars.slice(0, Math.max(0, maxChars - 1)).join("")}…`;
}
