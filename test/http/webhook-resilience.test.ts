// Webhooks under platform trouble and odd input: with the Bot API / Web API accepting connections and never
// answering, every webhook still answers within seconds and the answers arrive once the platform is back;
// a redelivered update, press or command has exactly one effect; hostile callback data and updates without
// a sender are answered 200 and change nothing.
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatRuntime } from "../../src/chat/runtime";
import { BOT_INFO_STATE_KEY, createTelegramBot, refreshTelegramBotInfo } from "../../src/chat/telegram/bot";
import { appState, chatPrompts, events, invites, leads, members, outbox } from "../../src/db/schema";
import { createChatHarness, slackBlockAction, waitFor, type ChatHarness } from "../support/chat-harness";
import { jsonPost, validReport } from "../support/fixtures";

const CHENGDU_CHAT = -1001000000001;
/** "Within a few seconds": the direct-call cap is 3 s; leave room for a loaded machine. */
const PROMPT_MS = 5000;

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let telegram: ChatHarness["telegram"];
let slack: ChatHarness["slack"];
let memberIds: ChatHarness["memberIds"];
let chengduLead = "";
let cardMessageId = 0;

/** A webhook request and how long it took to answer. */
async function timed(send: () => Response | Promise<Response>) {
  const started = performance.now();
  const res = await send();
  return { res, ms: performance.now() - started };
}
const postTelegram = (update: Record<string, unknown>) => timed(() => h.telegramUpdate(update));
const postSlack = (body: string, headers: Record<string, string> = {}) => timed(() => h.slackRequest(body, { headers }));

/** Updates as values, so that one can be delivered again. */
const privateMessage = (userId: number, text: string) => h.messageUpdate(userId, text);
const press = (userId: number, data: string) => h.pressUpdate(userId, CHENGDU_CHAT, data, cardMessageId);

const slackCommand = (user: string, text: string, trigger: string, channel = "C0COORDINATE") =>
  h.slackCommandBody(user, text, { channel, channelName: "coordination", trigger });

const deliver = () => h.deliver();
const eventsWith = (action: string) => ctx.db.select().from(events).where(eq(events.action, action));
const sentTo = (chatId: number | string) => h.sentTo(chatId);

