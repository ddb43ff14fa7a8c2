// A screening batch for a Slack team over real HTTP (fake Slack Web API, signed interactivity): one
// batch card in the channel, one DM to the bound assignee, Acknowledge batch edits the card once and
// Open triage page answers with an ephemeral private link.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events } from "../../src/db/schema";
import { importScreeningBatch } from "../../src/services/leads/lead-sources";
import { createChatHarness, pollUntil, slackBlockAction, type ChatHarness } from "../support/chat-harness";

const CHANNEL = "C0MIANYANG01";
const HEADER = "rule,institution,region_code,subject,violation_type,period_from,period_to,amount_yuan,details,ref";

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let slack: ChatHarness["slack"];
const slackRequest = (body: string) => h.slackRequest(body);
const deliver = () => h.deliver({ stepMs: 50 });
const until = pollUntil;

beforeAll(async () => {
  h = await createChatHarness();
  ({ ctx, slack } = h);
  const join = await h.slackCommand("U0TOM", `join ${(await h.invite("Tom Lee")).code}`, { trigger: "trig1" });
  expect(join.status).toBe(200);
});

afterAll(async () => {
  await h.close();
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
          payload: JSON.stringify(slackBlockAction({ user: "U0TOM", channel: CHANNEL, trigger: "t", messageTs: "1700000000.000100", actionId: action, blockId: "b", value: batchId, actionTs: ts })),
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
