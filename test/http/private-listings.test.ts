// Listings in chat over real HTTP (fake Telegram and Slack servers, the real webhooks and outbox):
// /board, /campaigns, /members, /mine and /overdue typed in a unit's or a team's Telegram group send
// the list to the person privately and leave only a short note in the group; in the coordinators' own
// chat they are answered there; on Slack the answer is the slash command's ephemeral response.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatRuntime } from "../../src/chat/runtime";
import { members, teams } from "../../src/db/schema";
import { importCampaign } from "../../src/services/campaigns/campaigns";
import { deliverDueMessages } from "../../src/services/delivery/outbox";
import { createInvite } from "../../src/services/org/org";
import { createTestContext, type TestContext } from "../support/context";
import { FakeSlack, FakeTelegram } from "../support/fake-chat-servers";
import { importExampleOrg } from "../support/round-trips";

const TG_SECRET = "telegram-secret-0123456789";
const SLACK_SECRET = "slack-signing-secret-abcdef0123";
const TEAM_GROUP = "-1001000000001"; // 成都市核查一组
const UNIT_GROUP = "-1001000000104"; // 成都市武侯区人民医院
const COORDINATORS_GROUP = "-1001000000900";
const LI = 7002; // 李娜, team lead of 成都市核查一组
const CHEN = 7003; // 陈静, coordinator
const NOTE = "列表已私信发送给您（群组中只有协调员群可直接显示列表）。";

let ctx: TestContext;
let telegram: FakeTelegram;
let slack: FakeSlack;
let updateId = 5000;
const memberIds: Record<string, string> = {};

async function deliver() {
  for (let i = 0; i < 20; i++) {
    const report = await deliverDueMessages(ctx.deps.chat!.delivery);
    if (report.nextDueAt === null) return;
    ctx.setNow(new Date(Math.max(ctx.deps.now().getTime() + 1000, report.nextDueAt)));
  }
}

const tgUser = (id: number) => ({ id, is_bot: false, first_name: `user${id}` });

async function telegramMessage(userId: number, chatId: string, text: string) {
  const id = updateId++;
  const chat = chatId === String(userId) ? { id: userId, type: "private" } : { id: Number(chatId), type: "supergroup", title: "group" };
  const res = await ctx.app.request("/webhooks/telegram", {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": TG_SECRET },
    body: JSON.stringify({ update_id: id, message: { message_id: id, date: 0, chat, from: tgUser(userId), text } }),
  });
  expect(res.status).toBe(200);
}

/** Types a command in a chat; returns what reached that chat and the person's private chat. */
async function typed(userId: number, chatId: string, text: string) {
  const before = telegram.callsTo("sendMessage").length;
  await telegramMessage(userId, chatId, text);
  await deliver();
  const sent = telegram.callsTo("sendMessage").slice(before);
  return {
    inChat: sent.filter((c) => String(c.body.chat_id) === chatId).map((c) => String(c.body.text)),
    privately: sent.filter((c) => String(c.body.chat_id) === String(userId)).map((c) => String(c.body.text)),
    elsewhere: sent.filter((c) => String(c.body.chat_id) !== chatId && String(c.body.chat_id) !== String(userId)),
  };
}

