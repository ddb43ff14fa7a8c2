// Concluding a lead in chat with one reply: the verified amount, what was recovered, the fine and the
// measures ("120000 追回 80000 罚款 20000 约谈 限期整改"); stored, in the conclusion event, and on the card.
// A reply that cannot be read is answered in words and changes nothing; the prompt stays the one to answer.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leads } from "../../src/db/schema";
import { createChatHarness, type ChatHarness } from "../support/chat-harness";

const CHENGDU_CHAT = "-1001000000001";
let h: ChatHarness;
let ctx: ChatHarness["ctx"];

beforeAll(async () => {
  h = await createChatHarness();
  ctx = h.ctx;
  await h.enrolTelegram("张明", 5001);
  await h.enrolTelegram("王强", 5002);
}, 60_000);
afterAll(() => h?.close());

describe("concluding from chat with recovered, fine and measures", () => {
  it("reads them from one reply, stores them, logs them once and shows them on the card", async () => {
    const telegram = h.telegram;
    const before = telegram.callsTo("sendMessage").length;
    await h.submitTip({ region: { districtCode: "510104" }, targetName: "锦江某某骨科医院", description: "骨科长期挂床，病人白天回家，仍每天记账理疗项目。" });
    await h.deliver({ rounds: 10 });
    const card = telegram.callsTo("sendMessage").slice(before)[0]!;
    const buttons = card.body.reply_markup.inline_keyboard.flat().map((b: { callback_data: string }) => b.callback_data);
    const leadId = /fw:ack:(.+)$/.exec(buttons[0])![1]!;
    const cardMessageId = 1000 + telegram.callsTo("sendMessage").indexOf(card);
    // The example routing assigns this lead to 王强.
    await h.pressTelegram(5002, CHENGDU_CHAT, `fw:accept:${leadId}`, cardMessageId);
    await h.pressTelegram(5002, CHENGDU_CHAT, `fw:partly_substantiated:${leadId}`, cardMessageId);
    await h.deliver({ rounds: 10 });
    const prompt = telegram.callsTo("sendMessage").at(-1)!;
    // The prompt says the format.
    expect(prompt.body.text).toContain("120000 追回 80000 罚款 20000 约谈 限期整改");
    expect(prompt.body.text).toContain("暂停医保结算/协议");
    const promptId = 1000 + telegram.callsTo("sendMessage").indexOf(prompt);

    // A word it does not know is named back, and nothing is written.
    await h.sendTelegram(5002, "120000 追回 80000 警告", { chat: CHENGDU_CHAT, replyTo: promptId });
    await h.deliver({ rounds: 10 });
    expect(telegram.callsTo("sendMessage").at(-1)!.body.text).toContain("“警告”不是金额");
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))!.state).toBe("accepted");

    await h.sendTelegram(5002, "12万 追回 8万 罚款 20000.50 约谈 限期整改 曝光", { chat: CHENGDU_CHAT, replyTo: promptId });
    await h.deliver({ rounds: 10 });
    const lead = (await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))!;
    expect(lead).toMatchObject({
      state: "concluded",
      outcome: "partly_substantiated",
      substantiatedAmountFen: 12_000_000,
      recoveredFen: 8_000_000,
      fineFen: 2_000_050,
      measures: '["interview","rectification","published"]',
    });
    const concluded = await ctx.db.select().from(events).where(and(eq(events.entityId, leadId), eq(events.action, "lead.conclude")));
    expect(concluded).toHaveLength(1);
    expect(JSON.parse(concluded[0]!.data!)).toMatchObject({ recoveredFen: 8_000_000, fineFen: 2_000_050, measures: ["interview", "rectification", "published"] });
    expect(concluded[0]!.platform).toBe("telegram");

    const edited = telegram.callsTo("editMessageText").filter((c) => c.body.message_id === cardMessageId).at(-1)!.body.text as string;
    expect(edited).toContain("已办结");
    expect(edited).toMatch(/追回金额\S*\s*80,000\.00\u00a0元/);
    expect(edited).toMatch(/罚款金额\S*\s*20,000\.50\u00a0元/);
    expect(edited).toContain("约谈、限期整改、曝光");
  });
});
