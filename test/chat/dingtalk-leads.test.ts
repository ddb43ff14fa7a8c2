// Leads on DingTalk over real HTTP: a fake DingTalk open API on loopback, the real webhook, the real
// outbox. A tip becomes one interactive card in the team's DingTalk group; a press (a signed card
// callback) acknowledges it once and the card is updated in place; a decline asks for the reason in the
// private chat with the bot, and the reason reaches the tipster. Forged and replayed callbacks change nothing.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leads, members, readWatches } from "../../src/db/schema";
import { createChatHarness, exampleOrg, type ChatHarness } from "../support/chat-harness";
import { DINGTALK_TEMPLATE_ID } from "../support/dingtalk-moves";
import type { FakeDingtalkCard } from "../support/fake-dingtalk";
import { jsonPost } from "../support/fixtures";

const GROUP = "cidChengdu01+abc/def==";
const ZHANG = "staff-zhang";
const LI = "staff-li";

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let memberIds: ChatHarness["memberIds"];
const deliver = () => h.deliver({ rounds: 10 });
const leadRow = (id: string) => ctx.db.query.leads.findFirst({ where: eq(leads.id, id) });
const eventsOf = (id: string, action: string) => ctx.db.select().from(events).where(and(eq(events.entityId, id), eq(events.action, action)));

beforeAll(async () => {
  const org = exampleOrg((file) => {
    const team = file.teams.find((t) => t.name === "成都市核查一组")!;
    team.platform = "dingtalk";
    team.chatId = GROUP;
  });
  h = await createChatHarness({ org });
  ({ ctx, memberIds } = h);
});

afterAll(async () => {
  await h.close();
});

