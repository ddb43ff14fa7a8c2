// The workspace's people page (/staff/people) through real sign-ins and form posts: coordinators see
// everyone, team leads their team, others get 403 in words; each member shows name, role, team or unit,
// chat enrolment or a waiting invite, and last activity; a coordinator invites (the code is shown once to
// them and works) and deactivates (after a confirmation; sessions end) through the same use cases as chat,
// once per form; finance and coordinators are left to an operator, in words; 100 members a page by keyset.
import { and, eq, inArray, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, members } from "../../src/db/schema";
import { addMember, createInvite, redeemInvite } from "../../src/services/org/org";
import { eventRow } from "../../src/services/events";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";
import { signInAs, type StaffBrowser } from "../support/staff-session";

let ctx: TestContext;
const system = { type: "system" as const, platform: "cli" as const };
const ids: Record<string, string> = {};
let chen: StaffBrowser; // 陈静, coordinator

/** One person's table row (by name), or undefined when the page does not list them. */
const rowOf = (html: string, name: string) => html.match(new RegExp(`<tr data-person="${name}">([\\s\\S]*?)</tr>`))?.[1];
/** The form key of the page's forms. */
const keyOf = (html: string) => html.match(/name="key" value="([^"]+)"/)![1]!;
const eventsOf = (action: string, memberName: string) => ctx.db.select().from(events).where(and(eq(events.action, action), eq(events.entityId, ids[memberName]!)));

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  for (const m of await ctx.db.select().from(members)) ids[m.displayName] = m.id;
  // 张明 enrolled on Telegram, 李娜 on Slack; 王强 has an invite waiting; Tom Lee nothing.
  const enrol = async (name: string, platform: "telegram" | "slack", userId: string) => {
    const { code } = await createInvite(ctx.deps, { memberId: ids[name]!, actor: system });
    expect(await redeemInvite(ctx.deps, { platform, platformUserId: userId, code })).not.toBeNull();
  };
  await enrol("张明", "telegram", "8001");
  await enrol("李娜", "slack", "U0LINA");
  await createInvite(ctx.deps, { memberId: ids["王强"]!, actor: system });
  // 张明 acknowledged a lead from Telegram at 09:30 Beijing time (an event on the lead, not on himself).
  await ctx.db.insert(events).values(eventRow({ type: "member", id: ids["张明"]!, role: "inspector", platform: "telegram", platformRef: "1" }, { occurredAt: Date.parse("2026-11-24T01:30:00Z"), entityType: "lead", entityId: "led_TEST", action: "lead.acknowledge" }));
  chen = await signInAs(ctx, ids["陈静"]!);
});
afterAll(() => ctx?.close());

describe("who sees the people page", () => {
  it("a coordinator sees every member with role, team or unit, enrolment, state and last activity", async () => {
    const page = await chen.get("/staff/people");
    expect(page.status).toBe(200);
    expect(page.html).toContain('aria-current="page"');
    for (const name of Object.keys(ids)) expect(rowOf(page.html, name), name).toBeDefined();
    const zhang = rowOf(page.html, "张明")!;
    expect(zhang).toContain("核查人员");
    expect(zhang).toContain("成都市核查一组");
    expect(zhang).toContain("Telegram");
    expect(zhang).not.toContain("已停用");
    expect(rowOf(page.html, "李娜")).toContain("Slack");
    expect(rowOf(page.html, "王强")).toContain("邀请码待使用");
    expect(rowOf(page.html, "Tom Lee")).toContain("未登记");
    // A unit's contact shows the unit.
    expect(rowOf(page.html, "周敏")).toMatch(/金牛/);
    // Last activity: 陈静 signed in and opened pages; 王强 never did anything himself.
    expect(rowOf(page.html, "陈静")).toMatch(/2026-11-24 10:00/);
    expect(rowOf(page.html, "王强")).toContain("从未");
    // Any action counts, not only the member's own record: 张明's last was a step on a lead in chat.
    expect(rowOf(page.html, "张明")).toMatch(/2026-11-24 09:30/);
    // Named by name: no member id is shown as text (ids ride only in hidden form fields).
    const visible = page.html.replace(/<input[^>]*>/g, "").replace(/href="[^"]*"/g, "");
    for (const id of Object.values(ids)) expect(visible).not.toContain(id);
  });

  it("a team lead sees only their team's members, and no actions", async () => {
    const li = await signInAs(ctx, ids["李娜"]!);
    const page = await li.get("/staff/people");
    expect(page.status).toBe(200);
    expect(page.html).toContain("本组成员：成都市核查一组");
    expect(rowOf(page.html, "张明")).toBeDefined();
    expect(rowOf(page.html, "李娜")).toBeDefined();
    for (const other of ["王强", "陈静", "刘洋", "Tom Lee", "周敏"]) expect(rowOf(page.html, other), other).toBeUndefined();
    expect(page.html).not.toContain('action="/staff/people/invite"');
    expect(page.html).not.toContain('action="/staff/people/deactivate"');
    // A forged post changes nothing and says why, with or without the confirmation step.
    for (const confirm of [{ confirm: "yes" }, {}] as Record<string, string>[]) {
      const posted = await li.post("/staff/people/deactivate", { key: "k".repeat(32), member: ids["张明"]!, ...confirm });
      expect(posted.status).toBe(403);
      expect(posted.html).toContain("只有协调员可以邀请或停用成员");
      expect(posted.html).not.toContain('data-testid="deactivate-confirm"');
    }
    expect((await ctx.db.query.members.findFirst({ where: eq(members.id, ids["张明"]!) }))!.active).toBe(true);
  });

  it("inspectors and finance get 403 in words, and no People link", async () => {
    for (const name of ["Tom Lee", "刘洋"]) {
      const browser = await signInAs(ctx, ids[name]!);
      const page = await browser.get("/staff/people");
      expect(page.status).toBe(403);
      expect(page.html).toMatch(/Only coordinators and team leads see the people list|只有协调员和组长可以查看人员列表/);
      expect(page.html).not.toContain('href="/staff/people"');
      const post = await browser.post("/staff/people/invite", { key: "k".repeat(32), member: ids["王强"]! });
      expect(post.status).toBe(403);
    }
  });
});

