// Leads on Feishu over real HTTP: a fake Feishu Open API on loopback, the real webhook, the real outbox.
// A tip routed to a Feishu team arrives as an interactive card through FEISHU_API_BASE; an encrypted,
// signed card.action.trigger on Acknowledge edits that card and is logged once however often it comes;
// a decline reason asked privately reaches the tipster; forged, stale or mistokened callbacks change nothing.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leads, members } from "../../src/db/schema";
import { createChatHarness, exampleOrg, type ChatHarness } from "../support/chat-harness";
import { jsonPost } from "../support/fixtures";
import { FEISHU_ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN, encryptAsFeishu, newFeishuEventId } from "../support/feishu-moves";

const FEISHU_CHAT = "oc_5ad11d72b830411d72b836c20a000001";
const ZHANG = "ou_7d8a6e6df7621556ce0d21922b6700a1";
const LI = "ou_7d8a6e6df7621556ce0d21922b6700a2";

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let feishu: ChatHarness["feishu"];

const status = async (receipt: string) => (await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as any;
const eventsOf = (leadId: string, action: string) => ctx.db.select().from(events).where(and(eq(events.entityId, leadId), eq(events.action, action)));

beforeAll(async () => {
  h = await createChatHarness({
    org: exampleOrg((file) => {
      const team = file.teams.find((t) => t.name === "成都市核查一组")!;
      team.platform = "feishu";
      team.chatId = FEISHU_CHAT;
    }),
  });
  ({ ctx, feishu } = h);
});

afterAll(async () => {
  await h.close();
});

describe("a tip routed to a Feishu team", () => {
  let leadId = "";
  let cardId = "";
  let receipt = "";

  it("enrols members by `join CODE` in the private chat with the bot", async () => {
    await h.enrolFeishu("张明", ZHANG);
    await h.enrolFeishu("李娜", LI);
    const zhang = await ctx.db.query.members.findFirst({ where: eq(members.displayName, "张明") });
    expect(zhang?.feishuUserId).toBe(ZHANG);
    const welcome = feishu.sentTo(`user:${LI}`).at(-1);
    expect(welcome?.msgType).toBe("text");
    expect(welcome?.content.text).toContain("登记成功：李娜（组长）");
    // An answer to a text replies to that message in the private chat.
    expect(welcome?.replyTo).toMatch(/^om_in_/);
  });

  it("arrives as one interactive card with the lead's buttons, without the tipster's identity", async () => {
    const before = feishu.sentTo(FEISHU_CHAT).length;
    const tip = await h.submitTip({
      region: { districtCode: "510104" },
      targetName: "锦江某某康复医院",
      description: "我叫周杰，电话13912345678。康复科长期挂床，病人白天回家，仍每天记账理疗项目。<at user_id=\"all\"></at> [点此](https://evil.example)",
      anonymous: false,
      reporter: { name: "周杰", phone: "13912345678", idNumber: "11010519491231002X" },
    });
    receipt = tip.receipt;
    await h.deliver();
    const cards = feishu.sentTo(FEISHU_CHAT).slice(before);
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(card.msgType).toBe("interactive");
    expect(card.content.schema).toBe("2.0");
    expect(card.content.config.update_multi).toBe(true);
    const text = h.feishuCardText(card);
    expect(text).toContain("锦江某某康复医院");
    for (const secret of ["周杰", "13912345678", "11010519491231002X"]) expect(JSON.stringify(card.content)).not.toContain(secret);
    // Citizen text sits in plain_text only: no markdown element can turn it into a mention or a link.
    expect(JSON.stringify(card.content)).not.toContain('"lark_md"');
    expect(JSON.stringify(card.content)).not.toContain('"markdown"');
    const buttons = h.feishuButtons(card);
    const ack = buttons.find((b) => b.a === "ack")!;
    expect(ack.label).toBe("确认收到");
    leadId = ack.id!;
    cardId = card.messageId;
    // The outbox row's id went along as uuid (Feishu's one-hour dedupe).
    expect(String(feishu.callsTo("send").find((c) => c.body.receive_id === FEISHU_CHAT)?.body.uuid)).toMatch(/^out_/);
    expect(await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) })).toMatchObject({ state: "new", assigneeId: h.memberIds["张明"] });
  });

  it("edits the card on an encrypted, signed Acknowledge and logs it once when delivered twice", async () => {
    const eventId = newFeishuEventId();
    const first = await h.pressFeishu(ZHANG, "ack", leadId, { chatId: FEISHU_CHAT, messageId: cardId, eventId });
    expect(first.status).toBe(200);
    expect(((await first.json()) as any).toast).toMatchObject({ type: "info" });
    const again = await h.pressFeishu(ZHANG, "ack", leadId, { chatId: FEISHU_CHAT, messageId: cardId, eventId });
    expect(again.status).toBe(200);
    const patches = feishu.callsTo("patch").length;
    await h.deliver();
    const acks = await eventsOf(leadId, "lead.acknowledge");
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ actorId: h.memberIds["张明"], platform: "feishu", fromState: "new", toState: "acknowledged", dedupeKey: `feishu:event:${eventId}` });
    const newPatches = feishu.callsTo("patch").slice(patches);
    expect(newPatches).toHaveLength(1);
    expect(h.feishuCardText(feishu.message(cardId))).toContain("已确认");
    expect(feishu.message(cardId)!.history).toHaveLength(2);
    expect((await status(receipt)).report.status).toBe("in_review");
  });

  it("asks the tipster a question typed privately; the answer comes back as a reply to the card, scrubbed", async () => {
    expect((await h.pressFeishu(ZHANG, "ask", leadId, { chatId: FEISHU_CHAT, messageId: cardId })).status).toBe(200);
    await h.deliver();
    expect((await h.messageFeishu(ZHANG, "挂床病人大约有多少？")).status).toBe(200);
    await h.deliver();
    const view = await status(receipt);
    const question = view.messages.find((m: any) => m.from === "investigator" && m.body === "挂床病人大约有多少？");
    expect(question).toBeDefined();
    const answer = await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt, body: "大约二十人。我是周杰，有事打13912345678。<at user_id=\"all\"></at>", inReplyTo: question.id }));
    expect(answer.status).toBe(201);
    await h.deliver();
    const reply = feishu.sentTo(FEISHU_CHAT).at(-1)!;
    expect(reply.replyTo).toBe(cardId);
    expect(reply.content.text).toContain("大约二十人");
    expect(reply.content.text).not.toContain("周杰");
    expect(reply.content.text).not.toContain("13912345678");
    expect(reply.content.text).not.toContain("<at");
  });

  it("refuses a forged signature, a wrong token and a stale timestamp, and nothing changes", async () => {
    const before = (await eventsOf(leadId, "lead.accept")).length;
    const forged = await h.pressFeishu(ZHANG, "accept", leadId, { chatId: FEISHU_CHAT, signWith: "not-the-encrypt-key-at-all" });
    expect(forged.status).toBe(401);
    const wrongToken = await h.pressFeishu(ZHANG, "accept", leadId, { chatId: FEISHU_CHAT, token: "wrong-verification-token" });
    expect(wrongToken.status).toBe(401);
    const stale = await h.pressFeishu(ZHANG, "accept", leadId, { chatId: FEISHU_CHAT, timestamp: Math.floor(ctx.deps.now().getTime() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    const unsigned = await h.pressFeishu(ZHANG, "accept", leadId, { chatId: FEISHU_CHAT, unsigned: true });
    expect(unsigned.status).toBe(401);
    const clear = await h.pressFeishu(ZHANG, "accept", leadId, { chatId: FEISHU_CHAT, plain: true });
    expect(clear.status).toBe(401);
    expect(await eventsOf(leadId, "lead.accept")).toHaveLength(before);
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))?.state).toBe("acknowledged");
  });

  it("answers the url_verification challenge only with the right token", async () => {
    const challenge = { challenge: "ajls384kdjx98XX", token: FEISHU_VERIFICATION_TOKEN, type: "url_verification" };
    // Feishu may send the challenge unsigned; it is encrypted with the Encrypt Key.
    const ok = await ctx.app.request("/webhooks/feishu", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ encrypt: encryptAsFeishu(JSON.stringify(challenge)) }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ challenge: "ajls384kdjx98XX" });
    const wrong = await ctx.app.request("/webhooks/feishu", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ encrypt: encryptAsFeishu(JSON.stringify({ ...challenge, token: "nope-nope-nope" })) }) });
    expect(wrong.status).toBe(401);
    const otherKey = await ctx.app.request("/webhooks/feishu", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ encrypt: encryptAsFeishu(JSON.stringify(challenge), `${FEISHU_ENCRYPT_KEY}-other`) }) });
    expect(otherKey.status).toBe(401);
  });

  it("declines with a reason asked privately; the tipster reads it", async () => {
    const tip = await h.submitTip({ region: { districtCode: "510104" }, targetName: "锦江某某诊所", violationType: "duplicate_billing" });
    await h.deliver();
    const lead = (await ctx.db.select().from(leads)).find((l) => l.targetName === "锦江某某诊所")!;
    const [who, openId] = lead.assigneeId === h.memberIds["张明"] ? ["张明", ZHANG] : ["李娜", LI];
    const card = feishu.sentTo(FEISHU_CHAT).at(-1)!;
    expect(h.feishuButtons(card).some((b) => b.a === "decline" && b.id === lead.id)).toBe(true);
    const privateBefore = feishu.sentTo(`user:${openId}`).length;
    const press = await h.pressFeishu(openId, "decline", lead.id, { chatId: FEISHU_CHAT, messageId: card.messageId });
    expect(press.status).toBe(200);
    await h.deliver();
    // The prompt came to the member's private chat (Feishu has no force-reply), as a text.
    const prompt = feishu.sentTo(`user:${openId}`).slice(privateBefore).at(-1);
    expect(prompt?.msgType).toBe("text");
    expect(prompt?.content.text).toMatch(/理由/);
    // Typed in the group it does not count (group chatter is not for the bot) …
    expect((await h.messageFeishu(openId, "随便说说", { chatId: FEISHU_CHAT })).status).toBe(200);
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, lead.id) }))?.state).toBe("new");
    // … typed privately it answers the prompt.
    const reason = "不属于医保基金监管范围，已转市场监管部门。";
    expect((await h.messageFeishu(openId, reason)).status).toBe(200);
    await h.deliver();
    const after = await ctx.db.query.leads.findFirst({ where: eq(leads.id, lead.id) });
    expect(after?.state).toBe("not_accepted");
    const view = await status(tip.receipt);
    expect(view.report.status).toBe("not_accepted");
    expect(view.messages.map((m: any) => [m.from, m.body])).toContainEqual(["investigator", reason]);
    const declines = await eventsOf(lead.id, "lead.decline");
    expect(declines.map((e) => e.actorId)).toEqual([h.memberIds[who]]);
    // The card in the group was edited to show it.
    expect(h.feishuCardText(feishu.message(card.messageId))).not.toBe(h.feishuCardText({ ...card, content: card.history[0] }));
  });

  it("takes the same text event once", async () => {
    const eventId = newFeishuEventId();
    const before = feishu.sentTo(`user:${ZHANG}`).length;
    expect((await h.messageFeishu(ZHANG, "mine", { eventId })).status).toBe(200);
    expect((await h.messageFeishu(ZHANG, "mine", { eventId })).status).toBe(200);
    await h.deliver();
    const answers = feishu.sentTo(`user:${ZHANG}`).slice(before);
    expect(answers).toHaveLength(1);
  });

  it("reads a group command with the bot mentioned", async () => {
    const inGroup = feishu.sentTo(FEISHU_CHAT).length;
    const privately = feishu.sentTo(`user:${ZHANG}`).length;
    expect((await h.messageFeishu(ZHANG, "/mine", { chatId: FEISHU_CHAT, mention: true })).status).toBe(200);
    await h.deliver();
    // "@FundWatch /mine" reads as "/mine": the group is told, the list comes privately.
    expect(feishu.sentTo(FEISHU_CHAT).slice(inGroup).map((m) => m.content.text)).toEqual(["列表已私信发送给您（群组中只有协调员群可直接显示列表）。"]);
    expect(feishu.sentTo(`user:${ZHANG}`).slice(privately).map((m) => m.content.text)).toEqual([expect.stringContaining("锦江某某康复医院")]);
  });
});
