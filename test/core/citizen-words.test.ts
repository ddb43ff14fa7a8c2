// Words on English pages: counts with proper plurals through the i18n, region names with the province
// in English (lower levels as the data has them, consistently), the reward's next step on the status page.
import { describe, expect, it } from "vitest";
import { rewardNextStep } from "../../src/core/citizen-progress";
import { PROVINCE_NAMES_EN } from "../../src/core/region-names";
import { listRegions, regionDisplayName } from "../../src/core/regions";
import { REWARD_STATUSES } from "../../src/core/rewards/claims";
import { CATALOGS, t, tn } from "../../src/i18n";

describe("plurals", () => {
  it("say 1 file and 2 files in English, 个文件 in Chinese", () => {
    expect(tn("en", "citizen.files", 0)).toBe("0 files");
    expect(tn("en", "citizen.files", 1)).toBe("1 file");
    expect(tn("en", "citizen.files", 2)).toBe("2 files");
    expect(tn("en", "citizen.evidence_submitted", 1)).toBe("Evidence submitted: 1 file");
    expect(tn("en", "citizen.evidence_added", 3)).toBe("3 files added.");
    expect(tn("zh-CN", "citizen.files", 1)).toBe("1 个文件");
    expect(tn("zh-CN", "citizen.evidence_submitted", 2)).toBe("已提交的证据：2 个文件");
    expect(tn("en", "citizen.verify_genuine", 1, { id: "FW-1", authority: "A", time: "T" })).toContain("with 1 file.");
  });

  it("leave no 'file(s)' anywhere and no '(s)' in the citizen strings", () => {
    for (const [key, text] of CATALOGS.en) {
      expect(text, key).not.toContain("file(s)");
      if (key.startsWith("citizen.")) expect(text, key).not.toContain("(s)");
    }
  });

  it("fall back to `other` and then to English, never to the bare key", () => {
    expect(tn("zh-CN", "citizen.files", 1)).not.toContain("citizen.");
    expect(t("en", "citizen.files.one", { count: 1 })).toBe("1 file");
  });
});

describe("region names in English", () => {
  it("name every province-level division in English", () => {
    for (const p of listRegions(null)) expect(PROVINCE_NAMES_EN[p.code], `${p.code} ${p.name}`).toMatch(/^[A-Z][a-z]+( [A-Z][a-z]+)?$/);
  });

  it("put the province in English and keep lower levels as the data has them, in both page languages", () => {
    expect(regionDisplayName("510104", "en")).toBe("Sichuan 成都市 锦江区");
    expect(regionDisplayName("510104", "zh-CN")).toBe("四川省 成都市 锦江区");
    expect(regionDisplayName("510104")).toBe("四川省 成都市 锦江区");
    expect(regionDisplayName("110105", "en")).toBe("Beijing 朝阳区");
    expect(regionDisplayName("450000", "en")).toBe("Guangxi");
    expect(regionDisplayName("650100", "en")).toBe("Xinjiang 乌鲁木齐市");
    expect(regionDisplayName("999999", "en")).toBe("");
  });
});

describe("the reward's next step", () => {
  const deadline = new Date("2027-01-24T15:59:59.999Z");
  const reward = { amountFen: 1_784_568, deadline, paidAt: null, reconsiderationUntil: null };
  const now = new Date("2026-12-01T00:00:00Z");

  it("is the claim and its deadline while eligible, and says when the deadline has passed", () => {
    expect(rewardNextStep({ ...reward, status: "eligible" }, now)).toEqual({ kind: "reward_claim", deadline, amountFen: 1_784_568, overdue: false });
    expect(rewardNextStep({ ...reward, status: "eligible" }, new Date(deadline.getTime() + 1))).toMatchObject({ kind: "reward_claim", overdue: true });
  });

  it("follows the review: coordinators, then finance, then payment; then the payment date", () => {
    expect(rewardNextStep({ ...reward, status: "claimed" }, now)).toEqual({ kind: "reward_review", stage: "coordinators" });
    expect(rewardNextStep({ ...reward, status: "reconsideration" }, now)).toEqual({ kind: "reward_review", stage: "coordinators" });
    expect(rewardNextStep({ ...reward, status: "coordinator_approved" }, now)).toEqual({ kind: "reward_review", stage: "finance" });
    expect(rewardNextStep({ ...reward, status: "approved" }, now)).toEqual({ kind: "reward_review", stage: "payment" });
    expect(rewardNextStep({ ...reward, status: "question" }, now)).toEqual({ kind: "reward_question" });
    const paidAt = new Date("2026-12-03T06:00:00Z");
    expect(rewardNextStep({ ...reward, status: "paid", paidAt }, now)).toEqual({ kind: "reward_paid", paidAt, amountFen: 1_784_568 });
  });

  it("has words for every state in both languages", () => {
    for (const status of REWARD_STATUSES) {
      const next = rewardNextStep({ ...reward, status }, now);
      if (!next) continue;
      const key = next.kind === "reward_review" ? `citizen.next.reward_review_${next.stage}` : `citizen.next.${next.kind}`;
      expect(CATALOGS.en.has(key), key).toBe(true);
      expect(CATALOGS["zh-CN"].has(key), key).toBe(true);
    }
    expect(rewardNextStep({ ...reward, status: "expired" }, now)).toBeNull();
    expect(rewardNextStep({ ...reward, status: "excluded" }, now)).toBeNull();
  });
});
