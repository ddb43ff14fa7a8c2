// Rewards in the staff workspace: the claims queue (waiting for me first), a claim's page with its
// computation and steps, the two-person rule from the page (the first approval by a coordinator, the
// same person refused the second in words, finance approves and pays with a reference), finance's
// audited view of the claimant, a form sent twice taking effect once, and others refused.
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { events, leadReports, members, rewardClaims } from "../../src/db/schema";
import { runLeadCommand } from "../../src/services/leads/leads";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, REAL_NAME, validReport } from "../support/fixtures";
import { CHENGDU, importExampleOrg } from "../support/round-trips";
import { signInAs, type StaffBrowser } from "../support/staff-session";

const BANK_ACCOUNT = "6222020200112233445";
const CLAIM = { identity: { name: "李秀英", idNumber: REAL_NAME.idNumber, phone: "13912345678" }, payout: { method: "bank", account: BANK_ACCOUNT, bankName: "中国工商银行成都分行" } };

let ctx: TestContext;
let tips = 0;
beforeEach(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
});
afterEach(async () => ctx.close());

const member = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!;
const claimRow = async (id: string) => (await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, id) }))!;
const eventsOf = (claimId: string) => ctx.db.select().from(events).where(and(eq(events.entityType, "reward_claim"), eq(events.entityId, claimId)));

/** A substantiated Chengdu tip asking for a reward (1,234,567.89 yuan), its reward claimed through the API. */
async function claimedReward(opts: { claim?: boolean } = {}): Promise<{ claimId: string; leadId: string }> {
  tips++;
  const res = await ctx.app.request(
    "/api/v1/reports",
    jsonPost(validReport({ region: CHENGDU, targetName: `成都某某骨科医院${tips}号院区`, anonymous: false, reporter: REAL_NAME, wantsReward: true }), { "x-test-client": `198.51.100.${tips}` }),
  );
  expect(res.status).toBe(201);
  const { reportId, receipt } = (await res.json()) as { reportId: string; receipt: string };
  const leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
  const actor = { member: await member("陈静"), platform: "cli" as const };
  for (const c of [{ type: "accept" as const }, { type: "investigate" as const }, { type: "conclude" as const, outcome: "substantiated" as const, amountFen: 123_456_789 }])
    await runLeadCommand(ctx.deps, { leadId, command: c, actor, dedupeKey: `wr:${leadId}:${c.type}` });
  if (opts.claim !== false) expect((await ctx.app.request("/api/v1/reports/reward-claim", jsonPost({ receipt, ...CLAIM }))).status).toBe(201);
  const claim = (await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.leadId, leadId) }))!;
  return { claimId: claim.id, leadId };
}

/** The fields of the form with this test id, as the page rendered them (hidden key and version included). */
function formOf(html: string, testId: string): Record<string, string> {
  const start = html.indexOf(`data-testid="${testId}"`);
  expect(start, `form ${testId} on the page`).toBeGreaterThan(-1);
  const form = html.slice(start, html.indexOf("</form>", start));
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(m[0])![1]!;
    fields[name] = /value="([^"]*)"/.exec(m[0])![1]!;
  }
  return fields;
}

const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

async function open(browser: StaffBrowser, claimId: string) {
  const page = await browser.get(`/staff/rewards/${claimId}`);
  expect(page.status).toBe(200);
  return page.html;
}

