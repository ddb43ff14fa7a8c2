// Read receipts (issue 19): a campaign reminder or lead card sent where the platform reports who read it
// (an adapter with `readers`, here a small fake standing in for Feishu) is watched; the tick asks on a
// backoff, records each reading member once as a `chat.read` event, and stops once the unit presses
// Received or the lead is acknowledged. The board, /board and the lead page say "read, not
// acknowledged" by name; `/nudge KEY read` and the board's button reach only those units. Telegram
// (no readers) is never watched, and the due-watch query is an index range read on 100k watches.
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatDeliveryError, type ChatAdapter, type ChatAdapters, type OutgoingMessage } from "../../src/chat/types";
import type { ChatRuntime } from "../../src/chat/runtime";
import { asBatch } from "../../src/db/client";
import { assignments, events, leads, members, outbox, readWatches, units } from "../../src/db/schema";
import { runTick } from "../../src/scheduler/tick";
import { receiveAssignment } from "../../src/services/campaigns/assignments";
import { handleCampaignCommand } from "../../src/services/campaigns/chat";
import { runCampaignReminders } from "../../src/services/campaigns/reminders";
import { deliverDueMessages, type DeliveryDeps } from "../../src/services/delivery/outbox";
import { runLeadCommand } from "../../src/services/leads/commands";
import { createOutboxRenderer } from "../../src/services/leads/lead-cards";
import { importOrganisation, orgFileSchema } from "../../src/services/org/org";
import { checkReadReceipts, dueReadWatchesQuery, purgeableReadWatchesQuery } from "../../src/services/read-receipts/check-reads";
import { campaignReadsQuery } from "../../src/services/read-receipts/readers";
import { seedCampaign, type SeededCampaign } from "../support/campaign-seed";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";
import { signInAs } from "../support/staff-session";

/** Fake chat platforms: each send gets a fresh message id; the one with readers answers from `reads`. */
function fakePlatforms() {
  const reads = new Map<string, string[]>();
  const asked: string[] = [];
  const sent: { platform: string; chatId: string; messageId: string; message: OutgoingMessage }[] = [];
  const failures: Error[] = [];
  let n = 0;
  const adapter = (platform: "feishu" | "telegram" | "console", withReaders: boolean): ChatAdapter => ({
    platform,
    async send(target, message) {
      const messageId = `${platform}-m${++n}`;
      sent.push({ platform, chatId: target.chatId, messageId, message });
      return { messageId };
    },
    async edit() {},
    ...(withReaders
      ? {
          async readers(_target, messageId) {
            asked.push(messageId);
            const failure = failures.shift();
            if (failure) throw failure;
            return reads.get(messageId) ?? [];
          },
        }
      : {}),
  });
  const adapters: ChatAdapters = { feishu: adapter("feishu", true), telegram: adapter("telegram", false), console: adapter("console", false) };
  return { reads, asked, sent, failures, adapters };
}

async function deliverAll(ctx: TestContext, delivery: DeliveryDeps) {
  for (let i = 0; i < 50; i++) {
    const r = await deliverDueMessages(delivery);
    if (r.nextDueAt === null || r.nextDueAt > ctx.deps.now().getTime() + 60_000) return;
    ctx.setNow(new Date(Math.max(ctx.deps.now().getTime() + 100, r.nextDueAt)));
  }
}

const later = (ctx: TestContext, ms: number) => ctx.setNow(new Date(ctx.deps.now().getTime() + ms));
const MIN = 60_000;

