// Leads in chat over real HTTP: fake Telegram and Slack servers on loopback, the real webhooks, the
// real outbox. A tip becomes one card in the right team's chat; presses are checked, logged once and
// reflected on the card and the tipster's status page; outages delay messages without loss.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leads, members, outbox } from "../../src/db/schema";
import { createChatHarness, pollUntil, slackBlockAction, type ChatHarness } from "../support/chat-harness";
import { createPageClient } from "../support/page-client";
import { jsonPost, validReport } from "../support/fixtures";

const CHENGDU_CHAT = "-1001000000001";
const MIANYANG_CHANNEL = "C0MIANYANG01";

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let telegram: ChatHarness["telegram"];
let slack: ChatHarness["slack"];
let memberIds: ChatHarness["memberIds"];

/** Delivers everything due, ten rounds at most (the test clock moves past per-chat pacing between rounds). */
const deliver = () => h.deliver({ rounds: 10 });
const pressTelegram = (userId: number, data: string, messageId: number, id?: number) => h.pressTelegram(userId, CHENGDU_CHAT, data, messageId, id);

async function leadOfReceipt(receipt: string) {
  const res = await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }));
  const view = (await res.json()) as { report: { id: string; status: string } };
  const rows = await ctx.db.select().from(leads);
  return { view, rows };
}

beforeAll(async () => {
  // Monday 24 Nov 2026, 10:00 in Shanghai (the harness's default clock).
  h = await createChatHarness();
  ({ ctx, telegram, slack, memberIds } = h);
});

afterAll(async () => {
  await h.close();
});

