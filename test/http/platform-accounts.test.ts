// The groundwork every further chat platform stands on: an organisation file names Feishu, DingTalk and
// WeCom chats; a member's account on each is bound by an invite, found by its chat user, listed, and
// released on deactivation through the one platform → column map; their webhooks answer 404 until set up.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { members, outbox } from "../../src/db/schema";
import { approvalAccount } from "../../src/services/rewards/approval-accounts";
import { accountsOf, isBound } from "../../src/services/org/chat-accounts";
import { createInvite, deactivateMember, findMemberByChatUser, importOrganisation, redeemInvite } from "../../src/services/org/org";
import { createTestContext, type TestContext } from "../support/context";
import { exampleOrg } from "../support/chat-harness";

let ctx: TestContext;
const system = { type: "system" as const, platform: "cli" };

beforeAll(async () => {
  ctx = await createTestContext();
  const org = exampleOrg((file) => {
    file.teams.push(
      { name: "飞书核查组", regionCode: "510100", focusAreas: [], violationTypes: [], coordinators: false, platform: "feishu", chatId: "oc_feishu_team", locale: "zh-CN", active: true },
      { name: "钉钉核查组", regionCode: "510100", focusAreas: [], violationTypes: [], coordinators: false, platform: "dingtalk", chatId: "cidDingTalkTeam", locale: "zh-CN", active: true },
      { name: "企微核查组", regionCode: "510100", focusAreas: [], violationTypes: [], coordinators: false, platform: "wecom", chatId: "wrWeComTeam", locale: "zh-CN", active: true },
    );
    file.members.push({ name: "多平台检查员", role: "inspector", team: "飞书核查组", locale: "zh-CN", active: true });
  });
  await importOrganisation(ctx.deps, org, system);
});
afterAll(() => ctx.close());

describe("Feishu, DingTalk and WeCom accounts and chats", () => {
  it("imports teams on feishu, dingtalk and wecom from the organisation file", async () => {
    const teams = await ctx.deps.db.query.teams.findMany();
    expect(teams.filter((t) => ["feishu", "dingtalk", "wecom"].includes(t.platform)).map((t) => `${t.platform}:${t.chatId}`).sort()).toEqual([
      "dingtalk:cidDingTalkTeam",
      "feishu:oc_feishu_team",
      "wecom:wrWeComTeam",
    ]);
  });

  it("binds one account per platform by invite, finds the member by each, and releases them all on deactivation (each told privately)", async () => {
    const member = (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "多平台检查员") }))!;
    const first = await createInvite(ctx.deps, { memberId: member.id, actor: system });
    expect((await redeemInvite(ctx.deps, { platform: "feishu", platformUserId: "ou_abc", code: first.code }))?.id).toBe(member.id);
    // A second platform only by an operator's additional-account invite, never by moving a binding.
    await expect(createInvite(ctx.deps, { memberId: member.id, actor: system })).rejects.toThrow(/already enrolled/);
    for (const [platform, userId] of [["dingtalk", "manager4711"], ["wecom", "ZhangSan"]] as const) {
      const extra = await createInvite(ctx.deps, { memberId: member.id, actor: system, additionalAccount: true });
      expect((await redeemInvite(ctx.deps, { platform, platformUserId: userId, code: extra.code }))?.id).toBe(member.id);
    }
    for (const [platform, userId] of [["feishu", "ou_abc"], ["dingtalk", "manager4711"], ["wecom", "ZhangSan"]] as const)
      expect((await findMemberByChatUser(ctx.deps, platform, userId))?.id).toBe(member.id);
    // Another platform's id space is another account: the same string elsewhere finds nobody.
    expect(await findMemberByChatUser(ctx.deps, "telegram", "ou_abc")).toBeNull();
    const bound = (await ctx.db.query.members.findFirst({ where: eq(members.id, member.id) }))!;
    expect(accountsOf(bound)).toEqual([
      { platform: "feishu", userId: "ou_abc" },
      { platform: "dingtalk", userId: "manager4711" },
      { platform: "wecom", userId: "ZhangSan" },
    ]);
    expect(approvalAccount({ member, platform: "feishu", platformUserId: "ou_abc" })).toBe("feishu:ou_abc");

    await deactivateMember(ctx.deps, { memberId: member.id, actor: system, dedupeKey: "test:deactivate" });
    const after = (await ctx.db.query.members.findFirst({ where: eq(members.id, member.id) }))!;
    expect(isBound(after)).toBe(false);
    expect(await findMemberByChatUser(ctx.deps, "feishu", "ou_abc")).toBeNull();
    const notices = (await ctx.db.select().from(outbox)).filter((r) => r.dedupeKey.startsWith(`binding-released:${member.id}:`));
    expect(notices.map((r) => `${r.platform}:${r.chatId}`).sort()).toEqual(["dingtalk:user:manager4711", "feishu:user:ou_abc", "wecom:user:ZhangSan"]);
  });

  it("answers 404 on the new platforms' webhooks while they are not configured", async () => {
    for (const [method, path] of [["POST", "/webhooks/feishu"], ["POST", "/webhooks/dingtalk"], ["GET", "/webhooks/wecom"], ["POST", "/webhooks/wecom"]] as const) {
      const res = await ctx.app.request(path, { method, ...(method === "POST" ? { headers: { "content-type": "application/json" }, body: "{}" } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
  });
});