describe("inviting from the page", () => {
  it("shows the code once to the coordinator; it enrols the member; the same form again issues nothing new", async () => {
    const list = await chen.get("/staff/people");
    expect(rowOf(list.html, "Tom Lee")).toContain('action="/staff/people/invite"');
    const form = { key: keyOf(list.html), member: ids["Tom Lee"]! };
    const shown = await chen.post("/staff/people/invite", form);
    expect(shown.status).toBe(200);
    expect(shown.hops).toEqual([200]);
    const code = shown.html.match(/data-testid="invite-code"><code>([A-Z0-9]+)<\/code>/)![1]!;
    expect(shown.html).toContain("Tom Lee 的一次性邀请码");
    expect(shown.html).toContain(`/start ${code}`);
    const again = await chen.post("/staff/people/invite", form);
    expect(again.html).toContain(`<code>${code}</code>`);
    const invited = await eventsOf("member.invited", "Tom Lee");
    expect(invited).toHaveLength(1);
    expect([invited[0]!.actorId, invited[0]!.platform, invited[0]!.platformRef?.startsWith("ses_")]).toEqual([ids["陈静"], "web", true]);
    expect(await redeemInvite(ctx.deps, { platform: "telegram", platformUserId: "8004", code })).toMatchObject({ id: ids["Tom Lee"] });
    const after = await chen.get("/staff/people");
    expect(rowOf(after.html, "Tom Lee")).toContain("Telegram");
    expect(rowOf(after.html, "Tom Lee")).not.toContain('action="/staff/people/invite"');
  });

  it("leaves finance and coordinators to an operator, in words, and logs a forged attempt", async () => {
    const list = await chen.get("/staff/people");
    for (const name of ["刘洋", "陈静"]) {
      expect(rowOf(list.html, name)).not.toContain("<form");
      expect(rowOf(list.html, name)).toContain("仅运维人员可邀请和停用");
    }
    const refused = await chen.post("/staff/people/invite", { key: keyOf(list.html), member: ids["刘洋"]! });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain("刘洋 是财务：财务人员和协调员只能由运维人员邀请");
    expect(await eventsOf("member.invited", "刘洋")).toEqual([]);
    expect((await eventsOf("member.invite_refused", "刘洋")).map((e) => e.platform)).toEqual(["web"]);
  });

  it("refuses to invite someone already enrolled (an invite would move the account)", async () => {
    const list = await chen.get("/staff/people");
    expect(rowOf(list.html, "张明")).not.toContain('action="/staff/people/invite"');
    const refused = await chen.post("/staff/people/invite", { key: keyOf(list.html), member: ids["张明"]! });
    expect(refused.status).toBe(409);
    expect(refused.html).toContain("张明 已登记聊天账号");
    expect(await eventsOf("member.invited", "张明")).toHaveLength(1);
  });

  it("refuses an incomplete form and an unknown member without doing anything", async () => {
    const before = (await ctx.db.select().from(events).where(like(events.action, "member.%"))).length;
    expect((await chen.post("/staff/people/invite", { member: ids["Tom Lee"]! })).status).toBe(400);
    expect((await chen.post("/staff/people/invite", { key: "short", member: ids["Tom Lee"]! })).status).toBe(400);
    const unknown = await chen.post("/staff/people/deactivate", { key: "u".repeat(32), member: "mem_NOSUCHMEMBER000", confirm: "yes" });
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain("找不到该成员");
    expect((await ctx.db.select().from(events).where(like(events.action, "member.%"))).length).toBe(before);
  });
});