describe("a tip in Chengdu reaches the Telegram team", () => {
  let leadId = "";
  let cardMessageId = 0;
  let receipt = "";

  it("enrols members with one-time codes, never by name", async () => {
    await h.enrolTelegram("张明", 5001);
    await h.enrolTelegram("李娜", 5002);
    const zhang = await ctx.db.query.members.findFirst({ where: eq(members.id, memberIds["张明"]!) });
    expect(zhang?.telegramUserId).toBe("5001");
    expect(telegram.callsTo("sendMessage").at(-1)?.body.text).toContain("登记成功：李娜（组长）");
    // A used code does not work twice.
    const refused = await h.sendTelegram(5999, "/start AAAAAAAAAA");
    expect(refused.status).toBe(200);
    await deliver();
    expect(telegram.callsTo("sendMessage").at(-1)?.body.text).toBe("邀请码无效、已使用或已过期。");
  });

  it("posts exactly one card, without the tipster's identity, to the Chengdu group", async () => {
    const before = telegram.callsTo("sendMessage").length;
    const tip = await h.submitTip({
      region: { districtCode: "510104" },
      targetName: "锦江某某康复医院",
      description: "我叫周杰，电话13912345678。康复科长期挂床，病人白天回家，仍每天记账理疗项目，涉及人血白蛋白。",
      anonymous: false,
      reporter: { name: "周杰", phone: "13912345678", idNumber: "11010519491231002X" },
    });
    receipt = tip.receipt;
    await deliver();
    const cards = telegram.callsTo("sendMessage").slice(before);
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(String(card.body.chat_id)).toBe(CHENGDU_CHAT);
    expect(card.body.text).toContain("锦江某某康复医院");
    expect(card.body.text).toContain("人血白蛋白");
    for (const secret of ["周杰", "13912345678", "11010519491231002X"]) expect(card.body.text).not.toContain(secret);
    const buttons = card.body.reply_markup.inline_keyboard.flat().map((b: any) => b.callback_data);
    leadId = /fw:ack:(.+)$/.exec(buttons[0])![1]!;
    cardMessageId = 1000 + telegram.callsTo("sendMessage").indexOf(card);
    const lead = await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) });
    expect(lead).toMatchObject({ state: "new", assigneeId: memberIds["张明"] });
  });

  it("refuses and logs a press by someone who is not enrolled", async () => {
    const res = await pressTelegram(6666, `fw:ack:${leadId}`, cardMessageId);
    expect(res.status).toBe(200);
    expect(telegram.callsTo("answerCallbackQuery").at(-1)?.body.text).toContain("尚未登记");
    const refused = await ctx.db.select().from(events).where(and(eq(events.entityId, leadId), eq(events.action, "lead.refused")));
    expect(refused).toHaveLength(1);
    expect(refused[0]!.actorId).toBe("telegram:6666");
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))?.state).toBe("new");
  });

  it("rejects an update without the secret token", async () => {
    const res = await h.sendTelegram(5001, "/mine", { secret: null });
    expect(res.status).toBe(401);
    const wrong = await h.sendTelegram(5001, "/mine", { secret: "not-the-secret-at-all" });
    expect(wrong.status).toBe(401);
  });

  it("logs an acknowledgement once even when the update is delivered twice, edits the card, and tells the tipster", async () => {
    const edits = telegram.callsTo("editMessageText").length;
    const id = h.takeUpdateId();
    expect((await pressTelegram(5001, `fw:ack:${leadId}`, cardMessageId, id)).status).toBe(200);
    expect((await pressTelegram(5001, `fw:ack:${leadId}`, cardMessageId, id)).status).toBe(200);
    await deliver();
    const acks = await ctx.db.select().from(events).where(and(eq(events.entityId, leadId), eq(events.action, "lead.acknowledge")));
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ actorId: memberIds["张明"], actorRole: "inspector", platform: "telegram", fromState: "new", toState: "acknowledged", dedupeKey: `telegram:update:${id}` });
    const newEdits = telegram.callsTo("editMessageText").slice(edits);
    expect(newEdits).toHaveLength(1);
    expect(newEdits[0]!.body.message_id).toBe(cardMessageId);
    expect(newEdits[0]!.body.text).toContain("已确认");
    const { view } = await leadOfReceipt(receipt);
    expect(view.report.status).toBe("in_review");
    const page = await createPageClient(ctx.app).post("/status?lang=en", new URLSearchParams({ receipt }));
    expect(page.html).toContain("Being handled");
  });

  it("asks the tipster from the chat and the question shows on the status page", async () => {
    await pressTelegram(5001, `fw:ask:${leadId}`, cardMessageId);
    await deliver();
    const prompt = telegram.callsTo("sendMessage").at(-1)!;
    expect(prompt.body.reply_markup).toMatchObject({ force_reply: true });
    const promptId = 1000 + telegram.callsTo("sendMessage").indexOf(prompt);
    await h.sendTelegram(5001, "挂床病人大约有多少？", { chat: CHENGDU_CHAT, replyTo: promptId });
    const status = (await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as any;
    expect(status.messages.map((m: any) => [m.from, m.body])).toContainEqual(["investigator", "挂床病人大约有多少？"]);

    // The answer comes back to the card's thread, scrubbed.
    const question = status.messages.find((m: any) => m.from === "investigator");
    const answer = await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt, body: "大约二十人。我是周杰，有事打13912345678。", inReplyTo: question.id }));
    expect(answer.status).toBe(201);
    await deliver();
    const thread = telegram.callsTo("sendMessage").at(-1)!;
    expect(String(thread.body.chat_id)).toBe(CHENGDU_CHAT);
    expect(thread.body.text).toContain(`举报人回复了线索 ${leadId}`);
    expect(thread.body.text).toContain("大约二十人");
    expect(thread.body.text).not.toContain("周杰");
    expect(thread.body.text).not.toContain("13912345678");
    expect(thread.body.reply_parameters?.message_id).toBe(cardMessageId);
  });

  it("accepts and concludes with an amount from the chat; the card and the tipster follow", async () => {
    await pressTelegram(5001, `fw:accept:${leadId}`, cardMessageId);
    await pressTelegram(5001, `fw:substantiated:${leadId}`, cardMessageId);
    await deliver();
    const prompt = telegram.callsTo("sendMessage").at(-1)!;
    expect(prompt.body.text).toContain("查实金额");
    const promptId = 1000 + telegram.callsTo("sendMessage").indexOf(prompt);
    await h.sendTelegram(5001, "12,000.50", { chat: CHENGDU_CHAT, replyTo: promptId });
    await deliver();
    const lead = await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) });
    expect(lead).toMatchObject({ state: "concluded", outcome: "substantiated", substantiatedAmountFen: 1_200_050 });
    expect(telegram.callsTo("editMessageText").at(-1)?.body.text).toContain("已办结");
    const { view } = await leadOfReceipt(receipt);
    expect(view.report.status).toBe("concluded");
  });

  it("sends a signed, short-lived case link privately; the page is audited and expires", async () => {
    await pressTelegram(5002, `fw:open:${leadId}`, cardMessageId);
    await deliver();
    const dm = telegram.callsTo("sendMessage").at(-1)!;
    expect(String(dm.body.chat_id)).toBe("5002");
    const url = new RegExp(`https://fundwatch\\.example\\.gov\\.cn(/cases/${leadId}\\?t=\\S+)`).exec(dm.body.text)![1]!;
    const page = await ctx.app.request(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    // The full description is there for staff; the identity is not (an inspector's link).
    expect(html).toContain("康复科长期挂床");
    expect(html).not.toContain("11010519491231002X");
    const views = await ctx.db.select().from(events).where(and(eq(events.entityId, leadId), eq(events.action, "lead.case_viewed")));
    expect(views.map((v) => v.actorId)).toEqual([memberIds["李娜"]]);
    expect((await ctx.app.request(url.replace(/t=[^.]+/, "t=mem_FORGED"))).status).toBe(403);
    ctx.setNow(new Date(ctx.deps.now().getTime() + 16 * 60_000));
    expect((await ctx.app.request(url)).status).toBe(403);
  });

  it("gives a coordinator the evidence and, with a logged reason, the tipster's identity", async () => {
    const { caseLinkToken } = await import("../../src/services/chat-actions");
    const coordinator = memberIds["陈静"]!;
    const token = await caseLinkToken(ctx.deps, leadId, coordinator, ctx.deps.now().getTime() + 600_000);
    const q = `t=${encodeURIComponent(token)}`;
    const form = new FormData();
    form.append("receipt", receipt);
    form.append("evidence", new File([Uint8Array.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x0a])], "发票.pdf", { type: "application/pdf" }));
    expect((await ctx.app.request("/api/v1/reports/attachments", { method: "POST", body: form })).status).toBe(409); // the report is concluded by now
    const page = await (await ctx.app.request(`/cases/${leadId}?${q}`)).text();
    expect(page).toContain("查看举报人身份");
    const reportId = /data-report="([^"]+)"/.exec(page)![1]!;
    const reveal = await ctx.app.request(`/cases/${leadId}/identity/${reportId}?${q}`, { method: "POST", body: new URLSearchParams({ reason: "发放举报奖励需核实身份" }) });
    expect(reveal.status).toBe(200);
    expect(await reveal.text()).toContain("11010519491231002X");
    const views = await ctx.db.select().from(events).where(and(eq(events.entityId, reportId), eq(events.action, "report.identity_viewed")));
    expect(views.at(-1)).toMatchObject({ actorId: coordinator, actorRole: "coordinator", platform: "web" });
    expect(views.at(-1)!.data).toContain("发放举报奖励需核实身份");
    // An inspector's link cannot reveal it.
    const inspectorToken = await caseLinkToken(ctx.deps, leadId, memberIds["张明"]!, ctx.deps.now().getTime() + 600_000);
    const refused = await ctx.app.request(`/cases/${leadId}/identity/${reportId}?t=${encodeURIComponent(inspectorToken)}`, { method: "POST", body: new URLSearchParams({ reason: "curious" }) });
    expect(refused.status).toBe(403);
  });

  it("answers /mine for an enrolled member", async () => {
    await h.sendTelegram(5001, "/mine");
    await deliver();
    expect(telegram.callsTo("sendMessage").at(-1)?.body.text).toBe("您目前没有未办结的线索。");
  });
});

