// One tipster, one channel: tips about one institution cluster into one lead, but each tip keeps its
// own conversation. "Ask the tipster" addresses one tip (the asker names it), the answer comes back
// labelled with that tip, and nothing written for or by one tipster reaches another tipster's page.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leads } from "../../src/db/schema";
import { parseTipAddress } from "../../src/services/chat-actions";
import { createChatHarness, tgUser, type ChatHarness } from "../support/chat-harness";
import { jsonPost, REAL_NAME, validReport } from "../support/fixtures";

const CHENGDU_CHAT = "-1001000000001";
let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let telegram: ChatHarness["telegram"];
let memberIds: ChatHarness["memberIds"];
const group = { id: Number(CHENGDU_CHAT), type: "supergroup" as const };

const deliver = () => h.deliver();
/** A raw update; `id` is its update_id (taken from the harness when not given). */
const update = (body: Record<string, unknown>, id = h.takeUpdateId()) => h.telegramUpdate({ update_id: id, ...body });

async function status(receipt: string) {
  return (await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as {
    report: { status: string };
    messages: { id: string; from: string; body: string }[];
    timeline: unknown[];
  };
}

/** Messages the fake has been asked to send so far: a prompt expected after a press comes after this mark. */
const sentCount = () => telegram.callsTo("sendMessage").length;

/**
 * Replies to the prompt sent after `mark` (the fake numbers messages from 1000). The last one: under
 * load a send can time out on our side after the fake recorded it, and the retry is the one we keep.
 */
async function replyToPrompt(userId: number, text: string, mark: number, id = h.takeUpdateId()) {
  const promptAfterMark = () => telegram.callsTo("sendMessage").findLastIndex((m, i) => i >= mark && Boolean((m.body.reply_markup as { force_reply?: boolean } | undefined)?.force_reply));
  // The prompt travels through the outbox, paced per chat: deliver until it has gone.
  for (let i = 0; i < 10 && promptAfterMark() < 0; i++) {
    await deliver();
    if (promptAfterMark() < 0) ctx.setNow(new Date(ctx.deps.now().getTime() + 60_000));
  }
  const index = promptAfterMark();
  expect(index, "the prompt was delivered").toBeGreaterThanOrEqual(0);
  const prompt = telegram.callsTo("sendMessage")[index]!;
  const res = await update(
    { message: { message_id: 700 + id, date: 0, chat: group, from: tgUser(userId), text, reply_to_message: { message_id: 1000 + index, date: 0, chat: group, text: "prompt" } } },
    id,
  );
  expect(res.status).toBe(200);
  return prompt;
}

beforeAll(async () => {
  h = await createChatHarness();
  ({ ctx, telegram, memberIds } = h);
  for (const [name, userId] of [["张明", 5001], ["李娜", 5002], ["王强", 5003], ["刘洋", 5004], ["陈静", 5005]] as const) {
    const { code } = await h.invite(name);
    await update({ message: { message_id: 1, date: 0, chat: { id: userId, type: "private" }, from: tgUser(userId), text: `/start ${code}` } });
  }
});

afterAll(async () => {
  await h.close();
});

describe("two tipsters, one clustered lead", () => {
  let first: { receipt: string; reportId: string };
  let second: { receipt: string; reportId: string };
  let leadId = "";
  let assignee = 0;
  let askMark = 0;

  it("clusters both tips into one lead whose card counts two tips", async () => {
    const tip = (overrides: Record<string, unknown>) => ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: { districtCode: "510104" }, subject: "pharmacy", violationType: "drugs_for_daily_goods", ...overrides })));
    first = (await (await tip({ targetName: "某某大药房", description: "收银台用医保卡刷洗发水和食用油，小票写成药品。", anonymous: false, reporter: REAL_NAME })).json()) as typeof first;
    ctx.setNow(new Date(ctx.deps.now().getTime() + 60_000));
    second = (await (await tip({ targetName: "某某 大药房!", description: "我也看到这家药店用医保卡卖日用品，每周都有。" })).json()) as typeof second;
    await deliver();
    const rows = (await ctx.db.select().from(leads)).filter((l) => l.targetName === "某某大药房");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.corroborationCount).toBe(2);
    leadId = rows[0]!.id;
    assignee = rows[0]!.assigneeId === memberIds["张明"] ? 5001 : 5002;
  });

  it("asks which tip a question is for, and keeps the prompt open until one is named", async () => {
    const mark = sentCount();
    await update({ callback_query: { id: "cb-ask", from: tgUser(assignee), chat_instance: "ci", data: `fw:ask:${leadId}`, message: { message_id: 1000, date: 0, chat: group, text: "card" } } });
    const before = [await status(first.receipt), await status(second.receipt)];
    const prompt = await replyToPrompt(assignee, "您是否在3号收费窗口工作？", mark);
    askMark = mark;
    // The prompt lists the tips by number, time and channel, never by who sent them.
    expect(prompt.body.text).toContain("#1");
    expect(prompt.body.text).toContain("#2");
    expect(prompt.body.text).not.toContain(REAL_NAME.name);
    await deliver();
    const answer = telegram.callsTo("sendMessage").at(-1)!;
    expect(answer.body.text).toContain("#1 至 #2");
    // Nothing was asked of anyone.
    expect([await status(first.receipt), await status(second.receipt)]).toEqual(before);
  });

  it("puts the question on the named tip's page only", async () => {
    const secondBefore = await status(second.receipt);
    // The prompt stayed open: the second answer goes to the same prompt.
    await replyToPrompt(assignee, "＃1：您是否在3号收费窗口工作？", askMark);
    const firstNow = await status(first.receipt);
    expect(firstNow.messages.map((m) => [m.from, m.body])).toEqual([["investigator", "您是否在3号收费窗口工作？"]]);
    expect(await status(second.receipt)).toEqual(secondBefore);
    const asked = (await ctx.db.select().from(events).where(eq(events.entityId, leadId))).filter((e) => e.action === "lead.tipster_asked");
    expect(asked).toHaveLength(1);
    expect(JSON.parse(asked[0]!.data!)).toEqual({ reportId: first.reportId, tipNo: 1 });
  });

  it("brings each answer back labelled with its tip, and keeps the other tipster's page unchanged", async () => {
    const secondBefore = await status(second.receipt);
    const question = (await status(first.receipt)).messages[0]!;
    await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt: first.receipt, body: "是的，我是收银员，每天都见到。", inReplyTo: question.id }));
    await deliver();
    const thread = telegram.callsTo("sendMessage").at(-1)!;
    expect(thread.body.text).toContain(`#1 号举报人回复了线索 ${leadId}`);
    expect(thread.body.text).not.toContain(REAL_NAME.name);
    expect(await status(second.receipt)).toEqual(secondBefore);

    const firstBefore = await status(first.receipt);
    await ctx.app.request("/api/v1/reports/messages", jsonPost({ receipt: second.receipt, body: "补充：周末人最多。" }));
    await deliver();
    expect(telegram.callsTo("sendMessage").at(-1)!.body.text).toContain(`#2 号举报人回复了线索 ${leadId}`);
    expect(await status(first.receipt)).toEqual(firstBefore);
    // Each page shows its own conversation and nothing of the other's.
    expect(JSON.stringify(await status(second.receipt))).not.toContain("收银员");
    expect(JSON.stringify(await status(first.receipt))).not.toContain("周末人最多");
  });

  it("asks the second tip when named, once even if the update is redelivered", async () => {
    const mark = sentCount();
    await update({ callback_query: { id: "cb-ask2", from: tgUser(assignee), chat_instance: "ci", data: `fw:ask:${leadId}`, message: { message_id: 1000, date: 0, chat: group, text: "card" } } });
    const firstBefore = await status(first.receipt);
    const id = h.takeUpdateId();
    await replyToPrompt(assignee, "#2 您大约几点看到的？", mark, id);
    await update({ message: { message_id: 700 + id, date: 0, chat: group, from: tgUser(assignee), text: "#2 您大约几点看到的？" } }, id);
    const secondNow = await status(second.receipt);
    expect(secondNow.messages.filter((m) => m.from === "investigator").map((m) => m.body)).toEqual(["您大约几点看到的？"]);
    expect(await status(first.receipt)).toEqual(firstBefore);
  });
});

