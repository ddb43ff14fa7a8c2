// A burst of tips to one DingTalk group is delivered at the robot limit (20 messages a minute per group,
// one every 3 s; here 20× faster on both sides, the fake enforcing the same), each card once; a throttled
// answer is retried after its wait, without calling early. Runs on the real clock, except the burst: it
// runs on a virtual clock shared with the fake (test/delivery/virtual-time.ts), so it waits for no one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatRuntime, type ChatRuntime } from "../../src/chat/runtime";
import { scaledTuning } from "../../src/services/delivery/outbox";
import { importOrganisation } from "../../src/services/org/org";
import { exampleOrg } from "../support/chat-harness";
import { createTestContext, type TestContext } from "../support/context";
import { fakeDingtalkEnv } from "../support/dingtalk-moves";
import { FakeDingtalk } from "../support/fake-dingtalk";
import { jsonPost, validReport } from "../support/fixtures";
import { waitFor } from "../delivery/harness";
import { useVirtualClock } from "../delivery/virtual-time";

const GROUP = "cidChengdu01==";
const SCALE = 20;
const tuning = scaledTuning(SCALE);
const pacing = tuning.pacing.dingtalk;

let ctx: TestContext;
let chat: ChatRuntime;
let fake: FakeDingtalk;
let client = 0;

async function tip(targetName: string) {
  const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: { districtCode: "510104" }, targetName }), { "x-test-client": `198.51.100.${++client % 250}` }));
  if (res.status !== 201) throw new Error(`tip refused: ${res.status}`);
}
const cardsSent = () => fake.callsTo("card/instances/createAndDeliver").filter((c) => c.body.openSpaceId === `dtv1.card//IM_GROUP.${GROUP}`);

beforeAll(async () => {
  fake = await new FakeDingtalk().start();
  ctx = await createTestContext({ ...fakeDingtalkEnv(fake), PUBLIC_BASE_URL: "https://fundwatch.example.gov.cn", REPORTS_PER_HOUR: "10000" });
  (ctx.deps as { now: () => Date }).now = () => new Date();
  fake.enforce({ perChatIntervalMs: pacing.perChatIntervalMs, groupMax: 20, groupWindowMs: pacing.groupWindowMs, retryAfterUnitMs: tuning.retryAfterUnitMs, toleranceMs: 2 });
  chat = createChatRuntime(ctx.deps, { consoleWrite: () => undefined, tuning, callTimeoutMs: 2000 });
  ctx.deps.chat = chat;
  ctx.deps.notifyOutbox = () => chat.notify();
  const org = exampleOrg((file) => Object.assign(file.teams.find((t) => t.name === "成都市核查一组")!, { platform: "dingtalk", chatId: GROUP }));
  await importOrganisation(ctx.deps, org, { type: "system", platform: "cli" });
  chat.startDeliveryLoop();
});

afterAll(async () => {
  await chat.close();
  await ctx.close();
  await fake.stop();
});

describe("delivery to a DingTalk group", () => {
  it("retries a throttled card after the wait, once, without calling early", async () => {
    // Warm the token so the injected fault hits the card call.
    await tip("青羊某某诊所00");
    expect(await waitFor(() => cardsSent().length >= 1, 10_000)).toBe(true);
    fake.failNextFor(GROUP, 1, { status: 429 });
    await tip("青羊某某诊所01");
    expect(await waitFor(() => cardsSent().length >= 2, 10_000)).toBe(true);
    expect(fake.received.filter((r) => r.status === 429)).toHaveLength(1);
    expect(fake.rejections.filter((r) => r.early)).toEqual([]);
    expect(cardsSent().map((c) => c.body.cardData.cardParamMap.markdown).filter((m: string) => m.includes("青羊某某诊所01"))).toHaveLength(1);
  }, 30_000);

  it("paces a burst of 25 cards at 20 a minute (scaled), each once and in order", async () => {
    const before = cardsSent().length;
    const targets: string[] = [];
    // Virtual time (a call costs 2 ms of it, about a loopback round trip): the loop's sleeps and the
    // fake's clock skip ahead only while nothing is in flight, so the spacing is the code's own.
    // The loop restarts on each clock, so no sleep of it is left on the other one.
    await chat.deliveryLoop.stop();
    const clock = useVirtualClock({ chat, fakes: [fake], client: ctx.client }, { callLatencyMs: 2 });
    chat.startDeliveryLoop();
    try {
      for (let i = 0; i < 25; i++) {
        const target = `锦江某某医院${String(i).padStart(2, "0")}`;
        targets.push(target);
        await tip(target);
      }
      expect(await clock.runUntil(() => cardsSent().length >= before + 25, 20_000)).toBe(true);
      const last = Date.now();
      await clock.runUntil(() => Date.now() >= last + 300, 10_000); // nothing more may arrive
      await chat.deliveryLoop.stop();
    } finally {
      clock.restore();
      chat.startDeliveryLoop();
    }
    const posts = cardsSent().slice(before);
    expect(posts.map((c) => /锦江某某医院\d\d/.exec(String(c.body.cardData.cardParamMap.markdown))?.[0])).toEqual(targets);
    expect(fake.rejections).toEqual([]);
    // Never two within the interval, never more than 20 in a window.
    for (let i = 1; i < posts.length; i++) expect(posts[i]!.at - posts[i - 1]!.at).toBeGreaterThanOrEqual(pacing.perChatIntervalMs - 2);
    for (let i = 20; i < posts.length; i++) expect(posts[i]!.at - posts[i - 20]!.at).toBeGreaterThanOrEqual(pacing.groupWindowMs - 2);
  }, 40_000);
});
