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

// A marker followed by a name: a common surname and one or two more Han characters. Requiring a
// surname keeps words like 病人白天… or 医生说… intact; the marker stays so the sentence still reads.
const NAME_AFTER_MARKER =
  /(我叫|本人|姓名[:：]?|名叫|患者|病人|参保人员|参保人|医生|大夫|护士|院长|主任|科长|老板|店长|经理)[\s:：]?([\u4e00-\u9fa5]{2,3})/g;
const COMMON_SURNAMES = new Set(
  Array.from(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝",
  ),
);
// Everyday words that happen to start with a surname character.
const COMMON_WORDS = new Set(["白天", "白班", "高价", "高额", "金额", "全部", "全天", "连续", "周末", "常年", "长期", "于是", "时间", "时候", "明显", "明知", "安排", "成功", "向来", "严重", "平时", "方便", "任何", "毛病", "康复", "申请", "关系", "包括", "宁可", "米饭", "左右", "苏醒", "费用", "房间", "尤其", "解释", "应该", "和我", "和他", "和她", "何时", "多次", "曾经", "田间", "石膏", "钱款", "余额"]);
const NOT_A_NAME_THIRD = /[知说在是的和与于从让把被了也都就还称讲表告等们对向给为白每天经长常也又再不没已]/;

export function scrubText(text: string, known: { names?: string[]; phones?: string[]; idNumbers?: string[]; emails?: string[] } = {}): string {
  let out = text;
  for (const value of [...(known.idNumbers ?? []), ...(known.phones ?? []), ...(known.emails ?? []), ...(known.names ?? [])].filter((v) => v && v.trim().length >= 2))
    out = out.replace(new RegExp(escapeRegExp(value.trim()), "gi"), REDACTED);
  for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
  out = out.replace(NAME_AFTER_MARKER, (match, marker: string, name: string) => {
    if (!COMMON_SURNAMES.has(name[0]!) || COMMON_WORDS.has(name.slice(0, 2))) return match;
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