describe("naming a tip", () => {
  it("reads #n in half- and full-width spellings with any separator", () => {
    expect(parseTipAddress("#2 问题")).toEqual({ tipNo: 2, body: "问题" });
    expect(parseTipAddress("＃１２：问题")).toEqual({ tipNo: 12, body: "问题" });
    expect(parseTipAddress(" # 3, question")).toEqual({ tipNo: 3, body: "question" });
    expect(parseTipAddress("没有编号的问题")).toEqual({ tipNo: null, body: "没有编号的问题" });
  });
});

describe("declining inside a clustered lead", () => {
  it("declines one tip with its own reason while the lead and the other tip go on", async () => {
    const tip = (overrides: Record<string, unknown>) => ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: { districtCode: "510104" }, subject: "pharmacy", violationType: "no_prescription_sale", ...overrides })));
    const a = (await (await tip({ targetName: "某某连锁药店", description: "不凭处方卖处方药，还让刷医保卡。" })).json()) as { receipt: string; reportId: string };
    // A minute apart, so the second tip is #2 whatever its random report id.
    ctx.setNow(new Date(ctx.deps.now().getTime() + 60_000));
    const b = (await (await tip({ targetName: "某某连锁药店", description: "我想投诉药店服务态度差，店员很凶。" })).json()) as { receipt: string; reportId: string };
    await deliver();
    const lead = (await ctx.db.select().from(leads)).find((l) => l.targetName === "某某连锁药店")!;
    const who = lead.assigneeId === memberIds["张明"] ? 5001 : 5002;
    const mark = sentCount();
    await update({ callback_query: { id: "cb-dec", from: tgUser(who), chat_instance: "ci", data: `fw:decline:${lead.id}`, message: { message_id: 1000, date: 0, chat: group, text: "card" } } });
    const aBefore = await status(a.receipt);
    const prompt = await replyToPrompt(who, "#2 服务态度问题不属于医保基金监管范围，请向市场监管部门反映。", mark);
    expect(prompt.body.text).toContain("#2");
    const bNow = await status(b.receipt);
    expect(bNow.report.status).toBe("not_accepted");
    expect(bNow.messages.map((m) => m.body)).toEqual(["服务态度问题不属于医保基金监管范围，请向市场监管部门反映。"]);
    expect(await status(a.receipt)).toEqual(aBefore);
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, lead.id) }))!.state).toBe("new");

    // The lead goes on: accepting it moves tip #1, and tip #2 keeps its own outcome.
    await update({ callback_query: { id: "cb-acc", from: tgUser(who), chat_instance: "ci", data: `fw:accept:${lead.id}`, message: { message_id: 1000, date: 0, chat: group, text: "card" } } });
    expect((await status(a.receipt)).report.status).not.toBe(aBefore.report.status);
    expect((await status(b.receipt)).report.status).toBe("not_accepted");
    expect(JSON.stringify(await status(a.receipt))).not.toContain("服务态度");
  });
});

