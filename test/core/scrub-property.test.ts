// Property tests for the scrubber: identifying numbers and known names, written the many ways people
// type them (full-width digits from Chinese input methods, dots, dashes, spaces, +86, spaces inside
// names), never survive; ordinary text (dates, amounts, institutions) is left exactly as written.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeIdCheckChar } from "../../src/core/id-number";
import { REDACTED, scrubText } from "../../src/core/scrub";

const RUNS = 400;

const toFullWidth = (s: string) => s.replace(/[0-9A-Za-z@.]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
/** What a reader would recognise as the same value: NFKC, no separators, one case. */
const canonical = (s: string) => s.normalize("NFKC").replace(/[\s\-.·_()/+\u2010-\u2015]/g, "").toLowerCase();

const digitString = (length: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((d) => d.join(""));

function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let k = 0; k < body.length; k++) {
    let d = Number(body[body.length - 1 - k]);
    if (k % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** Splits `value` into groups of the given sizes (the last takes the rest) joined by `sep`. */
function grouped(value: string, sizes: number[], sep: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= value.length) break;
    parts.push(value.slice(at, at + size));
    at += size;
  }
  if (at < value.length) parts.push(value.slice(at));
  return parts.join(sep);
}

const separator = fc.constantFrom(" ", "-", ".", "　", " - ", "—", "－", "．", "  ");
const widthOf = fc.constantFrom<(s: string) => string>((s) => s, toFullWidth);

const mobile = fc.tuple(fc.constantFrom("13", "14", "15", "16", "17", "18", "19"), digitString(9)).map(([p, rest]) => p + rest);
const mobileSpelling = fc
  .tuple(
    mobile,
    fc.constantFrom<number[]>([3, 4, 4], [3, 8], [11], [3, 3, 5], [7, 4], [4, 4, 3]),
    separator,
    fc.constantFrom("", "+86 ", "+86-", "86 ", "0086 ", "(+86) ", "+86", "86"),
    widthOf,
  )
  .map(([number, sizes, sep, prefix, width]) => ({ secret: number, written: width(prefix + grouped(number, sizes, sep)) }));

const REGIONS = ["110105", "510112", "440305", "310115", "320106", "420102", "610113", "500103"];
const idNumber = fc
  .tuple(fc.constantFrom(...REGIONS), fc.date({ min: new Date("1930-01-01T00:00:00Z"), max: new Date("2012-12-31T00:00:00Z"), noInvalidDate: true }), digitString(3))
  .map(([region, birth, seq]) => {
    const first17 = `${region}${birth.toISOString().slice(0, 10).replace(/-/g, "")}${seq}`;
    return first17 + computeIdCheckChar(first17);
  });
const idSpelling = fc
  .tuple(idNumber, fc.constantFrom<number[]>([18], [6, 8, 4], [6, 4, 4, 4], [3, 3, 8, 4], [6, 8, 3], [17]), separator, widthOf, fc.boolean())
  .map(([id, sizes, sep, width, lower]) => ({ secret: id, written: width(grouped(lower ? id.toLowerCase() : id, sizes, sep)) }));

const bankCard = fc
  .tuple(fc.constantFrom("62", "4", "5", "60"), fc.integer({ min: 16, max: 19 }))
  .chain(([prefix, length]) => digitString(length - prefix.length - 1).map((mid) => prefix + mid))
  .map((body) => body + luhnCheckDigit(body));
const cardSpelling = fc
  .tuple(bankCard, fc.constantFrom<number[]>([4, 4, 4, 4, 4], [99], [6, 13], [4, 4, 4, 4]), separator, widthOf)
  .map(([card, sizes, sep, width]) => ({ secret: card, written: width(grouped(card, sizes, sep)) }));

const email = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9._]{1,10}[a-z0-9]$/), fc.constantFrom("example.cn", "mail.example.com", "qq.com", "163.com"), fc.boolean())
  .map(([local, domain, fullWidth]) => ({ secret: `${local}@${domain}`, written: fullWidth ? toFullWidth(`${local}@${domain}`) : `${local}@${domain}` }));

const SURNAMES = Array.from("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗");
const GIVEN = Array.from("秀英桂兰小红晓明志强海燕丽娟建华振宇雨欣子涵");
const hanName = fc.tuple(fc.constantFrom(...SURNAMES), fc.array(fc.constantFrom(...GIVEN), { minLength: 1, maxLength: 2 })).map(([s, g]) => s + g.join(""));
const nameSpelling = fc
  .tuple(hanName, fc.array(fc.constantFrom("", " ", "　", "·", "  "), { minLength: 3, maxLength: 3 }))
  .map(([name, gaps]) => ({ secret: name, written: Array.from(name).map((c, i) => (i === 0 ? c : gaps[i - 1] + c)).join("") }));
const latinName = fc
  .tuple(fc.constantFrom("Li Xiuying", "Zhang Wei", "Wang Fang", "Chen Jing"), fc.constantFrom<(s: string) => string>((s) => s, (s) => s.toUpperCase(), (s) => s.toLowerCase(), toFullWidth, (s) => s.replace(" ", "  ")))
  .map(([name, spell]) => ({ secret: name, written: spell(name) }));