describe("deactivating from the page", () => {
  it("asks first, then deactivates once: chat accounts and sessions end, the list says so", async () => {
    const zhang = await signInAs(ctx, ids["张明"]!);
    expect((await zhang.get("/staff")).status).toBe(200);
    const list = await chen.get("/staff/people");
    const form = { key: keyOf(list.html), member: ids["张明"]! };
    const confirm = await chen.post("/staff/people/deactivate", form);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain("停用 张明？");
    expect((await ctx.db.query.members.findFirst({ where: eq(members.id, ids["张明"]!) }))!.active).toBe(true);
    const confirmed = { ...form, confirm: "yes" };
    const done = await chen.post("/staff/people/deactivate", confirmed);
    expect(done.hops).toEqual([303, 200]);
    expect(done.html).toContain("已停用 张明");
    expect(rowOf(done.html, "张明")).toContain("已停用");
    expect(rowOf(done.html, "张明")).toContain("未登记");
    const twice = await chen.post("/staff/people/deactivate", confirmed);
    expect(twice.hops).toEqual([303, 200]);
    const deactivated = await eventsOf("member.deactivated", "张明");
    expect(deactivated.map((e) => [e.actorId, e.platform])).toEqual([[ids["陈静"], "web"]]);
    expect((await ctx.db.query.members.findFirst({ where: eq(members.id, ids["张明"]!) }))!.telegramUserId).toBeNull();
    // His workspace session ended with the deactivation.
    expect((await zhang.get("/staff")).status).toBe(401);
  });

  it("leaves finance and coordinators to an operator, in words", async () => {
    const list = await chen.get("/staff/people");
    for (const name of ["刘洋", "陈静"]) {
      const refused = await chen.post("/staff/people/deactivate", { key: keyOf(list.html), member: ids[name]!, confirm: "yes" });
      expect(refused.status).toBe(403);
      expect(refused.html).toMatch(new RegExp(`${name} 是(财务|协调员)：财务人员和协调员只能由运维人员停用`));
      expect((await ctx.db.query.members.findFirst({ where: eq(members.id, ids[name]!) }))!.active).toBe(true);
      expect(await eventsOf("member.deactivated", name)).toEqual([]);
    }
  });
});

describe("a long list", () => {
  it("pages 100 members at a time by keyset, each member once", async () => {
    for (let i = 0; i < 140; i++) await addMember(ctx.deps, { displayName: `批量成员${String(i).padStart(3, "0")}`, role: "inspector", teamId: (await ctx.db.query.members.findFirst({ where: eq(members.id, ids["王强"]!) }))!.teamId, actor: system });
    const total = (await ctx.db.select({ id: members.id }).from(members)).length;
    const seen: string[] = [];
    let path: string | null = "/staff/people";
    let pages = 0;
    while (path) {
      const page = await chen.get(path);
      expect(page.status).toBe(200);
      const names = [...page.html.matchAll(/<tr data-person="([^"]+)">/g)].map((m) => m[1]!);
      expect(names.length).toBeLessThanOrEqual(100);
      seen.push(...names);
      pages++;
      path = page.html.match(/href="(\/staff\/people\?after=[^"]+)" rel="next"/)?.[1]?.replace(/&amp;/g, "&") ?? null;
    }
    expect(pages).toBe(Math.ceil(total / 100));
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    // A cursor that is not an id is ignored (the first page), never an error.
    expect((await chen.get("/staff/people?after=%27%20OR%201%3D1")).status).toBe(200);
    const extra = await ctx.db.select({ id: members.id }).from(members).where(inArray(members.role, ["inspector"]));
    expect(extra.length).toBeGreaterThan(140);
  });
});
