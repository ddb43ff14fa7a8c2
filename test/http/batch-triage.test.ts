// The triage page of a screening batch through app.request(): signed per-member links (expired or
// foreign → 403 page, never 5xx), need-to-know listing with filters and pages, bulk actions that log
// one event per lead in a bounded number of round trips and take effect once per form, the feedback
// file, and index-only query plans on a 2,000-row batch.
import { and, count, eq, inArray, like, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leads, members, outbox } from "../../src/db/schema";
import { batchLinkToken } from "../../src/services/leads/batch-cards";
import { TRIAGE_QUERY_FOR_PLAN } from "../../src/services/leads/batch-triage";
import { importScreeningBatch } from "../../src/services/leads/lead-sources";
import { createTestContext, type TestContext } from "../support/context";
import { countRoundTrips, importExampleOrg } from "../support/round-trips";
import { inJsonArray } from "../../src/db/chunk";

const HEADER = "rule,institution,region_code,subject,violation_type,period_from,period_to,amount_yuan,details,ref";
const staff = { type: "member" as const, id: "mem_coordinator", role: "coordinator", platform: "cli" };

let ctx: TestContext;
let trips: ReturnType<typeof countRoundTrips>;
const ids: Record<string, string> = {};
let batchId = "";
let otherBatchId = "";

/** 300 rows in Chengdu (rules A/B/C), then 40 in Mianyang; rows 10 and 11 are about one institution (one lead). */
function triageCsv(tag: string): string {
  const lines = [HEADER];
  for (let i = 0; i < 300; i++) lines.push(`规则${"ABC"[i % 3]},${tag}成都某某医院${i === 11 ? 10 : i},510104,medical_institution,ghost_admission,,,${i},,${tag}-${i}`);
  for (let i = 0; i < 40; i++) lines.push(`规则M,${tag}涪城某某药房${i},510703,pharmacy,drugs_for_daily_goods,,,,,${tag}-m${i}`);
  return lines.join("\n") + "\n";
}

async function link(name: string, batch = batchId, minutes = 30) {
  const token = await batchLinkToken(ctx.deps, batch, ids[name]!, ctx.deps.now().getTime() + minutes * 60_000);
  return `/batches/${batch}?t=${encodeURIComponent(token)}`;
}

async function open(url: string) {
  const res = await ctx.app.request(url);
  return { status: res.status, html: await res.text() };
}

const leadsOn = (html: string) => [...html.matchAll(/<tr data-lead="([^"]+)">/g)].map((m) => m[1]!);
const formToken = (html: string) => /name="_once" value="([^"]+)"/.exec(html)![1]!;
const nextLink = (html: string) => /href="([^"]+)" rel="next"/.exec(html)?.[1]?.replace(/&amp;/g, "&") ?? null;
const prevLink = (html: string) => /href="([^"]+)" rel="prev"/.exec(html)?.[1]?.replace(/&amp;/g, "&") ?? null;

async function post(url: string, fields: [string, string][], headers: Record<string, string> = {}) {
  const actionUrl = url.replace(/^\/batches\/([^?]+)\?/, "/batches/$1/actions?");
  const res = await ctx.app.request(actionUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields).toString() });
  return { status: res.status, html: await res.text() };
}

const eventCount = async (action: string, leadIds: string[]) =>
  (await ctx.db.select({ n: count() }).from(events).where(and(eq(events.action, action), inJsonArray(events.entityId, leadIds))))[0]!.n;

beforeAll(async () => {
  ctx = await createTestContext({ PUBLIC_BASE_URL: "https://fundwatch.example.gov.cn" });
  trips = countRoundTrips(ctx.client);
  await importExampleOrg(ctx.deps);
  for (const m of await ctx.db.select().from(members)) ids[m.displayName] = m.id;
  batchId = (await importScreeningBatch(ctx.deps, triageCsv("T"), staff, "国家局筛查", { reference: "医保发〔2026〕7号", feedbackDueOn: "2026-12-20" })).batchId;
  otherBatchId = (await importScreeningBatch(ctx.deps, triageCsv("U"), staff, "省局筛查", {})).batchId;
});
afterAll(() => ctx.close());

