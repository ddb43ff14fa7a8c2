// The scrubber through the real interface: a tip submitted over HTTP whose description spells the
// tipster's own registered phone the ways people dodge filters (Chinese numerals, full-width commas,
// zero-width characters), with an obfuscated e-mail, WeChat and QQ ids and a bank card in groups,
// becomes a card in the team's Telegram group (fake Bot API server over loopback) and a follow-up
// message becomes a digest in the card's thread: neither carries any of those details.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDACTED } from "../../src/core/scrub";
import { createChatHarness, type ChatHarness } from "../support/chat-harness";
import { jsonPost, validReport, VALID_ID_NUMBER } from "../support/fixtures";

const CHENGDU_CHAT = "-1001000000001";
const REPORTER = { name: "李秀英", phone: "13800138000", idNumber: VALID_ID_NUMBER, email: "li.xiuying@example.cn" };
const ZW = "\u200b";

// Everything here must be gone from what the team reads, however it is read back.
const SECRETS = ["13800138000", VALID_ID_NUMBER.toLowerCase(), "6222021234567890123", "li.xiuying", "example.cn", "lixiuying_88", "987654321", "李秀英", "秀英"];
const DESCRIPTION =
  `我叫李秀英，手机一三八零零一三八零零零，也可打138，0013，8000或1${ZW}3${ZW}8${ZW}0${ZW}0${ZW}1${ZW}3${ZW}8${ZW}0${ZW}0${ZW}0。` +
  `邮箱li.xiuying(at)example.cn，微信：lixiuying_88，QQ：987654321，卡号 6222 0212 3456 7890 123。` +
  "三月在锦江某某康复医院看到挂床，一家医院涉及12,000元，病人白天回家仍每天记账理疗项目。";

/** What a reader takes for the same characters: Chinese numerals as digits, no separators or invisible characters. */
function readBack(s: string): string {
  const numerals = new Map([..."〇一二三四五六七八九"].map((c, i) => [c, String(i)]));
  numerals.set("零", "0");
  return Array.from(s.normalize("NFKC"), (c) => numerals.get(c) ?? c)
    .join("")
    .replace(/[\p{Z}\s\p{Cf}\-.·_()/,，、。]/gu, "")
    .replace(/\(at\)|\[at\]|@/g, "@")
    .toLowerCase();
}

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let telegram: ChatHarness["telegram"];

/** Delivers everything due, ten rounds at most. */
const deliver = () => h.deliver({ rounds: 10 });

function expectClean(text: string) {
  const plain = readBack(text);
  for (const secret of SECRETS) expect(plain, text).not.toContain(readBack(secret));
  expect(text).toContain(REDACTED);
}

beforeAll(async () => {
  h = await createChatHarness();
  ({ ctx, telegram } = h);
});

afterAll(async () => {
  await h.close();
});

describe("a tip's contact details, however spelt, never reach the team's chat", () => {
  let receipt = "";

  it("posts the card without the registered phone in any spelling, the e-mail, WeChat, QQ or card number", async () => {
    const before = telegram.callsTo("sendMessage").length;
    const res = await ctx.app.request(
      "/api/v1/reports",
      jsonPost(validReport({ region: { districtCode: "510104" }, targetName: "锦江某某康复医院", description: DESCRIPTION, anonymous: false, reporter: REPORTER })),
    );
    expect(res.status).toBe(201);
    receipt = ((await res.json()) as { receipt: string }).receipt;
    await deliver();
    const cards = telegram.callsTo("sendMessage").slice(before).filter((m) => String(m.body.chat_id) === CHENGDU_CHAT);
    expect(cards).toHaveLength(1);
    const text = String(cards[0]!.body.text);
    expectClean(text);
    // The rest of the tip reads as written: keywords, numerals that are words, amounts.
    for (const kept of ["微信：", "QQ：", "卡号", "三月在锦江某某康复医院看到挂床，一家医院涉及12,000元"]) expect(text).toContain(kept);
  });

  it("relays a follow-up message written the same ways without any of them", async () => {
    const before = telegram.callsTo("sendMessage").length;
    const body = `补充：可打幺三八洞洞幺三八洞洞洞或１３８－００１３－８０００，邮箱 li.xiuying艾特example点cn，VX是 lixiuying_88，扣扣 九八七六五四三二一，卡6222　0212－3456-7890 123。两次都在三楼。`;
    const res = await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt, body }));
    expect(res.status).toBe(201);
    await deliver();
    const posts = telegram.callsTo("sendMessage").slice(before).filter((m) => String(m.body.chat_id) === CHENGDU_CHAT);
    expect(posts).toHaveLength(1);
    const text = String(posts[0]!.body.text);
    expectClean(text);
    for (const kept of ["补充：可打", "VX是 ", "扣扣 ", "两次都在三楼。"]) expect(text).toContain(kept);
  });
});
