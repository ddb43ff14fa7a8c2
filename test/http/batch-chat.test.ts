// A screening batch in the chat over real HTTP (fake Telegram on loopback, real webhook, real outbox):
// 2,000 leads for one team are one batch card in its group and one private message per assignee, a
// tip right after is not held behind them, acknowledging edits the card once, and a tip that joins a
// batch lead gives that lead its own card from then on.
import { and, count, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchCards, batchRows, chatCards, events, leads, outbox } from "../../src/db/schema";
import { importScreeningBatch } from "../../src/services/leads/lead-sources";
import { createChatHarness, exampleOrg, type ChatHarness } from "../support/chat-harness";
import type { RecordedCall } from "../support/fake-chat-servers";
import { jsonPost, validReport } from "../support/fixtures";

const CHENGDU_CHAT = "-1001000000001";
const HEADER = "rule,institution,region_code,subject,violation_type,period_from,period_to,amount_yuan,details,ref";
const staff = { type: "member" as const, id: "mem_coordinator", role: "coordinator", platform: "cli" };

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let telegram: ChatHarness["telegram"];
let memberIds: ChatHarness["memberIds"];
let batchId = "";

/** Delivers everything due in 50 ms steps; returns the simulated ms it took. */
const deliver = (until?: () => boolean) => h.deliver({ rounds: 50, stepMs: 50, until });
const press = (userId: number, data: string, messageId: number, id?: number) => h.pressTelegram(userId, CHENGDU_CHAT, data, messageId, id);
const toChat = (chat: string, calls: RecordedCall[]) => calls.filter((c) => String(c.body.chat_id) === chat);

function screeningCsv(n: number, tag: string): string {
  const lines = [HEADER];
  for (let i = 0; i < n; i++) lines.push(`规则${"ABC"[i % 3]},${tag}某某医院${i},510104,medical_institution,ghost_admission,2026-01-01,2026-01-31,${i}.50,同一参保人同时住院,${tag}-${i}`);
  return lines.join("\n") + "\n";
}

beforeAll(async () => {
  // A third member of the Chengdu team who has not bound a chat account yet.
  h = await createChatHarness({ org: exampleOrg((file) => void file.members.push({ name: "赵六", role: "inspector", team: "成都市核查一组" } as never)) });
  ({ ctx, telegram, memberIds } = h);
  ctx.deps.notifyOutbox = () => undefined;
  await h.enrolTelegram("张明", 5001);
  await h.enrolTelegram("李娜", 5002);
  await deliver();
});

afterAll(async () => {
  await h.close();
});

