// Campaigns in chat over real HTTP: fake Telegram and Slack servers on loopback, the real webhooks, the
// real outbox and tick. A unit's contact acknowledges and submits from the reminder; presses by anyone
// else are refused and logged; the coordinator sees the board, nudges only the others (with a cool-down),
// moves the deadline (acknowledgements needed again), returns a submission (it reopens) and accepts the
// second one; the event log holds every step.
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatRuntime } from "../../src/chat/runtime";
import { assignments, events, members, submissions } from "../../src/db/schema";
import { importCampaign } from "../../src/services/campaigns/campaigns";
import { deliverDueMessages } from "../../src/services/delivery/outbox";
import { createInvite } from "../../src/services/org/org";
import { runTick } from "../../src/scheduler/tick";
import { createTestContext, type TestContext } from "../support/context";
import { FakeSlack, FakeTelegram } from "../support/fake-chat-servers";
import { importExampleOrg } from "../support/round-trips";

const TG_SECRET = "telegram-secret-0123456789";
const SLACK_SECRET = "slack-signing-secret-abcdef0123";
const WUHOU_CHAT = "-1001000000104";
const QINGYANG_CHAT = "-1001000000105";
const COORDINATORS = "C0COORDINATE";
const WU = 6001; // contact of 成都市武侯区人民医院
const ZHOU = 6002; // contact of 金牛区医保局: not of the hospital
const CHEN = 6003; // coordinator
const STRANGER = 6999;

let ctx: TestContext;
let telegram: FakeTelegram;
let slack: FakeSlack;
let updateId = 1000;
let campaignId = "";
let wuhouAsg = "";
let qingyangAsg = "";
const memberIds: Record<string, string> = {};
const sh = (local: string) => new Date(`${local}+08:00`);
const wait = async (until: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 1000 && !(await until()); i++) await new Promise((r) => setTimeout(r, 20));
};

async function deliver() {
  for (let i = 0; i < 20; i++) {
    const report = await deliverDueMessages(ctx.deps.chat!.delivery);
    if (report.nextDueAt === null) return;
    ctx.setNow(new Date(Math.max(ctx.deps.now().getTime() + 1000, report.nextDueAt)));
  }
}

function telegramUpdate(body: Record<string, unknown>, id = updateId++) {
  return ctx.app.request("/webhooks/telegram", {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": TG_SECRET },
    body: JSON.stringify({ update_id: id, ...body }),
  });
}
const tgUser = (id: number) => ({ id, is_bot: false, first_name: `user${id}` });

async function press(userId: number, chatId: string, data: string, messageId: number, id = updateId++) {
  const before = telegram.callsTo("answerCallbackQuery").length;
  const res = await telegramUpdate(
    { callback_query: { id: `cb${id}`, from: tgUser(userId), chat_instance: "ci", data, message: { message_id: messageId, date: 0, chat: { id: Number(chatId), type: "supergroup", title: "unit" }, text: "card" } } },
    id,
  );
  expect(res.status).toBe(200);
  const answers = telegram.callsTo("answerCallbackQuery");
  expect(answers.length).toBe(before + 1);
  return String(answers.at(-1)!.body.text ?? "");
}

async function command(userId: number, text: string) {
  const before = telegram.callsTo("sendMessage").length;
  const res = await telegramUpdate({ message: { message_id: updateId, date: 0, chat: { id: userId, type: "private" }, from: tgUser(userId), text } });
  expect(res.status).toBe(200);
  await deliver();
  return telegram.callsTo("sendMessage").slice(before).filter((c) => String(c.body.chat_id) === String(userId)).map((c) => String(c.body.text));
}

