// Grouped reminders: the escalation job sends one message per recipient and step for everything a
// batch finds due (one per assignee, one digest per team, one to the coordinators), capped under
// Telegram's 4096 characters, every lead listed or counted, nothing sent twice by repeated or
// concurrent ticks, while each lead still gets its own lead.escalated event per step.
import { and, eq, like, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createChatRuntime } from "../../src/chat/runtime";
import { events, leads, members, outbox, teams } from "../../src/db/schema";
import { ESCALATION_TICK_NODE, escalateOverdueLeads, REMINDER_GROUP_MAX_LINES } from "../../src/services/leads/escalation";
import { seedOpenLeads } from "../../scripts/bench/seed-leads";
import { createTestContext, type TestContext } from "../support/context";
import { deliverUntilIdle, fakeChatEnv } from "../support/chat-harness";
import { FakeSlack, FakeTelegram } from "../support/fake-chat-servers";
import { importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
let telegram: FakeTelegram;
let slack: FakeSlack;
const memberIds: Record<string, { id: string; teamId: string | null }> = {};
const START = "2026-11-24T02:00:00.000Z"; // Tuesday 10:00 in Shanghai

beforeAll(async () => {
  telegram = await new FakeTelegram().start();
  slack = await new FakeSlack().start();
});
afterAll(async () => {
  await telegram.stop();
  await slack.stop();
});

beforeEach(async () => {
  ctx = await createTestContext(fakeChatEnv(telegram, slack));
  ctx.deps.chat = createChatRuntime(ctx.deps, { consoleWrite: () => undefined });
  ctx.setNow(START);
  await importExampleOrg(ctx.deps);
  for (const m of await ctx.db.select().from(members)) memberIds[m.displayName] = { id: m.id, teamId: m.teamId };
});
afterEach(() => ctx.close());

/** `count` leads overdue since an hour ago (ack deadline), all assigned to `member`. */
async function seedFor(member: string, prefix: string, count: number) {
  await seedOpenLeads(ctx.client, { count, due: count, now: ctx.deps.now().getTime(), prefix });
  const { id, teamId } = memberIds[member]!;
  await ctx.db.update(leads).set({ assigneeId: id, teamId }).where(like(leads.id, `${prefix}-%`));
}

const deliver = () => deliverUntilIdle(ctx);

/** The reminder rows queued so far, with their text. */
async function reminderRows() {
  const rows = await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, "esc:%")).orderBy(outbox.seq);
  return rows.map((r) => ({ ...r, text: String((JSON.parse(r.payload) as { message: { text: string } }).message.text) }));
}

/** Lead ids a reminder lists (digest lines or a single reminder's id), and how many it only counts. */
function covered(text: string): { ids: string[]; more: number } {
  const lines = text.split("\n");
  if (lines.length === 1) return { ids: [/线索 (\S+) /.exec(text)?.[1] ?? /lead (\S+) /.exec(text)![1]!], more: 0 };
  const ids = lines.slice(1).flatMap((l) => /^(\S+) · /.exec(l)?.[1] ?? []);
  const more = Number(/另有 (\d+) 条|and (\d+) more/.exec(lines.at(-1)!)?.slice(1).find(Boolean) ?? 0);
  return { ids, more };
}

const escalatedEvents = (prefix: string) =>
  ctx.db.select().from(events).where(and(eq(events.action, "lead.escalated"), like(events.entityId, `${prefix}-%`)));

async function nextEscalationOf(prefix: string) {
  const [row] = await ctx.db.select({ at: sql<number>`min(${leads.nextEscalationAt})` }).from(leads).where(like(leads.id, `${prefix}-%`));
  return row!.at;
}

