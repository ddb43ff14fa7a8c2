// Screening batches in the staff workspace over app.request(): the list (coordinators every batch, a
// team's members the batches that reached their team, finance none), the triage page under the
// workspace session (its layout, no token in its own links, filters and pages), bulk actions through the
// same use case as the signed page — one event per lead with platform web and the session, a repeated
// form acting once — and the feedback file for coordinators and team leads only; the signed link still works.
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, members } from "../../src/db/schema";
import { batchLinkToken } from "../../src/services/leads/batch-cards";
import { importScreeningBatch } from "../../src/services/leads/lead-sources";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";
import { SAME_ORIGIN, signInAs, type StaffBrowser } from "../support/staff-session";

const HEADER = "rule,institution,region_code,subject,violation_type,period_from,period_to,amount_yuan,details,ref";
const staff = { type: "member" as const, id: "mem_coordinator", role: "coordinator", platform: "cli" };

let ctx: TestContext;
const ids: Record<string, string> = {};
let batchId = "";
let olderBatchId = "";

/** 120 rows in Chengdu, then 10 in Mianyang. */
function csv(tag: string): string {
  const lines = [HEADER];
  for (let i = 0; i < 120; i++) lines.push(`规则${"AB"[i % 2]},${tag}成都某某医院${i},510104,medical_institution,ghost_admission,,,${i},,${tag}-${i}`);
  for (let i = 0; i < 10; i++) lines.push(`规则M,${tag}涪城某某药房${i},510703,pharmacy,drugs_for_daily_goods,,,,,${tag}-m${i}`);
  return lines.join("\n") + "\n";
}

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  for (const m of await ctx.db.select().from(members)) ids[m.displayName] = m.id;
  olderBatchId = (await importScreeningBatch(ctx.deps, csv("U"), staff, "省局筛查", {})).batchId;
  ctx.setNow(new Date(ctx.deps.now().getTime() + 60_000));
  batchId = (await importScreeningBatch(ctx.deps, csv("T"), staff, "国家局筛查", { reference: "医保发〔2026〕7号", feedbackDueOn: "2026-12-20" })).batchId;
});
afterAll(() => ctx?.close());