beforeAll(async () => {
  h = await createChatHarness({ env: { TELEGRAM_BOT_TOKEN: "777000:TEST-token" }, firstUpdateId: 10_000 });
  ({ ctx, telegram, slack, memberIds } = h);
  // 张明 (inspector) and 陈静 (coordinator) on Telegram; a Chengdu lead with its card in the group.
  for (const [name, userId] of [["张明", 5001], ["陈静", 5009]] as const) {
    const { code } = await h.invite(name);
    expect((await postTelegram(privateMessage(userId, `/start ${code}`))).res.status).toBe(200);
  }
  expect((await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: { districtCode: "510104" }, targetName: "锦江某某医院" })))).status).toBe(201);
  await deliver();
  const card = sentTo(CHENGDU_CHAT).find((c) => String(c.body.text).includes("锦江某某医院"))!;
  cardMessageId = h.messageIdOf(card);
  chengduLead = (await ctx.db.select().from(leads))[0]!.id;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe("Telegram while the Bot API hangs", () => {
  it("answers a command within seconds, enrols once for a redelivered /start, and replies once the API is back", async () => {
    const { code } = await h.invite("李娜");
    // A freshly started process that has never learnt the bot's identity (nothing cached either).
    await ctx.db.delete(appState).where(eq(appState.key, BOT_INFO_STATE_KEY));
    ctx.deps.chat = createChatRuntime(ctx.deps, { consoleWrite: () => undefined });
    telegram.hang(true);
    const update = privateMessage(5002, `/start ${code}`);
    const first = await postTelegram(update);
    expect(first.res.status).toBe(200);
    expect(first.ms).toBeLessThan(PROMPT_MS);
    // Telegram redelivers the same update (same update_id): no second enrolment, no "invalid code" refusal.
    const again = await postTelegram(update);
    expect(again.res.status).toBe(200);
    expect(again.ms).toBeLessThan(PROMPT_MS);
    expect((await ctx.db.query.members.findFirst({ where: eq(members.id, memberIds["李娜"]!) }))?.telegramUserId).toBe("5002");
    expect((await eventsWith("member.enrolled")).filter((e) => e.entityId === memberIds["李娜"])).toHaveLength(1);
    expect(await eventsWith("member.enrolment_refused")).toHaveLength(0);
    await waitFor(() => telegram.heldCount > 0); // getMe was tried beside the requests, and is held
    telegram.hang(false);
    await deliver();
    const replies = sentTo(5002);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body.text).toContain("登记成功：李娜");
  });

  it("answers a button press within seconds while answerCallbackQuery hangs, and records it once", async () => {
    telegram.hang(true);
    const update = press(5001, `fw:ack:${chengduLead}`);
    const first = await postTelegram(update);
    expect(first.res.status).toBe(200);
    expect(first.ms).toBeLessThan(PROMPT_MS);
    telegram.hang(false);
    const again = await postTelegram(update);
    expect(again.res.status).toBe(200);
    expect((await ctx.db.select().from(events).where(and(eq(events.entityId, chengduLead), eq(events.action, "lead.acknowledge"))))).toHaveLength(1);
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, chengduLead) }))?.state).toBe("acknowledged");
  });

  it("sends one case link per press, however often the press is delivered", async () => {
    const before = sentTo(5001).length;
    const update = press(5001, `fw:open:${chengduLead}`);
    for (let i = 0; i < 3; i++) expect((await postTelegram(update)).res.status).toBe(200);
    await deliver();
    const links = sentTo(5001).slice(before);
    expect(links).toHaveLength(1);
    expect(links[0]!.body.text).toMatch(new RegExp(`/cases/${chengduLead}\\?t=`));
    expect((await ctx.db.select().from(events).where(and(eq(events.entityId, chengduLead), eq(events.action, "lead.case_link_issued"))))).toHaveLength(1);
    // A new press is a new link.
    await postTelegram(press(5001, `fw:open:${chengduLead}`));
    await deliver();
    expect(sentTo(5001).slice(before)).toHaveLength(2);
  });

  it("asks once for a decline reason when the press is delivered twice", async () => {
    const update = press(5001, `fw:decline:${chengduLead}`);
    for (let i = 0; i < 2; i++) expect((await postTelegram(update)).res.status).toBe(200);
    expect(await ctx.db.select().from(chatPrompts).where(eq(chatPrompts.leadId, chengduLead))).toHaveLength(1);
    const before = sentTo(CHENGDU_CHAT).length;
    await deliver();
    expect(sentTo(CHENGDU_CHAT).slice(before).filter((c) => c.body.reply_markup?.force_reply)).toHaveLength(1);
  });

  it("sends one invite code for a redelivered /invite, and the code works", async () => {
    const target = memberIds["王强"]!;
    const invitesBefore = (await ctx.db.select().from(invites).where(eq(invites.memberId, target))).length;
    const before = sentTo(5009).length;
    telegram.hang(true);
    const update = privateMessage(5009, `/invite ${target}`);
    for (let i = 0; i < 2; i++) {
      const { res, ms } = await postTelegram(update);
      expect(res.status).toBe(200);
      expect(ms).toBeLessThan(PROMPT_MS);
    }
    telegram.hang(false);
    await deliver();
    expect((await ctx.db.select().from(invites).where(eq(invites.memberId, target))).length).toBe(invitesBefore + 1);
    const sent = sentTo(5009).slice(before);
    // One answer in the chat, one private message with the code (here both in the private chat).
    expect(sent.map((c) => String(c.body.text)).filter((t) => /邀请码：[0-9A-Z]{10}/.test(t))).toHaveLength(1);
    expect(sent).toHaveLength(2);
    const code = /邀请码：([0-9A-Z]{10})/.exec(sent.map((c) => String(c.body.text)).join("\n"))![1]!;
    await postTelegram(privateMessage(5003, `/start ${code}`));
    expect((await ctx.db.query.members.findFirst({ where: eq(members.id, target) }))?.telegramUserId).toBe("5003");
  });

  it("adds one member for a redelivered /addmember", async () => {
    const chengdu = (await ctx.db.query.teams.findFirst({ where: (t, { eq }) => eq(t.name, "成都市核查一组") }))!;
    const update = privateMessage(5009, `/addmember inspector ${chengdu.id} 孙 悦`);
    for (let i = 0; i < 2; i++) expect((await postTelegram(update)).res.status).toBe(200);
    expect((await ctx.db.select().from(members).where(eq(members.displayName, "孙 悦")))).toHaveLength(1);
    const added = (await ctx.db.select().from(members).where(eq(members.displayName, "孙 悦")))[0]!;
    expect((await ctx.db.select().from(invites).where(eq(invites.memberId, added.id)))).toHaveLength(1);
    await deliver();
  });

  it("learns the bot's identity from getMe off the request path, with a timeout, and caches it", async () => {
    const fresh = () => createTelegramBot(ctx.deps, { token: "777000:TEST-token", apiRoot: telegram.url });
    await ctx.db.delete(appState).where(eq(appState.key, BOT_INFO_STATE_KEY));
    telegram.hang(true);
    const offline = fresh();
    expect(offline.botInfo).toMatchObject({ id: 777000, is_bot: true });
    const started = performance.now();
    await refreshTelegramBotInfo(ctx.deps, offline);
    expect(performance.now() - started).toBeLessThan(PROMPT_MS);
    expect(offline.botInfo.username).toBe("bot777000");
    expect(ctx.logs.some((l) => l.msg.startsWith("telegram getMe failed"))).toBe(true);
    telegram.hang(false);
    const online = fresh();
    await refreshTelegramBotInfo(ctx.deps, online);
    expect(online.botInfo.username).toBe("fundwatch_test_bot");
    const row = await ctx.db.query.appState.findFirst({ where: eq(appState.key, BOT_INFO_STATE_KEY) });
    expect(JSON.parse(row!.value).username).toBe("fundwatch_test_bot");
    // A restart reads the cache instead of asking Telegram.
    const getMeCalls = telegram.callsTo("getMe").length;
    const restarted = fresh();
    await refreshTelegramBotInfo(ctx.deps, restarted);
    expect(restarted.botInfo.username).toBe("fundwatch_test_bot");
    expect(telegram.callsTo("getMe").length).toBe(getMeCalls);
  });

  it("uses TELEGRAM_BOT_USERNAME and ignores commands addressed to another bot", async () => {
    const bot = createTelegramBot({ ...ctx.deps, config: { ...ctx.deps.config, TELEGRAM_BOT_USERNAME: "fundwatch_test_bot" } }, { token: "777000:TEST-token", apiRoot: telegram.url });
    expect(bot.botInfo).toMatchObject({ id: 777000, username: "fundwatch_test_bot" });
    const before = (await ctx.db.select().from(outbox)).length;
    await bot.handleUpdate(privateMessage(5001, "/mine@some_other_bot") as never);
    expect((await ctx.db.select().from(outbox)).length).toBe(before);
    await bot.handleUpdate(privateMessage(5001, "/mine@FundWatch_Test_Bot") as never);
    expect((await ctx.db.select().from(outbox)).length).toBe(before + 1);
  });
});

