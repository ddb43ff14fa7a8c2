// The weekly digest through the real scheduler tick, outbox and fake Slack (the coordinators' channel):
// ticks across whole weeks (every 10 minutes around 09:00) deliver exactly one digest per week — nothing before 09:00
// Shanghai on the week's first working day (Thursday in the National Day week of 2026-10-05), one
// when two ticks run at 09:00 at once from two connections — with last week against the week before,
// open and overdue now, the deliverables due this week and the late units by name.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLibsqlDatabase } from "../../src/db/libsql-file";
import { events, teams } from "../../src/db/schema";
import { runTick } from "../../src/scheduler/tick";
import { deliverDueMessages } from "../../src/services/delivery/outbox";
import { lateUnitsSql } from "../../src/services/statistics/late-units";
import { sendWeeklyDigest } from "../../src/services/statistics/weekly-digest";
import { createChatHarness, type ChatHarness } from "../support/chat-harness";
import { TEST_DB } from "../support/context";
import { seedCampaign } from "../support/campaign-seed";

const COORDINATORS = "C0COORDINATE";
const HEADING = "FundWatch 每周统计";
const CHENGDU = { provinceCode: "510000", cityCode: "510100", districtCode: "510104" };
const MIN = 60_000;
/** A Shanghai wall-clock time as an instant. */
const sh = (local: string) => new Date(Date.parse(`${local}+08:00`));

let h: ChatHarness;
let client = 30;

const digests = () => h.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === COORDINATORS && String(c.body.text).startsWith(HEADING));
const claims = () => h.ctx.db.select().from(events).where(eq(events.action, "statistics.weekly_digest_queued"));

async function tipAt(local: string) {
  h.ctx.setNow(sh(local));
  await h.submitTip({ region: CHENGDU, targetName: `锦江某某医院${client}` }, { "x-test-client": `198.51.100.${client++}` });
}

/**
 * Tick spacing around the digest's hour (08:00–10:00 Shanghai, every day): every 10 minutes; on sqld every
 * hour (still hitting 09:00 exactly), since each tick there is several HTTP round trips. The rest of the
 * day every three hours: nothing is due then, and a week of 10-minute ticks (1,008) was most of the
 * file's time while saying no more than these.
 */
const STEP = TEST_DB === "sqld" ? 60 * MIN : 10 * MIN;
const QUIET_STEP = 180 * MIN;
const nearDigestHour = (t: number) => {
  const hour = new Date(t + 8 * 60 * MIN).getUTCHours();
  return hour >= 8 && hour < 10;
};

/** The tick's digest job and its delivery (the full tick is slow to run a week of; it runs on the due day). */
async function digestTick(t: Date) {
  await sendWeeklyDigest(h.ctx.deps, t);
  await deliverDueMessages({ ...h.ctx.deps.chat!.delivery, now: () => t });
}

/** Runs a tick every STEP near 09:00 and every QUIET_STEP otherwise over [from, to); returns the tick times at which a new digest reached Slack. */
async function tickEvery(from: string, to: string, at: (t: Date) => Promise<void>) {
  const arrivals: string[] = [];
  for (let t = sh(from).getTime(); t < sh(to).getTime(); t += STEP) {
    if (!nearDigestHour(t) && (t - sh(from).getTime()) % QUIET_STEP !== 0) continue;
    const before = digests().length;
    h.ctx.setNow(new Date(t));
    await at(new Date(t));
    for (let i = before; i < digests().length; i++) arrivals.push(new Date(t).toISOString());
  }
  return arrivals;
}

beforeAll(async () => {
  h = await createChatHarness({ now: sh("2026-09-20T10:00:00") });
});
afterAll(async () => h?.close());