describe("grouped reminders", () => {
  it("50 overdue leads of one assignee: one message, then one team-lead digest, then one coordinators' digest", async () => {
    await seedFor("张明", "a", 50);
    const ids = new Set(Array.from({ length: 50 }, (_, i) => `a-${i}`));
    const [team] = await ctx.db.select().from(teams).where(eq(teams.id, memberIds["张明"]!.teamId!));

    const first = await escalateOverdueLeads(ctx.deps);
    expect(first).toMatchObject({ reminders: 50, messages: 1, leads: 50, batches: 1, lostBatches: 0 });
    await deliver();
    const sent = telegram.callsTo("sendMessage").map((c) => ({ chat: String(c.body.chat_id), text: String(c.body.text) }));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.chat).toBe(team!.chatId);
    const text = sent[0]!.text;
    expect(text.startsWith("【提醒负责人】提醒 张明：50 条线索已逾期：")).toBe(true);
    expect(text.length).toBeLessThan(4096);
    const listed = covered(text);
    expect(listed.ids).toHaveLength(REMINDER_GROUP_MAX_LINES);
    expect(new Set(listed.ids).size).toBe(REMINDER_GROUP_MAX_LINES);
    for (const id of listed.ids) expect(ids.has(id), id).toBe(true);
    expect(listed.more).toBe(50 - REMINDER_GROUP_MAX_LINES);
    expect(text).toContain("请用 /overdue 查看");
    expect(text).toMatch(/a-\d+ · 挂床住院 · a institution \d+ · 确认期限 2026-11-24 09:00/);
    // Each lead still has its own event for the step.
    const logged = await escalatedEvents("a");
    expect(logged).toHaveLength(50);
    expect(new Set(logged.map((e) => e.entityId))).toEqual(ids);
    expect(logged.every((e) => JSON.parse(e.data!).step === "assignee")).toBe(true);

    // A repeated tick, now and a minute later, sends nothing.
    expect(await escalateOverdueLeads(ctx.deps)).toMatchObject({ reminders: 0, messages: 0 });
    ctx.setNow(new Date(ctx.deps.now().getTime() + 60_000));
    expect(await escalateOverdueLeads(ctx.deps)).toMatchObject({ reminders: 0, messages: 0 });

    // The team-lead step: one digest for the team, naming the team lead.
    ctx.setNow(new Date(await nextEscalationOf("a")));
    expect(await escalateOverdueLeads(ctx.deps)).toMatchObject({ reminders: 50, messages: 1 });
    await deliver();
    const teamDigest = telegram.callsTo("sendMessage").slice(1).map((c) => String(c.body.text));
    expect(teamDigest).toHaveLength(1);
    expect(teamDigest[0]!.startsWith(`【升级至组长】${team!.name} 有 50 条逾期线索 → 李娜：`)).toBe(true);
    expect(teamDigest[0]).toMatch(/ · 张明$/m);
    const teamListed = covered(teamDigest[0]!);
    expect(teamListed.ids.length + teamListed.more).toBe(50);

    // The coordinators' step: one digest in the coordinators' Slack channel.
    ctx.setNow(new Date(await nextEscalationOf("a")));
    expect(await escalateOverdueLeads(ctx.deps)).toMatchObject({ reminders: 50, messages: 1 });
    await deliver();
    const posts = slack.callsTo("chat.postMessage");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body.channel).toBe("C0COORDINATE");
    const coordText = String(posts[0]!.body.text);
    expect(coordText.startsWith("【升级至协调员】50 条线索逾期且已超过组长处理时限：")).toBe(true);
    const coordListed = covered(coordText);
    expect(coordListed.ids.length + coordListed.more).toBe(50);
    expect(telegram.callsTo("sendMessage")).toHaveLength(2);

    expect(await escalatedEvents("a")).toHaveLength(150);
    // Nothing further: all three steps of the ack deadline are spent.
    expect(await escalateOverdueLeads(ctx.deps)).toMatchObject({ reminders: 0, messages: 0 });
  });

  it("leads of two assignees: two messages, each listing its assignee's leads exactly once", async () => {
    await seedFor("张明", "z", 3);
    await seedFor("王强", "w", 2);
    expect(await escalateOverdueLeads(ctx.deps)).toMatchObject({ reminders: 5, messages: 2 });
    const rows = await reminderRows();
    expect(rows).toHaveLength(2);
    const byHeader = Object.fromEntries(rows.map((r) => [r.text.split("\n")[0]!, covered(r.text).ids.sort()]));
    expect(byHeader).toEqual({
      "【提醒负责人】提醒 张明：3 条线索已逾期：": ["z-0", "z-1", "z-2"],
      "【提醒负责人】提醒 王强：2 条线索已逾期：": ["w-0", "w-1"],
    });
  });

  it("the runtime's batch (deps.escalationTick): Node's 1,000 take 450 due leads in one batch and one message, Workers' 200 in three", async () => {
    await seedFor("张明", "n", 450);
    ctx.deps.escalationTick = ESCALATION_TICK_NODE;
    expect(await escalateOverdueLeads(ctx.deps)).toMatchObject({ reminders: 450, batches: 1, messages: 1 });
    const rows = await reminderRows();
    expect(covered(rows[0]!.text).ids.length + covered(rows[0]!.text).more).toBe(450);
    // Without it (as on Workers): batches of ESCALATION_BATCH_SIZE, one message per assignee and batch.
    await seedFor("王强", "m", 450);
    ctx.deps.escalationTick = undefined;
    expect(await escalateOverdueLeads(ctx.deps)).toMatchObject({ reminders: 450, batches: 3, messages: 3 });
  });

  it("an English-speaking team gets the English digest", async () => {
    await seedFor("Tom Lee", "e", 2);
    await escalateOverdueLeads(ctx.deps);
    const [row] = await reminderRows();
    expect(row!.text.split("\n")).toEqual([
      "[To assignee] Reminder for Tom Lee: 2 overdue leads:",
      expect.stringMatching(/^e-[01] · .+ · e institution [01] · acknowledge due 2026-11-24 09:00$/),
      expect.stringMatching(/^e-[01] · .+ · e institution [01] · acknowledge due 2026-11-24 09:00$/),
    ]);
  });

  it("a single due lead keeps the single-lead reminder and its per-lead key", async () => {
    await seedFor("张明", "s", 1);
    expect(await escalateOverdueLeads(ctx.deps)).toMatchObject({ reminders: 1, messages: 1 });
    const [row] = await reminderRows();
    expect(row!.dedupeKey).toBe("esc:s-0:ack:0");
    expect(row!.text).toBe("【提醒负责人】提醒：线索 s-0 尚未确认，确认期限为 2026-11-24 09:00。负责人：张明。");
  });

  it("two concurrent ticks that see different due sets send every lead once", async () => {
    await seedFor("张明", "c", 12);
    const t = ctx.deps.now().getTime();
    // One lead comes due between the two ticks' instants, so their plans differ.
    await ctx.db.update(leads).set({ ackBy: t + 30_000, nextEscalationAt: t + 30_000 }).where(eq(leads.id, "c-11"));
    const at = (ms: number) => ({ ...ctx.deps, now: () => new Date(ms) });
    const results = await Promise.all([escalateOverdueLeads(at(t)), escalateOverdueLeads(at(t + 60_000))]);
    const rows = await reminderRows();
    const all = rows.flatMap((r) => covered(r.text).ids).sort();
    expect(all).toEqual(Array.from({ length: 12 }, (_, i) => `c-${i}`).sort());
    expect(results[0]!.reminders + results[1]!.reminders).toBe(12);
    expect(results[0]!.messages + results[1]!.messages).toBe(rows.length);
    expect(await escalatedEvents("c")).toHaveLength(12);
    // And a third tick afterwards finds nothing left.
    expect(await escalateOverdueLeads(at(t + 60_000))).toMatchObject({ reminders: 0, messages: 0 });
  });

  it("a step already recorded (an earlier tick outrun by a command) is left out of the digest and marked sent, not retried forever", async () => {
    await seedFor("张明", "d", 4);
    // What a tick leaves when a concurrent command changed the lead between its read and its write:
    // the event (and the reminder) written, the lead's escalation state not updated.
    await ctx.db.insert(events).values({
      occurredAt: ctx.deps.now().getTime(),
      entityType: "lead",
      entityId: "d-0",
      action: "lead.escalated",
      actorType: "system",
      platform: "scheduler",
      data: JSON.stringify({ deadline: "ack", step: "assignee", dueAt: 0 }),
      dedupeKey: "esc:d-0:ack:0",
    });
    const result = await escalateOverdueLeads(ctx.deps);
    expect(result).toMatchObject({ reminders: 3, messages: 1, batches: 1, lostBatches: 1 });
    const rows = await reminderRows();
    expect(rows).toHaveLength(1);
    expect(covered(rows[0]!.text).ids.sort()).toEqual(["d-1", "d-2", "d-3"]);
    const [lead] = await ctx.db.select().from(leads).where(eq(leads.id, "d-0"));
    expect(JSON.parse(lead!.escalations).ack).toBe(1);
    expect(lead!.nextEscalationAt).toBeGreaterThan(ctx.deps.now().getTime());
    expect(await escalateOverdueLeads(ctx.deps)).toMatchObject({ reminders: 0, messages: 0, lostBatches: 0 });
  });

  it("long institution names still fit one Telegram message", async () => {
    await seedFor("张明", "l", 40);
    await ctx.db.update(leads).set({ targetName: "很长的机构名称".repeat(40) }).where(like(leads.id, "l-%"));
    await escalateOverdueLeads(ctx.deps);
    const [row] = await reminderRows();
    expect(row!.text.length).toBeLessThan(4096);
    const listed = covered(row!.text);
    expect(listed.ids.length + listed.more).toBe(40);
  });
});