describe("Telegram input that must not crash a handler", () => {
  it("answers and ignores callback data naming Object.prototype members or unknown actions", async () => {
    const before = (await ctx.db.select().from(events)).length;
    for (const data of [`fw:constructor:${chengduLead}`, "fw:__proto__:x", "fw:toString:x", "fw:hasOwnProperty:L1", "fw:valueOf:x", "not-ours", "fw::"]) {
      const answers = telegram.callsTo("answerCallbackQuery").length;
      const { res } = await postTelegram(press(5001, data));
      expect(res.status, data).toBe(200);
      expect(telegram.callsTo("answerCallbackQuery").length, data).toBe(answers + 1);
    }
    expect((await ctx.db.select().from(events)).length).toBe(before);
  });

  it("answers and ignores updates without a sender (channel posts, anonymous and service messages)", async () => {
    const before = (await ctx.db.select().from(outbox)).length;
    const updates = [
      { update_id: h.takeUpdateId(), channel_post: { message_id: 1, date: 0, chat: { id: -100777, type: "channel", title: "c" }, text: "/mine" } },
      { update_id: h.takeUpdateId(), message: { message_id: 2, date: 0, chat: { id: CHENGDU_CHAT, type: "supergroup", title: "成都" }, text: "/mine" } },
      { update_id: h.takeUpdateId(), message: { message_id: 3, date: 0, chat: { id: CHENGDU_CHAT, type: "supergroup", title: "成都" }, sender_chat: { id: -100777, type: "channel", title: "c" }, text: "/overdue" } },
      { update_id: h.takeUpdateId(), message: { message_id: 4, date: 0, chat: { id: CHENGDU_CHAT, type: "supergroup", title: "成都" }, new_chat_title: "x" } },
      { update_id: h.takeUpdateId(), edited_message: { message_id: 5, date: 0, edit_date: 0, chat: { id: CHENGDU_CHAT, type: "supergroup", title: "成都" }, text: "/mine" } },
      { update_id: h.takeUpdateId() },
    ];
    for (const update of updates) expect((await postTelegram(update)).res.status, JSON.stringify(update)).toBe(200);
    expect((await ctx.db.select().from(outbox)).length).toBe(before);
  });
});