describe("read receipts of campaign reminders", () => {
  let ctx: TestContext;
  let seed: SeededCampaign;
  let fake: ReturnType<typeof fakePlatforms>;
  let delivery: DeliveryDeps;
  const asg = (u: number) => seed.assignmentIds.get(`${seed.unitIds[u]!}|self-inspection`)!;
  const contact = (u: number) => seed.contacts.get(seed.unitIds[u]!)!;
  const messageTo = (chatId: string) => fake.sent.find((s) => s.chatId === chatId)!.messageId;
  const tickDeps = () => ({ ...ctx.deps, chat: { adapters: fake.adapters, deliveryLoop: { running: true }, notify() {} } as unknown as ChatRuntime });
  const readEvents = (assignmentId: string) => ctx.db.select().from(events).where(and(eq(events.action, "chat.read"), eq(events.entityId, assignmentId)));
  const coordinator = async () => (await ctx.db.query.members.findFirst({ where: eq(members.id, seed.coordinatorId) }))!;

  beforeAll(async () => {
    ctx = await createTestContext();
    seed = await seedCampaign(ctx, { units: 4 });
    fake = fakePlatforms();
    delivery = { ...ctx.deps, adapters: fake.adapters, renderer: createOutboxRenderer(ctx.deps) };
    // Units 0 and 1 work in Feishu, unit 2 in Telegram, unit 3 stays on the console.
    await ctx.db.batch(
      asBatch([
        ctx.db.update(units).set({ platform: "feishu", chatId: "oc_unit0" }).where(eq(units.id, seed.unitIds[0]!)),
        ctx.db.update(units).set({ platform: "feishu", chatId: "oc_unit1" }).where(eq(units.id, seed.unitIds[1]!)),
        ctx.db.update(units).set({ platform: "telegram", chatId: "-100unit2" }).where(eq(units.id, seed.unitIds[2]!)),
        ctx.db.update(members).set({ feishuUserId: "ou_c0" }).where(eq(members.id, contact(0))),
        ctx.db.update(members).set({ feishuUserId: "ou_c1" }).where(eq(members.id, contact(1))),
        ctx.db.update(members).set({ telegramUserId: "7002" }).where(eq(members.id, contact(2))),
        ctx.db.update(members).set({ feishuUserId: "ou_coord" }).where(eq(members.id, seed.coordinatorId)),
        // The first deliverable (overdue since 2026-11-20): today's 09:00 overdue reminder is due (the clock is 10:00).
        ctx.db
          .update(assignments)
          .set({ nextReminderAt: Date.parse("2026-11-24T00:00:00Z") })
          .where(eq(assignments.deliverableId, seed.deliverableIds[0]!)),
      ]),
    );
  });
  afterAll(() => ctx?.close());

  it("watches the reminder sent to each Feishu unit, and none sent to Telegram or the console", async () => {
    const report = await runCampaignReminders(ctx.deps, ctx.deps.now());
    expect(report.reminders).toBeGreaterThanOrEqual(4);
    await deliverAll(ctx, delivery);
    for (const chatId of ["oc_unit0", "oc_unit1", "-100unit2", "unit-t-3"]) expect(fake.sent.some((s) => s.chatId === chatId), chatId).toBe(true);
    const watches = await ctx.db.select().from(readWatches);
    expect(watches.map((w) => [w.platform, w.chatId, w.messageId, w.entityType, w.entityId]).sort()).toEqual(
      [
        ["feishu", "oc_unit0", messageTo("oc_unit0"), "assignment", asg(0)],
        ["feishu", "oc_unit1", messageTo("oc_unit1"), "assignment", asg(1)],
      ].sort(),
    );
    // First asked two minutes after the send.
    for (const w of watches) expect(w.nextCheckAt - w.sentAt).toBe(2 * MIN);
  });

  it("records a member's read once, through the tick, however often the platform is asked", async () => {
    // Unit 0's contact and someone who is no member read it; only the coordinator read unit 1's.
    fake.reads.set(messageTo("oc_unit0"), ["ou_c0", "ou_stranger"]);
    fake.reads.set(messageTo("oc_unit1"), ["ou_coord"]);
    later(ctx, 3 * MIN);
    const first = await runTick(tickDeps(), ctx.deps.now());
    expect(first.jobs.checkReadReceipts).toBe("ok");
    expect(fake.asked).toEqual(expect.arrayContaining([messageTo("oc_unit0"), messageTo("oc_unit1")]));
    later(ctx, 10 * MIN);
    fake.asked.length = 0;
    await runTick(tickDeps(), ctx.deps.now());
    // Asked again (second check), still one read.
    expect(fake.asked).toContain(messageTo("oc_unit0"));
    const recorded = await readEvents(asg(0));
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ actorType: "member", actorId: contact(0), entityType: "assignment", platform: "feishu", platformRef: messageTo("oc_unit0"), dedupeKey: `read:assignment:${asg(0)}:${contact(0)}` });
    // The coordinator's read is logged, but owes no Received (see the board and the nudge below).
    expect((await readEvents(asg(1))).map((e) => e.actorId)).toEqual([seed.coordinatorId]);
    const [watch] = await ctx.db.select().from(readWatches).where(eq(readWatches.entityId, asg(0)));
    expect(watch!.checks).toBe(2);
    expect(watch!.doneAt).toBeNull();
    expect(watch!.nextCheckAt).toBeGreaterThan(ctx.deps.now().getTime());
  });

  it("shows \"read, not acknowledged\" by name on the workspace board, with its count and the nudge-the-readers button", async () => {
    const page = await (await signInAs(ctx, seed.coordinatorId)).get(`/staff/campaigns/${seed.campaignId}`);
    expect(page.status).toBe(200);
    const cell = new RegExp(`data-read-not-acknowledged="${asg(0)}">([^<]*)<`).exec(page.html);
    // The coordinator reads English; the reader by name with the time the read was seen.
    expect(cell?.[1]).toMatch(/^read, not acknowledged: 联系人t0 \(2026-11-24 \d\d:\d\d/);
    expect(page.html).not.toContain(`data-read-not-acknowledged="${asg(1)}"`);
    const counts = /<tr data-deliverable="self-inspection">([\s\S]*?)<\/tr>/.exec(page.html)![1]!;
    expect(counts).toContain('data-count="read_not_acknowledged">1<');
    expect(page.html).toContain('data-testid="nudge-read"');
    // And on the unit's task page.
    const task = await (await signInAs(ctx, seed.coordinatorId)).get(`/staff/campaigns/${seed.campaignId}/assignments/${asg(0)}`);
    expect(/data-testid="assignment-read-not-acknowledged">([^<]*)</.exec(task.html)?.[1]).toMatch(/^read, not acknowledged: 联系人t0 \(/);
  });

  it("says it in /board, and `/nudge KEY read` nudges only the unit whose contact read and did nothing", async () => {
    const coord = await coordinator();
    const user = { platform: "feishu" as const, userId: "ou_coord", chatId: "user:ou_coord", platformRef: null };
    const board = await handleCampaignCommand(ctx.deps, { user, member: coord, command: "board", args: ["self-inspection"], updateKey: "feishu:board:1" });
    expect(board.text).toContain("Read, not acknowledged: 1");
    const line = board.text.split("\n").find((l) => l.includes("定点医院t0"))!;
    expect(line).toContain("read, not acknowledged: 联系人t0");
    expect(board.text.split("\n").find((l) => l.includes("定点医院t1"))).not.toContain("read, not acknowledged");

    const usage = await handleCampaignCommand(ctx.deps, { user, member: coord, command: "nudge", args: [], updateKey: "feishu:nudge:0" });
    expect(usage.text).toContain("/nudge <deliverable key or id> read");
    const nudge = await handleCampaignCommand(ctx.deps, { user, member: coord, command: "nudge", args: ["self-inspection", "read"], updateKey: "feishu:nudge:1" });
    expect(nudge.text).toContain("Nudged 1 units whose contacts read the reminder without pressing Received: 定点医院t0");
    const nudged = await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, "nudge:%"));
    expect(nudged.map((r) => r.chatId)).toEqual(["oc_unit0"]);
    const command = await ctx.db.select().from(events).where(eq(events.action, "deliverable.nudged"));
    expect(command).toHaveLength(1);
    expect(JSON.parse(command[0]!.data!)).toMatchObject({ nudged: [seed.unitIds[0]], only: "read_not_acknowledged" });
    // The same press again is one nudge.
    const again = await handleCampaignCommand(ctx.deps, { user, member: coord, command: "nudge", args: ["self-inspection", "read"], updateKey: "feishu:nudge:1" });
    expect(again.text).not.toContain("Nudged");
    expect(await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, "nudge:%"))).toHaveLength(1);
    // Refused in words for anyone but a coordinator, as the plain nudge is.
    const inspector = (await ctx.db.query.members.findFirst({ where: eq(members.id, seed.inspectorId) }))!;
    const refused = await handleCampaignCommand(ctx.deps, { user: { ...user, userId: "ou_insp" }, member: inspector, command: "nudge", args: ["self-inspection", "read"], updateKey: "feishu:nudge:2" });
    expect(refused.text.length).toBeGreaterThan(10);
    expect(await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, "nudge:%"))).toHaveLength(1);
  });

  it("the board's \"nudge those who read\" goes through the same use case (cooling down now) and says so", async () => {
    const browser = await signInAs(ctx, seed.coordinatorId);
    const page = await browser.get(`/staff/campaigns/${seed.campaignId}`);
    const m = /<form method="post" action="([^"]+)"[^>]*data-testid="nudge-read"[^>]*><input type="hidden" name="key" value="([^"]+)"/.exec(page.html)!;
    expect(m[1]).toBe(`/staff/campaigns/${seed.campaignId}/deliverables/${seed.deliverableIds[0]}/nudge-read`);
    const answer = await browser.post(m[1]!, { key: m[2]! });
    expect(answer.url).toMatch(/done=nudge_readers_none&c=1/);
    expect(await ctx.db.select().from(outbox).where(like(outbox.dedupeKey, "nudge:%"))).toHaveLength(1);
  });

  it("stops watching once the unit presses Received, and the board no longer says read, not acknowledged", async () => {
    const member = (await ctx.db.query.members.findFirst({ where: eq(members.id, contact(0)) }))!;
    expect(await receiveAssignment(ctx.deps, { assignmentId: asg(0), actor: member, platform: "feishu", platformRef: null, dedupeKey: "feishu:recv:1" })).toMatchObject({ status: "done" });
    // The nudge went out and is watched too (same assignment): both end at their next check.
    await deliverAll(ctx, delivery);
    later(ctx, 2 * 60 * MIN);
    fake.asked.length = 0;
    await checkReadReceipts({ ...ctx.deps, adapters: fake.adapters });
    const mine = await ctx.db.select().from(readWatches).where(eq(readWatches.entityId, asg(0)));
    expect(mine.length).toBeGreaterThanOrEqual(1);
    for (const w of mine) {
      expect(w.doneAt).not.toBeNull();
      expect(fake.asked).not.toContain(w.messageId);
    }
    // Unit 1 still waits: still asked.
    expect(fake.asked).toContain(messageTo("oc_unit1"));
    const page = await (await signInAs(ctx, seed.coordinatorId)).get(`/staff/campaigns/${seed.campaignId}`);
    expect(page.html).not.toContain(`data-read-not-acknowledged="${asg(0)}"`);
  });

  it("backs off after a platform error (its retry-after respected), and ends three days after the send", async () => {
    const [before] = await ctx.db.select().from(readWatches).where(eq(readWatches.chatId, "oc_unit1"));
    later(ctx, Math.max(0, before!.nextCheckAt - ctx.deps.now().getTime()));
    fake.failures.push(new ChatDeliveryError("429 too many requests", true, 1800));
    const r = await checkReadReceipts({ ...ctx.deps, adapters: fake.adapters });
    expect(r.errors).toBe(1);
    const [after] = await ctx.db.select().from(readWatches).where(eq(readWatches.chatId, "oc_unit1"));
    expect(after!.lastError).toContain("429");
    expect(after!.nextCheckAt).toBeGreaterThanOrEqual(ctx.deps.now().getTime() + 1800_000);
    expect(ctx.logs.some((l) => l.msg === "read receipts not available" && l.fields?.watchId === after!.id)).toBe(true);
    // Three days on: one last look, then the watch is over.
    ctx.setNow(new Date(after!.sentAt + 3 * 24 * 60 * MIN + MIN));
    await checkReadReceipts({ ...ctx.deps, adapters: fake.adapters });
    const [done] = await ctx.db.select().from(readWatches).where(eq(readWatches.chatId, "oc_unit1"));
    expect(done!.doneAt).not.toBeNull();
    // A month after the send the finished watch is deleted; the read stays in the log.
    ctx.setNow(new Date(after!.sentAt + 31 * 24 * 60 * MIN));
    expect((await checkReadReceipts({ ...ctx.deps, adapters: fake.adapters })).purged).toBeGreaterThanOrEqual(1);
    expect(await ctx.db.select().from(readWatches).where(eq(readWatches.chatId, "oc_unit1"))).toHaveLength(0);
    expect(await readEvents(asg(0))).toHaveLength(1);
  });
});