describe("the triage link", () => {
  it("opens the page for the member it was issued to, in their language and in standards mode", async () => {
    const page = await open(await link("李娜"));
    expect(page.status).toBe(200);
    expect(page.html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(page.html).toContain('<html lang="zh-CN">');
    expect(page.html).toContain("医保发〔2026〕7号");
    expect(page.html).toContain('<label for="f-rule">');
    const tom = await open(await link("Tom Lee"));
    expect(tom.html).toContain('<html lang="en">');
    const viewed = await ctx.db.select().from(events).where(and(eq(events.action, "batch.triage_viewed"), eq(events.actorId, ids["李娜"]!)));
    expect(viewed).toHaveLength(1);
  });

  it("answers a missing, forged, expired, foreign or finance token with a clear 403 page", async () => {
    const good = await link("张明");
    const token = decodeURIComponent(good.split("t=")[1]!);
    const bad = [
      `/batches/${batchId}`,
      `/batches/${batchId}?t=`,
      `/batches/${batchId}?t=${encodeURIComponent(token.replace(/.$/, (ch) => (ch === "A" ? "B" : "A")))}`,
      // The same token for another batch, and another member's id in it.
      `/batches/${otherBatchId}?t=${encodeURIComponent(token)}`,
      `/batches/${batchId}?t=${encodeURIComponent(token.replace(ids["张明"]!, ids["李娜"]!))}`,
      `/batches/${batchId}?t=a.b.c.d`,
      `/batches/${batchId}?t=${"x".repeat(5000)}`,
      `/batches/${"z".repeat(300)}?t=${encodeURIComponent(token)}`,
      await link("刘洋"),
      `${good.replace(`/batches/${batchId}?`, `/batches/${batchId}/feedback.csv?`)}`.replace(/t=[^&]+/, "t=nope"),
    ];
    for (const url of bad) {
      const res = await open(url);
      expect(res.status, url.slice(0, 80)).toBe(403);
      expect(res.html).toContain("分拣页链接无效或已过期");
    }
    ctx.setNow(new Date(ctx.deps.now().getTime() + 31 * 60_000));
    expect((await open(good)).status).toBe(403);
    ctx.setNow(new Date(ctx.deps.now().getTime() - 31 * 60_000));
    expect((await open(good)).status).toBe(200);
  });
});

describe("listing", () => {
  it("shows each member only the leads they may see, in the file's order, 100 a page", async () => {
    const chengduLeads = (await ctx.db.selectDistinct({ id: leads.id }).from(leads).where(like(leads.targetName, "T成都%"))).length;
    expect(chengduLeads).toBe(299);
    // Team lead of the Chengdu team: its 299 leads over 3 pages, none of Mianyang's.
    let page = await open(await link("李娜"));
    const seen: string[] = [];
    for (let i = 0; i < 5 && page.status === 200; i++) {
      const on = leadsOn(page.html);
      expect(on.length).toBeLessThanOrEqual(100);
      seen.push(...on);
      const next = nextLink(page.html);
      if (!next) break;
      page = await open(next);
    }
    expect(seen).toHaveLength(299);
    expect(new Set(seen).size).toBe(299);
    expect(page.html).not.toContain("涪城某某药房");
    // Back from the last page is the second page.
    const back = await open(prevLink(page.html)!);
    expect(leadsOn(back.html)).toEqual(seen.slice(100, 200));
    // Rows 10 and 11 share a lead: it is listed once, at its first row.
    expect(seen.length).toBe(new Set(seen).size);
    // The Mianyang inspector sees Mianyang's 40 only; the coordinator all 339.
    expect(leadsOn((await open(await link("Tom Lee"))).html)).toHaveLength(40);
    const coordinatorFirst = await open(await link("陈静"));
    expect(leadsOn(coordinatorFirst.html)).toHaveLength(100);
  });

  it("filters by rule, institution, region, state and assignee with plain GET parameters", async () => {
    const base = await link("陈静");
    const all = async (url: string) => {
      const out: string[] = [];
      for (let next: string | null = url; next; ) {
        const page = await open(next);
        out.push(...leadsOn(page.html));
        next = nextLink(page.html);
      }
      return out;
    };
    expect(await all(`${base}&rule=${encodeURIComponent("规则A")}`)).toHaveLength(100);
    expect(await all(`${base}&rule=${encodeURIComponent("规则M")}`)).toHaveLength(40);
    expect(await all(`${base}&institution=${encodeURIComponent("T成都某某医院10")}`)).toHaveLength(1 + 10); // 10, 100–109
    expect(await all(`${base}&region=510700`)).toHaveLength(40);
    expect(await all(`${base}&region=510104`)).toHaveLength(299);
    const zhang = await all(`${base}&assignee=${ids["张明"]}`);
    const zhangInDb = (await ctx.db.select({ n: count() }).from(leads).where(and(eq(leads.assigneeId, ids["张明"]!), like(leads.targetName, "T%"))))[0]!.n;
    expect(zhang).toHaveLength(zhangInDb);
    expect(await all(`${base}&state=concluded`)).toHaveLength(0);
    // Malformed filters are ignored, never errors.
    expect((await open(`${base}&region=51&state=nonsense&after=abc`)).status).toBe(200);
  });

  it("links each lead the member may handle to its signed case page", async () => {
    const page = await open(await link("张明"));
    const caseHref = /href="(\/cases\/[^"]+)"/.exec(page.html)![1]!.replace(/&amp;/g, "&");
    const res = await ctx.app.request(caseHref);
    expect(res.status).toBe(200);
  });
});