// Context that people write around the details: punctuation, markers, other numbers.
const before = fc.constantFrom("", "电话", "电话：", "联系方式 ", "手机号是", "身份证号", "卡号：", "请联系", "我叫", "本人", "邮箱:", "报销 12,000元后，", "2026年3月1日 ", "（", "No.");
const after = fc.constantFrom("", "。", "，谢谢", " 随时可打", "）", "，2026-03-01 入院", "，住院12天", " 核实");

function survives(output: string, secret: string): boolean {
  return canonical(output).includes(canonical(secret));
}

describe("scrubText: identifying details never survive", () => {
  for (const [label, spelling] of [
    ["mainland mobile numbers", mobileSpelling],
    ["18-digit ID numbers with a valid check digit", idSpelling],
    ["bank card numbers (Luhn)", cardSpelling],
    ["emails", email],
  ] as const) {
    it(`removes ${label} in any spelling, with or without knowing them`, () => {
      fc.assert(
        fc.property(spelling, before, after, fc.boolean(), ({ secret, written }, pre, post, knowIt) => {
          const known = knowIt ? (label.includes("mobile") ? { phones: [secret] } : label.includes("ID") ? { idNumbers: [secret] } : label.includes("email") ? { emails: [secret] } : {}) : {};
          const output = scrubText(`${pre}${written}${post}`, known);
          expect(survives(output, secret), `${pre}${written}${post} → ${output}`).toBe(false);
          expect(output).toContain(REDACTED);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("removes an ID number whose check character stands apart (found by the property above)", () => {
    expect(scrubText("身份证 610113 20020516 236 X。")).toBe(`身份证 ${REDACTED}。`);
    expect(scrubText("身份证 610113 20020516 236 X。")).not.toContain("236");
    expect(scrubText("型号 X 系列")).toBe("型号 X 系列");
  });

  it("removes a known name written with spaces or middle dots inside, and its given name", () => {
    fc.assert(
      fc.property(nameSpelling, before, after, ({ secret, written }, pre, post) => {
        const output = scrubText(`${pre}${written}${post}看到医院挂床`, { names: [secret] });
        expect(survives(output, secret), `${written} → ${output}`).toBe(false);
        if (Array.from(secret).length >= 3) expect(survives(output, secret.slice(1)), `${written} → ${output}`).toBe(false);
        expect(output).toContain("看到医院挂床");
      }),
      { numRuns: RUNS },
    );
  });

  it("removes a known Latin-script name in any case, full-width or with doubled spaces", () => {
    fc.assert(
      fc.property(latinName, ({ secret, written }) => {
        const output = scrubText(`举报人 ${written} 反映情况`, { names: [secret] });
        expect(survives(output, secret), `${written} → ${output}`).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe("scrubText: ordinary text is left alone", () => {
  const date = fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2026-12-31T00:00:00Z"), noInvalidDate: true }).chain((d) => {
    const [y, m, day] = d.toISOString().slice(0, 10).split("-");
    return fc.constantFrom(`${y}-${m}-${day}`, `${y}.${m}.${day}`, `${y}年${Number(m)}月${Number(day)}日`, `${y}/${m}/${day}`, `${y}-${m}-${day} 至 ${y}-${m}-${day}`, `${y}-${m}-${day}—${y}-${m}-${day}`);
  });
  const amount = fc.integer({ min: 1, max: 9_999_999 }).chain((n) => fc.constantFrom(`${n.toLocaleString("en-US")}元`, `${n}元`, `约${(n / 10000).toFixed(1)}万元`, `￥${n.toLocaleString("en-US")}.00`));
  const institution = fc.constantFrom("某某市第一人民医院", "朝阳区康复医院骨科", "幸福大药房（连锁）", "某某县医保局", "成都市第三人民医院心内科", "3号楼2单元");
  const clause = fc.oneof(
    date.map((d) => `${d}入院`),
    amount.map((a) => `报销${a}`),
    institution.map((i) => `在${i}`),
    fc.integer({ min: 1, max: 60 }).map((n) => `住院${n}天，第${n}床`),
    fc.constantFrom("14:30 查房", "共 3 次", "1. 挂床 2. 串换药品", "药品编码 A12", "患者白天不在医院", "医生说没问题"),
  );

  it("keeps dates, amounts, institutions and small numbers exactly as written", () => {
    fc.assert(
      fc.property(fc.array(clause, { minLength: 1, maxLength: 6 }), fc.constantFrom("，", "。", "；", " "), (clauses, joiner) => {
        const text = clauses.join(joiner);
        expect(scrubText(text)).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });

  it("keeps everything around a removed detail unchanged", () => {
    fc.assert(
      fc.property(mobileSpelling, fc.array(clause, { minLength: 1, maxLength: 3 }), ({ written }, clauses) => {
        const head = clauses.join("，");
        const output = scrubText(`${head}，电话 ${written}。`);
        expect(output.startsWith(`${head}，电话 `), output).toBe(true);
        expect(output.endsWith("。")).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