describe("read receipts of lead cards", () => {
  let ctx: TestContext;
  let fake: ReturnType<typeof fakePlatforms>;
  let delivery: DeliveryDeps;
  let leadId: string;
  let wang: string;

  beforeAll(async () => {
    ctx = await createTestContext();
    fake = fakePlatforms();
    delivery = { ...ctx.deps, adapters: fake.adapters, renderer: createOutboxRenderer(ctx.deps) };
    const org = orgFileSchema.parse({
      teams: [
        { name: "朝阳检查组", regionCode: "110105", platform: "feishu", chatId: "oc_cy" },
        { name: "协调组", regionCode: "000000", platform: "console", chatId: "coord", coordinators: true },
      ],
      members: [
        { name: "王检查", role: "team_lead", team: "朝阳检查组" },
        { name: "陈协调", role: "coordinator", team: "协调组" },
      ],
    });
    await importOrganisation(ctx.deps, org, { type: "system", platform: "cli" });
    wang = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "王检查") }))!.id;
    await ctx.db.update(members).set({ feishuUserId: "ou_wang" }).where(eq(members.id, wang));
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport()));
    expect(res.status).toBe(201);
    leadId = (await ctx.db.select().from(leads))[0]!.id;
    await deliverAll(ctx, delivery);
  });
  afterAll(() => ctx?.close());

  const card = () => fake.sent.find((s) => s.chatId === "oc_cy" && s.message.kind === "card")!;

  it("watches the card sent to the team's Feishu chat and shows its reader on the lead page", async () => {
    const watches = await ctx.db.select().from(readWatches);
    expect(watches.map((w) => [w.entityType, w.entityId, w.chatId, w.messageId])).toEqual([["lead", leadId, "oc_cy", card().messageId]]);
    fake.reads.set(card().messageId, ["ou_wang"]);
    later(ctx, 3 * MIN);
    expect(await checkReadReceipts({ ...ctx.deps, adapters: fake.adapters })).toMatchObject({ checked: 1, readers: 1 });
    const page = await (await signInAs(ctx, wang)).get(`/staff/leads/${leadId}`);
    expect(page.status).toBe(200);
    expect(/data-testid="lead-read-not-acknowledged">([^<]*)</.exec(page.html)?.[1]).toMatch(/^已读未确认：王检查（2026-11-24 \d\d:\d\d/);
    // And in its history, by name.
    expect(page.html).toMatch(/王检查[^<]*: 已读卡片/);
  });

  it("stops watching once the lead is acknowledged; the page no longer says read, not acknowledged", async () => {
    const member = (await ctx.db.query.members.findFirst({ where: eq(members.id, wang) }))!;
    expect(await runLeadCommand(ctx.deps, { leadId, command: { type: "acknowledge" }, actor: { member, platform: "feishu" }, dedupeKey: "feishu:ack:1" })).toMatchObject({ status: "done" });
    // The card is edited in place: no new message, no new watch.
    await deliverAll(ctx, delivery);
    expect(await ctx.db.select().from(readWatches)).toHaveLength(1);
    later(ctx, 10 * MIN);
    fake.asked.length = 0;
    await checkReadReceipts({ ...ctx.deps, adapters: fake.adapters });
    expect(fake.asked).toEqual([]);
    const [watch] = await ctx.db.select().from(readWatches);
    expect(watch!.doneAt).not.toBeNull();
    const page = await (await signInAs(ctx, wang)).get(`/staff/leads/${leadId}`);
    expect(page.html).not.toContain("lead-read-not-acknowledged");
    expect(await ctx.db.select().from(events).where(eq(events.action, "chat.read"))).toHaveLength(1);
  });
});

