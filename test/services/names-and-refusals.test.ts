// Names, not ids, and refusals in words: every refusal code a use case gives reads as a sentence in
// zh-CN and en (never a bare code or a missing key), saying what is missing and naming — by name and
// role, from the org cache — who can do it instead, never the person who tried.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locale } from "../../src/core/report-input";
import { members, type LeadRow, type MemberRow } from "../../src/db/schema";
import { CATALOGS } from "../../src/i18n";
import { listMemberDirectory } from "../../src/services/org/member-directory";
import { memberName, namesOf } from "../../src/services/org/member-names";
import { currentOrg } from "../../src/services/org/org-cache";
import { reviewRewardClaim } from "../../src/services/rewards/claims";
import { describeRefusal, errorText, refusalText, type Refusal } from "../../src/services/refusals/refusal-text";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
const byName = new Map<string, MemberRow>();
const LOCALES: Locale[] = ["zh-CN", "en"];

// Every code the use cases give, by scope (leads/commands.ts, core/rewards/claims.ts, campaigns, batch triage, org, chat).
const CODES: Record<Refusal["scope"], string[]> = {
  lead: ["not_permitted", "unknown_lead", "invalid_transition", "reason_required", "amount_required", "amount_invalid", "no_tipster"],
  reward: ["role_not_allowed", "same_approver", "same_person", "same_chat_account", "not_allowed_now", "claim_deadline_passed", "reconsideration_used", "reconsideration_deadline_passed", "changed_meanwhile", "text_required", "claim_unknown", "none"],
  campaign: ["not_permitted", "not_contact", "already_received", "already_submitted", "already_accepted", "not_submitted", "reason_required", "invalid_deadline", "deadline_in_past", "same_deadline", "not_later", "nothing_to_move", "unknown_deliverable", "unknown_assignment", "changed_meanwhile"],
  batch: ["not_permitted", "ack_not_permitted", "not_in_batch"],
  org: ["member_bound", "operator_only_role", "member_inactive"],
  chat: ["not_enrolled", "coordinator_only", "lead_lists", "member_lists"],
};

const lead = (over: Partial<LeadRow> = {}) => ({ id: "lead_TEST", state: "new", teamId: byName.get("张明")!.teamId, assigneeId: byName.get("张明")!.id, ...over });

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  for (const m of await ctx.db.select().from(members)) byName.set(m.displayName, m);
});
afterAll(async () => ctx?.close());

describe("names", () => {
  it("names a member by name and role in each language, and never prints an id", async () => {
    const org = await currentOrg(ctx.deps);
    expect(memberName(org, byName.get("陈静")!.id, "zh-CN")).toBe("陈静（协调员）");
    expect(memberName(org, byName.get("陈静")!.id, "en")).toBe("陈静 (coordinator)");
    expect(memberName(org, byName.get("李娜")!.id, "zh-CN", { bare: true })).toBe("李娜");
    expect(memberName(org, "mem_DOESNOTEXIST", "en")).toBe("someone not on the staff list");
    expect(memberName(org, null, "zh-CN")).toBe("无");
    expect(namesOf(org, (m) => m.role === "finance", "zh-CN")).toBe("刘洋（财务）");
  });

  it("lists contacts with their unit and everyone else with their team, in one read", async () => {
    const directory = await listMemberDirectory(ctx.deps);
    const place = (name: string) => directory.find((d) => d.member.displayName === name);
    expect(place("周敏")).toMatchObject({ place: "成都市金牛区医疗保障局", placeKind: "unit" });
    expect(place("张明")).toMatchObject({ place: "成都市核查一组", placeKind: "team" });
    expect(place("刘洋")).toMatchObject({ place: null, placeKind: null });
  });
});