describe("Slack", () => {
  it("posts the Mianyang lead to its channel and takes a signed acknowledgement", async () => {
    const { code } = await h.invite("Tom Lee");
    const join = await h.slackCommand("U0TOM", `join ${code}`, { channel: "D0TOM", channelName: "directmessage", trigger: "trig1", responseUrl: `${slack.url}/respond` });
    expect(join.status).toBe(200);
    expect(((await join.json()) as any).text).toContain("Enrolled: Tom Lee");

    const before = slack.callsTo("chat.postMessage").length;
    await h.submitTip({ region: { districtCode: "510703" }, targetName: "涪城某某药房", subject: "pharmacy", violationType: "drugs_for_daily_goods" });
    await deliver();
    const posted = slack.callsTo("chat.postMessage").slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body.channel).toBe(MIANYANG_CHANNEL);
    const blocks = posted[0]!.body.blocks as any[];
    const ack = blocks.flatMap((b) => b.elements ?? []).find((e: any) => e.action_id === "fw:ack");
    expect(ack.text.text).toBe("Acknowledge");
    const leadId = ack.value as string;

    const payload = JSON.stringify(slackBlockAction({ user: "U0TOM", channel: MIANYANG_CHANNEL, trigger: "trig2", messageTs: posted[0] ? "1700000000.000100" : "", actionId: "fw:ack", blockId: "fw_actions_0", value: leadId, actionTs: "1764000000.123" }));
    const res = await h.slackInteraction(payload);
    expect(res.status).toBe(200);
    // Work after the ack finishes on its own; wait for it.
    await pollUntil(async () => (await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))?.state !== "new");
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))?.state).toBe("acknowledged");
    // The first press's answer is posted after the state change: wait for it, or the retry's count is off.
    await pollUntil(() => slack.callsTo("chat.postEphemeral").some((c) => c.body.text === "Recorded: Acknowledge."));
    // Slack retries the same action: it takes effect once (the retry's answer is "already done").
    const answers = slack.callsTo("chat.postEphemeral").length;
    await h.slackInteraction(payload);
    await pollUntil(() => slack.callsTo("chat.postEphemeral").length !== answers);
    expect(slack.callsTo("chat.postEphemeral").at(-1)?.body.text).toBe("That has already taken effect.");
    expect(await ctx.db.select().from(events).where(and(eq(events.entityId, leadId), eq(events.action, "lead.acknowledge")))).toHaveLength(1);
    await deliver();
    expect(slack.callsTo("chat.update").at(-1)?.body.ts).toBe("1700000000.000100");
  });

  it("lets a coordinator issue an invite from chat, privately, that a new member redeems", async () => {
    const { code } = await h.invite("陈静");
    const cmd = (user: string, text: string, trigger: string) => h.slackCommand(user, text, { channel: "C0COORDINATE", channelName: "coordination", trigger });
    await cmd("U0CHEN", `join ${code}`, "trig-c1");
    const invite = (await (await cmd("U0CHEN", `invite ${memberIds["王强"]}`, "trig-c2")).json()) as { text: string; response_type: string };
    expect(invite.response_type).toBe("ephemeral");
    const newCode = /邀请码：([0-9A-Z]{10})/.exec(invite.text)![1]!;
    await h.sendTelegram(5003, `/start ${newCode}`);
    await deliver();
    expect((await ctx.db.query.members.findFirst({ where: eq(members.id, memberIds["王强"]!) }))?.telegramUserId).toBe("5003");
    // An inspector cannot issue invites.
    const refused = (await (await cmd("U0TOM", `invite ${memberIds["王强"]}`, "trig-c3")).json()) as { text: string };
    // In words, naming who can (by name and role, not id).
    expect(refused.text).toBe("Only a coordinator can do this. Ask one of: 陈静 (coordinator).");
  });

  it("lets a coordinator add and deactivate members from chat; a deactivated member's presses are refused", async () => {
    const cmd = async (text: string, trigger: string) =>
      (await (await h.slackCommand("U0CHEN", text, { channel: "C0COORDINATE", trigger })).json()) as { text: string };
    const chengdu = (await ctx.db.query.teams.findFirst({ where: (t, { eq }) => eq(t.name, "成都市核查一组") }))!;
    const added = await cmd(`addmember inspector ${chengdu.id} 赵 敏`, "trig-a1");
    const id = /（(mem_[0-9A-Z]+)）/.exec(added.text)![1]!;
    const code = /邀请码：([0-9A-Z]{10})/.exec(added.text)![1]!;
    await h.sendTelegram(5004, `/start ${code}`);
    await deliver();
    expect((await ctx.db.query.members.findFirst({ where: eq(members.id, id) }))).toMatchObject({ displayName: "赵 敏", role: "inspector", telegramUserId: "5004" });
    expect((await cmd(`deactivate ${id}`, "trig-a2")).text).toContain("已停用 赵 敏");
    expect((await ctx.db.query.members.findFirst({ where: eq(members.id, id) }))).toMatchObject({ active: false, telegramUserId: null });
    await h.sendTelegram(5004, "/mine");
    await deliver();
    expect(telegram.callsTo("sendMessage").at(-1)?.body.text).toContain("尚未登记");
    expect((await cmd("addmember wizard - X", "trig-a3")).text).toContain("用法");
  });

  it("asks for a decline reason in a modal and applies the submitted answer", async () => {
    await h.submitTip({ region: { districtCode: "510704" }, targetName: "游仙某某医院", violationType: "over_treatment" });
    await deliver();
    const lead = (await ctx.db.select().from(leads)).find((l) => l.targetName === "游仙某某医院")!;
    const press = JSON.stringify(slackBlockAction({ user: "U0TOM", channel: MIANYANG_CHANNEL, trigger: "trig-modal", messageTs: "1700000000.000200", actionId: "fw:decline", blockId: "fw_actions_0", value: lead.id, actionTs: "1764000100.001" }));
    expect((await h.slackInteraction(press)).status).toBe(200);
    await pollUntil(() => slack.callsTo("views.open").length > 0);
    const opened = slack.callsTo("views.open").at(-1)!;
    expect(opened.body.trigger_id).toBe("trig-modal");
    const view = opened.body.view as { private_metadata: string; blocks: { label: { text: string } }[] };
    expect(view.blocks[0]!.label.text).toContain(`lead ${lead.id} is not accepted`);
    const submission = JSON.stringify({
      type: "view_submission",
      user: { id: "U0TOM" },
      team: { id: "T1" },
      view: { id: "V123", callback_id: "fw_prompt", private_metadata: view.private_metadata, state: { values: { answer: { text: { type: "plain_text_input", value: "Duplicate of a case already under investigation." } } } } },
      api_app_id: "A1",
      token: "x",
    });
    expect((await h.slackInteraction(submission)).status).toBe(200);
    await pollUntil(async () => (await ctx.db.query.leads.findFirst({ where: eq(leads.id, lead.id) }))?.state === "not_accepted");
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, lead.id) }))?.state).toBe("not_accepted");
  });

  it("rejects a bad signature and a replayed (stale) request", async () => {
    const body = new URLSearchParams({ command: "/fundwatch", text: "mine", user_id: "U0TOM", channel_id: "C1", trigger_id: "t", team_id: "T1" }).toString();
    expect((await h.slackRequest(body, { secret: "wrong-secret-wrong-secret" })).status).toBe(401);
    const tenMinutesAgo = Math.floor(ctx.deps.now().getTime() / 1000) - 600;
    expect((await h.slackRequest(body, { timestamp: tenMinutesAgo })).status).toBe(401);
    const inFuture = Math.floor(ctx.deps.now().getTime() / 1000) + 600;
    expect((await h.slackRequest(body, { timestamp: inFuture })).status).toBe(401);
  });
});

