// Claim deadlines in calendar months (Asia/Shanghai) and the review steps: coordinator, then finance.
import { describe, expect, it } from "vitest";
import { applyRewardCommand, claimDeadline, expiryWarningFrom, firstRewardTip, reconsiderationDeadline, type RewardClaimView } from "../../../src/core/rewards/claims";

const at = (s: string) => Date.parse(s);

describe("claim deadline: 2 calendar months from the notice, to the end of that day in Shanghai", () => {
  it("same day of the month, or the month's last day", () => {
    expect(new Date(claimDeadline(at("2026-12-01T02:00:00Z"), 2)).toISOString()).toBe("2027-02-01T15:59:59.999Z");
    expect(new Date(claimDeadline(at("2026-12-31T02:00:00Z"), 2)).toISOString()).toBe("2027-02-28T15:59:59.999Z");
    expect(new Date(claimDeadline(at("2027-12-31T02:00:00Z"), 2)).toISOString()).toBe("2028-02-29T15:59:59.999Z");
    expect(new Date(claimDeadline(at("2026-08-31T02:00:00Z"), 1)).toISOString()).toBe("2026-09-30T15:59:59.999Z");
  });
  it("the local date decides: 20:00 UTC on Nov 30 is already Dec 1 in Shanghai", () => {
    expect(new Date(claimDeadline(at("2026-11-30T20:00:00Z"), 2)).toISOString()).toBe("2027-02-01T15:59:59.999Z");
  });
  it("warning 14 days before; reconsideration within 30 days of the rejection", () => {
    const d = claimDeadline(at("2026-12-01T02:00:00Z"), 2);
    expect(new Date(expiryWarningFrom(d)).toISOString()).toBe("2027-01-18T15:59:59.999Z");
    expect(new Date(reconsiderationDeadline(at("2027-01-10T08:00:00Z"))).toISOString()).toBe("2027-02-09T15:59:59.999Z");
  });
});

describe("eligibility", () => {
  it("the first tip whose tipster asked for a reward", () => {
    const tips = [
      { reportId: "A", receivedAt: 1, wantsReward: false },
      { reportId: "C", receivedAt: 3, wantsReward: true },
      { reportId: "B", receivedAt: 2, wantsReward: true },
    ];
    expect(firstRewardTip(tips)?.reportId).toBe("B");
    expect(firstRewardTip(tips.slice(0, 1))).toBeNull();
  });
});

describe("review steps", () => {
  const view = (status: RewardClaimView["status"], more: Partial<RewardClaimView> = {}): RewardClaimView => ({
    status,
    claimDeadline: at("2027-02-01T15:59:59.999Z"),
    coordinatorApprovedBy: null,
    rejectedAt: null,
    reconsiderationUsed: false,
    ...more,
  });
  const now = at("2027-01-05T00:00:00Z");
  it("claim before the deadline only", () => {
    expect(applyRewardCommand(view("eligible"), { type: "claim" }, now)).toEqual({ status: "claimed" });
    expect(applyRewardCommand(view("eligible"), { type: "claim" }, at("2027-02-01T16:00:00Z"))).toEqual({ refused: "claim_deadline_passed" });
    expect(applyRewardCommand(view("claimed"), { type: "claim" }, now)).toEqual({ refused: "not_allowed_now" });
  });
  it("a coordinator and then finance, two different people, then finance pays", () => {
    expect(applyRewardCommand(view("claimed"), { type: "approve", role: "finance", memberId: "f" }, now)).toEqual({ refused: "role_not_allowed" });
    expect(applyRewardCommand(view("claimed"), { type: "approve", role: "coordinator", memberId: "c" }, now)).toEqual({ status: "coordinator_approved" });
    const approved = view("coordinator_approved", { coordinatorApprovedBy: "x" });
    expect(applyRewardCommand(approved, { type: "approve", role: "coordinator", memberId: "c" }, now)).toEqual({ refused: "role_not_allowed" });
    expect(applyRewardCommand(approved, { type: "approve", role: "finance", memberId: "x" }, now)).toEqual({ refused: "same_approver" });
    expect(applyRewardCommand(approved, { type: "approve", role: "finance", memberId: "f" }, now)).toEqual({ status: "approved" });
    // Two members, one chat account: the account of the first approval (or one its member was enrolled from) cannot give the second.
    const byAccount = view("coordinator_approved", { coordinatorApprovedBy: "x", coordinatorApprovalAccounts: ["telegram:1", "slack:U1"] });
    expect(applyRewardCommand(byAccount, { type: "approve", role: "finance", memberId: "f", accounts: ["telegram:1"] }, now)).toEqual({ refused: "same_chat_account" });
    expect(applyRewardCommand(byAccount, { type: "approve", role: "finance", memberId: "f", accounts: ["cli:member:f", "slack:U1"] }, now)).toEqual({ refused: "same_chat_account" });
    expect(applyRewardCommand(byAccount, { type: "approve", role: "finance", memberId: "f", accounts: ["telegram:2"] }, now)).toEqual({ status: "approved" });
    expect(applyRewardCommand(view("approved"), { type: "pay", role: "coordinator", memberId: "c" }, now)).toEqual({ refused: "role_not_allowed" });
    expect(applyRewardCommand(view("approved"), { type: "pay", role: "finance", memberId: "f" }, now)).toEqual({ status: "paid" });
    expect(applyRewardCommand(view("claimed"), { type: "pay", role: "finance", memberId: "f" }, now)).toEqual({ refused: "not_allowed_now" });
  });
  it("questions, rejection and one reconsideration within 30 days", () => {
    expect(applyRewardCommand(view("claimed"), { type: "ask", role: "coordinator", memberId: "c" }, now)).toEqual({ status: "question" });
    expect(applyRewardCommand(view("question"), { type: "answer" }, now)).toEqual({ status: "claimed" });
    const rejected = view("rejected", { rejectedAt: at("2027-01-10T08:00:00Z") });
    expect(applyRewardCommand(rejected, { type: "reconsider" }, at("2027-02-09T15:00:00Z"))).toEqual({ status: "reconsideration" });
    expect(applyRewardCommand(rejected, { type: "reconsider" }, at("2027-02-09T16:00:00Z"))).toEqual({ refused: "reconsideration_deadline_passed" });
    expect(applyRewardCommand({ ...rejected, reconsiderationUsed: true }, { type: "reconsider" }, now)).toEqual({ refused: "reconsideration_used" });
    expect(applyRewardCommand(view("reconsideration"), { type: "approve", role: "coordinator", memberId: "c" }, now)).toEqual({ status: "coordinator_approved" });
  });
  it("expiry at the deadline, exclusions by coordinators", () => {
    expect(applyRewardCommand(view("eligible"), { type: "expire" }, now)).toEqual({ refused: "not_allowed_now" });
    expect(applyRewardCommand(view("eligible"), { type: "expire" }, at("2027-02-01T16:00:00Z"))).toEqual({ status: "expired" });
    expect(applyRewardCommand(view("claimed"), { type: "expire" }, at("2027-03-01T00:00:00Z"))).toEqual({ refused: "not_allowed_now" });
    expect(applyRewardCommand(view("claimed"), { type: "exclude", role: "coordinator", memberId: "c" }, now)).toEqual({ status: "excluded" });
    expect(applyRewardCommand(view("claimed"), { type: "exclude", role: "finance", memberId: "f" }, now)).toEqual({ refused: "role_not_allowed" });
  });
});
