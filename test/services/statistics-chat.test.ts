// /stats over real HTTP (fake Telegram and Slack servers, the real webhooks, outbox and statistics use
// case): answered only privately — one message to the private chat with the Telegram bot, a note and
// nothing else in a group, ephemerally on Slack; a coordinator sees everything, an inspector their own
// team's figures, others are refused in words; the numbers are computeStatistics' of the same scope;
// a bad argument is answered with the usage; every /stats is logged (viewed, refused or not answered).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relativePeriod } from "../../src/core/statistics/periods";
import { events } from "../../src/db/schema";
import { statisticsChatText } from "../../src/services/statistics/chat-text";
import { computeStatistics } from "../../src/services/statistics/compute";
import type { StatisticsScope } from "../../src/services/statistics/report";
import { createChatHarness, PUBLIC_BASE_URL, type ChatHarness } from "../support/chat-harness";
import { signInAs } from "../support/staff-session";

const TEAM_GROUP = "-1001000000001"; // 成都市核查一组
const ZHANG = 8101; // 张明, inspector of 成都市核查一组
const CHEN = 8102; // 陈静, coordinator
const LIU = 8103; // 刘洋, finance, no team
const ZHOU = 8104; // 周敏, a unit's contact

const CHENGDU = { provinceCode: "510000", cityCode: "510100", districtCode: "510104" };
const MIANYANG = { provinceCode: "510000", cityCode: "510700", districtCode: "510703" };

let h: ChatHarness;
let teamId: string;

/** The /stats text the use case must give for a scope, computed independently at the test clock. */
async function expectedText(scope: StatisticsScope, locale: "zh-CN" | "en") {
  const report = await computeStatistics(h.ctx.deps, scope, h.ctx.deps.now());
  const q = new URLSearchParams({ from: scope.period.from, to: scope.period.to, ...(scope.teamId ? { team: scope.teamId } : {}) });
  return { report, text: statisticsChatText(report, locale, { link: `${PUBLIC_BASE_URL}/staff/statistics?${q}` }) };
}

/** Both platforms send text as markup (Telegram HTML, Slack mrkdwn): "&" travels as "&amp;" and shows as "&". */
const asSent = (text: string) => text.replaceAll("&", "&amp;");

const logged = (action: string) => h.ctx.db.select().from(events).where(eq(events.action, action));

beforeAll(async () => {
  h = await createChatHarness({ firstUpdateId: 18_100 });
  for (const [name, id] of [["张明", ZHANG], ["陈静", CHEN], ["刘洋", LIU], ["周敏", ZHOU]] as const) await h.enrolTelegram(name, id);
  await h.enrolSlack("Tom Lee", "U0TOMLEE");
  // Three tips this month: two in Chengdu (成都市核查一组), one in Mianyang (the Mianyang team).
  await h.submitTip({ region: CHENGDU, targetName: "锦江某某康复医院" }, { "x-test-client": "198.51.100.21" });
  await h.submitTip({ region: CHENGDU, targetName: "锦江某某诊所" }, { "x-test-client": "198.51.100.22" });
  await h.submitTip({ region: MIANYANG, targetName: "涪城某某医院" }, { "x-test-client": "198.51.100.23" });
  await h.deliver();
  const zhang = await h.ctx.db.query.members.findFirst({ where: (m, { eq }) => eq(m.id, h.memberIds["张明"]!) });
  teamId = zhang!.teamId!;
});
afterAll(async () => h?.close());