async function slackRequest(body: string) {
  const { createHmac } = await import("node:crypto");
  const timestamp = Math.floor(ctx.deps.now().getTime() / 1000);
  const signature = `v0=${createHmac("sha256", SLACK_SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return ctx.app.request("/webhooks/slack", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": signature }, body });
}

function sentTo(chatId: string) {
  return telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === chatId);
}

function buttonsOf(call: { body: Record<string, any> }): string[] {
  return ((call.body.reply_markup?.inline_keyboard ?? []) as { callback_data?: string }[][]).flat().map((b) => b.callback_data ?? "");
}

async function enrolTelegram(name: string, userId: number) {
  const { code } = await createInvite(ctx.deps, { memberId: memberIds[name]!, actor: { type: "system", platform: "cli" } });
  await telegramUpdate({ message: { message_id: 1, date: 0, chat: { id: userId, type: "private" }, from: tgUser(userId), text: `/start ${code}` } });
  await deliver();
}

/** The fake Bot API numbers its messages from 1000 in the order they were sent. */
const messageIdOf = (call: { body: Record<string, any> }) => 1000 + telegram.callsTo("sendMessage").indexOf(call as never);

const assignmentOf = async (id: string) => (await ctx.db.query.assignments.findFirst({ where: eq(assignments.id, id) }))!;

beforeAll(async () => {
  telegram = await new FakeTelegram().start();
  slack = await new FakeSlack().start();
  ctx = await createTestContext({
    TELEGRAM_BOT_TOKEN: "123456:TEST-token",
    TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
    TELEGRAM_API_ROOT: telegram.url,
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: `${slack.url}/api/`,
    PUBLIC_BASE_URL: "https://fundwatch.example.gov.cn",
  });
  ctx.deps.chat = createChatRuntime(ctx.deps, { consoleWrite: () => undefined });
  await importExampleOrg(ctx.deps);
  for (const m of await ctx.db.select().from(members)) memberIds[m.displayName] = m.id;
  ctx.setNow(sh("2026-12-01T10:00:00"));
  await enrolTelegram("吴磊", WU);
  await enrolTelegram("周敏", ZHOU);
  await enrolTelegram("陈静", CHEN);
  // The coordinator also on Slack, where the coordinators' channel is.
  const { code } = await createInvite(ctx.deps, { memberId: memberIds["陈静"]!, actor: { type: "system", platform: "cli" }, additionalAccount: true });
  await slackRequest(new URLSearchParams({ command: "/fundwatch", text: `join ${code}`, user_id: "U0CHEN", channel_id: "D0CHEN", channel_name: "directmessage", trigger_id: "trig-join", team_id: "T1", token: "x" }).toString());
  const started = await importCampaign(
    ctx.deps,
    { id: "dec-check", name: "年终自查", year: 2026, regionCode: "510100", issuer: "成都市医疗保障局", deliverables: [{ key: "dec-report", title: "年终自查报告", titleEn: "Year-end self-inspection report", unitKinds: ["institution"], due: "2026-12-10" }] },
    { type: "system", platform: "cli" },
  );
  campaignId = started.campaignId;
  const rows = await ctx.db.select().from(assignments).where(eq(assignments.campaignId, campaignId));
  wuhouAsg = rows.find((r) => r.unitId === "chengdu-wuhou-hospital")!.id;
  qingyangAsg = rows.find((r) => r.unitId === "chengdu-qingyang-pharmacy")!.id;
});

afterAll(async () => {
  await ctx.close();
  await telegram.stop();
  await slack.stop();
});

describe("a campaign reminder in a unit's Telegram group", () => {
  let card = 0;

  it("arrives 7 days before at 09:00 with Received, Submitted and the unit page, once", async () => {
    ctx.setNow(sh("2026-12-03T09:00:30"));
    await runTick(ctx.deps, ctx.deps.now());
    await deliver();
    const reminder = sentTo(WUHOU_CHAT).at(-1)!;
    expect(reminder.body.text).toContain("提醒：距截止还有 7 天");
    expect(reminder.body.text).toContain("2026-12-10 23:59（北京时间）");
    expect(buttonsOf(reminder)).toEqual([`fw:c-recv:${wuhouAsg}`, `fw:c-subm:${wuhouAsg}`, `fw:c-open:${wuhouAsg}`]);
    expect(sentTo(QINGYANG_CHAT)).toHaveLength(1);
    card = messageIdOf(reminder);
    await runTick(ctx.deps, sh("2026-12-03T10:00:00"));
    await deliver();
    expect(sentTo(WUHOU_CHAT)).toHaveLength(1);
  });

  it("refuses presses by a contact of another unit and by a stranger, and logs them", async () => {
    expect(await press(ZHOU, WUHOU_CHAT, `fw:c-recv:${wuhouAsg}`, card)).toBe("只有 成都市武侯区人民医院 登记的联系人可以操作。");
    expect(await press(ZHOU, WUHOU_CHAT, `fw:c-subm:${wuhouAsg}`, card)).toBe("只有 成都市武侯区人民医院 登记的联系人可以操作。");
    expect(await press(STRANGER, WUHOU_CHAT, `fw:c-recv:${wuhouAsg}`, card)).toContain("尚未登记");
    expect(await press(ZHOU, WUHOU_CHAT, `fw:c-acc:${wuhouAsg}`, card)).toBe("只有协调员可以操作。");
    const refused = await ctx.db.select().from(events).where(and(eq(events.entityId, wuhouAsg), eq(events.action, "assignment.press_refused")));
    expect(refused.map((e) => [e.actorId, JSON.parse(e.data!).reason])).toEqual([
      [memberIds["周敏"], "not_permitted"],
      [memberIds["周敏"], "not_permitted"],
      [`telegram:${STRANGER}`, "not_enrolled"],
      [memberIds["周敏"], "not_permitted"],
    ]);
    const a = await assignmentOf(wuhouAsg);
    expect(a.receivedAt).toBeNull();
    expect(a.state).toBe("open");
  });

  it("takes the contact's Received once, even when Telegram redelivers the press", async () => {
    const id = updateId++;
    expect(await press(WU, WUHOU_CHAT, `fw:c-recv:${wuhouAsg}`, card, id)).toBe("已确认收到：年终自查报告");
    expect(await press(WU, WUHOU_CHAT, `fw:c-recv:${wuhouAsg}`, card, id)).toBe("已处理过。");
    const a = await assignmentOf(wuhouAsg);
    expect(a).toMatchObject({ receivedBy: memberIds["吴磊"], receivedVersion: 1, dueVersion: 1 });
    expect(await ctx.db.select().from(events).where(and(eq(events.entityId, wuhouAsg), eq(events.action, "assignment.received")))).toHaveLength(1);
    // Received stops the before-day reminders: the next one is the due-day reminder.
    expect(a.nextReminderAt).toBe(sh("2026-12-10T09:00:00").getTime());
  });

  it("gives the contact a signed unit-page link, privately", async () => {
    expect(await press(WU, WUHOU_CHAT, `fw:c-open:${wuhouAsg}`, card)).toBe("单位页面");
    await deliver();
    const link = sentTo(String(WU)).at(-1)!;
    expect(link.body.text).toMatch(/https:\/\/fundwatch\.example\.gov\.cn\/units\/chengdu-wuhou-hospital\?t=/);
    expect(sentTo(WUHOU_CHAT).some((c) => String(c.body.text).includes("/units/"))).toBe(false);
  });
});

describe("the coordinator's commands", () => {
  it("/move tells every unit, needs acknowledgements again and keeps the old date in the log", async () => {
    const replies = await command(CHEN, "/move dec-report 2026-12-15 省局通知统一延期");
    expect(replies.join("\n")).toContain("已通知 2 个单位重新确认");
    await deliver();
    for (const chat of [WUHOU_CHAT, QINGYANG_CHAT]) {
      const moved = sentTo(chat).at(-1)!;
      expect(moved.body.text).toContain("截止时间已调整，请重新确认");
      expect(moved.body.text).toContain("2026-12-10 23:59");
      expect(moved.body.text).toContain("2026-12-15 23:59");
    }
    expect(buttonsOf(sentTo(WUHOU_CHAT).at(-1)!)).toContain(`fw:c-recv:${wuhouAsg}`);
    const a = await assignmentOf(wuhouAsg);
    expect(a).toMatchObject({ dueVersion: 2, receivedVersion: null, receivedAt: null });
    const moved = await ctx.db.select().from(events).where(and(eq(events.entityId, wuhouAsg), eq(events.action, "deliverable.moved")));
    expect(JSON.parse(moved[0]!.data!)).toMatchObject({ from: sh("2026-12-10T23:59:59.999").getTime(), to: sh("2026-12-15T23:59:59.999").getTime(), reason: "省局通知统一延期" });
  });

  it("the contact acknowledges the new date and submits with a note; the coordinators get the notice on Slack", async () => {
    const movedCard = messageIdOf(sentTo(WUHOU_CHAT).at(-1)!);
    expect(await press(WU, WUHOU_CHAT, `fw:c-recv:${wuhouAsg}`, movedCard)).toBe("已确认收到：年终自查报告");
    expect(await press(WU, WUHOU_CHAT, `fw:c-subm:${wuhouAsg}`, movedCard)).toBe("已报送");
    await deliver();
    const prompt = sentTo(WUHOU_CHAT).at(-1)!;
    expect(prompt.body.text).toContain("请回复本消息");
    expect(prompt.body.reply_markup).toMatchObject({ force_reply: true });
    const promptMessageId = messageIdOf(prompt);
    const before = slack.callsTo("chat.postMessage").length;
    await telegramUpdate({ message: { message_id: 900, date: 0, chat: { id: Number(WUHOU_CHAT), type: "supergroup" }, from: tgUser(WU), text: "自查报告见 https://pan.example.cn/s/abc", reply_to_message: { message_id: promptMessageId, date: 0, chat: { id: Number(WUHOU_CHAT), type: "supergroup" } } } });
    await deliver();
    expect(sentTo(WUHOU_CHAT).at(-1)!.body.text).toBe("已报送：年终自查报告，等待审核。");
    const notice = slack.callsTo("chat.postMessage").slice(before).find((c) => c.body.channel === COORDINATORS)!;
    const actionIds = (notice.body.blocks as any[]).flatMap((b) => b.elements ?? []).map((e: any) => `${e.action_id}:${e.value}`);
    expect(actionIds).toEqual([`fw:c-acc:${wuhouAsg}`, `fw:c-ret:${wuhouAsg}`]);
    expect(JSON.stringify(notice.body.blocks)).toContain("https://pan.example.cn/s/abc");
    expect(await assignmentOf(wuhouAsg)).toMatchObject({ state: "submitted", submittedBy: memberIds["吴磊"], nextReminderAt: null });
  });

  it("/board shows counts first, then the laggards, and sends a signed board link privately", async () => {
    const replies = await command(CHEN, "/board dec-report");
    const text = replies.join("\n");
    expect(text).toContain("「年终自查报告」：2 个单位，已确认 1，已报送 1，已通过 0，逾期 0");
    expect(text).toContain("未报送：\n• 成都市青羊区惠民大药房（未确认）");
    expect(text).not.toContain("• 成都市武侯区人民医院");
    expect(text).toMatch(new RegExp(`https://fundwatch\\.example\\.gov\\.cn/campaigns/${campaignId}/board\\?t=`));
  });

  it("/nudge reaches only the unit that has not submitted, and not again within 4 hours", async () => {
    const wuBefore = sentTo(WUHOU_CHAT).length;
    const qyBefore = sentTo(QINGYANG_CHAT).length;
    expect((await command(CHEN, "/nudge dec-report")).join("\n")).toContain("已催报 1 个单位：成都市青羊区惠民大药房");
    await deliver();
    expect(sentTo(WUHOU_CHAT)).toHaveLength(wuBefore);
    expect(sentTo(QINGYANG_CHAT)).toHaveLength(qyBefore + 1);
    expect(sentTo(QINGYANG_CHAT).at(-1)!.body.text).toContain("催报：年终自查报告");
    const again = (await command(CHEN, "/nudge dec-report")).join("\n");
    expect(again).toContain("没有需要催报的单位。");
    expect(again).toContain("1 个单位在 4 小时内已催报过");
    await deliver();
    expect(sentTo(QINGYANG_CHAT)).toHaveLength(qyBefore + 1);
    ctx.setNow(new Date(ctx.deps.now().getTime() + 4 * 3_600_000 + 60_000));
    expect((await command(CHEN, "/nudge dec-report")).join("\n")).toContain("已催报 1 个单位");
    await deliver();
    expect(sentTo(QINGYANG_CHAT)).toHaveLength(qyBefore + 2);
    // Only coordinators may nudge.
    expect((await command(WU, "/nudge dec-report")).join("\n")).toBe("只有协调员可以操作。");
  });

  it("/extend gives one unit a later date: it is told, must acknowledge again, and the old date is logged", async () => {
    const before = sentTo(WUHOU_CHAT).length;
    const text = (await command(CHEN, "/extend dec-report chengdu-qingyang-pharmacy 2026-12-18T17:00 设备故障")).join("\n");
    expect(text).toContain("成都市青羊区惠民大药房 的「年终自查报告」截止时间已延长至 2026-12-18 17:00（北京时间）");
    await deliver();
    const told = sentTo(QINGYANG_CHAT).at(-1)!;
    expect(told.body.text).toContain("本单位截止时间已延长");
    expect(told.body.text).toContain("2026-12-15 23:59");
    expect(buttonsOf(told)).toContain(`fw:c-recv:${qingyangAsg}`);
    expect(sentTo(WUHOU_CHAT)).toHaveLength(before);
    expect(await assignmentOf(qingyangAsg)).toMatchObject({ dueAt: sh("2026-12-18T17:00:00").getTime(), dueVersion: 3, receivedVersion: null });
    const extended = await ctx.db.select().from(events).where(and(eq(events.entityId, qingyangAsg), eq(events.action, "assignment.extended")));
    expect(JSON.parse(extended[0]!.data!)).toMatchObject({ from: sh("2026-12-15T23:59:59.999").getTime(), to: sh("2026-12-18T17:00:00").getTime(), reason: "设备故障" });
    // An earlier date is not an extension.
    expect((await command(CHEN, "/extend dec-report chengdu-qingyang-pharmacy 2026-12-16 改早")).join("\n")).toBe("延期只能推后（提前请用 /move）。");
  });

  it("/campaigns lists the campaign and its deliverable", async () => {
    const text = (await command(CHEN, "/campaigns")).join("\n");
    expect(text).toContain(`${campaignId} · 年终自查 · 2026 · 四川省 成都市`);
    expect(text).toContain("dec-report · 年终自查报告 · 截止 2026-12-15 23:59（北京时间） · 已报送 1/2");
  });
});

