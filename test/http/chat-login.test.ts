// /login over real HTTP (fake Telegram and Slack servers, the real webhooks and outbox): in a private
// chat with the Telegram bot the member gets their sign-in link, which signs them in; typed in a group
// the answer asks for a private chat and carries no link (none is issued); Slack's /fundwatch login is
// answered ephemerally wherever typed; a redelivered or replayed request issues no second link; people
// who are not enrolled are refused in words.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events } from "../../src/db/schema";
import { createChatHarness, PUBLIC_BASE_URL, type ChatHarness } from "../support/chat-harness";
import { signInWithLink } from "../support/staff-session";

const TEAM_GROUP = "-1001000000001"; // 成都市核查一组
const LI = 7102; // 李娜, team lead of 成都市核查一组
const CHEN = 7103; // 陈静, coordinator
const STRANGER = 7199;
const LINK = /https:\/\/fundwatch\.example\.gov\.cn\/staff\/signin\?t=[A-Za-z0-9_-]{43}/;

let h: ChatHarness;

const linksIssued = (memberName: string) =>
  h.ctx.db
    .select()
    .from(events)
    .where(and(eq(events.action, "staff.sign_in_link_issued"), eq(events.entityId, h.memberIds[memberName]!)));

beforeAll(async () => {
  h = await createChatHarness({ firstUpdateId: 9100 });
  await h.enrolTelegram("李娜", LI);
  await h.enrolTelegram("陈静", CHEN);
  await h.enrolSlack("张明", "U0ZHANG");
});
afterAll(async () => h?.close());

describe("/login on Telegram", () => {
  it("in a private chat answers with the member's link, and the link signs them in", async () => {
    const { inChat, elsewhere } = await h.typed(CHEN, "/login");
    expect(elsewhere).toEqual([]);
    expect(inChat).toHaveLength(1);
    expect(inChat[0]).toContain("您的工作台登录链接");
    const url = inChat[0]!.match(LINK)![0];
    expect(url.startsWith(`${PUBLIC_BASE_URL}/staff/signin?t=`)).toBe(true);
    const browser = await signInWithLink(h.ctx, url);
    const page = await browser.get("/staff");
    expect(page.status).toBe(200);
    expect(page.html).toContain("陈静");
    const [issued, ...more] = await linksIssued("陈静");
    expect(more).toEqual([]);
    expect([issued!.platform, issued!.actorType, issued!.actorId, JSON.parse(issued!.data!).via]).toEqual(["telegram", "member", h.memberIds["陈静"], "telegram"]);
  });

  it("a redelivered /login issues no second link and sends nothing new", async () => {
    const before = (await linksIssued("李娜")).length;
    const id = h.takeUpdateId();
    const sent = h.telegram.callsTo("sendMessage").length;
    for (let i = 0; i < 2; i++) expect((await h.sendTelegram(LI, "/login", { id })).status).toBe(200);
    await h.deliver();
    const messages = h.telegram.callsTo("sendMessage").slice(sent);
    expect(messages).toHaveLength(1);
    expect(String(messages[0]!.body.text)).toMatch(LINK);
    expect((await linksIssued("李娜")).length).toBe(before + 1);
  });

  it("in a group asks for a private chat: no link is posted to the group, sent privately or issued", async () => {
    const before = (await linksIssued("李娜")).length;
    const { inChat, privately, elsewhere } = await h.typed(LI, "/login", { chat: TEAM_GROUP });
    expect(inChat).toEqual(["/login 只能在与机器人的私聊中使用：请私聊我并发送 /login。"]);
    expect(privately).toEqual([]);
    expect(elsewhere).toEqual([]);
    expect((await linksIssued("李娜")).length).toBe(before);
  });

  it("refuses someone not enrolled in words, with no link", async () => {
    const { inChat } = await h.typed(STRANGER, "/login");
    expect(inChat).toHaveLength(1);
    expect(inChat[0]).toContain("您尚未登记为 FundWatch 工作人员，因此没有您的登录链接");
    expect(inChat[0]).not.toMatch(/https?:\/\//);
  });
});

describe("/fundwatch login on Slack", () => {
  const slackLogin = (user: string, opts: Parameters<ChatHarness["slackCommand"]>[2]) => h.slackCommand(user, "login", opts);

  it("typed in a channel is answered ephemerally with the link; nothing is posted to the channel", async () => {
    const posts = h.slack.callsTo("chat.postMessage").length;
    const res = await slackLogin("U0ZHANG", { channel: "C0CHENGDU01", channelName: "general", responseUrl: `${h.slack.url}/respond` });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { response_type?: string; text?: string };
    expect(answer.response_type).toBe("ephemeral");
    const url = answer.text!.match(LINK)![0];
    await h.deliver();
    expect(h.slack.callsTo("chat.postMessage").slice(posts)).toEqual([]);
    const browser = await signInWithLink(h.ctx, url);
    expect((await browser.get("/staff")).html).toContain("张明");
    const issued = await linksIssued("张明");
    expect(issued.map((e) => [e.platform, JSON.parse(e.data!).via])).toEqual([["slack", "slack"]]);
  });

  it("in a direct message too; a replayed request (same signed body) issues no second link", async () => {
    const body = h.slackCommandBody("U0ZHANG", "login", { trigger: "trig-login-replay" });
    const first = (await (await h.slackRequest(body)).json()) as { response_type?: string; text?: string };
    expect(first.response_type).toBe("ephemeral");
    expect(first.text).toMatch(LINK);
    const again = (await (await h.slackRequest(body)).json()) as { response_type?: string; text?: string };
    expect(again.response_type).toBe("ephemeral");
    expect(again.text).not.toMatch(/https?:\/\//);
    expect(again.text).toContain("该请求已处理过");
    expect((await linksIssued("张明")).length).toBe(2);
  });

  it("refuses someone not enrolled in words, ephemerally, with no link", async () => {
    const res = await slackLogin("U0NOBODY", { channel: "C0CHENGDU01", channelName: "general" });
    const answer = (await res.json()) as { response_type?: string; text?: string };
    expect(answer.response_type).toBe("ephemeral");
    expect(answer.text).toContain("您尚未登记为 FundWatch 工作人员，因此没有您的登录链接");
    expect(answer.text).not.toMatch(/https?:\/\//);
  });
});