describe("refusals in words", () => {
  it("gives every refusal code a sentence in zh-CN and en: no missing key, no bare code, no member id", async () => {
    const org = await currentOrg(ctx.deps);
    for (const [scope, codes] of Object.entries(CODES) as [Refusal["scope"], string[]][])
      for (const code of codes)
        for (const locale of LOCALES) {
          const text = describeRefusal(org, locale, { scope, code, lead: lead(), unit: { id: "chengdu-jinniu-bureau", name: "成都市金牛区医疗保障局" }, claim: { status: "claimed", coordinatorApprovedBy: byName.get("陈静")!.id } });
          expect(text, `${scope}.${code} ${locale}`).not.toMatch(/refusal\.|\{\w+\}|mem_/);
          expect(text, `${scope}.${code} ${locale}`).not.toBe(describeRefusal(org, locale, { scope, code: "no_such_code" }));
        }
    // The keys exist in both catalogues (a missing zh-CN key would fall back to English).
    const keys = [...CATALOGS.en.keys()].filter((k) => k.startsWith("refusal.") || k.startsWith("names.") || k.startsWith("evidence_notice."));
    expect(keys.length).toBeGreaterThan(50);
    for (const k of keys) expect(CATALOGS["zh-CN"].has(k), k).toBe(true);
  });

  it("names who may work a lead — its assignee, its team lead, coordinators — but not the one who tried", async () => {
    const text = await refusalText(ctx.deps, "zh-CN", { scope: "lead", code: "not_permitted", action: "acknowledge", actorId: byName.get("王强")!.id, lead: lead() });
    expect(text).toBe("只有线索 lead_TEST 的承办人、所在小组的组长或协调员才能办理该线索。请联系：陈静（协调员）、李娜（组长）、张明（核查人员）。");
    const reassign = await refusalText(ctx.deps, "en", { scope: "lead", code: "not_permitted", action: "reassign", actorId: byName.get("张明")!.id, lead: lead() });
    expect(reassign).toBe("Only a team lead of the lead's team or a coordinator can reassign lead lead_TEST. Ask one of: 陈静 (coordinator), 李娜 (team lead).");
  });

  it("says a closed lead takes no change, whatever was tried", async () => {
    expect(await refusalText(ctx.deps, "en", { scope: "lead", code: "invalid_transition", action: "accept", lead: lead({ state: "concluded" }) })).toBe("Lead lead_TEST is closed (Concluded); nothing can be changed.");
    expect(await refusalText(ctx.deps, "zh-CN", { scope: "lead", code: "invalid_transition", action: "decline", lead: lead({ state: "investigating" }) })).toBe("线索 lead_TEST 当前为“核查中”，现在不能执行该操作；请使用线索卡片上的按钮。");
  });

  it("tells who gives each reward step, from the claim's stage", async () => {
    const coordinatorApproved = { status: "coordinator_approved", coordinatorApprovedBy: byName.get("陈静")!.id };
    expect(await refusalText(ctx.deps, "en", { scope: "reward", code: "role_not_allowed", action: "approve", claim: { status: "claimed", coordinatorApprovedBy: null } })).toBe(
      "Only a coordinator can give a reward claim its first approval. Ask one of: 陈静 (coordinator).",
    );
    expect(await refusalText(ctx.deps, "en", { scope: "reward", code: "role_not_allowed", action: "approve", claim: coordinatorApproved })).toBe("Only finance can give a reward claim its second approval. Ask one of: 刘洋 (finance).");
    expect(await refusalText(ctx.deps, "zh-CN", { scope: "reward", code: "same_approver", actorId: byName.get("刘洋")!.id, claim: coordinatorApproved })).toBe(
      "第一道审核由陈静作出，第二道复核必须由另一人作出。目前尚无该角色的人员登记，请联系系统管理员登记。",
    );
    expect(await refusalText(ctx.deps, "en", { scope: "reward", code: "not_allowed_now", action: "pay", claim: { status: "paid", coordinatorApprovedBy: null } })).toBe("This claim is closed (Paid); nothing can be changed.");
  });

  it("names the unit's enrolled contacts, or says it has none", async () => {
    const unit = { id: "chengdu-jinniu-bureau", name: "成都市金牛区医疗保障局" };
    expect(await refusalText(ctx.deps, "zh-CN", { scope: "campaign", code: "not_contact", unit })).toBe("只有成都市金牛区医疗保障局已登记的联系人才能执行该操作。请联系：周敏（单位联系人）。");
    expect(await refusalText(ctx.deps, "en", { scope: "campaign", code: "not_contact", unit, actorId: byName.get("周敏")!.id })).toBe(
      "Only the enrolled contacts of 成都市金牛区医疗保障局 can do this. 成都市金牛区医疗保障局 has no enrolled contact yet: a coordinator must invite one.",
    );
  });

  it("carries a use case's refusal with its context to the words (a reward step refused to an inspector)", async () => {
    const inspector = byName.get("张明")!;
    // No such claim: a plain coded error still reads in words.
    const missing = await reviewRewardClaim(ctx.deps, { claimId: "rwd_NONE", action: "approve", member: inspector, platform: "cli" }).catch((e: unknown) => e);
    expect(await errorText(ctx.deps, "en", missing)).toBe(CATALOGS.en.get("errors.reward_claim_unknown"));
    expect((await ctx.db.query.members.findFirst({ where: eq(members.id, inspector.id) }))?.role).toBe("inspector");
  });
});