describe("the read-receipt queries at scale", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
    // 100k watches, a tenth of them open (spread over a day), and 100k reads of other assignments.
    await ctx.client.execute(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 100000)
      INSERT INTO read_watches (id, platform, chat_id, message_id, entity_type, entity_id, sent_at, next_check_at, checks, done_at)
      SELECT 'rw_' || i, 'feishu', 'oc_' || (i % 500), 'om_' || i, 'assignment', 'asg_' || i, 1795000000000 + i * 1000, 1795000000000 + i * 864, 1,
        CASE WHEN i % 10 = 0 THEN NULL ELSE 1795000000000 END FROM n`);
    await ctx.client.execute(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 100000)
      INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, actor_id, platform, dedupe_key)
      SELECT 1795000000000 + i, 'assignment', 'asg_' || i, CASE WHEN i % 2 = 0 THEN 'chat.read' ELSE 'assignment.reminded' END, 'member', 'mem_' || (i % 300), 'feishu', 'seed:' || i FROM n`);
  }, 120_000);
  afterAll(() => ctx?.close());

  const planOf = async (q: { toSQL(): { sql: string; params: unknown[] } }) => {
    const { sql, params } = q.toSQL();
    const rows = (await ctx.client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args: params as never })).rows;
    return rows.map((r) => String(r.detail)).join("\n");
  };

  it("takes due watches by the partial index, without a scan or a sort", async () => {
    const plan = await planOf(dueReadWatchesQuery(ctx.deps, 1795000000000 + 3_600_000, 50));
    expect(plan).toContain("read_watches_due_idx");
    expect(plan).not.toMatch(/SCAN read_watches\b(?! USING)/);
    expect(plan).not.toContain("TEMP B-TREE");
    const t0 = performance.now();
    const due = await dueReadWatchesQuery(ctx.deps, 1795000000000 + 3_600_000, 50);
    expect(due.length).toBe(50);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it("finds finished watches to purge by their send time, without a scan", async () => {
    const plan = await planOf(purgeableReadWatchesQuery(ctx.deps, 1795000000000 + 31 * 24 * 3_600_000));
    expect(plan).toContain("read_watches_sent_idx");
    expect(plan).not.toMatch(/SCAN read_watches\b(?! USING)/);
  });

  it("reads a campaign's reads through the reads index, never scanning events", async () => {
    const plan = await planOf(campaignReadsQuery(ctx.deps, "cmp_x"));
    expect(plan).toContain("events_chat_read_idx");
    expect(plan).not.toMatch(/SCAN events\b(?! USING)/);
  });
});
