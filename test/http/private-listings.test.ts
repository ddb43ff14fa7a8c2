// Listings in chat over real HTTP (fake Telegram and Slack servers, the real webhooks and outbox):
// /board, /campaigns, /members, /mine and /overdue typed in a unit's or a team's Telegram group send
// the list to the person privately and leave only a short note in the group; in the coordinators' own
// chat they are answered there; on Slack the answer is the slash command's ephemeral response.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { teams } from "../../src/db/schema";
import { importCampaign } from "../../src/services/campaigns/campaigns";
import { createChatHarness, type ChatHarness } from "../support/chat-harness";

const TEAM_GROUP = "-1001000000001"; // 成都市核查一组
const UNIT_GROUP = "-1001000000104"; // 成都市武侯区人民医院
const COORDINATORS_GROUP = "-1001000000900";
const LI = 7002; // 李娜, team lead of 成都市核查一组
const CHEN = 7003; // 陈静, coordinator
const NOTE = "列表已私信发送给您（群组中只有协调员群可直接显示列表）。";

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let telegram: ChatHarness["telegram"];
let slack: ChatHarness["slack"];

/** Types a command in a chat; returns what reached that chat and the person's private chat. */
const typed = (userId: number, chatId: string, text: string) => h.typed(userId, text, { chat: chatId });

/** `/fundwatch <text>` from the coordinator in a Slack channel, with a response URL as Slack sends. */
const slackCommand = (text: string, channel: string) => h.slackCommand("U0CHEN", text, { channel, channelName: "general", responseUrl: `${h.slack.url}/respond` });

beforeAll(async () => {
  h = await createChatHarness({ firstUpdateId: 5000, now: new Date("2026-12-01T02:00:00Z") });
  ({ ctx, telegram, slack } = h);
  await h.enrolTelegram("李娜", LI);
  await h.enrolTelegram("陈静", CHEN);
  const { code } = await h.invite("陈静", { additionalAccount: true });
  const join = await slackCommand(`join ${code}`, "D0CHEN");
  expect(join.status).toBe(200);
  await importCampaign(
    ctx.deps,
    { id: "dec-check", name: "年终自查", year: 2026, regionCode: "510100", issuer: "成都市医疗保障局", deliverables: [{ key: "dec-report", title: "年终自查报告", titleEn: "Year-end self-inspection report", unitKinds: ["institution"], due: "2026-12-10" }] },
    { type: "system", platform: "cli" },
  );
  await h.deliver();
});

afterAll(async () => {
  await h.close();
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
    const id = h.takeUpdateId();
    const before = telegram.callsTo("sendMessage").length;
    for (let i = 0; i < 2; i++) await h.sendTelegram(LI, "/members", { chat: TEAM_GROUP, id });
    await h.deliver();
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
      await h.deliver();
      expect(slack.callsTo("chat.postMessage").slice(posts)).toEqual([]);
    });
});
