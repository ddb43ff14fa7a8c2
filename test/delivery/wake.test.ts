// When the Node delivery loop looks at the outbox: a new row wakes it only if its chat can send before
// the loop's next planned look, so a burst of tips to one paced chat costs no delivery reads per tip,
// while a row for an idle chat goes at once and rows queued without a notify are found on the capped sleep.
import { afterEach, describe, expect, it } from "vitest";
import { asBatch } from "../../src/db/client";
import { enqueueStatement, sealEnqueueInput } from "../../src/services/delivery/outbox";
import { countRoundTrips } from "../support/round-trips";
import { createHarness, CHENGDU_DISTRICT, CHENGDU_GROUP, MIANYANG_CHANNEL, MIANYANG_DISTRICT, sleep, waitFor, type Harness } from "./harness";

let h: Harness;
afterEach(() => h?.close());

/** The loop's reads of the outbox: the due heads of a round and the next due time after it. */
const isDeliveryRead = (sql: string) => /from "outbox"/.test(sql) && /"next_attempt_at"/.test(sql) && /^select/i.test(sql.trim());

const roundsOf = (platform: string) => h.chat.deliveryLoop.rounds[platform] ?? 0;

describe("the delivery loop's wake-ups", () => {
  it("a burst of tips to one paced Telegram group costs no delivery reads per tip", async () => {
    // The platforms' real pacing: one message a second to the group.
    h = await createHarness({ scale: 1 });
    const trips = countRoundTrips(h.ctx.client);
    h.chat.startDeliveryLoop();
    // The first tip finds the group idle: its card goes at once and the lane is paced from then on.
    await h.tip({ region: { districtCode: CHENGDU_DISTRICT }, targetName: "锦江某某医院W00" });
    expect(await waitFor(() => h.telegram.callsTo("sendMessage").length >= 1, 2000)).toBe(true);
    await sleep(50);

    const N = 40;
    const roundsBefore = roundsOf("telegram");
    const started = Date.now();
    const { calls } = await trips.during(async () => {
      for (let i = 1; i <= N; i++) await h.tip({ region: { districtCode: CHENGDU_DISTRICT }, targetName: `锦江某某医院W${String(i).padStart(2, "0")}` });
    });
    const elapsed = Date.now() - started;
    const interval = h.tuning.pacing.telegram.perChatIntervalMs;
    // The loop looked when the group could send again (about once an interval), not once per tip.
    const looks = roundsOf("telegram") - roundsBefore;
    const allowedLooks = Math.ceil(elapsed / interval) + 2;
    expect(looks, `${looks} rounds in ${elapsed} ms for ${N} tips`).toBeLessThanOrEqual(allowedLooks);
    const deliveryReads = calls.filter((c) => isDeliveryRead(c.sql)).length;
    // Before: every tip woke the loop (a due read and a next-due read each, 2 × N).
    expect(deliveryReads, `${deliveryReads} delivery reads in ${elapsed} ms for ${N} tips`).toBeLessThanOrEqual(2 * allowedLooks);
    expect(deliveryReads).toBeLessThan(N / 2);

    // Every card still goes, in order, within the pacing (a few here; the rest keep their slots).
    expect(await waitFor(() => h.telegram.callsTo("sendMessage").length >= 3, 5000)).toBe(true);
    const seen = h.telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === CHENGDU_GROUP).map((c) => /锦江某某医院(W\d\d)/.exec(c.body.text)?.[1]);
    expect(seen.slice(0, 3)).toEqual(["W00", "W01", "W02"]);
    expect(h.telegram.rejections).toEqual([]);
  }, 30_000);

  it("a row for an idle chat is sent at once, not at the loop's next planned look", async () => {
    // The capped sleep is long (6 s at 10×): only the notify can explain a quick send.
    h = await createHarness({ scale: 10 });
    h.chat.startDeliveryLoop();
    await waitFor(() => roundsOf("slack") >= 1 && roundsOf("telegram") >= 1, 2000);
    await sleep(100);
    const rounds = roundsOf("slack");
    const started = Date.now();
    await h.tip({ region: { districtCode: MIANYANG_DISTRICT }, targetName: "涪城某某医院I1" });
    expect(await waitFor(() => h.slack.callsTo("chat.postMessage").some((c) => c.body.channel === MIANYANG_CHANNEL), 3000, 5)).toBe(true);
    expect(Date.now() - started).toBeLessThan(h.tuning.maxSleepMs / 4);
    expect(await waitFor(() => roundsOf("slack") > rounds, 1000, 5)).toBe(true);
  }, 20_000);

  it("a row queued by another process without a notify is found on the loop's capped sleep", async () => {
    h = await createHarness({ scale: 10, tuning: { maxSleepMs: 400 } });
    h.chat.startDeliveryLoop();
    await waitFor(() => roundsOf("telegram") >= 1, 2000);
    await sleep(50);
    // As the admin CLI or a second instance would: written, nobody told.
    await h.ctx.db.batch(
      asBatch([
        enqueueStatement(
          h.ctx.deps,
          await sealEnqueueInput(h.ctx.deps, { dedupeKey: "t:elsewhere", platform: "telegram", chatId: CHENGDU_GROUP, kind: "text", payload: { message: { kind: "text", text: "from elsewhere" } } }),
        ),
      ]),
    );
    expect(await waitFor(() => h.telegram.callsTo("sendMessage").some((c) => c.body.text === "from elsewhere"), 2000)).toBe(true);
  }, 20_000);
});
