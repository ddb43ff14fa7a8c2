// Worked examples for every preset: bands and their edges, floor, cap, rounding half up, insider uplift.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeReward, formatYuan } from "../../../src/core/rewards/compute";
import { GUANGDONG_DRAFT_POLICY, nationalPolicy, policyForRegion, regionAncestry, rewardRulesSchema, SICHUAN_POLICY } from "../../../src/core/rewards/policy";
import { MAX_AMOUNT_FEN } from "../../../src/core/money";

const yuan = (s: string) => {
  const [y, f = ""] = s.replace(/,/g, "").split(".");
  return Number(y) * 100 + Number((f + "00").slice(0, 2));
};
const reward = (policy: Parameters<typeof computeReward>[0], amount: string, extra: Omit<Parameters<typeof computeReward>[1], "verifiedAmountFen"> = {}) =>
  formatYuan(computeReward(policy, { verifiedAmountFen: yuan(amount), ...extra }).amountFen);

describe("sichuan (marginal bands, floor 200, cap 200,000)", () => {
  it("the issue's worked example: 1,234,567.89 yuan → 17,845.68 yuan", () => {
    const r = computeReward(SICHUAN_POLICY, { verifiedAmountFen: yuan("1234567.89") });
    expect(formatYuan(r.amountFen)).toBe("17,845.68");
    expect(r.steps.filter((s) => s.kind === "band").map((s) => s.kind === "band" && [s.baseFen, s.rateBp, s.shareFen])).toEqual([
      [10_000_000, 200, 200_000],
      [90_000_000, 150, 1_350_000],
      [23_456_789, 100, 234_568],
    ]);
    expect(r.floorApplied || r.capApplied).toBe(false);
  });
  it("bands' edges", () => {
    expect(reward(SICHUAN_POLICY, "100000")).toBe("2,000.00");
    expect(reward(SICHUAN_POLICY, "100000.01")).toBe("2,000.00");
    expect(reward(SICHUAN_POLICY, "100100")).toBe("2,001.50");
    expect(reward(SICHUAN_POLICY, "1000000")).toBe("15,500.00");
    expect(reward(SICHUAN_POLICY, "1000100")).toBe("15,501.00");
    expect(reward(SICHUAN_POLICY, "10000000")).toBe("105,500.00");
    expect(reward(SICHUAN_POLICY, "10000100")).toBe("105,500.50");
    expect(reward(SICHUAN_POLICY, "20000000")).toBe("155,500.00");
  });
  it("floor and cap", () => {
    expect(reward(SICHUAN_POLICY, "9999.99")).toBe("200.00");
    expect(reward(SICHUAN_POLICY, "10000")).toBe("200.00");
    expect(reward(SICHUAN_POLICY, "10000.50")).toBe("200.01");
    expect(reward(SICHUAN_POLICY, "28900000")).toBe("200,000.00");
    expect(reward(SICHUAN_POLICY, "28899999.99")).toBe("200,000.00");
    expect(reward(SICHUAN_POLICY, "28800000")).toBe("199,500.00");
    expect(computeReward(SICHUAN_POLICY, { verifiedAmountFen: yuan("500000000") }).capApplied).toBe(true);
    expect(computeReward(SICHUAN_POLICY, { verifiedAmountFen: yuan("1") }).floorApplied).toBe(true);
  });
  it("no fund loss, no reward", () => {
    expect(computeReward(SICHUAN_POLICY, { verifiedAmountFen: 0 }).amountFen).toBe(0);
  });
});

describe("national (flat proportion set by the installation)", () => {
  const two = nationalPolicy(200);
  it("rounds half up to the fen, once", () => {
    // 10,000.25 yuan × 2 % = 200.005 → 200.01; 10,000.24 → 200.0048 → 200.00.
    expect(reward(two, "10000.25")).toBe("200.01");
    expect(reward(two, "10000.24")).toBe("200.00");
    expect(reward(nationalPolicy(150), "33333.33")).toBe("500.00"); // 499.99995 → 500.00
  });
  it("floor 200, cap 200,000", () => {
    expect(reward(two, "100")).toBe("200.00");
    expect(reward(two, "10000000")).toBe("200,000.00");
    expect(reward(two, "9999999.99")).toBe("200,000.00"); // 199,999.9998 → 200,000.00
    expect(reward(two, "9999950")).toBe("199,999.00");
  });
});