describe("/stats on Telegram", () => {
  it("a coordinator in the private chat gets exactly one message: this month's figures of everything and the link", async () => {
    const { inChat, privately, elsewhere } = await h.typed(CHEN, "/stats");
    expect(elsewhere).toEqual([]);
    expect(privately).toHaveLength(1);
    expect(inChat).toEqual(privately);
    const { report, text } = await expectedText({ period: relativePeriod("month", h.ctx.deps.now()) }, "zh-CN");
    expect(report.leads.received).toBe(3);
    expect(privately[0]).toBe(asSent(text));
    expect(privately[0]).toContain("收到线索：3（举报 3、数据筛查批次 0、热线 0）");
    expect(privately[0]).toContain(`${PUBLIC_BASE_URL}/staff/statistics?from=2026-11-01&amp;to=2026-11-24`);
  });

  it("an inspector sees their own team's figures only (week, quarter and year as asked)", async () => {
    const { privately, elsewhere } = await h.typed(ZHANG, "/stats week");
    expect(elsewhere).toEqual([]);
    const { report, text } = await expectedText({ period: relativePeriod("week", h.ctx.deps.now()), teamId }, "zh-CN");
    expect(report.leads.received).toBe(2);
    expect(privately).toEqual([asSent(text)]);
    expect(privately[0]).toContain("小组：成都市核查一组");
    expect(privately[0]).toContain(`&amp;team=${teamId}`);
    const year = await h.typed(ZHANG, "/stats YEAR");
    expect(year.privately).toEqual([asSent((await expectedText({ period: relativePeriod("year", h.ctx.deps.now()), teamId }, "zh-CN")).text)]);
  });

  it("its link opens the workspace page on the same days and team with the same count once signed in, and nothing without a session", async () => {
    const { privately } = await h.typed(ZHANG, "/stats month");
    const link = /https:\/\/\S+/.exec(privately[0]!)![0].replaceAll("&amp;", "&");
    const path = link.slice(PUBLIC_BASE_URL.length);
    expect(path).toBe(`/staff/statistics?from=2026-11-01&to=2026-11-24&team=${teamId}`);
    const browser = await signInAs(h.ctx, h.memberIds["张明"]!);
    const page = await browser.get(path);
    expect(page.status).toBe(200);
    expect(/<tr data-figure="leads\.received"><th scope="row">[^<]*<\/th><td class="num">([^<]*)<\/td>/.exec(page.html)?.[1]).toBe("2");
    const stranger = await h.ctx.app.request(path, { redirect: "manual" });
    expect(stranger.status).not.toBe(200);
    expect(await stranger.text()).not.toContain("data-figure");
  });

  it("in a group answers only with the note to ask privately: no figures in the group or anywhere else", async () => {
    const before = (await logged("statistics.viewed")).length;
    const { inChat, privately, elsewhere } = await h.typed(ZHANG, "/stats", { chat: TEAM_GROUP });
    expect(inChat).toEqual(["/stats 只能在与机器人的私聊中使用：请私聊我并发送 /stats。"]);
    expect(privately).toEqual([]);
    expect(elsewhere).toEqual([]);
    expect((await logged("statistics.viewed")).length).toBe(before);
    const noted = await logged("statistics.not_answered");
    expect(noted.map((e) => [e.actorId, JSON.parse(e.data!).reason])).toEqual([[h.memberIds["张明"], "group_chat"]]);
  });

  it("answers a bad argument with the usage, and computes nothing", async () => {
    const before = (await logged("statistics.viewed")).length;
    for (const text of ["/stats decade", "/stats month extra", "/stats 2026-11"]) {
      const { privately } = await h.typed(CHEN, text);
      expect(privately).toEqual(["用法：/stats [week|month|quarter|year]——本周、本月、本季度或本年至今（默认：本月）。"]);
    }
    expect((await logged("statistics.viewed")).length).toBe(before);
    expect((await logged("statistics.not_answered")).filter((e) => JSON.parse(e.data!).reason === "usage")).toHaveLength(3);
  });

  it("refuses finance without a team and a unit's contact in words, naming a coordinator, with no figures", async () => {
    for (const who of [LIU, ZHOU]) {
      const { privately } = await h.typed(who, "/stats");
      expect(privately).toHaveLength(1);
      expect(privately[0]).toContain("只有协调员和小组成员才能查看统计数据。");
      expect(privately[0]).toContain("陈静");
      expect(privately[0]).not.toContain("收到线索");
    }
    expect((await logged("statistics.refused")).map((e) => e.actorId).sort()).toEqual([h.memberIds["刘洋"], h.memberIds["周敏"]].sort());
  });

  it("logs every answered /stats once, with its period and team; a redelivered update logs and sends nothing more", async () => {
    const before = await logged("statistics.viewed");
    const sent = h.telegram.callsTo("sendMessage").length;
    const id = h.takeUpdateId();
    for (let i = 0; i < 2; i++) expect((await h.sendTelegram(ZHANG, "/stats quarter", { id })).status).toBe(200);
    await h.deliver();
    expect(h.telegram.callsTo("sendMessage").length).toBe(sent + 1);
    const after = await logged("statistics.viewed");
    expect(after.length).toBe(before.length + 1);
    const last = after.find((e) => !before.some((b) => b.id === e.id))!;
    expect([last.actorId, last.platform]).toEqual([h.memberIds["张明"], "telegram"]);
    expect(JSON.parse(last.data!)).toMatchObject({ period: "quarter", from: "2026-10-01", to: "2026-11-24", teamId });
  });
});

describe("/fundwatch stats on Slack", () => {
  it("is answered ephemerally wherever typed, in the member's language, with their own team's figures; nothing is posted", async () => {
    const posts = h.slack.callsTo("chat.postMessage").length;
    const res = await h.slackCommand("U0TOMLEE", "stats month", { channel: "C0MIANYANG01", channelName: "mianyang" });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { response_type?: string; text?: string };
    expect(answer.response_type).toBe("ephemeral");
    const tom = await h.ctx.db.query.members.findFirst({ where: (m, { eq }) => eq(m.id, h.memberIds["Tom Lee"]!) });
    const { report, text } = await expectedText({ period: relativePeriod("month", h.ctx.deps.now()), teamId: tom!.teamId! }, "en");
    expect(report.leads.received).toBe(1);
    expect(answer.text).toBe(asSent(text));
    expect(answer.text).toContain("Received: 1 (tips 1, screening batches 0, hotline 0)");
    await h.deliver();
    expect(h.slack.callsTo("chat.postMessage").slice(posts)).toEqual([]);
  });

  it("answers a bad argument with the usage, ephemerally", async () => {
    const res = await h.slackCommand("U0TOMLEE", "stats fortnight");
    const answer = (await res.json()) as { response_type?: string; text?: string };
    expect(answer.response_type).toBe("ephemeral");
    expect(answer.text).toContain("Usage: /stats [week|month|quarter|year]");
  });
});