describe("Slack while the Web API hangs", () => {
  it("acknowledges a press within Slack's three seconds and takes effect once for a retried payload", async () => {
    const { code } = await h.invite("Tom Lee");
    const join = slackCommand("U0TOM", `join ${code}`, "trig-join", "D0TOM");
    slack.hang(true);
    const first = await postSlack(join);
    expect(first.res.status).toBe(200);
    expect(first.ms).toBeLessThan(3000);
    expect(((await first.res.json()) as { text: string }).text).toContain("Enrolled: Tom Lee");
    // Slack retries the same command: the same answer, one enrolment, no refusal.
    const retried = await postSlack(join, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
    expect(((await retried.res.json()) as { text: string }).text).toContain("Enrolled: Tom Lee");
    expect((await eventsWith("member.enrolled")).filter((e) => e.entityId === memberIds["Tom Lee"])).toHaveLength(1);
    expect(await eventsWith("member.enrolment_refused")).toHaveLength(0);

    expect((await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: { districtCode: "510703" }, targetName: "涪城某某药房", subject: "pharmacy", violationType: "drugs_for_daily_goods" })))).status).toBe(201);
    const lead = (await ctx.db.select().from(leads)).find((l) => l.targetName === "涪城某某药房")!;
    const press = slackBlockAction({ user: "U0TOM", channel: "C0MIANYANG01", trigger: "trig-press", messageTs: "1700000000.000900", actionId: "fw:ack", blockId: "fw_actions_0", value: lead.id, actionTs: "1764000999.001" });
    const payload = new URLSearchParams({ payload: JSON.stringify(press) }).toString();
    const pressed = await postSlack(payload);
    expect(pressed.res.status).toBe(200);
    expect(pressed.ms).toBeLessThan(3000);
    await waitFor(async () => (await ctx.db.query.leads.findFirst({ where: eq(leads.id, lead.id) }))?.state === "acknowledged");
    const retried2 = await postSlack(payload, { "x-slack-retry-num": "1" });
    expect(retried2.res.status).toBe(200);
    expect(retried2.ms).toBeLessThan(3000);
    // The work after the ack gives up on the hung API after its timeout and logs it.
    await waitFor(() => ctx.logs.filter((l) => l.msg === "slack answer not shown").length >= 2);
    expect((await ctx.db.select().from(events).where(and(eq(events.entityId, lead.id), eq(events.action, "lead.acknowledge"))))).toHaveLength(1);
    slack.hang(false);
  });

  it("shows the same single invite code for a retried /fundwatch invite", async () => {
    // 陈静 has Telegram already: the operator invites her Slack account as an additional one.
    const { code } = await h.invite("陈静", { additionalAccount: true });
    await postSlack(slackCommand("U0CHEN", `join ${code}`, "trig-chen"));
    // An inspector not yet enrolled (finance and coordinators are invited by an operator only); 孙 悦
    // (added from chat above) already has the invite /addmember issued.
    const target = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "孙 悦") }))!.id;
    const invitesBefore = (await ctx.db.select().from(invites).where(eq(invites.memberId, target))).length;
    const invitedBefore = (await ctx.db.select().from(events).where(and(eq(events.entityId, target), like(events.action, "member.invited")))).length;
    const invite = slackCommand("U0CHEN", `invite ${target}`, "trig-inv");
    const first = ((await (await postSlack(invite)).res.json()) as { text: string }).text;
    const second = ((await (await postSlack(invite, { "x-slack-retry-num": "1" })).res.json()) as { text: string }).text;
    const codeOf = (t: string) => /邀请码：([0-9A-Z]{10})/.exec(t)?.[1];
    expect(codeOf(first)).toBeDefined();
    expect(codeOf(second)).toBe(codeOf(first));
    expect(await ctx.db.select().from(invites).where(eq(invites.memberId, target))).toHaveLength(invitesBefore + 1);
    expect((await ctx.db.select().from(events).where(and(eq(events.entityId, target), like(events.action, "member.invited"))))).toHaveLength(invitedBefore + 1);
  });

  it("answers and ignores actions naming Object.prototype members", async () => {
    const before = (await ctx.db.select().from(events)).length;
    for (const [i, actionId] of ["fw:constructor", "fw:__proto__", "fw:toString"].entries()) {
      const payload = new URLSearchParams({
        payload: JSON.stringify(slackBlockAction({ user: "U0TOM", channel: "C0MIANYANG01", trigger: `t-${i}`, actionId, value: chengduLead, actionTs: `1764001000.00${i}` })),
      }).toString();
      expect((await postSlack(payload)).res.status, actionId).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect((await ctx.db.select().from(events)).length).toBe(before);
    expect(ctx.logs.filter((l) => l.msg === "slack handler failed")).toHaveLength(0);
  });
});