describe("reads from chat are need-to-know and logged", () => {
  const command = (userId: number, text: string, id = h.takeUpdateId()) =>
    update({ message: { message_id: 900 + id, date: 0, chat: { id: userId, type: "private" }, from: tgUser(userId), text } }, id);
  // Replies go through the outbox to the member's private chat; other chats may be delivered in the same round.
  const lastReply = async (userId: number) => {
    await deliver();
    return String(telegram.callsTo("sendMessage").filter((m) => String(m.body.chat_id) === String(userId)).at(-1)!.body.text);
  };
  const eventsOf = async (entityId: string) => ctx.db.select().from(events).where(eq(events.entityId, entityId));

  it("shows a lead to its team and coordinators, logs each look once, and refuses (and logs) everyone else", async () => {
    const lead = (await ctx.db.select().from(leads)).find((l) => l.targetName === "某某大药房")!;
    const id = h.takeUpdateId();
    await command(5001, `/lead ${lead.id}`, id);
    expect(await lastReply(5001)).toContain(lead.id);
    await command(5001, `/lead ${lead.id}`, id); // redelivered
    await command(5005, `/lead ${lead.id}`);
    expect(await lastReply(5005)).toContain(lead.id);
    const viewed = (await eventsOf(lead.id)).filter((e) => e.action === "lead.viewed");
    expect(viewed.map((e) => e.actorId)).toEqual([memberIds["张明"], memberIds["陈静"]]);

    // Another team's inspector and the finance officer learn nothing, not even that it exists.
    for (const outsider of [5003, 5004]) {
      await command(outsider, `/lead ${lead.id}`);
      const reply = await lastReply(outsider);
      expect(reply).not.toContain(lead.targetName);
      expect(reply).toContain("找不到");
    }
    const refused = (await eventsOf(lead.id)).filter((e) => e.action === "lead.refused");
    expect(refused.map((e) => [e.actorId, JSON.parse(e.data!).attempted])).toEqual(expect.arrayContaining([[memberIds["王强"], "/lead"], [memberIds["刘洋"], "/lead"]]));
  });

  it("logs who listed which leads and members", async () => {
    await command(5001, "/mine");
    await command(5002, "/members");
    const listed = (await eventsOf(memberIds["张明"]!)).filter((e) => e.action === "leads.listed");
    expect(listed).toHaveLength(1);
    expect(JSON.parse(listed[0]!.data!).command).toBe("mine");
    const members = (await eventsOf(memberIds["李娜"]!)).filter((e) => e.action === "members.listed");
    expect(members).toHaveLength(1);
  });
});