describe("the weekly digest", () => {
  it("in the National Day week goes on Thursday 2026-10-08 at 09:00, the first working day, and only once", async () => {
    const arrivals = await tickEvery("2026-10-05T00:00:00", "2026-10-12T00:00:00", digestTick);
    expect(arrivals).toEqual([sh("2026-10-08T09:00:00").toISOString()]);
    const [claim, ...more] = await claims();
    expect(more).toEqual([]);
    expect([claim!.entityId, claim!.occurredAt, claim!.actorType, claim!.platform]).toEqual(["2026-10-05", sh("2026-10-08T09:00:00").getTime(), "system", "scheduler"]);
  }, 240_000);

  it("in an ordinary week goes on Monday at 09:00 exactly once, also when two ticks run at 09:00 at once", async () => {
    // Units of a campaign: its statistics table is due on Thursday 2026-12-10, its self-inspection
    // report was due on 2026-11-20 and nobody handed it in. Its own coordinators' team is not the organisation's.
    await seedCampaign(h.ctx, { units: 6, prefix: "wd" });
    await h.ctx.db.update(teams).set({ isCoordinators: false }).where(eq(teams.id, "team_wd_coord"));
    // The week before (23–29 Nov): one tip; last week (30 Nov – 6 Dec): three.
    await tipAt("2026-11-25T10:00:00");
    for (const day of ["2026-11-30T09:30:00", "2026-12-02T15:00:00", "2026-12-06T11:00:00"]) await tipAt(day);
    const other = await openLibsqlDatabase(h.ctx.deps.config.DATABASE_URL);
    try {
      const arrivals = await tickEvery("2026-12-07T00:00:00", "2026-12-14T00:00:00", async (t) => {
        // The whole scheduler tick on the due day (Monday), the digest job on the other days.
        if (t.getTime() >= sh("2026-12-08T00:00:00").getTime()) return digestTick(t);
        if (t.getTime() !== sh("2026-12-07T09:00:00").getTime()) return void (await runTick(h.ctx.deps, t));
        // Two schedulers at once (another process, another connection), and the use case a third time.
        await Promise.all([runTick(h.ctx.deps, t), runTick({ ...h.ctx.deps, db: other.db }, t), sendWeeklyDigest({ ...h.ctx.deps, db: other.db }, t)]);
        await runTick(h.ctx.deps, t);
      });
      expect(arrivals).toHaveLength(1);
      // Queued by the 09:00 tick; on Slack by that tick or the next (the channel is paced).
      expect(arrivals[0]! <= new Date(sh("2026-12-07T09:00:00").getTime() + STEP).toISOString() && arrivals[0]! >= sh("2026-12-07T09:00:00").toISOString()).toBe(true);
    } finally {
      other.client.close();
    }
    const weekClaims = (await claims()).filter((c) => c.entityId === "2026-12-07");
    expect(weekClaims.map((c) => c.occurredAt)).toEqual([sh("2026-12-07T09:00:00").getTime()]);
    expect(digests()).toHaveLength(2);

    const lines = String(digests()[1]!.body.text).split("\n");
    expect(lines[0]).toBe(`${HEADING}：上周 2026-11-30 – 2026-12-06（括号内为前一周 2026-11-23 – 2026-11-29）`);
    expect(lines).toContain("收到线索：3（1）");
    expect(lines.some((l) => /^当前未办结 \d+ · 当前逾期 \d+$/.test(l))).toBe(true);
    expect(lines).toContain("本周到期的任务：");
    expect(lines).toContain("• 医保基金专项治理wd：统计表，2026-12-10 截止；6 个单位尚未提交");
    const late = lines.find((l) => l.startsWith("逾期单位："))!;
    expect(late).toMatch(/^逾期单位：6 个——(定点医院wd\d、){4}定点医院wd\d等另外 1 个$/);
    expect(lines.at(-1)).toBe("统计页面：https://fundwatch.example.gov.cn/staff/statistics?from=2026-11-30&amp;to=2026-12-06");
  }, 240_000);

  it("reads the late units from the pending-deadline index, each campaign by its key (no scan)", async () => {
    const plan = await h.ctx.db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${lateUnitsSql(Date.now())}`);
    const details = plan.map((r) => r.detail);
    expect(details.some((d) => d.includes("USING INDEX assignments_pending_due_idx (due_at<?)"))).toBe(true);
    expect(details.some((d) => /SEARCH c USING INDEX sqlite_autoindex_campaigns_1|SEARCH c USING INTEGER PRIMARY KEY/.test(d))).toBe(true);
    expect(details.filter((d) => /^SCAN (a|c)\b/.test(d))).toEqual([]);
  });

  it("sends nothing before 09:00 and nothing twice however often the use case runs in the week", async () => {
    expect((await sendWeeklyDigest(h.ctx.deps, sh("2026-12-14T08:59:00"))).status).toBe("not_due");
    expect((await sendWeeklyDigest(h.ctx.deps, sh("2026-12-10T08:00:00"))).status).toBe("already_sent");
    expect(await sendWeeklyDigest(h.ctx.deps, sh("2026-12-14T09:00:00"))).toEqual({ status: "queued", week: "2026-12-14" });
    expect(await sendWeeklyDigest(h.ctx.deps, sh("2026-12-14T09:00:00"))).toEqual({ status: "already_sent", week: "2026-12-14" });
  });
});