const leadsOn = (html: string) => [...html.matchAll(/<tr data-lead="([^"]+)">/g)].map((m) => m[1]!);
const formToken = (html: string) => /name="_once" value="([^"]+)"/.exec(html)![1]!;
const rowsOf = (html: string) => [...html.matchAll(/<tr data-batch="([^"]+)">/g)].map((m) => m[1]!);
async function bulk(who: StaffBrowser, fields: [string, string][]) {
  const res = await ctx.app.request(`/staff/batches/${batchId}/actions`, {
    method: "POST",
    headers: { cookie: who.cookie, "content-type": "application/x-www-form-urlencoded", ...SAME_ORIGIN },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, html: await res.text() };
}

describe("the batches list", () => {
  it("shows a coordinator every batch, newest first, each opening its triage page", async () => {
    const page = await (await signInAs(ctx, ids["陈静"]!)).get("/staff/batches");
    expect(page.status).toBe(200);
    expect(page.html).toContain('href="/staff/batches" aria-current="page"');
    expect(rowsOf(page.html)).toEqual([batchId, olderBatchId]);
    expect(page.html).toContain(`href="/staff/batches/${batchId}"`);
    expect(page.html).toContain("医保发〔2026〕7号");
    expect(page.html).toContain("2026-12-20");
  });

  it("shows a team's member the batches that reached their team, and finance none", async () => {
    const lead = await (await signInAs(ctx, ids["李娜"]!)).get("/staff/batches");
    expect(rowsOf(lead.html)).toEqual([batchId, olderBatchId]);
    expect(lead.html).toMatch(/data-testid="ack">\d+ 条线索；尚未确认/);
    const finance = await signInAs(ctx, ids["刘洋"]!);
    const none = await finance.get("/staff/batches");
    expect(none.status).toBe(200);
    expect(none.html).toContain('data-testid="no-batches-role"');
    expect(rowsOf(none.html)).toEqual([]);
    expect((await finance.get(`/staff/batches/${batchId}`)).status).toBe(403);
  });
});

describe("the triage page in the workspace", () => {
  it("opens under the session with the workspace's layout, no token in its links, the view logged with the session", async () => {
    const lead = await signInAs(ctx, ids["李娜"]!);
    const page = await lead.get(`/staff/batches/${batchId}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-testid="workspace-nav"');
    expect(leadsOn(page.html)).toHaveLength(100);
    expect(page.html).toContain(`action="/staff/batches/${batchId}/actions"`);
    expect(page.html).toContain(`href="/staff/batches/${batchId}/feedback.csv"`);
    // Leads open on their workspace page, not by a signed case link.
    expect(page.html).toMatch(/href="\/staff\/leads\/L-[0-9A-Z]+"/);
    expect(page.html).not.toContain('href="/cases/');
    const next = /href="([^"]+)" rel="next"/.exec(page.html)![1]!.replace(/&amp;/g, "&");
    expect(next).toMatch(new RegExp(`^/staff/batches/${batchId}\\?after=\\d+$`));
    expect(leadsOn((await lead.get(next)).html)).toHaveLength(20);
    const filtered = await lead.get(`/staff/batches/${batchId}?rule=${encodeURIComponent("规则A")}`);
    expect(leadsOn(filtered.html)).toHaveLength(60);
    const viewed = await ctx.db.select().from(events).where(and(eq(events.action, "batch.triage_viewed"), eq(events.actorId, ids["李娜"]!)));
    expect(viewed.length).toBeGreaterThanOrEqual(3);
    expect(viewed.every((e) => e.platform === "web" && (e.platformRef ?? "").length > 0)).toBe(true);
  });

  it("applies a bulk action once per form, one event per lead with platform web and the session", async () => {
    const lead = await signInAs(ctx, ids["李娜"]!);
    const page = await lead.get(`/staff/batches/${batchId}?state=new`);
    const picks = leadsOn(page.html).slice(0, 5);
    const fields: [string, string][] = [["_once", formToken(page.html)], ["action", "decline"], ["reason", "经核查为正常住院"], ...picks.map((id): [string, string] => ["lead", id])];
    const first = await bulk(lead, fields);
    expect(first.status).toBe(200);
    expect((first.html.match(/data-outcome="done"/g) ?? []).length).toBe(5);
    expect(first.html).toContain(`href="/staff/batches/${batchId}"`);
    const again = await bulk(lead, fields);
    expect((again.html.match(/data-outcome="already"/g) ?? []).length).toBe(5);
    const logged = await ctx.db.select().from(events).where(and(eq(events.action, "lead.decline"), inArray(events.entityId, picks)));
    expect(logged).toHaveLength(5);
    expect(logged.every((e) => e.platform === "web" && e.actorId === ids["李娜"] && (e.platformRef ?? "").length > 0)).toBe(true);
    // A form without its token changes nothing.
    const forged = await bulk(lead, [["_once", "x"], ["action", "ack"], ["lead", leadsOn(page.html)[9]!]]);
    expect(forged.status).toBe(400);
  });

  it("hands the feedback file to coordinators and team leads (logged with the session), not to inspectors", async () => {
    const coordinator = await signInAs(ctx, ids["陈静"]!);
    const file = await ctx.app.request(`/staff/batches/${batchId}/feedback.csv`, { headers: { cookie: coordinator.cookie } });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toContain("text/csv");
    const xlsx = await ctx.app.request(`/staff/batches/${batchId}/feedback.xlsx`, { headers: { cookie: coordinator.cookie } });
    expect(xlsx.status).toBe(200);
    const inspector = await signInAs(ctx, ids["张明"]!);
    expect((await ctx.app.request(`/staff/batches/${batchId}/feedback.csv`, { headers: { cookie: inspector.cookie } })).status).toBe(403);
    const logged = await ctx.db.select().from(events).where(and(eq(events.action, "batch.feedback_downloaded"), eq(events.entityId, batchId)));
    expect(logged).toHaveLength(2);
    expect(logged.every((e) => (e.platformRef ?? "").length > 0)).toBe(true);
  });

  it("answers an unknown batch with 404, no session with the sign-in help, and the signed link still works", async () => {
    const coordinator = await signInAs(ctx, ids["陈静"]!);
    expect((await coordinator.get("/staff/batches/nope")).status).toBe(404);
    expect((await coordinator.get(`/staff/batches/${"z".repeat(300)}`)).status).toBe(404);
    expect((await ctx.app.request(`/staff/batches/${batchId}`)).status).toBe(401);
    const token = await batchLinkToken(ctx.deps, batchId, ids["陈静"]!, ctx.deps.now().getTime() + 30 * 60_000);
    const signed = await ctx.app.request(`/batches/${batchId}?t=${encodeURIComponent(token)}`);
    expect(signed.status).toBe(200);
    expect(await signed.text()).toContain(`action="/batches/${batchId}/actions?t=`);
  });
});