describe("the claims queue", () => {
  it("puts the claims waiting for my step first, for coordinators and for finance; others are refused", async () => {
    const waiting = await claimedReward();
    const unclaimed = await claimedReward({ claim: false });
    const coordinator = await signInAs(ctx, (await member("陈静")).id);
    const queue = await coordinator.get("/staff/rewards");
    expect(queue.status).toBe(200);
    const mine = queue.html.slice(queue.html.indexOf('data-testid="claims-waiting"'), queue.html.indexOf("</table>", queue.html.indexOf('data-testid="claims-waiting"')));
    expect(mine).toContain(waiting.claimId);
    expect(mine).not.toContain(unclaimed.claimId);
    expect(textOf(mine)).toMatch(/First approval, or reject|第一次审核，或驳回/);
    expect(queue.html.slice(queue.html.indexOf('data-testid="claims-in-progress"'))).toContain(unclaimed.claimId);
    expect(textOf(queue.html)).toContain("17,845.68 元");

    const finance = await signInAs(ctx, (await member("刘洋")).id);
    const financeQueue = await finance.get("/staff/rewards");
    expect(financeQueue.html).toContain('data-testid="claims-waiting-empty"');
    const financeOverview = (await finance.get("/staff")).html;
    expect(financeOverview).toContain('data-testid="overview-claims"');
    expect(financeOverview).not.toContain('data-testid="overview-mine"');

    // The overview names the claims waiting for me, with links to their pages.
    const overview = await coordinator.get("/staff");
    const claims = overview.html.slice(overview.html.indexOf('data-testid="overview-claims"'));
    expect(claims.slice(0, claims.indexOf("</section>"))).toContain(`href="/staff/rewards/${waiting.claimId}"`);
    expect(claims.slice(0, claims.indexOf("</section>"))).not.toContain(unclaimed.claimId);

    for (const name of ["张明", "李娜"]) {
      const other = await signInAs(ctx, (await member(name)).id);
      const refused = await other.get("/staff/rewards");
      expect(refused.status).toBe(403);
      expect(refused.html).toContain('data-testid="workspace-nav"');
      expect(refused.html).not.toContain('href="/staff/rewards"'); // not in their navigation either
      expect(textOf(refused.html)).toMatch(/coordinators and finance|协调组和财务/);
      expect((await other.get(`/staff/rewards/${waiting.claimId}`)).status).toBe(403);
      const post = await other.post(`/staff/rewards/${waiting.claimId}`, { action: "approve", version: "2", key: "k".repeat(24) });
      expect(post.status).toBe(403);
    }
    expect((await claimRow(waiting.claimId)).status).toBe("claimed");
    expect((await coordinator.get("/staff/rewards/rwd_doesnotexist")).status).toBe(404);
    expect((await coordinator.get("/staff/rewards/not-a-claim")).status).toBe(404);
  });
});