async function slackCommand(text: string, channel: string) {
  const { createHmac } = await import("node:crypto");
  const body = new URLSearchParams({ command: "/fundwatch", text, user_id: "U0CHEN", channel_id: channel, channel_name: "general", trigger_id: `trig-${updateId++}`, response_url: `${slack.url}/respond`, team_id: "T1", token: "x" }).toString();
  const timestamp = Math.floor(ctx.deps.now().getTime() / 1000);
  const signature = `v0=${createHmac("sha256", SLACK_SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return ctx.app.request("/webhooks/slack", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": signature }, body });
}

async function enrolTelegram(name: string, userId: number) {
  const { code } = await createInvite(ctx.deps, { memberId: memberIds[name]!, actor: { type: "system", platform: "cli" } });
  await telegramMessage(userId, String(userId), `/start ${code}`);
  await deliver();
}

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
  ctx.setNow(new Date("2026-12-01T02:00:00Z"));
  await enrolTelegram("李娜", LI);
  await enrolTelegram("陈静", CHEN);
  const { code } = await createInvite(ctx.deps, { memberId: memberIds["陈静"]!, actor: { type: "system", platform: "cli" }, additionalAccount: true });
  const join = await slackCommand(`join ${code}`, "D0CHEN");
  expect(join.status).toBe(200);
  await importCampaign(
    ctx.deps,
    { id: "dec-check", name: "年终自查", year: 2026, regionCode: "510100", issuer: "成都市医疗保障局", deliverables: [{ key: "dec-report", title: "年终自查报告", titleEn: "Year-end self-inspection report", unitKinds: ["institution"], due: "2026-12-10" }] },
    { type: "system", platform: "cli" },
  );
  await deliver();
});

afterAll(async () => {
  await ctx.close();
  await telegram.stop();
  await slack.stop();
});

/** Each listing, who types it, and a line only the list itself contains. */
const LISTINGS = [
  { who: CHEN, text: "/board dec-report", shows: "「年终自查报告」：" },
  { who: CHEN, text: "/campaigns", shows: "进行中的专项行动（1）：" },
  { who: LI, text: "/members", shows: "张明" },
  { who: LI, text: "/overdue", shows: "目前没有逾期线索。" },
  { who: LI, text: "/mine", shows: "您目前没有未办结的线索。" },
];

describe("a listing typed in a Telegram group", () => {
  for (const group of [
    { name: "a unit's group", chat: UNIT_GROUP },
    { name: "a team's group", chat: TEAM_GROUP },
  ])
    for (const listing of LISTINGS)
      it(`${listing.text} in ${group.name}: the list goes to the person privately, the group sees only a note`, async () => {
        const { inChat, privately, elsewhere } = await typed(listing.who, group.chat, listing.text);
        expect(inChat).toEqual([NOTE]);
        expect(privately).toHaveLength(1);
        expect(privately[0]).toContain(listing.shows);
        expect(elsewhere).toEqual([]);
      });

  it("/board's signed board link goes privately with the list", async () => {
    const { inChat, privately } = await typed(CHEN, UNIT_GROUP, "/board dec-report");
    expect(inChat.join("\n")).not.toContain("https://");
    expect(privately.join("\n")).toMatch(/https:\/\/fundwatch\.example\.gov\.cn\/campaigns\/[^/]+\/board\?t=/);
  });

  it("a redelivered command sends its private list once", async () => {
    const id = updateId++;
    const before = telegram.callsTo("sendMessage").length;
    const body = JSON.stringify({ update_id: id, message: { message_id: id, date: 0, chat: { id: Number(TEAM_GROUP), type: "supergroup", title: "group" }, from: tgUser(LI), text: "/members" } });
    for (let i = 0; i < 2; i++)
      await ctx.app.request("/webhooks/telegram", { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": TG_SECRET }, body });
    await deliver();
    const sent = telegram.callsTo("sendMessage").slice(before);
    expect(sent.filter((c) => String(c.body.chat_id) === String(LI))).toHaveLength(1);
    expect(sent.filter((c) => String(c.body.chat_id) === TEAM_GROUP)).toHaveLength(1);
  });
});

describe("a listing typed in the coordinators' Telegram chat", () => {
  it("is answered there; only /board's personal link still goes privately", async () => {
    await ctx.db.update(teams).set({ platform: "telegram", chatId: COORDINATORS_GROUP }).where(eq(teams.isCoordinators, true));
    try {
      for (const listing of LISTINGS) {
        const { inChat, privately } = await typed(listing.who, COORDINATORS_GROUP, listing.text);
        expect(inChat).toHaveLength(1);
        expect(inChat[0]).toContain(listing.shows);
        expect(inChat[0]).not.toContain("https://");
        // The signed board link is a credential of one member: private even in the coordinators' chat.
        if (listing.text.startsWith("/board")) expect(privately).toEqual([expect.stringMatching(/^完整看板.*\/board\?t=/)]);
        else expect(privately).toEqual([]);
      }
    } finally {
      await ctx.db.update(teams).set({ platform: "slack", chatId: "C0COORDINATE" }).where(eq(teams.isCoordinators, true));
    }
  });
});

describe("a listing typed in a Slack channel", () => {
  for (const [command, shows] of [
    ["board dec-report", "「年终自查报告」："],
    ["campaigns", "进行中的专项行动（1）："],
    ["members", "张明"],
    ["overdue", "目前没有逾期线索。"],
    ["mine", "您目前没有未办结的线索。"],
  ] as const)
    it(`/fundwatch ${command} is answered ephemerally, to the person only; nothing is posted to the channel`, async () => {
      const posts = slack.callsTo("chat.postMessage").length;
      const res = await slackCommand(command, "C0MIANYANG01");
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { response_type?: string; text?: string };
      expect(answer.response_type).toBe("ephemeral");
      expect(answer.text).toContain(shows);
      await deliver();
      expect(slack.callsTo("chat.postMessage").slice(posts)).toEqual([]);
    });
});