describe("bulk actions", () => {
  it("acknowledges 150 leads with one event each in a handful of round trips, and a repeated post adds nothing", async () => {
    const url = await link("李娜");
    const p1 = await open(url);
    const p2 = await open(nextLink(p1.html)!);
    const selected = [...leadsOn(p1.html), ...leadsOn(p2.html).slice(0, 50)];
    expect(selected).toHaveLength(150);
    const fields: [string, string][] = [["_once", formToken(p1.html)], ["action", "ack"], ...selected.map((id): [string, string] => ["lead", id])];
    const cardsBefore = (await ctx.db.select({ n: count() }).from(outbox).where(eq(outbox.kind, "card")))[0]!.n;
    const measured = await trips.during(() => post(url, fields));
    expect(measured.result.status).toBe(200);
    console.log(`bulk acknowledge of 150 leads: ${measured.trips} round trips`);
    expect(measured.trips).toBeLessThanOrEqual(8);
    expect((measured.result.html.match(/data-outcome="done"/g) ?? []).length).toBe(150);
    expect(await eventCount("lead.acknowledge", selected)).toBe(150);
    const one = await ctx.db.select().from(events).where(and(eq(events.action, "lead.acknowledge"), eq(events.entityId, selected[0]!)));
    expect(one[0]).toMatchObject({ actorId: ids["李娜"], platform: "web", fromState: "new", toState: "acknowledged" });
    expect((await ctx.db.select({ n: count() }).from(leads).where(and(inJsonArray(leads.id, selected), eq(leads.state, "acknowledged"))))[0]!.n).toBe(150);
    // Batch leads have no cards of their own: acknowledging them queues none.
    expect((await ctx.db.select({ n: count() }).from(outbox).where(eq(outbox.kind, "card")))[0]!.n).toBe(cardsBefore);

    const again = await trips.during(() => post(url, fields));
    expect(again.result.status).toBe(200);
    expect((again.result.html.match(/data-outcome="already"/g) ?? []).length).toBe(150);
    expect(await eventCount("lead.acknowledge", selected)).toBe(150);
    console.log(`the same post again: ${again.trips} round trips`);
  });

  it("accepts and declines with one reason, reporting per lead what was refused", async () => {
    const url = await link("张明");
    const page = await open(url);
    const on = leadsOn(page.html);
    const mine = new Set((await ctx.db.select({ id: leads.id }).from(leads).where(and(inJsonArray(leads.id, on), eq(leads.assigneeId, ids["张明"]!)))).map((r) => r.id));
    const others = on.filter((id) => !mine.has(id));
    expect(mine.size).toBeGreaterThan(10);
    expect(others.length).toBeGreaterThan(10);
    const res = await post(url, [["_once", formToken(page.html)], ["action", "accept"], ...on.map((id): [string, string] => ["lead", id])]);
    expect(res.status).toBe(200);
    // An inspector may handle only leads assigned to them: the rest are refused, one by one, and logged.
    for (const id of mine) expect(res.html).toContain(`<tr data-lead="${id}" data-outcome="done">`);
    for (const id of others) expect(res.html).toContain(`<tr data-lead="${id}" data-outcome="refused">`);
    expect(await eventCount("lead.accept", [...mine])).toBe(mine.size);
    expect(await eventCount("lead.refused", others)).toBe(others.length);

    const lead = await open(`${await link("李娜")}&state=new`);
    const picks = leadsOn(lead.html).slice(0, 20);
    const declined = await post(await link("李娜"), [["_once", formToken(lead.html)], ["action", "decline"], ["reason", "经核查为正常住院"], ...picks.map((id): [string, string] => ["lead", id])]);
    expect(declined.status).toBe(200);
    const done = (declined.html.match(/data-outcome="done"/g) ?? []).length;
    expect(done).toBe(20);
    expect(await eventCount("lead.decline", picks)).toBe(20);
    // Without a reason nothing is declined.
    const noReason = await post(await link("李娜"), [["_once", formToken(lead.html)], ["action", "decline"], ["lead", leadsOn(lead.html)[30]!]]);
    expect(noReason.status).toBe(400);
  });

  it("assigns within the team for team leads only; an inspector's crafted post is refused per lead", async () => {
    const url = await link("李娜");
    const page = await open(`${url}&state=new`);
    const picks = leadsOn(page.html).slice(0, 10);
    const res = await post(url, [["_once", formToken(page.html)], ["action", "assign"], ["assignee", ids["李娜"]!], ...picks.map((id): [string, string] => ["lead", id])]);
    expect(res.status).toBe(200);
    const moved = (await ctx.db.select({ id: leads.id, a: leads.assigneeId }).from(leads).where(inJsonArray(leads.id, picks))).filter((l) => l.a === ids["李娜"]);
    expect(moved).toHaveLength(10);
    const reassigned = await eventCount("lead.reassigned", picks);
    expect(reassigned).toBe((res.html.match(/data-outcome="done"/g) ?? []).length);
    expect(reassigned).toBeGreaterThan(0);

    const inspector = await open(await link("张明"));
    expect(inspector.html).not.toContain('name="assignee" id');
    const crafted = await post(await link("张明"), [["_once", formToken(inspector.html)], ["action", "assign"], ["assignee", ids["张明"]!], ["lead", picks[0]!]]);
    expect(crafted.html).toContain(`<tr data-lead="${picks[0]}" data-outcome="refused">`);
    // Nobody outside the team: a Mianyang member is not a valid target for a Chengdu lead.
    const outside = await post(url, [["_once", formToken(page.html)], ["action", "assign"], ["assignee", ids["Tom Lee"]!], ["lead", picks[1]!]]);
    expect(outside.html).toContain(`<tr data-lead="${picks[1]}" data-outcome="refused">`);
  });

  it("refuses leads of another batch, a forged form token and a cross-site post", async () => {
    const url = await link("陈静");
    const page = await open(url);
    const [foreign] = await ctx.db.select({ id: leads.id }).from(leads).where(like(leads.targetName, "U成都%")).limit(1);
    const res = await post(url, [["_once", formToken(page.html)], ["action", "ack"], ["lead", foreign!.id]]);
    expect(res.html).toContain(`<tr data-lead="${foreign!.id}" data-outcome="refused">`);
    expect(await eventCount("lead.acknowledge", [foreign!.id])).toBe(0);
    const forged = await post(url, [["_once", "x".repeat(22) + ".abc." + "y".repeat(32)], ["action", "ack"], ["lead", leadsOn(page.html)[0]!]]);
    expect(forged.status).toBe(400);
    // Bound to the member: 陈静's form token does not work on 李娜's link.
    const stolen = await post(await link("李娜"), [["_once", formToken(page.html)], ["action", "ack"], ["lead", leadsOn(page.html)[0]!]]);
    expect(stolen.status).toBe(400);
    const cross = await post(url, [["_once", formToken(page.html)], ["action", "ack"], ["lead", leadsOn(page.html)[0]!]], { origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    expect(cross.status).toBe(403);
  });
});

describe("the feedback file", () => {
  it("downloads for coordinators (every row) and team leads (their team's), logged; not for inspectors", async () => {
    const csvUrl = (await link("陈静")).replace(`/batches/${batchId}?`, `/batches/${batchId}/feedback.csv?`);
    const res = await ctx.app.request(csvUrl);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.split("\r\n").filter(Boolean)).toHaveLength(1 + 340);
    expect(text).toContain("T-299");
    const xlsx = await ctx.app.request(csvUrl.replace("feedback.csv", "feedback.xlsx"));
    expect(xlsx.status).toBe(200);
    expect(new Uint8Array(await xlsx.arrayBuffer()).slice(0, 2)).toEqual(new Uint8Array([0x50, 0x4b]));
    const team = await ctx.app.request((await link("李娜")).replace(`/batches/${batchId}?`, `/batches/${batchId}/feedback.csv?`));
    expect((await team.text()).split("\r\n").filter(Boolean)).toHaveLength(1 + 300);
    const logged = await ctx.db.select().from(events).where(and(eq(events.action, "batch.feedback_downloaded"), eq(events.entityId, batchId)));
    expect(logged).toHaveLength(3);
    expect((await ctx.app.request((await link("张明")).replace(`/batches/${batchId}?`, `/batches/${batchId}/feedback.csv?`))).status).toBe(403);
  });
});

// 2,000 rows (20,000 until issue 20): the plan SQLite picks does not depend on the row count (no ANALYZE
// statistics), and a page's round trips are bounded by the page, not the batch; importing 20,000 rows
// took 100+ s on a loaded machine and timed the test out. test/services/batch-import.test.ts keeps 20,000.
describe("on a 2,000-row batch", () => {
  it("pages by index searches only (batch_rows primary key range, leads by key)", async () => {
    const lines = [HEADER];
    for (let i = 0; i < 2_000; i++) lines.push(`规则${i % 5},大某某医院${i},510104,medical_institution,ghost_admission,,,,,B-${i}`);
    const big = (await importScreeningBatch(ctx.deps, lines.join("\n") + "\n", staff, "大批次", {})).batchId;
    const plan = await ctx.db.all<{ detail: string }>(sql.raw(`EXPLAIN QUERY PLAN ${TRIAGE_QUERY_FOR_PLAN.replace(/\?/g, "'x'")}`));
    const details = plan.map((p) => p.detail);
    console.log(`triage query plan: ${details.join(" | ")}`);
    expect(details.some((d) => /SEARCH br USING (INDEX sqlite_autoindex_batch_rows_1|PRIMARY KEY) \(batch_id=\? AND row_no>\?\)/.test(d))).toBe(true);
    expect(details.some((d) => /SEARCH l USING (INDEX sqlite_autoindex_leads_1|PRIMARY KEY) \(id=\?\)/.test(d))).toBe(true);
    // Earlier rows of the same lead by the lead index (a lead has few rows), never a walk of the batch.
    expect(details.some((d) => /SEARCH b2 USING INDEX batch_rows_lead_idx \(lead_id=\?\)/.test(d))).toBe(true);
    expect(details.filter((d) => /^SCAN|TEMP B-TREE/.test(d))).toEqual([]);

    const url = await link("陈静", big);
    const started = performance.now();
    const first = await trips.during(() => open(url));
    const firstMs = performance.now() - started;
    expect(leadsOn(first.result.html)).toHaveLength(100);
    // A filter that matches only near the end walks the batch once, by index.
    const t1 = performance.now();
    const late = await open(`${url}&institution=${encodeURIComponent("大某某医院1999")}`);
    const lateMs = performance.now() - t1;
    expect(leadsOn(late.html)).toHaveLength(1);
    console.log(`triage page on 2k rows: first page ${firstMs.toFixed(0)} ms in ${first.trips} round trips; late filter match ${lateMs.toFixed(0)} ms`);
    expect(first.trips).toBeLessThanOrEqual(6);
  }, 120_000);
});