describe("a Chengdu tip on DingTalk", () => {
  let card: FakeDingtalkCard;
  let leadId = "";
  let receipt = "";

  it("enrols members who send `join CODE` to the bot privately", async () => {
    await h.enrolDingtalk("张明", ZHANG);
    await h.enrolDingtalk("李娜", LI);
    expect((await ctx.db.query.members.findFirst({ where: eq(members.id, memberIds["张明"]!) }))?.dingtalkUserId).toBe(ZHANG);
    expect(h.dingtalk.textsTo(`user:${LI}`).at(-1)).toContain("登记成功：李娜（组长）");
    // The same code again, or a made-up one, enrols nobody.
    const again = await h.dingtalkTyped("staff-x", "join AAAAAAAAAA");
    expect(again.privately).toEqual(["邀请码无效、已使用或已过期。"]);
  });

  it("posts one interactive card through the card API, with HTTP callbacks and no tipster identity", async () => {
    const tip = await h.submitTip({
      region: { districtCode: "510104" },
      targetName: "锦江某某康复医院",
      description: "我叫周杰，电话13912345678。康复科长期挂床 [点此](http://evil.example) @所有人，仍每天记账理疗项目。",
      anonymous: false,
      reporter: { name: "周杰", phone: "13912345678", idNumber: "11010519491231002X" },
    });
    receipt = tip.receipt;
    await deliver();
    const cards = h.dingtalk.cardsIn(GROUP);
    expect(cards).toHaveLength(1);
    card = cards[0]!;
    expect(card).toMatchObject({ templateId: DINGTALK_TEMPLATE_ID, callbackType: "HTTP" });
    const create = h.dingtalk.callsTo("card/instances/createAndDeliver")[0]!;
    expect(create.body.openSpaceId).toBe(`dtv1.card//IM_GROUP.${GROUP}`);
    expect(create.body.imGroupOpenDeliverModel).toMatchObject({ robotCode: "dingfundwatchtest" });
    const all = JSON.stringify(card.params);
    expect(all).toContain("锦江某某康复医院");
    for (const secret of ["周杰", "13912345678", "11010519491231002X"]) expect(all).not.toContain(secret);
    // Citizen text cannot link or format in DingTalk markdown.
    expect(card.params.markdown).not.toContain("](http://evil.example)");
    expect(card.params.markdown).not.toContain("@所有人");
    const ack = h.dingtalkButtons(card).find((b) => b.action === "ack")!;
    leadId = ack.id;
    expect(await leadRow(leadId)).toMatchObject({ state: "new", assigneeId: memberIds["张明"] });
  });

  it("refuses a forged signature, a stale timestamp, a forged outTrackId and a forged button, and nothing changes", async () => {
    const now = ctx.deps.now().getTime();
    expect((await h.dingtalkPress(ZHANG, card, "ack", { sign: "bm90IHRoZSBzaWduYXR1cmU=" })).status).toBe(401);
    expect((await h.dingtalkPress(ZHANG, card, "ack", { secret: "another-secret-of-someone-else" })).status).toBe(401);
    expect((await h.dingtalkPress(ZHANG, card, "ack", { timestamp: now - 61 * 60_000 })).status).toBe(401);
    // A card we never sent: our prefix and a chat, with a made-up signature.
    const forgedTrack = card.outTrackId.replace(/\.[^.]+$/, ".AAAAAAAAAAAAAAAAAAAAAA");
    expect((await h.dingtalkPress(ZHANG, card, "ack", { override: { outTrackId: forgedTrack } })).status).toBe(403);
    // Our card, but a button it does not have (another lead's id under this card's signature).
    expect((await h.dingtalkPress(ZHANG, card, "ack", { override: { id: "L-OTHER" } })).status).toBe(403);
    // A robot message with a wrong or stale sign.
    expect((await h.dingtalkMessage(ZHANG, "/mine", { sign: "d3Jvbmc=" })).status).toBe(401);
    expect((await h.dingtalkMessage(ZHANG, "/mine", { timestamp: now + 2 * 3600_000 })).status).toBe(401);
    await deliver();
    expect((await leadRow(leadId))?.state).toBe("new");
    expect(await eventsOf(leadId, "lead.acknowledge")).toHaveLength(0);
    expect(h.dingtalk.textsTo(`user:${ZHANG}`).filter((t) => t.includes("没有未办结"))).toHaveLength(0);
  });

  it("does not watch the card for readers: DingTalk keeps no read status for interactive cards", async () => {
    expect(leadId).not.toBe("");
    expect(await ctx.db.select().from(readWatches).where(eq(readWatches.entityId, leadId))).toEqual([]);
  });

  it("logs an acknowledgement once when the callback arrives twice, updates the card in place, and tells the tipster", async () => {
    // The access token expired meanwhile: the card update renews it once and goes through.
    h.dingtalk.expireTokens();
    const tokensBefore = h.dingtalk.callsTo("oauth2/accessToken").length;
    expect((await h.dingtalkPress(ZHANG, card, "ack")).status).toBe(200);
    expect((await h.dingtalkPress(ZHANG, card, "ack")).status).toBe(200);
    await deliver();
    const acks = await eventsOf(leadId, "lead.acknowledge");
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ actorId: memberIds["张明"], platform: "dingtalk", fromState: "new", toState: "acknowledged" });
    expect(acks[0]!.dedupeKey).toMatch(/^dingtalk:card:/);
    const updates = h.dingtalk.callsTo("card/update");
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body.outTrackId).toBe(card.outTrackId);
    expect(card.params.markdown).toContain("已确认");
    expect(h.dingtalk.cardsIn(GROUP)).toHaveLength(1);
    expect(h.dingtalk.callsTo("oauth2/accessToken")).toHaveLength(tokensBefore + 1);
    expect(h.dingtalk.received.filter((r) => r.status === 401).length).toBeGreaterThan(0);
    const status = (await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as any;
    expect(status.report.status).toBe("in_review");
  });

  it("asks the tipster twice from the same card: the same button pressed a minute later is a new press", async () => {
    const questions = async () => ((await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as any).messages.filter((m: any) => m.from === "investigator").map((m: any) => m.body);
    for (const question of ["挂床病人大约有多少？", "理疗记账从何时开始？"]) {
      const prompts = h.dingtalk.textsTo(`user:${ZHANG}`).length;
      expect((await h.dingtalkPress(ZHANG, card, "ask")).status).toBe(200);
      await deliver();
      // The short answer (DingTalk cannot show one to the presser alone) and the prompt, both privately.
      expect(h.dingtalk.textsTo(`user:${ZHANG}`).slice(prompts)).toEqual(["询问举报人", expect.stringContaining("举报人提出的问题")]);
      await h.dingtalkTyped(ZHANG, question);
      ctx.setNow(new Date(ctx.deps.now().getTime() + 60_000));
    }
    expect(await questions()).toEqual(["挂床病人大约有多少？", "理疗记账从何时开始？"]);
  });

  it("refuses unreadable bodies with 400 and ignores what is not a text from a member of the organisation", async () => {
    expect((await h.dingtalkRobotRequest("{not json")).status).toBe(400);
    expect((await h.dingtalkCardRequest("[[[[")).status).toBe(400);
    expect((await h.dingtalkCardRequest({ type: "actionCallback", outTrackId: card.outTrackId, userId: ZHANG, content: "{not json" })).status).toBe(400);
    expect((await h.dingtalkCardRequest({ outTrackId: card.outTrackId })).status).toBe(400);
    const before = h.dingtalk.messages.length;
    const picture = { ...h.dingtalkMessageBody(ZHANG, "/mine"), msgtype: "picture", text: undefined, content: { downloadCode: "x" } };
    expect((await h.dingtalkRobotRequest(picture)).status).toBe(200);
    const outsider = { ...h.dingtalkMessageBody(ZHANG, "/mine"), senderStaffId: undefined };
    expect((await h.dingtalkRobotRequest(outsider)).status).toBe(200);
    await deliver();
    expect(h.dingtalk.messages.length).toBe(before);
  });

  it("a stranger's press is refused in words, privately, and changes nothing", async () => {
    const before = (await leadRow(leadId))?.state;
    expect((await h.dingtalkPress("staff-stranger", card, "accept")).status).toBe(200);
    await deliver();
    expect(h.dingtalk.textsTo("user:staff-stranger").at(-1)).toContain("尚未登记");
    expect((await leadRow(leadId))?.state).toBe(before);
  });

  it("declines with a reason typed in the private chat; the tipster reads it", async () => {
    expect((await h.dingtalkPress(ZHANG, card, "decline")).status).toBe(200);
    await deliver();
    expect(h.dingtalk.textsTo(`user:${ZHANG}`).at(-1)).toMatch(/原因|理由/);
    const answer = await h.dingtalkTyped(ZHANG, "不属于医保基金监管范围，已转市场监管部门。");
    expect(answer.privately.length).toBeGreaterThan(0);
    const after = await leadRow(leadId);
    expect(after?.state).toBe("not_accepted");
    const status = (await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as any;
    expect(status.report.status).toBe("not_accepted");
    expect(status.messages.map((m: any) => [m.from, m.body])).toContainEqual(["investigator", "不属于医保基金监管范围，已转市场监管部门。"]);
    expect(h.dingtalk.callsTo("card/update").length).toBeGreaterThan(1);
  });

  it("answers /mine @-mentioned in the group, and a group's chatter without a slash is not for the bot", async () => {
    const chatter = await h.dingtalkTyped(LI, "大家好", { group: GROUP });
    expect(chatter.inChat).toEqual([]);
    expect(chatter.privately).toEqual([]);
    const mine = await h.dingtalkTyped(LI, "/mine", { group: GROUP });
    expect([...mine.inChat, ...mine.privately].join("\n")).not.toBe("");
  });
});
