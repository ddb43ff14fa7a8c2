// The tip path at scale: two database round trips per tip with warm caches (new lead and
// corroboration), counters instead of counts, and query plans that stay index lookups.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appState, events, leads, members, rateLimits } from "../../src/db/schema";
import { dueLeadsQuery } from "../../src/services/leads/escalation";
import { addMember } from "../../src/services/org/org";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";
import { CHENGDU, countRoundTrips, importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
let trips: ReturnType<typeof countRoundTrips>;

beforeAll(async () => {
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  trips = countRoundTrips(ctx.client);
});
afterAll(() => ctx.close());

const tip = async (targetName: string, extra: Record<string, unknown> = {}): Promise<Response> =>
  ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName, ...extra }), { "x-test-client": `198.51.100.${Math.floor(Math.random() * 200)}` }));

describe("round trips per tip", () => {
  it("warms the caches with a first tip", async () => {
    expect((await tip("成都某某医院")).status).toBe(201);
  });

  it("makes a new lead in at most two round trips", async () => {
    const { result, trips: n, calls } = await trips.during(() => tip("成都另一家骨科医院"));
    expect(result.status).toBe(201);
    expect(n, calls.map((c) => c.method).join(",")).toBeLessThanOrEqual(2);
    const body = (await result.json()) as { reportId: string };
    const lead = await ctx.db.select().from(leads).where(eq(leads.targetName, "成都另一家骨科医院"));
    expect(lead).toHaveLength(1);
    expect(lead[0]!.clusterSlot).toMatch(/\|51$/);
    expect(lead[0]!.nextEscalationAt).toBe(lead[0]!.ackBy);
    expect(body.reportId).toBeTruthy();
  });

  it("files a tip through the web form in at most two round trips too (the one-time token costs none)", async () => {
    const form = await (await ctx.app.request("/report")).text();
    const token = /name="_once" value="([^"]+)"/.exec(form)![1]!;
    const body = new URLSearchParams({
      _once: token,
      subject: "medical_institution",
      violationType: "medical_institution:ghost_admission",
      "region.districtCode": CHENGDU.districtCode,
      targetName: "成都网页表单医院",
      occurredFrom: "2026-03-01",
      description: "住院部长期有挂床病人，白天不在医院，仍每天记账理疗项目。",
      anonymous: "true",
    });
    const { result, trips: n, calls } = await trips.during(async () => ctx.app.request("/report", { method: "POST", body, headers: { "x-test-client": "198.51.100.250" } }));
    expect(result.status).toBe(303);
    expect(n, calls.map((c) => c.method).join(",")).toBeLessThanOrEqual(2);
  });

  it("corroborates in at most two round trips, counting the corroboration on the lead and in the event", async () => {
    const { result, trips: n } = await trips.during(() => tip("成都另一家骨科医院"));
    expect(result.status).toBe(201);
    expect(n).toBeLessThanOrEqual(2);
    const [lead] = await ctx.db.select().from(leads).where(eq(leads.targetName, "成都另一家骨科医院"));
    expect(lead!.corroborationCount).toBe(2);
    expect(lead!.version).toBe(2);
    const corroborated = await ctx.db.select().from(events).where(eq(events.action, "lead.corroborated"));
    expect(JSON.parse(corroborated.at(-1)!.data!)).toMatchObject({ corroborationCount: 2, source: "tip" });
  });

  it("still counts submissions against the hourly limit inside those round trips", async () => {
    const before = await ctx.db.select().from(rateLimits);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((r) => r.count >= 1)).toBe(true);
  });

  it("reloads the organisation when another writer changed it (org_version), and right after our own change", async () => {
    const version = async () => Number((await ctx.db.select().from(appState).where(eq(appState.key, "org_version")))[0]!.value);
    const v1 = await version();
    // A change behind the process's back (another process, the D1 console): the trigger bumps the version.
    await ctx.client.execute("UPDATE teams SET active = 0 WHERE name = '成都市核查一组'");
    expect(await version()).toBeGreaterThan(v1);
    const res = await tip("成都第三家医院");
    expect(res.status).toBe(201);
    const [lead] = await ctx.db.select().from(leads).where(eq(leads.targetName, "成都第三家医院"));
    const [team] = await ctx.client.execute({ sql: "SELECT name FROM teams WHERE id = ?", args: [lead!.teamId] }).then((r) => r.rows);
    expect(team!.name).not.toBe("成都市核查一组");
    await ctx.client.execute("UPDATE teams SET active = 1 WHERE name = '成都市核查一组'");
    // Our own write: a new inspector in the Chengdu team takes the next lead (fewest open leads).
    const [chengdu] = (await ctx.client.execute("SELECT id FROM teams WHERE name = '成都市核查一组'")).rows;
    const added = await addMember(ctx.deps, { displayName: "赵新", role: "inspector", teamId: String(chengdu!.id), actor: { type: "system", platform: "cli" } });
    const res2 = await tip("成都第四家医院");
    expect(res2.status).toBe(201);
    const [lead4] = await ctx.db.select().from(leads).where(eq(leads.targetName, "成都第四家医院"));
    expect(lead4!.assigneeId).toBe(added.id);
  });

  it("keeps members.open_leads equal to a real count (the counter routing reads)", async () => {
    const counted = await ctx.client.execute(
      "SELECT m.id, m.open_leads, (SELECT count(*) FROM leads l WHERE l.assignee_id = m.id AND l.state IN ('new','acknowledged','accepted','investigating')) AS n FROM members m",
    );
    for (const r of counted.rows) expect(Number(r.open_leads)).toBe(Number(r.n));
    const total = await ctx.db.select({ n: sql<number>`sum(${members.openLeads})` }).from(members);
    expect(Number(total[0]!.n)).toBeGreaterThan(0);
  });
});

