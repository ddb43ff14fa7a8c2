// Read receipts through the real Feishu adapter and the fake Open API (read_users over HTTP): a unit's
// reminder card in its Feishu group is watched; the tick records its contact's read once as a
// `chat.read` event and the board says "read, not acknowledged" by name; once the contact presses
// Received (a signed card callback) the watch ends and read_users is not asked again.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignments, events, readWatches } from "../../src/db/schema";
import { runTick } from "../../src/scheduler/tick";
import { campaignBoard } from "../../src/services/campaigns/board-data";
import { importCampaign } from "../../src/services/campaigns/campaigns";
import { createChatHarness, exampleOrg, type ChatHarness } from "../support/chat-harness";

const WUHOU_CHAT = "oc_5ad11d72b830411d72b836c20a000104";
const WU = "ou_wulei000000000000000000000000001"; // contact of 成都市武侯区人民医院
const sh = (local: string) => new Date(`${local}+08:00`);

let h: ChatHarness;
let ctx: ChatHarness["ctx"];
let feishu: ChatHarness["feishu"];
let campaignId = "";
let asg = "";

beforeAll(async () => {
  h = await createChatHarness({
    now: sh("2026-12-01T10:00:00"),
    org: exampleOrg((file) => {
      Object.assign(file.units.find((u) => u.id === "chengdu-wuhou-hospital")!, { platform: "feishu", chatId: WUHOU_CHAT });
    }),
  });
  ({ ctx, feishu } = h);
  await h.enrolFeishu("吴磊", WU);
  ({ campaignId } = await importCampaign(
    ctx.deps,
    { id: "dec-check", name: "年终自查", year: 2026, regionCode: "510100", issuer: "成都市医疗保障局", deliverables: [{ key: "dec-report", title: "年终自查报告", unitKinds: ["institution"], due: "2026-12-10" }] },
    { type: "system", platform: "cli" },
  ));
  asg = (await ctx.db.select().from(assignments).where(eq(assignments.campaignId, campaignId))).find((r) => r.unitId === "chengdu-wuhou-hospital")!.id;
});
afterAll(() => h?.close());

describe("read receipts on Feishu", () => {
  it("watches the reminder card, records the contact's read once and shows it on the board by name", async () => {
    ctx.setNow(sh("2026-12-03T09:00:30"));
    await runTick(ctx.deps, ctx.deps.now());
    await h.deliver();
    const reminder = feishu.sentTo(WUHOU_CHAT).at(-1)!;
    const watches = await ctx.db.select().from(readWatches).where(eq(readWatches.entityId, asg));
    expect(watches.map((w) => [w.platform, w.chatId, w.messageId])).toEqual([["feishu", WUHOU_CHAT, reminder.messageId]]);
    feishu.readsOf.set(reminder.messageId, [WU, "ou_not_a_member"]);
    for (const minutes of [3, 10]) {
      ctx.setNow(new Date(sh("2026-12-03T09:00:30").getTime() + minutes * 60_000));
      await runTick(ctx.deps, ctx.deps.now());
    }
    expect(feishu.callsTo("read_users").length).toBe(2);
    const reads = await ctx.db.select().from(events).where(and(eq(events.action, "chat.read"), eq(events.entityId, asg)));
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ platform: "feishu", platformRef: reminder.messageId });
    const board = await campaignBoard(ctx.deps, campaignId);
    const row = board!.deliverables[0]!.rows.find((r) => r.assignmentId === asg)!;
    expect(row.readNotAcknowledged.map((r) => r.name)).toEqual(["吴磊"]);
  });

  it("ends the watch once Received is pressed: read_users is not asked again", async () => {
    const res = await h.pressFeishu(WU, "c-recv", asg, { chatId: WUHOU_CHAT });
    expect(res.status).toBe(200);
    await h.deliver();
    const asked = feishu.callsTo("read_users").length;
    ctx.setNow(new Date(ctx.deps.now().getTime() + 2 * 3_600_000));
    await runTick(ctx.deps, ctx.deps.now());
    expect(feishu.callsTo("read_users").length).toBe(asked);
    const [watch] = await ctx.db.select().from(readWatches).where(eq(readWatches.entityId, asg));
    expect(watch!.doneAt).not.toBeNull();
    const board = await campaignBoard(ctx.deps, campaignId);
    expect(board!.deliverables[0]!.rows.find((r) => r.assignmentId === asg)!.readNotAcknowledged).toEqual([]);
  });
});
