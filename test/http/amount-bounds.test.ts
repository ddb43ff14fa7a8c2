// One upper bound on amounts (MAX_AMOUNT_FEN = 10^12 fen = 100 亿元), checked where amounts come in:
// the tip API, the chat conclusion reply, hotline calls; the reward computation refuses with a coded
// error instead of failing inside. Each refusal is a clear message and changes nothing.
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_AMOUNT_FEN, parseYuanText } from "../../src/core/money";
import { SICHUAN_POLICY } from "../../src/core/rewards/policy";
import { computeReward, RewardAmountError } from "../../src/core/rewards/compute";
import { leadReports, leads, members, reports } from "../../src/db/schema";
import { answerPrompt } from "../../src/services/chat-actions";
import { createHotlineLead } from "../../src/services/leads/lead-sources";
import { runLeadCommand } from "../../src/services/leads/leads";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";
import { CHENGDU, importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
});
afterAll(async () => ctx?.close());

const count = async (table: typeof reports | typeof leads) => (await ctx.db.select().from(table)).length;

describe("amounts over the bound", () => {
  it("are refused by the tip API with a validation error, storing nothing", async () => {
    const before = await count(reports);
    for (const amountEstimate of [1e25, "1e25", 99_999_999_999_999]) {
      const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ amountEstimate })));
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; fields?: Record<string, string> } };
      expect(body.error.code).toBe("validation_failed");
      expect(Object.keys(body.error.fields ?? {})).toContain("amountEstimate");
    }
    expect(await count(reports)).toBe(before);
  });

  it("are refused in the chat conclusion reply with the bound named, and the lead stays as it was", async () => {
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都金额核对医院" })));
    const { reportId } = (await res.json()) as { reportId: string };
    const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
    const coordinator = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!;
    await ctx.db.update(members).set({ telegramUserId: "7001" }).where(eq(members.id, coordinator.id));
    for (const type of ["accept", "investigate"] as const) await runLeadCommand(ctx.deps, { leadId, command: { type }, actor: { member: coordinator, platform: "telegram" }, dedupeKey: `amount:${type}` });
    const user = { platform: "telegram" as const, userId: "7001", chatId: "-100123" };
    let n = 0;
    for (const [text, expected] of [
      ["1e25", /金额格式不正确/],
      ["99999999999999元", /金额过大，请核对（最多 10,000,000,000\.00 元）/],
      ["100000000000000000000000000", /金额过大/],
      ["2000000万", /金额过大/],
    ] as const) {
      const reply = await answerPrompt(ctx.deps, { user, purpose: "conclude_amount", leadId, text, context: { outcome: "substantiated" }, updateKey: `amount-reply-${n++}` });
      expect(reply.text).toMatch(expected);
    }
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))).toMatchObject({ state: "investigating", substantiatedAmountFen: null });
    // The bound itself is accepted, and the reward is computed (capped), not thrown.
    const ok = await answerPrompt(ctx.deps, { user, purpose: "conclude_amount", leadId, text: "10000000000", context: { outcome: "substantiated" }, updateKey: "amount-reply-ok" });
    expect(ok.text).not.toMatch(/金额/);
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))).toMatchObject({ state: "concluded", substantiatedAmountFen: MAX_AMOUNT_FEN });
  });

  it("are refused by the lead command itself, whatever the edge", async () => {
    const res = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都金额命令医院" })));
    const { reportId } = (await res.json()) as { reportId: string };
    const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
    const member = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!;
    const actor = { member, platform: "cli" as const };
    for (const type of ["accept", "investigate"] as const) await runLeadCommand(ctx.deps, { leadId, command: { type }, actor, dedupeKey: `cmd:${type}` });
    for (const amountFen of [1e25, MAX_AMOUNT_FEN + 1, 2 ** 53])
      expect(await runLeadCommand(ctx.deps, { leadId, command: { type: "conclude", outcome: "substantiated", amountFen }, actor, dedupeKey: `cmd:${amountFen}` })).toMatchObject({ status: "refused", reason: "amount_invalid" });
    expect((await ctx.db.query.leads.findFirst({ where: eq(leads.id, leadId) }))!.state).toBe("investigating");
  });

  it("are refused for hotline calls", async () => {
    const before = await count(leads);
    await expect(
      createHotlineLead(ctx.deps, { callRef: "H-1", subject: "medical_institution", violationType: "ghost_admission", regionCode: "510104", targetName: "某医院", description: "挂床", amountYuan: 1e25 }, { type: "system", platform: "cli" }),
    ).rejects.toThrow(/at most 10000000000 yuan/);
    expect(await count(leads)).toBe(before);
  });

  it("make the reward computation refuse up front with a coded error", () => {
    for (const v of [1e25, MAX_AMOUNT_FEN + 1, Number.MAX_SAFE_INTEGER + 1, Number.NaN, -1, 1.5]) {
      const err = (() => {
        try {
          computeReward(SICHUAN_POLICY, { verifiedAmountFen: v });
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(RewardAmountError);
      expect((err as RewardAmountError).code).toBe("amount_invalid");
    }
    expect(computeReward(SICHUAN_POLICY, { verifiedAmountFen: MAX_AMOUNT_FEN }).capApplied).toBe(true);
  });

  it("parses yuan by digits: anything it accepts is within the bound and exact", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        const r = parseYuanText(text);
        if (r.ok) expect(Number.isSafeInteger(r.fen) && r.fen >= 0 && r.fen <= MAX_AMOUNT_FEN).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_AMOUNT_FEN }), (fen) => {
        const text = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
        expect(parseYuanText(text)).toEqual({ ok: true, fen });
      }),
    );
    expect(parseYuanText("1.2万")).toEqual({ ok: true, fen: 1_200_000 });
    expect(parseYuanText("12,000.50元")).toEqual({ ok: true, fen: 1_200_050 });
  });
});