describe("evidence on the case page", () => {
  it("downloads the metadata-stripped file (here identical: it has none) under a neutral label, and logs the download", async () => {
    const pdf = new TextEncoder().encode("%PDF-1.4\n% evidence for the case page\ntrailer<<>>\nstartxref\n0\n%%EOF\n");
    const form = new FormData();
    form.append("report", JSON.stringify(validReport({ region: { districtCode: "510112" }, targetName: "龙泉驿某某医院" })));
    form.append("evidence", new File([pdf], "住院清单.pdf", { type: "application/pdf" }));
    expect((await ctx.app.request("/api/v1/reports", { method: "POST", body: form })).status).toBe(201);
    const lead = (await ctx.db.select().from(leads)).find((l) => l.targetName === "龙泉驿某某医院")!;
    const { caseLinkToken } = await import("../../src/services/chat-actions");
    const token = encodeURIComponent(await caseLinkToken(ctx.deps, lead.id, lead.assigneeId!, ctx.deps.now().getTime() + 600_000));
    const page = await (await ctx.app.request(`/cases/${lead.id}?t=${token}`)).text();
    expect(page).not.toContain("住院清单");
    expect(page).toContain("证据 1（PDF，");
    const href = /href="(\/cases\/[^"]+\/attachments\/[^"]+)"/.exec(page)![1]!.replace(/&amp;/g, "&");
    const file = await ctx.app.request(href);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("application/pdf");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(pdf);
    const logged = await ctx.db.select().from(events).where(and(eq(events.entityId, lead.id), eq(events.action, "lead.attachment_downloaded")));
    expect(logged).toHaveLength(1);
    await deliver();
  });
});

