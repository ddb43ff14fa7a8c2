// Campaigns in chat over real HTTP: fake Telegram and Slack servers on loopback, the real webhooks, the
// real outbox and tick. A unit's contact acknowledges and submits from the reminder; presses by anyone
// else are refused and logged; the coordinator sees the board, nudges only the others (with a cool-down),
// moves the deadline (acknowledgements needed again), returns a submission (it reopens) and accepts the
// second one; the event log holds every step.
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignments, events, submissions } from "../../src/db/schema";
import { importCampaign } from "../../src/services/campaigns/campaigns";
import { runTick } from "../../src/scheduler/tick";
import { loggedReminders } from "../support/reminder-events";
import { createChatHarness, pollUntil, slackBlockAction, type ChatHarness } from "../support/chat-harness";

const WUHOU_CHAT = "-1001000000104";
const QINGYANG_CHAT = "-1001000000105";
const COORDINATORS = "C0COORDINATE";
const WU = 6001; // contact of 成都市武侯区人民医院
const ZHOU = 6002; // contact of 金牛区医保局: not of the hospital
const CHEN = 6003; // coordinator
const STRANGER = 6999;

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let telegram: ChatHarness["telegram"];
let slack: ChatHarness["slack"];
let memberIds: ChatHarness["memberIds"];
let campaignId = "";
let wuhouAsg = "";
let qingyangAsg = "";
const sh = (local: string) => new Date(`${local}+08:00`);
const wait = (until: () => Promise<boolean> | boolean) => pollUntil(until);

/** Presses a button on a unit's card; returns the answer the presser saw (exactly one per press). */
async function press(userId: number, chatId: string, data: string, messageId: number, id?: number) {
  const before = telegram.callsTo("answerCallbackQuery").length;
  const res = await h.pressTelegram(userId, chatId, data, messageId, id);
  expect(res.status).toBe(200);
  const answers = telegram.callsTo("answerCallbackQuery");
  expect(answers.length).toBe(before + 1);
  return String(answers.at(-1)!.body.text ?? "");
}

/** A command in the sender's private chat; returns the texts the bot sent back there. */
const command = async (userId: number, text: string) => (await h.typed(userId, text)).privately;

const assignmentOf = async (id: string) => (await ctx.db.query.assignments.findFirst({ where: eq(assignments.id, id) }))!;

beforeAll(async () => {
  h = await createChatHarness({ firstUpdateId: 1000, now: sh("2026-12-01T10:00:00") });
  ({ ctx, telegram, slack, memberIds } = h);
  await h.enrolTelegram("吴磊", WU);
  await h.enrolTelegram("周敏", ZHOU);
  await h.enrolTelegram("陈静", CHEN);
  // The coordinator also on Slack, where the coordinators' channel is.
  const { code } = await h.invite("陈静", { additionalAccount: true });
  await h.slackCommand("U0CHEN", `join ${code}`, { channel: "D0CHEN", trigger: "trig-join" });
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
  await h.close();
});

describe("a campaign reminder in a unit's Telegram group", () => {
  let card = 0;

  it("arrives 7 days before at 09:00 with Received, Submitted and the unit page, once", async () => {
    ctx.setNow(sh("2026-12-03T09:00:30"));
    await runTick(ctx.deps, ctx.deps.now());
    await h.deliver();
    const reminder = h.sentTo(WUHOU_CHAT).at(-1)!;
    expect(reminder.body.text).toContain("提醒：距截止还有 7 天");
    expect(reminder.body.text).toContain("2026-12-10 23:59（北京时间）");
    expect(h.buttonsOf(reminder)).toEqual([`fw:c-recv:${wuhouAsg}`, `fw:c-subm:${wuhouAsg}`, `fw:c-open:${wuhouAsg}`]);
    expect(h.sentTo(QINGYANG_CHAT)).toHaveLength(1);
    card = h.messageIdOf(reminder);
    await runTick(ctx.deps, sh("2026-12-03T10:00:00"));
    await h.deliver();
    expect(h.sentTo(WUHOU_CHAT)).toHaveLength(1);
  });

  it("refuses presses by a contact of another unit and by a stranger, and logs them", async () => {
    // In words, naming the unit's contacts (by name, never id) or the coordinators.
    expect(await press(ZHOU, WUHOU_CHAT, `fw:c-recv:${wuhouAsg}`, card)).toBe("只有成都市武侯区人民医院已登记的联系人才能执行该操作。请联系：吴磊（单位联系人）。");
    expect(await press(ZHOU, WUHOU_CHAT, `fw:c-subm:${wuhouAsg}`, card)).toBe("只有成都市武侯区人民医院已登记的联系人才能执行该操作。请联系：吴磊（单位联系人）。");
    expect(await press(STRANGER, WUHOU_CHAT, `fw:c-recv:${wuhouAsg}`, card)).toContain("尚未登记");
    expect(await press(ZHOU, WUHOU_CHAT, `fw:c-acc:${wuhouAsg}`, card)).toBe("只有协调员才能执行该操作。请联系：陈静（协调员）。");
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
    const id = h.takeUpdateId();
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
    await h.deliver();
    const link = h.sentTo(String(WU)).at(-1)!;
    expect(link.body.text).toMatch(/https:\/\/fundwatch\.example\.gov\.cn\/units\/chengdu-wuhou-hospital\?t=/);
    expect(h.sentTo(WUHOU_CHAT).some((c) => String(c.body.text).includes("/units/"))).toBe(false);
  });
});