describe("a screening batch of 2,000 leads for one Telegram team", () => {
  let cardMessageId = 0;

  it("posts one batch card to the group and one private message per assignee, and no card per lead", async () => {
    const before = telegram.callsTo("sendMessage").length;
    const r = await importScreeningBatch(ctx.deps, screeningCsv(2000, "批"), staff, "国家局大数据筛查", { reference: "医保办〔2026〕12号", feedbackDueOn: "2026-12-31" });
    batchId = r.batchId;
    expect(r.created).toBe(2000);
    // The import's own rows: one batch card, and one share per assignee with a chat account (赵六 has none).
    const queued = await ctx.db.select({ kind: outbox.kind, chatId: outbox.chatId }).from(outbox).where(inArray(outbox.kind, ["card", "batch_card"]));
    expect(queued.filter((q) => q.kind === "card")).toHaveLength(0);
    expect(queued.filter((q) => q.kind === "batch_card")).toEqual([{ kind: "batch_card", chatId: CHENGDU_CHAT }]);

    await deliver();
    const sent = telegram.callsTo("sendMessage").slice(before);
    const group = toChat(CHENGDU_CHAT, sent);
    expect(group).toHaveLength(1);
    const card = group[0]!;
    expect(card.body.text).toContain("国家局大数据筛查");
    expect(card.body.text).toContain("医保办〔2026〕12号");
    expect(card.body.text).toContain("本组线索数:</b> 2000");
    expect(card.body.text).toMatch(/规则A 667.*规则B 667.*规则C 666/);
    expect(card.body.text).toContain("2026-12-31");
    // Leads went to all three members; the one without an account is named on the card.
    const byAssignee = await ctx.db.select({ a: leads.assigneeId, n: count() }).from(leads).where(eq(leads.source, "batch")).groupBy(leads.assigneeId);
    expect(byAssignee.map((x) => x.a).sort()).toEqual([memberIds["张明"], memberIds["李娜"], memberIds["赵六"]].sort());
    const zhao = byAssignee.find((x) => x.a === memberIds["赵六"])!.n;
    expect(card.body.text).toContain(`赵六 ${zhao}`);
    expect(h.buttonsOf(card)).toEqual([`fw:b-ack:${batchId}`, `fw:b-open:${batchId}`]);
    cardMessageId = 1000 + telegram.callsTo("sendMessage").indexOf(card);

    for (const [name, chat] of [["张明", "5001"], ["李娜", "5002"]] as const) {
      const share = toChat(chat, sent);
      expect(share).toHaveLength(1);
      const n = byAssignee.find((x) => x.a === memberIds[name])!.n;
      expect(share[0]!.body.text).toContain(`分给您的线索:</b> ${n}`);
      expect(share[0]!.body.text).toContain("2026-12-31");
      expect(h.buttonsOf(share[0]!)).toEqual([`fw:b-open:${batchId}`]);
    }
    expect(sent).toHaveLength(3);
    const row = await ctx.db.query.batchCards.findFirst({ where: eq(batchCards.batchId, batchId) });
    expect(row).toMatchObject({ chatId: CHENGDU_CHAT, messageId: String(cardMessageId), leadCount: 2000, acknowledgedAt: null });
  });

  it("does not hold a tip submitted right after behind the batch: its card follows within seconds", async () => {
    const again = await importScreeningBatch(ctx.deps, screeningCsv(2000, "再"), staff, "省局筛查", {});
    expect(again.created).toBe(2000);
    const before = telegram.callsTo("sendMessage").length;
    const wall = performance.now();
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: { provinceCode: "510000", cityCode: "510100", districtCode: "510104" }, targetName: "锦江某某康复医院" })));
    expect(res.status).toBe(201);
    const tipCard = () => toChat(CHENGDU_CHAT, telegram.callsTo("sendMessage").slice(before)).some((c) => h.buttonsOf(c).some((d) => d.startsWith("fw:ack:")));
    const simulated = await deliver(tipCard);
    const wallMs = performance.now() - wall;
    console.log(`tip card after a 2,000-lead batch: ${simulated} ms simulated, ${wallMs.toFixed(0)} ms wall clock`);
    expect(tipCard()).toBe(true);
    expect(simulated).toBeLessThan(5_000);
    expect(wallMs).toBeLessThan(5_000);
    // The group got the second batch's card and the tip's card: nothing per lead.
    const group = toChat(CHENGDU_CHAT, telegram.callsTo("sendMessage").slice(before));
    expect(group).toHaveLength(2);
  });

  it("acknowledging the batch logs one event and edits the card once, even when the press is delivered twice", async () => {
    const edits = telegram.callsTo("editMessageText").length;
    const id = h.takeUpdateId();
    expect((await press(5002, `fw:b-ack:${batchId}`, cardMessageId, id)).status).toBe(200);
    expect((await press(5002, `fw:b-ack:${batchId}`, cardMessageId, id)).status).toBe(200);
    // A later press by a colleague finds it done.
    expect((await press(5001, `fw:b-ack:${batchId}`, cardMessageId)).status).toBe(200);
    await deliver();
    expect(telegram.callsTo("answerCallbackQuery").at(-1)?.body.text).toContain("已由 李娜 签收");
    const acked = await ctx.db.select().from(events).where(and(eq(events.entityId, batchId), eq(events.action, "batch.acknowledged")));
    expect(acked).toHaveLength(1);
    expect(acked[0]).toMatchObject({ actorId: memberIds["李娜"], platform: "telegram", entityType: "batch" });
    const newEdits = telegram.callsTo("editMessageText").slice(edits);
    expect(newEdits).toHaveLength(1);
    expect(newEdits[0]!.body.message_id).toBe(cardMessageId);
    expect(newEdits[0]!.body.text).toContain("李娜 于");
    expect(h.buttonsOf(newEdits[0]!)).toEqual([`fw:b-open:${batchId}`]);
  });

  it("answers Open triage page with a private signed link that opens the page", async () => {
    const before = telegram.callsTo("sendMessage").length;
    expect((await press(5001, `fw:b-open:${batchId}`, cardMessageId)).status).toBe(200);
    await deliver();
    const sent = telegram.callsTo("sendMessage").slice(before);
    expect(toChat(CHENGDU_CHAT, sent)).toHaveLength(0);
    const link = toChat("5001", sent)[0]!.body.text as string;
    const url = /https:\/\/fundwatch\.example\.gov\.cn(\/batches\/[^\s]+)/.exec(link)![1]!;
    const page = await ctx.app.request(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("国家局大数据筛查");
  });

  it("gives a batch lead its own card once a tip joins it, and keeps that card current", async () => {
    const [joined] = await ctx.db.select({ leadId: batchRows.leadId }).from(batchRows).where(and(eq(batchRows.batchId, batchId), eq(batchRows.ref, "批-5")));
    const before = telegram.callsTo("sendMessage").length;
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: { provinceCode: "510000", cityCode: "510100", districtCode: "510104" }, targetName: "批某某医院5" })));
    expect(res.status).toBe(201);
    await deliver();
    const group = toChat(CHENGDU_CHAT, telegram.callsTo("sendMessage").slice(before));
    expect(group).toHaveLength(1);
    expect(h.buttonsOf(group[0]!)).toContain(`fw:ack:${joined!.leadId}`);
    const lead = await ctx.db.query.leads.findFirst({ where: eq(leads.id, joined!.leadId) });
    expect(lead).toMatchObject({ source: "batch", corroborationCount: 2 });
    const msgId = 1000 + telegram.callsTo("sendMessage").indexOf(group[0]!);
    const edits = telegram.callsTo("editMessageText").length;
    // Its assignee, or the team lead (李娜) when it went to the member without an account.
    const presser = lead!.assigneeId === memberIds["张明"] ? 5001 : 5002;
    expect((await press(presser, `fw:ack:${joined!.leadId}`, msgId)).status).toBe(200);
    await deliver();
    expect(telegram.callsTo("editMessageText").slice(edits).filter((c) => c.body.message_id === msgId)).toHaveLength(1);
    expect(await ctx.db.select().from(chatCards).where(eq(chatCards.leadId, joined!.leadId))).toHaveLength(1);
  });
});