describe("decline and reassign from chat", () => {
  /** Replies in the group to the newest message the bot sent (ten delivery rounds first, as everywhere here). */
  const replyToLastPrompt = (userId: number, text: string) => h.replyToLastPrompt(userId, CHENGDU_CHAT, text, { lastMessage: true, rounds: 10 });

  it("declines with a reason given as a reply; the tipster sees 'not accepted'", async () => {
    const tip = await h.submitTip({ region: { districtCode: "510108" }, targetName: "成华某某诊所", violationType: "duplicate_billing" });
    await deliver();
    const lead = (await ctx.db.select().from(leads)).find((l) => l.targetName === "成华某某诊所")!;
    // Whoever routing assigned it to answers (张明 is 5001, 李娜 5002 in Telegram).
    const assignee = lead.assigneeId === memberIds["张明"] ? 5001 : 5002;
    await pressTelegram(assignee, `fw:decline:${lead.id}`, 1);
    await replyToLastPrompt(assignee, "  ");
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, lead.id) }))?.state).toBe("new");
    await pressTelegram(assignee, `fw:decline:${lead.id}`, 1);
    await replyToLastPrompt(assignee, "不属于医保基金监管范围，已转市场监管部门。");
    const after = await ctx.db.query.leads.findFirst({ where: eq(leads.id, lead.id) });
    expect(after).toMatchObject({ state: "not_accepted" });
    expect(after?.declineReasonEnc).not.toContain("市场监管");
    const status = (await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt: tip.receipt }))).json()) as any;
    expect(status.report.status).toBe("not_accepted");
    expect(status.messages.map((m: any) => [m.from, m.body])).toContainEqual(["investigator", "不属于医保基金监管范围，已转市场监管部门。"]);
  });

  it("lets the team lead reassign by replying with a member id; an inspector cannot", async () => {
    await h.submitTip({ region: { districtCode: "510108" }, targetName: "成华某某药房", subject: "pharmacy", violationType: "no_prescription_sale" });
    await deliver();
    const lead = (await ctx.db.select().from(leads)).find((l) => l.targetName === "成华某某药房")!;
    const teamLead = memberIds["李娜"]!;
    const other = lead.assigneeId === memberIds["张明"] ? teamLead : memberIds["张明"]!;
    // The assignee (an inspector) may not hand the lead to someone else …
    await pressTelegram(5001, `fw:reassign:${lead.id}`, 1);
    await replyToLastPrompt(5001, other);
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, lead.id) }))?.assigneeId).toBe(lead.assigneeId);
    // … the team lead may.
    await pressTelegram(5002, `fw:reassign:${lead.id}`, 1);
    await replyToLastPrompt(5002, other);
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, lead.id) }))?.assigneeId).toBe(other);
    const log = await ctx.db.select().from(events).where(and(eq(events.entityId, lead.id), eq(events.action, "lead.reassigned")));
    expect(log.at(-1)).toMatchObject({ actorId: teamLead, toState: other });
  });
});