describe("guangdong-draft (by level, floors 400/300/200, insiders +20 %)", () => {
  it("rates and floors by level", () => {
    expect(reward(GUANGDONG_DRAFT_POLICY, "100000", { level: 1 })).toBe("3,000.00");
    expect(reward(GUANGDONG_DRAFT_POLICY, "100000", { level: 2 })).toBe("2,000.00");
    expect(reward(GUANGDONG_DRAFT_POLICY, "100000", { level: 3 })).toBe("1,000.00");
    expect(reward(GUANGDONG_DRAFT_POLICY, "10000", { level: 1 })).toBe("400.00");
    expect(reward(GUANGDONG_DRAFT_POLICY, "10000", { level: 2 })).toBe("300.00");
    expect(reward(GUANGDONG_DRAFT_POLICY, "10000", { level: 3 })).toBe("200.00");
    expect(reward(GUANGDONG_DRAFT_POLICY, "10000")).toBe("200.00"); // level defaults to the lowest
  });
  it("insider uplift on the exact amount, before floor and cap", () => {
    expect(reward(GUANGDONG_DRAFT_POLICY, "100000", { level: 1, insider: true })).toBe("3,600.00");
    expect(reward(GUANGDONG_DRAFT_POLICY, "10000", { level: 2, insider: true })).toBe("300.00"); // 240 < 300
    // 12,345.67 × 1 % = 123.4567 → ×1.2 = 148.14804 → floor 200; at level 1: 370.3701 ×1.2 = 444.44412 → 444.44
    expect(reward(GUANGDONG_DRAFT_POLICY, "12345.67", { level: 1, insider: true })).toBe("444.44");
    expect(reward(GUANGDONG_DRAFT_POLICY, "10000000", { level: 1, insider: true })).toBe("200,000.00");
    expect(reward(SICHUAN_POLICY, "100000", { insider: true })).toBe("2,000.00"); // no uplift in Sichuan
  });
});

describe("properties", () => {
  const policies = [SICHUAN_POLICY, nationalPolicy(200), nationalPolicy(37), GUANGDONG_DRAFT_POLICY];
  it("within floor and cap, non-decreasing in the amount, and exact to half a fen", () => {
    fc.assert(
      fc.property(fc.constantFrom(...policies), fc.integer({ min: 1, max: MAX_AMOUNT_FEN - 1e9 }), fc.integer({ min: 0, max: 1e9 }), (policy, a, delta) => {
        const r1 = computeReward(policy, { verifiedAmountFen: a, level: 2 });
        const r2 = computeReward(policy, { verifiedAmountFen: a + delta, level: 2 });
        expect(r1.amountFen).toBeGreaterThanOrEqual(policy.floorFen);
        expect(r1.amountFen).toBeLessThanOrEqual(policy.capFen);
        expect(r2.amountFen).toBeGreaterThanOrEqual(r1.amountFen);
        expect(Number.isInteger(r1.amountFen)).toBe(true);
        if (!r1.floorApplied && !r1.capApplied) {
          const exact = r1.steps.reduce((sum, s) => (s.kind === "band" ? sum + (s.baseFen * s.rateBp) / 10_000 : sum), 0);
          expect(Math.abs(r1.amountFen - exact)).toBeLessThanOrEqual(0.5 + 1e-6);
        }
      }),
    );
  });
  it("refuses what is not a non-negative integer of fen", () => {
    expect(() => computeReward(SICHUAN_POLICY, { verifiedAmountFen: 1.5 })).toThrow(RangeError);
    expect(() => computeReward(SICHUAN_POLICY, { verifiedAmountFen: -1 })).toThrow(RangeError);
  });
});

describe("the policy for a region", () => {
  const rules = rewardRulesSchema.parse({ nationalRatePercent: 1.5, regions: [{ regionCode: "510000", policy: "sichuan" }, { regionCode: "440000", policy: "guangdong-draft" }] });
  it("the most specific region wins, else national at the installation's rate", () => {
    expect(regionAncestry("510104")).toEqual(["510104", "510100", "510000", "000000"]);
    expect(policyForRegion(rules, "510104").id).toBe("sichuan");
    expect(policyForRegion(rules, "440300").id).toBe("guangdong-draft");
    const other = policyForRegion(rules, "220100");
    expect(other.id).toBe("national");
    expect(other.scheme).toEqual({ kind: "flat", rateBp: 150 });
    const specific = rewardRulesSchema.parse({ regions: [{ regionCode: "510000", policy: "national" }, { regionCode: "510100", policy: "sichuan" }] });
    expect(policyForRegion(specific, "510104").id).toBe("sichuan");
    expect(policyForRegion(specific, "510700").id).toBe("national");
  });
  it("rejects a region named twice and a rate that is not a whole basis point", () => {
    expect(rewardRulesSchema.safeParse({ regions: [{ regionCode: "510000", policy: "sichuan" }, { regionCode: "510000", policy: "national" }] }).success).toBe(false);
    expect(rewardRulesSchema.safeParse({ nationalRatePercent: 1.005 }).success).toBe(false);
  });
});