describe("query plans of the hot path and the tick", () => {
  const plan = async (text: string, args: (string | number)[] = []) =>
    (await ctx.client.execute({ sql: `EXPLAIN QUERY PLAN ${text}`, args })).rows.map((r) => String(r.detail)).join(" | ");

  it("looks up the cluster slot holder through its unique index", async () => {
    expect(await plan("SELECT id, state, version, team_id, last_report_at FROM leads WHERE cluster_slot = ?", ["x|y|51"])).toMatch(/USING INDEX leads_cluster_slot_uq/);
  });

  it("reads members' open-lead counters through the team index", async () => {
    expect(await plan("SELECT id, open_leads FROM members WHERE team_id IN (?, ?)", ["a", "b"])).toMatch(/USING INDEX members_team_idx/);
  });

  it("selects due escalations through the partial next_escalation_at index, in its order, without a sort", async () => {
    const q = dueLeadsQuery(ctx.deps, Date.now(), 200).toSQL();
    const detail = await plan(q.sql, q.params as (string | number)[]);
    expect(detail).toMatch(/USING INDEX leads_next_escalation_idx \(next_escalation_at<\?\)/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });

  it("guards corroboration with a primary-key lookup", async () => {
    const detail = await plan("SELECT l.id, l.version FROM (SELECT 1) AS one LEFT JOIN leads AS l ON l.id = ? AND l.cluster_slot = ?", ["L-1", "x"]);
    expect(detail).toMatch(/sqlite_autoindex_leads_1|USING INDEX leads_cluster_slot_uq/);
    expect(detail).not.toMatch(/SCAN l\b/);
  });
});

describe("the hourly submission limit inside the write batch", () => {
  it("refuses the tip over the limit with 429 and stores nothing of it, still in two round trips", async () => {
    const limited = await createTestContext({ REPORTS_PER_HOUR: "2" });
    try {
      await importExampleOrg(limited.deps);
      const counter = countRoundTrips(limited.client);
      const send = async (): Promise<Response> => limited.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName: "限流医院" }), { "x-test-client": "192.0.2.77" }));
      expect((await send()).status).toBe(201);
      expect((await send()).status).toBe(201);
      const { result, trips: n } = await counter.during(send);
      expect(result.status).toBe(429);
      expect(Number(result.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(2);
      const counts = (await limited.client.execute("SELECT (SELECT count(*) FROM reports), (SELECT corroboration_count FROM leads), (SELECT max(count) FROM rate_limits)")).rows[0]!;
      expect([Number(counts[0]), Number(counts[1]), Number(counts[2])]).toEqual([2, 2, 2]);
    } finally {
      await limited.close();
    }
  });
});
