// Repeated presses over real HTTP (fake Slack and Telegram servers, the real webhooks): the same signed
// Slack request delivered twice, and again as a Slack retry (X-Slack-Retry-Num), gives one link for
// "Open case", "Open triage page" and the unit page; a redelivered Telegram update queues one private link.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignments, events, leads } from "../../src/db/schema";
import { importCampaign } from "../../src/services/campaigns/campaigns";
import { importScreeningBatch } from "../../src/services/leads/lead-sources";
import { createChatHarness, pollUntil, slackBlockAction, type ChatHarness } from "../support/chat-harness";
import { jsonPost, validReport } from "../support/fixtures";

const MIANYANG_CHANNEL = "C0MIANYANG01";
const HOSPITAL_CHANNEL = "C0MYHOSP0001";
const CHENGDU_GROUP = "-1001000000001";
const ZHANG = 7101;

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let slack: ChatHarness["slack"];
let telegram: ChatHarness["telegram"];

const deliver = () => h.deliver();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = (check: () => boolean | Promise<boolean>) => pollUntil(check);

/** One signed Slack request, kept so it can be delivered again byte for byte (a replay). */
function signed(body: string) {
  const timestamp = Math.floor(ctx.deps.now().getTime() / 1000);
  return (extra: Record<string, string> = {}) => h.slackRequest(body, { timestamp, headers: extra });
}

function pressBody(user: string, channel: string, actionId: string, value: string, actionTs: string) {
  return new URLSearchParams({
    payload: JSON.stringify(slackBlockAction({ user, channel, trigger: `trig-${actionTs}`, messageTs: "1700000000.000100", actionId, blockId: "b", value, actionTs })),
  }).toString();
}

async function joinSlack(name: string, user: string) {
  const { code } = await h.invite(name);
  const res = await h.slackCommand(user, `join ${code}`, { channel: `D${user}`, trigger: `join-${user}` });
  expect(res.status).toBe(200);
}

const linksIn = (pattern: RegExp) => slack.callsTo("chat.postEphemeral").filter((c) => pattern.test(String(c.body.text)));

/** Delivers one signed press three times (twice as is, once as a Slack retry); returns the ephemerals carrying a link. */
async function pressThrice(body: string, link: RegExp) {
  const send = signed(body);
  expect((await send()).status).toBe(200);
  await until(() => linksIn(link).length >= 1);
  expect((await send()).status).toBe(200);
  expect((await send({ "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" })).status).toBe(200);
  // The repeats' work runs after their acks: give it time to (wrongly) answer.
  await sleep(600);
  return linksIn(link);
}

beforeAll(async () => {
  h = await createChatHarness({ now: new Date("2026-12-01T02:00:00Z") });
  ({ ctx, slack, telegram } = h);
  await joinSlack("Tom Lee", "U0TOM");
  await joinSlack("Amy Wang", "U0AMY");
});

afterAll(async () => {
  await h.close();
});

describe("a Slack press delivered again (replay within the signature window, or a Slack retry)", () => {
  it("Open case: one case link, one issue logged", async () => {
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: { districtCode: "510703" }, targetName: "涪城某某药房", subject: "pharmacy", violationType: "drugs_for_daily_goods" })));
    expect(res.status).toBe(201);
    await deliver();
    const lead = (await ctx.db.select().from(leads)).find((l) => l.targetName === "涪城某某药房")!;
    const links = await pressThrice(pressBody("U0TOM", MIANYANG_CHANNEL, "fw:open", lead.id, "1764570000.000001"), /\/cases\//);
    expect(links).toHaveLength(1);
    expect(await ctx.db.select().from(events).where(and(eq(events.entityId, lead.id), eq(events.action, "lead.case_link_issued")))).toHaveLength(1);
    // A new press (a new action_ts) is a new request for a link.
    await signed(pressBody("U0TOM", MIANYANG_CHANNEL, "fw:open", lead.id, "1764570001.000001"))();
    await until(() => linksIn(/\/cases\//).length >= 2);
    expect(linksIn(/\/cases\//)).toHaveLength(2);
  });

  it("Open triage page (batch): one triage link", async () => {
    const csv = "rule,institution,region_code,subject,violation_type,period_from,period_to,amount_yuan,details,ref\n规则甲,涪城某某药房R,510703,pharmacy,drugs_for_daily_goods,,,,,M-1\n";
    const { batchId } = await importScreeningBatch(ctx.deps, csv, { type: "system", platform: "cli" }, "Provincial screening", { reference: "SC-R" });
    await deliver();
    const links = await pressThrice(pressBody("U0TOM", MIANYANG_CHANNEL, "fw:b-open", batchId, "1764570002.000001"), /\/batches\//);
    expect(links).toHaveLength(1);
  });

  it("Unit page (campaign card): one unit-page link", async () => {
    const { campaignId } = await importCampaign(
      ctx.deps,
      { id: "dec-my", name: "年终自查", year: 2026, regionCode: "510700", issuer: "绵阳市医疗保障局", deliverables: [{ key: "dec-my-report", title: "年终自查报告", titleEn: "Year-end report", unitKinds: ["institution"], due: "2026-12-10" }] },
      { type: "system", platform: "cli" },
    );
    const asg = (await ctx.db.select().from(assignments).where(and(eq(assignments.campaignId, campaignId), eq(assignments.unitId, "mianyang-central-hospital"))))[0]!;
    const links = await pressThrice(pressBody("U0AMY", HOSPITAL_CHANNEL, "fw:c-open", asg.id, "1764570003.000001"), /\/units\//);
    expect(links).toHaveLength(1);
  });
});

describe("a Telegram press delivered twice", () => {
  it("queues one private case link (the update id is the dedupe key)", async () => {
    const { code } = await h.invite("张明");
    await h.sendTelegram(ZHANG, `/start ${code}`, { id: 9000 });
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: { districtCode: "510104" }, targetName: "锦江某某医院" })));
    expect(res.status).toBe(201);
    await deliver();
    const lead = (await ctx.db.select().from(leads)).find((l) => l.targetName === "锦江某某医院")!;
    // The same update (id 9001, callback cb9001) twice.
    const press = () => h.pressTelegram(ZHANG, CHENGDU_GROUP, `fw:open:${lead.id}`, 5, 9001);
    expect((await press()).status).toBe(200);
    expect((await press()).status).toBe(200);
    await deliver();
    const links = telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === String(ZHANG) && /\/cases\//.test(String(c.body.text)));
    expect(links).toHaveLength(1);
    expect(telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === CHENGDU_GROUP && /\/cases\//.test(String(c.body.text)))).toEqual([]);
  });
});
