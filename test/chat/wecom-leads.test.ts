// Leads in WeCom over real HTTP: the Chengdu team set to WeCom members (`users:zhangming|lina`), a fake WeCom
// server on loopback, encrypted and signed callbacks to /webhooks/wecom. A tip becomes a template card; a
// press acknowledges once (WeCom's retries count once) and the card is updated with the press's one-time
// code; a decline asks for the reason privately and the tipster reads it; forged callbacks change nothing.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leads } from "../../src/db/schema";
import { createChatHarness, exampleOrg, type ChatHarness } from "../support/chat-harness";
import { cardKeys } from "../support/fake-wecom";
import { jsonPost } from "../support/fixtures";

const TEAM = "users:zhangming|lina";

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let wecom: ChatHarness["wecom"];

const lastCard = () => wecom.cardsTo("zhangming|lina").at(-1)!;
const countEvents = async (leadId: string, action: string) => (await ctx.db.select().from(events).where(and(eq(events.entityId, leadId), eq(events.action, action)))).length;

beforeAll(async () => {
  h = await createChatHarness({
    org: exampleOrg((file) => {
      const team = file.teams.find((t) => t.name === "成都市核查一组")!;
      team.platform = "wecom";
      team.chatId = TEAM;
    }),
  });
  ({ ctx, wecom } = h);
});

afterAll(async () => {
  await h.close();
});

describe("the WeCom callback URL", () => {
  it("answers WeCom's URL check with the decrypted echostr", async () => {
    const res = await h.wecomUrlCheck("5927782489442352469");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("5927782489442352469");
  });

  it("refuses a URL check signed with another token or encrypted for another corp", async () => {
    expect((await h.wecomUrlCheck("1", { token: "not-our-token" })).status).toBe(401);
    const other = await h.wecomUrlCheck("1", { corpId: "wwsomeoneelse" });
    expect(other.status).toBe(401);
    expect(await other.text()).toBe("");
  });
});