describe("a claim's page", () => {
  it("shows the computation; first approval from the page, the same person refused the second in words, finance approves and pays with a reference", async () => {
    const { claimId } = await claimedReward();
    const chen = await member("陈静");
    const coordinator = await signInAs(ctx, chen.id);
    let html = await open(coordinator, claimId);
    const text = textOf(html);
    expect(text).toContain("1,234,567.89 元"); // the verified amount: the basis
    expect(text).toContain("17,845.68 元");
    expect(html).toContain('data-testid="computation"');
    expect(html).toContain('data-testid="your-step"');
    expect(html).not.toContain(REAL_NAME.idNumber);
    expect(html).not.toContain(BANK_ACCOUNT);

    const approved = await coordinator.post(`/staff/rewards/${claimId}`, formOf(html, "form-approve"));
    expect(approved.hops).toEqual([303, 200]);
    expect(approved.html).toContain('data-testid="notice"');
    const first = await claimRow(claimId);
    expect(first).toMatchObject({ status: "coordinator_approved", coordinatorApprovedBy: chen.id, coordinatorApprovedVia: `web:member:${chen.id}` });
    const approveEvent = (await eventsOf(claimId)).find((e) => e.action === "reward.approve")!;
    expect(approveEvent).toMatchObject({ actorId: chen.id, platform: "web" });
    expect(approveEvent.platformRef).toBeTruthy();
    expect(textOf(approved.html)).toMatch(/First approval by 陈静|陈静作出第一次审核/);

    // The same person tries the second approval from the fresh page: refused in words, nothing changes.
    html = await open(coordinator, claimId);
    expect(html).toContain('data-testid="first-approver"');
    const again = await coordinator.post(`/staff/rewards/${claimId}`, formOf(html, "form-approve"));
    expect(again.status).toBe(403);
    expect(textOf(again.html)).toMatch(/You gave the first approval, so you cannot give the second|第一次审核是您作出的，您不能再作第二次审核/);
    expect((await claimRow(claimId)).status).toBe("coordinator_approved");

    // Finance, a different person from their own session, gives the second approval and pays.
    const liu = await member("刘洋");
    const finance = await signInAs(ctx, liu.id);
    html = await open(finance, claimId);
    expect(html).toContain('data-testid="your-step"');
    const second = await finance.post(`/staff/rewards/${claimId}`, formOf(html, "form-approve"));
    expect(second.hops).toEqual([303, 200]);
    expect(await claimRow(claimId)).toMatchObject({ status: "approved", financeApprovedBy: liu.id });
    html = second.html;
    const noRef = await finance.post(`/staff/rewards/${claimId}`, { ...formOf(html, "form-pay"), text: "  " });
    expect(noRef.status).toBe(400);
    expect((await claimRow(claimId)).status).toBe("approved");
    const paid = await finance.post(`/staff/rewards/${claimId}`, { ...formOf(html, "form-pay"), text: "ICBC-2026-001" });
    expect(paid.hops).toEqual([303, 200]);
    expect(await claimRow(claimId)).toMatchObject({ status: "paid", paidBy: liu.id });
    expect(textOf(paid.html)).toContain("ICBC-2026-001");
    expect(textOf(paid.html)).toMatch(/Marked paid by 刘洋|刘洋标记已发放/);
    const log = (await eventsOf(claimId)).map((e) => e.action);
    expect(log).toEqual(["reward.eligible", "reward.claim", "reward.approve", "reward.refused", "reward.approve", "reward.pay"]);
  });

  it("a form sent twice takes effect once; a form older than the claim changes nothing", async () => {
    const { claimId } = await claimedReward();
    const coordinator = await signInAs(ctx, (await member("陈静")).id);
    const html = await open(coordinator, claimId);
    const approve = formOf(html, "form-approve");
    const [a, b] = await Promise.all([coordinator.post(`/staff/rewards/${claimId}`, approve), coordinator.post(`/staff/rewards/${claimId}`, approve)]);
    expect([a.hops, b.hops]).toEqual([
      [303, 200],
      [303, 200],
    ]);
    const third = await coordinator.post(`/staff/rewards/${claimId}`, approve);
    expect(third.hops).toEqual([303, 200]);
    const log = (await eventsOf(claimId)).map((e) => e.action);
    expect(log.filter((a) => a === "reward.approve")).toHaveLength(1);
    expect(log).not.toContain("reward.refused");
    expect((await claimRow(claimId)).version).toBe(3);

    // The reject form from the same old page: the claim has moved on, so nothing is done.
    const stale = await coordinator.post(`/staff/rewards/${claimId}`, { ...formOf(html, "form-reject"), text: "no evidence" });
    expect(stale.status).toBe(409);
    expect((await claimRow(claimId)).status).toBe("coordinator_approved");
  });

  it("finance sees the claimant only through the audited view, each view logged; a coordinator cannot", async () => {
    const { claimId } = await claimedReward();
    const coordinator = await signInAs(ctx, (await member("陈静")).id);
    const coordinatorPage = await open(coordinator, claimId);
    expect(coordinatorPage).not.toContain('data-testid="form-claimant"');
    const tried = await coordinator.post(`/staff/rewards/${claimId}/claimant`, { reason: "curious" });
    expect(tried.status).toBe(403);
    expect(tried.html).not.toContain(REAL_NAME.idNumber);

    const liu = await member("刘洋");
    const finance = await signInAs(ctx, liu.id);
    const page = await open(finance, claimId);
    expect(page).toContain('data-testid="form-claimant"');
    expect(page).not.toContain(BANK_ACCOUNT);
    const missingReason = await finance.post(`/staff/rewards/${claimId}/claimant`, { reason: "" });
    expect(missingReason.status).toBe(400);
    expect(missingReason.html).not.toContain(BANK_ACCOUNT);
    for (let i = 0; i < 2; i++) {
      const seen = await finance.post(`/staff/rewards/${claimId}/claimant`, { reason: "payment" });
      expect(seen.status).toBe(200);
      expect(seen.html).toContain('data-testid="claimant"');
      expect(seen.html).toContain(REAL_NAME.idNumber);
      expect(seen.html).toContain(BANK_ACCOUNT);
    }
    const views = (await eventsOf(claimId)).filter((e) => e.action === "reward.claimant_viewed");
    expect(views).toHaveLength(2);
    expect(views[0]).toMatchObject({ actorId: liu.id, platform: "web" });
    expect(JSON.parse(views[0]!.data!)).toEqual({ reason: "payment" });
    const refused = (await eventsOf(claimId)).filter((e) => e.action === "reward.refused");
    expect(refused.map((e) => JSON.parse(e.data!).attempted)).toEqual(["view_claimant"]);
    // The identity never travels in a URL or stays on the claim's page.
    expect(await open(finance, claimId)).not.toContain(BANK_ACCOUNT);
  });

  it("ask, reject and exclude take their text; exclusion is a coordinator's", async () => {
    const one = await claimedReward();
    const coordinator = await signInAs(ctx, (await member("陈静")).id);
    let html = await open(coordinator, one.claimId);
    const asked = await coordinator.post(`/staff/rewards/${one.claimId}`, { ...formOf(html, "form-ask"), text: "请补充就诊时间" });
    expect(asked.hops).toEqual([303, 200]);
    expect((await claimRow(one.claimId)).status).toBe("question");
    expect(textOf(asked.html)).toContain("请补充就诊时间");
    html = asked.html;
    const excluded = await coordinator.post(`/staff/rewards/${one.claimId}`, { ...formOf(html, "form-exclude"), code: "department_staff", text: "举报人系经办机构工作人员" });
    expect(excluded.hops).toEqual([303, 200]);
    expect(await claimRow(one.claimId)).toMatchObject({ status: "excluded", exclusionReason: "department_staff" });

    const two = await claimedReward();
    const finance = await signInAs(ctx, (await member("刘洋")).id);
    html = await open(finance, two.claimId);
    expect(html).not.toContain('data-testid="form-exclude"');
    const forged = await finance.post(`/staff/rewards/${two.claimId}`, { ...formOf(html, "form-reject"), action: "exclude", code: "own_case", text: "x" });
    expect(forged.status).toBe(403);
    expect((await claimRow(two.claimId)).status).toBe("claimed");
    const rejected = await finance.post(`/staff/rewards/${two.claimId}`, { ...formOf(html, "form-reject"), text: "证据不足" });
    expect(rejected.hops).toEqual([303, 200]);
    expect((await claimRow(two.claimId)).status).toBe("rejected");
  });

  it("a coordinator adds a later tip on the same facts, once however often the form is sent", async () => {
    // Two tips on the same institution join one lead; both ask for a reward; the first earns it.
    const first = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都某某康复医院", wantsReward: true }), { "x-test-client": "198.51.100.201" }));
    const second = await ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "成都某某康复医院", wantsReward: true }), { "x-test-client": "198.51.100.202" }));
    const ids = await Promise.all([first, second].map(async (r) => ((await r.json()) as { reportId: string }).reportId));
    const links = await Promise.all(ids.map(async (id) => (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, id) }))!.leadId));
    expect(links[0]).toBe(links[1]);
    const leadId = links[0]!;
    const actor = { member: await member("陈静"), platform: "cli" as const };
    for (const c of [{ type: "accept" as const }, { type: "investigate" as const }, { type: "conclude" as const, outcome: "substantiated" as const, amountFen: 5_000_000 }])
      await runLeadCommand(ctx.deps, { leadId, command: c, actor, dedupeKey: `wr2:${c.type}` });
    const firstClaim = (await ctx.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.leadId, leadId) }))!;

    const coordinator = await signInAs(ctx, actor.member.id);
    const html = await open(coordinator, firstClaim.id);
    const offered = /name="tip"[^>]*>\s*<option value="(\d+)"/.exec(html)![1]!;
    const form = { ...formOf(html, "form-add-tip"), tip: offered, text: "两人均提供了关键证据" };
    const added = await coordinator.post(`/staff/rewards/${firstClaim.id}/add-tip`, form);
    expect(added.hops).toEqual([303, 200]);
    const again = await coordinator.post(`/staff/rewards/${firstClaim.id}/add-tip`, form);
    expect(again.hops).toEqual([303, 200]);
    expect(again.url).toBe(added.url);
    const claims = await ctx.db.select().from(rewardClaims).where(eq(rewardClaims.leadId, leadId));
    expect(claims).toHaveLength(2);
    const later = claims.find((c) => c.id !== firstClaim.id)!;
    expect(later).toMatchObject({ reportId: ids.find((id) => id !== firstClaim.reportId), status: "eligible", addedBy: actor.member.id });
    expect(added.url).toBe(`/staff/rewards/${later.id}?done=add_tip`);
    expect(textOf(added.html)).toMatch(/Added as a later tip by 陈静|由陈静增列为后续举报/);
    const log = await eventsOf(later.id);
    expect(log.filter((e) => e.action === "reward.tip_added")).toHaveLength(1);
    expect(log[0]).toMatchObject({ platform: "web", actorId: actor.member.id });
  });
});