describe("escalation", () => {
  it("reminds the assignee, then the team lead, then the coordinators, once each", async () => {
    ctx.setNow("2026-11-25T01:00:00Z"); // Wednesday 09:00 Shanghai
    const tip = await h.submitTip({ region: { districtCode: "510106" }, targetName: "金牛某某诊所", violationType: "over_treatment" });
    await deliver();
    const lead = (await ctx.db.select().from(leads)).find((l) => l.targetName === "金牛某某诊所")!;
    expect(tip.reportId).toBeTruthy();
    const { runTick } = await import("../../src/scheduler/tick");
    const tick = async (iso: string) => {
      ctx.setNow(iso);
      await runTick(ctx.deps as never, new Date(iso));
      await deliver();
    };
    const reminders = () => [...telegram.callsTo("sendMessage"), ...slack.callsTo("chat.postMessage")].map((c) => String(c.body.text)).filter((t) => t.includes(lead.id) && /^【/.test(t)); // single reminders and digests listing it
    await tick("2026-11-25T04:00:00Z"); // 12:00, before ackBy 13:00
    expect(reminders()).toHaveLength(0);
    await tick("2026-11-25T05:01:00Z"); // 13:01: the assignee
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]).toContain("【提醒负责人】");
    await tick("2026-11-25T05:02:00Z"); // a second tick in the same step adds nothing
    expect(reminders()).toHaveLength(1);
    await tick("2026-11-26T05:00:00Z"); // a day later: team lead and coordinators catch up, in order
    const all = reminders();
    expect(all).toHaveLength(3);
    expect(all[1]).toContain("【升级至组长】");
    expect(all[1]).toContain("李娜");
    expect(all[2]).toContain("【升级至协调员】");
    const coordinatorsPost = slack.callsTo("chat.postMessage").find((c) => String(c.body.text).includes("【升级至协调员】") && String(c.body.text).includes(lead.id));
    expect(coordinatorsPost?.body.channel).toBe("C0COORDINATE");
    const logged = await ctx.db.select().from(events).where(and(eq(events.entityId, lead.id), eq(events.action, "lead.escalated")));
    expect(logged).toHaveLength(3);
  });

  it("lists overdue leads for coordinators and refuses /overdue to inspectors", async () => {
    await h.sendTelegram(5002, "/overdue");
    await deliver();
    expect(telegram.callsTo("sendMessage").at(-1)?.body.text).toMatch(/^逾期线索（\d+）：/);
    await h.sendTelegram(5001, "/overdue");
    await deliver();
    expect(telegram.callsTo("sendMessage").at(-1)?.body.text).toBe("只有组长和协调员才能查看逾期线索列表。请联系：陈静（协调员）、李娜（组长）。");
  });
});

describe("delivery through an outage", () => {
  it("delays messages while the platform answers 429 and 500, then delivers each exactly once", async () => {
    const before = telegram.callsTo("sendMessage").length;
    telegram.failNext(2, { status: 429, retryAfter: 3 });
    telegram.failNext(3, { status: 500 });
    const tips = [];
    for (const target of ["青羊某某医院", "武侯某某医院", "金牛某某医院"]) tips.push(await h.submitTip({ region: { districtCode: "510105" }, targetName: target }));
    await h.deliver({ rounds: 30 });
    const sent = telegram.callsTo("sendMessage").slice(before);
    const targets = sent.map((c) => /(青羊|武侯|金牛)某某医院/.exec(c.body.text)?.[0]);
    expect(targets.sort()).toEqual(["武侯某某医院", "金牛某某医院", "青羊某某医院"].sort());
    const pending = await ctx.db.select().from(outbox).where(eq(outbox.status, "pending"));
    expect(pending).toHaveLength(0);
    const retried = await ctx.db.select().from(outbox).where(eq(outbox.chatId, CHENGDU_CHAT));
    expect(retried.some((r) => r.attempts > 1)).toBe(true);
    expect(tips).toHaveLength(3);
  });
});