describe("a tip for the Chengdu team in WeCom", () => {
  let leadId = "";
  let taskId = "";
  let receipt = "";

  it("enrols both members with `join CODE` sent to the app", async () => {
    await h.enrolWecom("张明", "zhangming");
    await h.enrolWecom("李娜", "lina");
    expect(wecom.textsTo("lina").at(-1)).toContain("登记成功：李娜（组长）");
    // A used code does not work twice.
    const used = await h.invite("王强");
    await h.wecomText("wangqiang", `join ${used.code}`);
    await h.wecomText("stranger", `join ${used.code}`);
    await h.deliver();
    expect(wecom.textsTo("stranger").at(-1)).toBe("邀请码无效、已使用或已过期。");
  });

  it("posts one template card, without the tipster's identity, to the team's members", async () => {
    const tip = await h.submitTip({
      region: { districtCode: "510104" },
      targetName: "锦江某某康复医院",
      description: "我叫周杰，电话13912345678。康复科长期挂床，病人白天回家，仍每天记账理疗项目，涉及人血白蛋白。",
      anonymous: false,
      reporter: { name: "周杰", phone: "13912345678", idNumber: "11010519491231002X" },
    });
    receipt = tip.receipt;
    await h.deliver();
    const cards = wecom.cardsTo("zhangming|lina");
    expect(cards).toHaveLength(1);
    const sent = wecom.sentTo("zhangming|lina").at(-1)!;
    expect(sent.body).toMatchObject({ msgtype: "template_card", agentid: 1000002 });
    const card = cards[0]!.card;
    expect(card.card_type).toBe("button_interaction");
    const json = JSON.stringify(card);
    expect(json).toContain("锦江某某康复医院");
    for (const secret of ["周杰", "13912345678", "11010519491231002X"]) expect(json).not.toContain(secret);
    const ack = cardKeys(card).find((k) => k.startsWith("ack|"))!;
    leadId = ack.slice(4);
    taskId = cards[0]!.taskId;
    expect(taskId).toMatch(/^[A-Za-z0-9_@-]{1,128}$/);
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))?.state).toBe("new");
  });

  it("refuses a forged, misdirected or stale press and changes nothing", async () => {
    const forged = await h.wecomCallback(h.wecomPressXml("zhangming", taskId, `ack|${leadId}`), { token: "guessed-token" });
    expect(forged.status).toBe(401);
    const misdirected = await h.wecomCallback(h.wecomPressXml("zhangming", taskId, `ack|${leadId}`), { corpId: "wwattacker" });
    expect(misdirected.status).toBe(401);
    const stale = await h.wecomCallback(h.wecomPressXml("zhangming", taskId, `ack|${leadId}`), { timestamp: Math.floor(ctx.deps.now().getTime() / 1000) - 7200 });
    expect(stale.status).toBe(401);
    const garbage = await ctx.app.request("/webhooks/wecom?msg_signature=x&timestamp=1&nonce=1", { method: "POST", body: "<xml><Encrypt>" });
    expect(garbage.status).toBe(400);
    await h.deliver();
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))?.state).toBe("new");
    expect(await countEvents(leadId, "lead.acknowledge")).toBe(0);
  });

  it("acknowledges once although WeCom delivers the press three times, and updates the card with the press's code", async () => {
    const updates = wecom.callsTo("message/update_template_card").length;
    const texts = wecom.textsTo("zhangming").length;
    const press = h.wecomPressXml("zhangming", taskId, `ack|${leadId}`);
    for (let i = 0; i < 3; i++) expect((await h.wecomCallback(press)).status).toBe(200);
    await h.deliver();
    expect(await countEvents(leadId, "lead.acknowledge")).toBe(1);
    const acks = await ctx.db.select().from(events).where(and(eq(events.entityId, leadId), eq(events.action, "lead.acknowledge")));
    expect(acks[0]).toMatchObject({ platform: "wecom", toState: "acknowledged" });
    const calls = wecom.callsTo("message/update_template_card").slice(updates);
    expect(calls).toHaveLength(1);
    const code = /<ResponseCode><!\[CDATA\[(.+?)\]\]>/.exec(press)![1];
    expect(calls[0]!.body).toMatchObject({ userids: ["zhangming", "lina"], agentid: 1000002, response_code: code });
    expect(JSON.stringify(lastCard().card)).toContain("已确认");
    // No new card: the one card shows the new state.
    expect(wecom.cardsTo("zhangming|lina")).toHaveLength(1);
    // The short answer comes privately (WeCom shows nothing to the presser alone), once.
    expect(wecom.textsTo("zhangming").slice(texts)).toHaveLength(1);
    const status = (await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as any;
    expect(status.report.status).toBe("in_review");
  });

  it("declines with a reason typed privately to the app; the tipster reads it", async () => {
    await h.wecomPress("zhangming", taskId, `decline|${leadId}`);
    const prompt = wecom.textsTo("zhangming").at(-1)!;
    expect(prompt).toMatch(/理由|原因/);
    await h.wecomText("zhangming", "不属于医保基金监管范围，已转<a href=\"https://evil.example\">市场监管</a>部门 @all");
    await h.deliver();
    const lead = await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) });
    expect(lead?.state).toBe("not_accepted");
    const status = (await (await ctx.app.request("/api/v1/reports/status", jsonPost({ receipt }))).json()) as any;
    expect(status.report.status).toBe("not_accepted");
    expect(status.messages.map((m: any) => m.body).join("\n")).toContain("不属于医保基金监管范围");
    // Whatever came back into WeCom carries no live link and no @all.
    for (const call of wecom.calls.filter((c) => c.method === "message/send" && c.body.msgtype === "text")) {
      expect(String(call.body.text.content)).not.toMatch(/<a |@all/);
    }
    // The card left its buttons for the new state.
    expect(cardKeys(lastCard().card).some((k) => k.startsWith("ack|"))).toBe(false);
  });

  it("updates with the send's code once the presses' are spent, then sends the current card anew", async () => {
    const before = wecom.cardsTo("zhangming|lina").length;
    const updates = wecom.callsTo("message/update_template_card").length;
    const { enqueueStatement, cardCoalesceKey } = await import("../../src/services/delivery/outbox");
    const rerender = async (n: number) => {
      await ctx.db.batch([enqueueStatement(ctx.deps, { dedupeKey: `test-card-${leadId}-${n}`, platform: "wecom", chatId: TEAM, kind: "card", leadId, payload: { leadId }, coalesceKey: cardCoalesceKey(leadId, "wecom", TEAM) })] as never);
      await h.deliver();
    };
    await rerender(1);
    const spent = wecom.callsTo("message/update_template_card").slice(updates);
    expect(spent.map((c) => c.body.response_code)).toEqual(["rc-send-1"]);
    expect(wecom.cardsTo("zhangming|lina")).toHaveLength(before);
    await rerender(2);
    const after = wecom.cardsTo("zhangming|lina");
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)!.taskId.startsWith(`${taskId}@`)).toBe(true);
    // A press on the new card gives a code that updates it (kept under the first card's id).
    await h.wecomPress("lina", after.at(-1)!.taskId, `open|${leadId}`);
    await rerender(3);
    const last = wecom.callsTo("message/update_template_card").at(-1)!;
    expect(last.body.template_card.task_id).toBe(after.at(-1)!.taskId);
    expect(wecom.cardsTo("zhangming|lina")).toHaveLength(before + 1);
  });
});