describe("the coordinator's commands", () => {
  it("/move tells every unit, needs acknowledgements again and keeps the old date in the log", async () => {
    const replies = await command(CHEN, "/move dec-report 2026-12-15 省局通知统一延期");
    expect(replies.join("\n")).toContain("已通知 2 个单位重新确认");
    await h.deliver();
    for (const chat of [WUHOU_CHAT, QINGYANG_CHAT]) {
      const moved = h.sentTo(chat).at(-1)!;
      expect(moved.body.text).toContain("截止时间已调整，请重新确认");
      expect(moved.body.text).toContain("2026-12-10 23:59");
      expect(moved.body.text).toContain("2026-12-15 23:59");
    }
    expect(h.buttonsOf(h.sentTo(WUHOU_CHAT).at(-1)!)).toContain(`fw:c-recv:${wuhouAsg}`);
    const a = await assignmentOf(wuhouAsg);
    expect(a).toMatchObject({ dueVersion: 2, receivedVersion: null, receivedAt: null });
    const moved = await ctx.db.select().from(events).where(and(eq(events.entityId, wuhouAsg), eq(events.action, "deliverable.moved")));
    expect(JSON.parse(moved[0]!.data!)).toMatchObject({ from: sh("2026-12-10T23:59:59.999").getTime(), to: sh("2026-12-15T23:59:59.999").getTime(), reason: "省局通知统一延期" });
  });

  it("the contact acknowledges the new date and submits with a note; the coordinators get the notice on Slack", async () => {
    const movedCard = h.messageIdOf(h.sentTo(WUHOU_CHAT).at(-1)!);
    expect(await press(WU, WUHOU_CHAT, `fw:c-recv:${wuhouAsg}`, movedCard)).toBe("已确认收到：年终自查报告");
    expect(await press(WU, WUHOU_CHAT, `fw:c-subm:${wuhouAsg}`, movedCard)).toBe("已报送");
    await h.deliver();
    const prompt = h.sentTo(WUHOU_CHAT).at(-1)!;
    expect(prompt.body.text).toContain("请回复本消息");
    expect(prompt.body.reply_markup).toMatchObject({ force_reply: true });
    const promptMessageId = h.messageIdOf(prompt);
    const before = slack.callsTo("chat.postMessage").length;
    await h.sendTelegram(WU, "自查报告见 https://pan.example.cn/s/abc", { chat: WUHOU_CHAT, replyTo: promptMessageId });
    await h.deliver();
    expect(h.sentTo(WUHOU_CHAT).at(-1)!.body.text).toBe("已报送：年终自查报告，等待审核。");
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
    const wuBefore = h.sentTo(WUHOU_CHAT).length;
    const qyBefore = h.sentTo(QINGYANG_CHAT).length;
    expect((await command(CHEN, "/nudge dec-report")).join("\n")).toContain("已催报 1 个单位：成都市青羊区惠民大药房");
    await h.deliver();
    expect(h.sentTo(WUHOU_CHAT)).toHaveLength(wuBefore);
    expect(h.sentTo(QINGYANG_CHAT)).toHaveLength(qyBefore + 1);
    expect(h.sentTo(QINGYANG_CHAT).at(-1)!.body.text).toContain("催报：年终自查报告");
    const again = (await command(CHEN, "/nudge dec-report")).join("\n");
    expect(again).toContain("没有需要催报的单位。");
    expect(again).toContain("1 个单位在 4 小时内已催报过");
    await h.deliver();
    expect(h.sentTo(QINGYANG_CHAT)).toHaveLength(qyBefore + 1);
    ctx.setNow(new Date(ctx.deps.now().getTime() + 4 * 3_600_000 + 60_000));
    expect((await command(CHEN, "/nudge dec-report")).join("\n")).toContain("已催报 1 个单位");
    await h.deliver();
    expect(h.sentTo(QINGYANG_CHAT)).toHaveLength(qyBefore + 2);
    // Only coordinators may nudge.
    expect((await command(WU, "/nudge dec-report")).join("\n")).toBe("只有协调员才能执行该操作。请联系：陈静（协调员）。");
  });

  it("/extend gives one unit a later date: it is told, must acknowledge again, and the old date is logged", async () => {
    const before = h.sentTo(WUHOU_CHAT).length;
    const text = (await command(CHEN, "/extend dec-report chengdu-qingyang-pharmacy 2026-12-18T17:00 设备故障")).join("\n");
    expect(text).toContain("成都市青羊区惠民大药房 的「年终自查报告」截止时间已延长至 2026-12-18 17:00（北京时间）");
    await h.deliver();
    const told = h.sentTo(QINGYANG_CHAT).at(-1)!;
    expect(told.body.text).toContain("本单位截止时间已延长");
    expect(told.body.text).toContain("2026-12-15 23:59");
    expect(h.buttonsOf(told)).toContain(`fw:c-recv:${qingyangAsg}`);
    expect(h.sentTo(WUHOU_CHAT)).toHaveLength(before);
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
    const payload = slackBlockAction({ user: "U0CHEN", channel: COORDINATORS, trigger, messageTs: "1700000000.000100", actionId: `fw:${action}`, blockId: "fw_actions_0", value: wuhouAsg, actionTs });
    expect((await h.slackInteraction(payload)).status).toBe(200);
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
    expect((await h.slackInteraction(submission)).status).toBe(200);
    await wait(async () => (await assignmentOf(wuhouAsg)).state === "returned");
    const a = await assignmentOf(wuhouAsg);
    expect(a).toMatchObject({ state: "returned", reviewedBy: memberIds["陈静"] });
    // Reopened: the reminders resume (the due-day one, the acknowledgement of this date still standing).
    expect(a.nextReminderAt).toBe(sh("2026-12-15T09:00:00").getTime());
    await h.deliver();
    const told = h.sentTo(WUHOU_CHAT).at(-1)!;
    expect(told.body.text).toContain("报送被退回，请重新报送");
    expect(told.body.text).toContain("缺少整改台账");
    expect(h.buttonsOf(told)).toContain(`fw:c-subm:${wuhouAsg}`);
  });

  it("a second submission is accepted; the unit is told", async () => {
    const card = h.messageIdOf(h.sentTo(WUHOU_CHAT).at(-1)!);
    await press(WU, WUHOU_CHAT, `fw:c-subm:${wuhouAsg}`, card);
    await h.deliver();
    const promptId = h.messageIdOf(h.sentTo(WUHOU_CHAT).at(-1)!);
    await h.sendTelegram(WU, "已补充整改台账", { chat: WUHOU_CHAT, replyTo: promptId });
    await h.deliver();
    expect((await assignmentOf(wuhouAsg)).state).toBe("submitted");
    await slackPress("c-acc", "1764000300.001", "trig-acc");
    await wait(async () => (await assignmentOf(wuhouAsg)).state === "accepted");
    await h.deliver();
    expect(h.sentTo(WUHOU_CHAT).at(-1)!.body.text).toBe("成都市武侯区人民医院：「年终自查报告」的报送已通过审核。");
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
    // The tick's reminder is no longer an event of the assignment: the tick's page event lists it.
    expect(log.map((e) => e.action)).toEqual([
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
    const reminded = (await loggedReminders(ctx.db)).filter((r) => r.assignmentId === wuhouAsg);
    expect(reminded).toHaveLength(1);
    expect(reminded[0]!.occurredAt).toBeLessThanOrEqual(log[0]!.occurredAt);
    const byActor = log.filter((e) => e.actorType === "member").map((e) => [e.action, e.actorId, e.platform]);
    expect(byActor).toContainEqual(["assignment.received", memberIds["吴磊"], "telegram"]);
    expect(byActor).toContainEqual(["assignment.returned", memberIds["陈静"], "slack"]);
    expect(byActor).toContainEqual(["assignment.accepted", memberIds["陈静"], "slack"]);
    // The nudges went to the other unit only.
    expect(await ctx.db.select().from(events).where(and(eq(events.entityId, qingyangAsg), eq(events.action, "assignment.nudged")))).toHaveLength(2);
  });
});