describe("review on Slack", () => {
  async function slackPress(action: string, actionTs: string, trigger: string) {
    const payload = JSON.stringify({
      type: "block_actions",
      user: { id: "U0CHEN" },
      channel: { id: COORDINATORS },
      team: { id: "T1" },
      trigger_id: trigger,
      message: { ts: "1700000000.000100" },
      actions: [{ action_id: `fw:${action}`, block_id: "fw_actions_0", value: wuhouAsg, type: "button", action_ts: actionTs }],
      api_app_id: "A1",
      token: "x",
    });
    expect((await slackRequest(new URLSearchParams({ payload }).toString())).status).toBe(200);
  }

  it("Return asks for a reason in a modal; the unit is told and the assignment reopens", async () => {
    const opened = slack.callsTo("views.open").length;
    await slackPress("c-ret", "1764000200.001", "trig-ret");
    await wait(() => slack.callsTo("views.open").length > opened);
    const view = slack.callsTo("views.open").at(-1)!.body.view as { callback_id: string; private_metadata: string; blocks: { label: { text: string } }[] };
    expect(view.callback_id).toBe("fw_cprompt");
    expect(view.blocks[0]!.label.text).toContain("退回 成都市武侯区人民医院「年终自查报告」的原因");
    const submission = JSON.stringify({
      type: "view_submission",
      user: { id: "U0CHEN" },
      team: { id: "T1" },
      view: { id: "VRET1", callback_id: "fw_cprompt", private_metadata: view.private_metadata, state: { values: { answer: { text: { type: "plain_text_input", value: "缺少整改台账，请补充后重新报送" } } } } },
      api_app_id: "A1",
      token: "x",
    });
    expect((await slackRequest(new URLSearchParams({ payload: submission }).toString())).status).toBe(200);
    await wait(async () => (await assignmentOf(wuhouAsg)).state === "returned");
    const a = await assignmentOf(wuhouAsg);
    expect(a).toMatchObject({ state: "returned", reviewedBy: memberIds["陈静"] });
    // Reopened: the reminders resume (the due-day one, the acknowledgement of this date still standing).
    expect(a.nextReminderAt).toBe(sh("2026-12-15T09:00:00").getTime());
    await deliver();
    const told = sentTo(WUHOU_CHAT).at(-1)!;
    expect(told.body.text).toContain("报送被退回，请重新报送");
    expect(told.body.text).toContain("缺少整改台账");
    expect(buttonsOf(told)).toContain(`fw:c-subm:${wuhouAsg}`);
  });

  it("a second submission is accepted; the unit is told", async () => {
    const card = messageIdOf(sentTo(WUHOU_CHAT).at(-1)!);
    await press(WU, WUHOU_CHAT, `fw:c-subm:${wuhouAsg}`, card);
    await deliver();
    const promptId = messageIdOf(sentTo(WUHOU_CHAT).at(-1)!);
    await telegramUpdate({ message: { message_id: 901, date: 0, chat: { id: Number(WUHOU_CHAT), type: "supergroup" }, from: tgUser(WU), text: "已补充整改台账", reply_to_message: { message_id: promptId, date: 0, chat: { id: Number(WUHOU_CHAT), type: "supergroup" } } } });
    await deliver();
    expect((await assignmentOf(wuhouAsg)).state).toBe("submitted");
    await slackPress("c-acc", "1764000300.001", "trig-acc");
    await wait(async () => (await assignmentOf(wuhouAsg)).state === "accepted");
    await deliver();
    expect(sentTo(WUHOU_CHAT).at(-1)!.body.text).toBe("成都市武侯区人民医院：「年终自查报告」的报送已通过审核。");
    const attempts = await ctx.db.select().from(submissions).where(eq(submissions.assignmentId, wuhouAsg)).orderBy(asc(submissions.attempt));
    expect(attempts.map((s) => [s.attempt, s.status])).toEqual([
      [1, "returned"],
      [2, "accepted"],
    ]);
    // The note is stored encrypted, never as plain text.
    expect(attempts[0]!.noteEnc).not.toContain("pan.example.cn");
  });

  it("the log holds every step of the unit's assignment, in order", async () => {
    const log = await ctx.db.select().from(events).where(and(eq(events.entityType, "assignment"), eq(events.entityId, wuhouAsg))).orderBy(asc(events.id));
    expect(log.map((e) => e.action)).toEqual([
      "assignment.reminded",
      "assignment.press_refused",
      "assignment.press_refused",
      "assignment.press_refused",
      "assignment.press_refused",
      "assignment.received",
      "deliverable.moved",
      "assignment.received",
      "assignment.submitted",
      "assignment.returned",
      "assignment.submitted",
      "assignment.accepted",
    ]);
    const byActor = log.filter((e) => e.actorType === "member").map((e) => [e.action, e.actorId, e.platform]);
    expect(byActor).toContainEqual(["assignment.received", memberIds["吴磊"], "telegram"]);
    expect(byActor).toContainEqual(["assignment.returned", memberIds["陈静"], "slack"]);
    expect(byActor).toContainEqual(["assignment.accepted", memberIds["陈静"], "slack"]);
    // The nudges went to the other unit only.
    expect(await ctx.db.select().from(events).where(and(eq(events.entityId, qingyangAsg), eq(events.action, "assignment.nudged")))).toHaveLength(2);
  });
});
