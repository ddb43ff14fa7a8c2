// A screening batch for a Slack team over real HTTP (fake Slack Web API, signed interactivity): one
// batch card in the channel, one DM to the bound assignee, Acknowledge batch edits the card once and
// Open triage page answers with an ephemeral private link.
import { createHmac } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatRuntime } from "../../src/chat/runtime";
import { events, members } from "../../src/db/schema";
import { deliverDueMessages } from "../../src/services/delivery/outbox";
import { importScreeningBatch } from "../../src/services/leads/lead-sources";
import { createInvite } from "../../src/services/org/org";
import { createTestContext, type TestContext } from "../support/context";
import { FakeSlack } from "../support/fake-chat-servers";
import { importExampleOrg } from "../support/round-trips";

const SLACK_SECRET = "slack-signing-secret-abcdef0123";
const CHANNEL = "C0MIANYANG01";
const HEADER = "rule,institution,region_code,subject,violation_type,period_from,period_to,amount_yuan,details,ref";

let ctx: TestContext;
let slack: FakeSlack;

async function slackRequest(body: string) {
  const timestamp = Math.floor(ctx.deps.now().getTime() / 1000);
  const signature = `v0=${createHmac("sha256", SLACK_SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return ctx.app.request("/webhooks/slack", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": signature }, body });
}

async function deliver() {
  for (let i = 0; i < 20; i++) {
    const r = await deliverDueMessages(ctx.deps.chat!.delivery);
    if (r.nextDueAt === null) return;
    ctx.setNow(new Date(Math.max(ctx.deps.now().getTime() + 50, r.nextDueAt)));
  }
}

const until = async (check: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 1000 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
};

beforeAll(async () => {
  slack = await new FakeSlack().start();
  ctx = await createTestContext({ SLACK_BOT_TOKEN: "xoxb-test-token", SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_API_URL: `${slack.url}/api/`, PUBLIC_BASE_URL: "https://fundwatch.example.gov.cn" });
  ctx.deps.chat = createChatRuntime(ctx.deps, { consoleWrite: () => undefined });
  await importExampleOrg(ctx.deps);
  const tom = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "Tom Lee") }))!;
  const { code } = await createInvite(ctx.deps, { memberId: tom.id, actor: { type: "system", platform: "cli" } });
  const join = await slackRequest(new URLSearchParams({ command: "/fundwatch", text: `join ${code}`, user_id: "U0TOM", channel_id: "D0TOM", channel_name: "directmessage", trigger_id: "trig1", team_id: "T1", token: "x" }).toString());
  expect(join.status).toBe(200);
});

afterAll(async () => {
  await ctx.close();
  await slack.stop();
});

describe("a screening batch for a Slack team", () => {
  it("posts one card and one DM, acknowledges once with an edit, and opens the triage page privately", async () => {
    const lines = [HEADER];
    for (let i = 0; i < 60; i++) lines.push(`规则${i % 2 ? "甲" : "乙"},涪城某某药房${i},510703,pharmacy,drugs_for_daily_goods,,,,,M-${i}`);
    const { batchId } = await importScreeningBatch(ctx.deps, lines.join("\n") + "\n", { type: "system", platform: "cli" }, "Provincial screening", { reference: "SC-2026-3" });
    await deliver();
    const posts = slack.callsTo("chat.postMessage");
    expect(posts.filter((p) => p.body.channel === CHANNEL)).toHaveLength(1);
    expect(posts.filter((p) => p.body.channel === "U0TOM")).toHaveLength(1);
    expect(posts).toHaveLength(2);
    const card = posts.find((p) => p.body.channel === CHANNEL)!;
    expect(String(card.body.text)).toContain("Leads for this team: 60");
    const buttons = (card.body.blocks as any[]).flatMap((b) => b.elements ?? []).filter((e: any) => e.action_id);
    expect(buttons.map((b: any) => [b.action_id, b.value])).toEqual([["fw:b-ack", batchId], ["fw:b-open", batchId]]);

    const press = (action: string, ts: string) =>
      slackRequest(
        new URLSearchParams({
          payload: JSON.stringify({ type: "block_actions", user: { id: "U0TOM" }, channel: { id: CHANNEL }, team: { id: "T1" }, trigger_id: "t", message: { ts: "1700000000.000100" }, actions: [{ action_id: action, block_id: "b", value: batchId, type: "button", action_ts: ts }], api_app_id: "A1", token: "x" }),
        }).toString(),
      );
    expect((await press("fw:b-ack", "1764000001.1")).status).toBe(200);
    await until(async () => (await ctx.db.select().from(events).where(and(eq(events.entityId, batchId), eq(events.action, "batch.acknowledged")))).length === 1);
    // Slack retries the same action: it takes effect once.
    expect((await press("fw:b-ack", "1764000001.1")).status).toBe(200);
    await until(() => slack.callsTo("chat.postEphemeral").length >= 2);
    await deliver();
    expect(await ctx.db.select().from(events).where(and(eq(events.entityId, batchId), eq(events.action, "batch.acknowledged")))).toHaveLength(1);
    const updates = slack.callsTo("chat.update");
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body.channel).toBe(CHANNEL);
    expect(String(updates[0]!.body.text)).toContain("by Tom Lee at");

    const ephemerals = slack.callsTo("chat.postEphemeral").length;
    expect((await press("fw:b-open", "1764000002.2")).status).toBe(200);
    await until(() => slack.callsTo("chat.postEphemeral").length > ephemerals);
    const answer = String(slack.callsTo("chat.postEphemeral").at(-1)!.body.text);
    expect(answer).toContain(`https://fundwatch.example.gov.cn/batches/${batchId}?t=`);
    // Only to the person: nothing new in the channel.
    expect(slack.callsTo("chat.postMessage").filter((p) => p.body.channel === CHANNEL)).toHaveLength(1);
  });
});
