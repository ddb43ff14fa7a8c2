// Races around leads: concurrent tips about one new institution make one lead; concurrent presses on
// one lead leave one consistent outcome (lead, tip status, messages to the tipster, events agree).
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, leadReports, leads, leadVersions, members, reportMessages, reports } from "../../src/db/schema";
import { runLeadCommand, type MemberActor } from "../../src/services/leads/leads";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost, validReport } from "../support/fixtures";
import { CHENGDU, importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
let seq = 0;

beforeAll(async () => {
  ctx = await createTestContext({ REPORTS_PER_HOUR: "10000" });
  await importExampleOrg(ctx.deps);
});
afterAll(() => ctx.close());

const submit = (targetName: string) =>
  Promise.resolve(ctx.app.request("/api/v1/reports", jsonPost(validReport({ region: CHENGDU, targetName }), { "x-test-client": `198.51.100.${seq++ % 250}` })));

async function expectOneLead(targetName: string, reportIds: string[]) {
  const rows = await ctx.db.select().from(leads).where(eq(leads.targetName, targetName));
  expect(rows).toHaveLength(1);
  const lead = rows[0]!;
  expect(lead.corroborationCount).toBe(reportIds.length);
  expect(lead.version).toBe(reportIds.length);
  const linked = await ctx.db.select().from(leadReports).where(eq(leadReports.leadId, lead.id));
  expect(linked.map((l) => l.reportId).sort()).toEqual([...reportIds].sort());
  const versions = await ctx.db.select().from(leadVersions).where(eq(leadVersions.leadId, lead.id));
  expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(reportIds.map((_, i) => i + 1));
  const leadEvents = await ctx.db.select().from(events).where(eq(events.entityId, lead.id));
  expect(leadEvents.filter((e) => e.action === "lead.created")).toHaveLength(1);
  const corroborations = leadEvents.filter((e) => e.action === "lead.corroborated").map((e) => JSON.parse(e.data!).corroborationCount as number);
  expect(corroborations.sort((a, b) => a - b)).toEqual(reportIds.slice(1).map((_, i) => i + 2));
  return lead;
}

describe("concurrent tips about one new institution", () => {
  for (const n of [6, 20]) {
    it(`make exactly one lead from ${n} simultaneous submissions through app.request()`, async () => {
      const name = `并发测试医院${n}号`;
      const responses = await Promise.all(Array.from({ length: n }, () => submit(name)));
      expect(responses.map((r) => r.status)).toEqual(Array(n).fill(201));
      const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { reportId: string }).reportId));
      await expectOneLead(name, ids);
    });
  }

  it("make exactly one lead through a real HTTP server", async () => {
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: ctx.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const name = "真实服务器并发医院";
      const body = JSON.stringify(validReport({ region: CHENGDU, targetName: name }));
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          fetch(`http://127.0.0.1:${port}/api/v1/reports`, { method: "POST", headers: { "content-type": "application/json", "x-test-client": `203.0.113.${i}` }, body }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(12).fill(201));
      const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { reportId: string }).reportId));
      await expectOneLead(name, ids);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("open a new lead once the old one is out of the window, taking its slot over exactly once", async () => {
    const name = "窗口外医院";
    const first = await submit(name);
    expect(first.status).toBe(201);
    ctx.setNow(new Date(ctx.deps.now().getTime() + (ctx.deps.config.CLUSTER_WINDOW_DAYS + 1) * 86_400_000));
    try {
      const responses = await Promise.all(Array.from({ length: 8 }, () => submit(name)));
      expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
      const rows = await ctx.db.select().from(leads).where(eq(leads.targetName, name));
      expect(rows).toHaveLength(2);
      const [old, fresh] = rows.sort((a, b) => a.receivedAt - b.receivedAt);
      expect(old!.clusterSlot).toBeNull();
      expect(old!.corroborationCount).toBe(1);
      expect(fresh!.clusterSlot).not.toBeNull();
      expect(fresh!.corroborationCount).toBe(8);
    } finally {
      ctx.setNow("2026-11-24T02:00:00.000Z");
    }
  });
});

describe("concurrent presses on one lead", () => {
  async function actors(lead: { assigneeId: string | null }) {
    const rows = await ctx.db.select().from(members);
    const assignee = rows.find((m) => m.id === lead.assigneeId)!;
    const coordinator = rows.find((m) => m.role === "coordinator")!;
    const as = (member: typeof assignee): MemberActor => ({ member, platform: "telegram" });
    return { assignee: as(assignee), coordinator: as(coordinator) };
  }

  it("decline and accept at once: one wins, and lead, tip status, tipster messages and events agree (30 tries)", async () => {
    const outcomes = { accepted: 0, not_accepted: 0 };
    for (let i = 0; i < 30; i++) {
      const name = `按键竞争医院${i}`;
      const res = await submit(name);
      expect(res.status).toBe(201);
      const { reportId } = (await res.json()) as { reportId: string };
      const [lead] = await ctx.db.select().from(leads).where(eq(leads.targetName, name));
      const who = await actors(lead!);
      const [accept, decline] = await Promise.all([
        runLeadCommand(ctx.deps, { leadId: lead!.id, command: { type: "accept" }, actor: who.assignee, dedupeKey: `race-accept-${i}` }),
        runLeadCommand(ctx.deps, { leadId: lead!.id, command: { type: "decline", reason: "不属于医保基金监管范围" }, actor: who.coordinator, dedupeKey: `race-decline-${i}` }),
      ]);
      const done = [accept, decline].filter((r) => r.status === "done");
      expect(done).toHaveLength(1);
      const loser = accept.status === "done" ? decline : accept;
      // Of the two, the loser either lost the version race or, seeing the winner's state, was refused.
      expect(loser.status === "refused" || (loser.status === "unchanged" && loser.changedMeanwhile)).toBe(true);

      const [after] = await ctx.db.select().from(leads).where(eq(leads.id, lead!.id));
      const [report] = await ctx.db.select().from(reports).where(eq(reports.id, reportId));
      const messages = await ctx.db.select().from(reportMessages).where(eq(reportMessages.reportId, reportId));
      const actions = (await ctx.db.select().from(events).where(inArray(events.entityId, [lead!.id, reportId]))).map((e) => e.action);
      outcomes[after!.state as "accepted" | "not_accepted"]++;
      if (after!.state === "accepted") {
        expect(report!.status).toBe("accepted");
        expect(messages).toHaveLength(0);
        expect(actions).toContain("lead.accept");
        expect(actions).not.toContain("lead.decline");
        expect(after!.clusterSlot).not.toBeNull();
      } else {
        expect(after!.state).toBe("not_accepted");
        expect(report!.status).toBe("not_accepted");
        expect(messages).toHaveLength(1);
        expect(actions).toContain("lead.decline");
        expect(actions).not.toContain("lead.accept");
        expect(after!.clusterSlot).toBeNull();
        expect(after!.nextEscalationAt).toBeNull();
      }
      expect(actions.filter((a) => a === "report.status_changed")).toHaveLength(1);
    }
    expect(outcomes.accepted + outcomes.not_accepted).toBe(30);
  });

  it("a redelivered press is a duplicate, not a conflict", async () => {
    const name = "重复投递医院";
    await submit(name);
    const [lead] = await ctx.db.select().from(leads).where(eq(leads.targetName, name));
    const who = await actors(lead!);
    const results = await Promise.all(
      Array.from({ length: 3 }, () => runLeadCommand(ctx.deps, { leadId: lead!.id, command: { type: "acknowledge" }, actor: who.assignee, dedupeKey: "same-update-1" })),
    );
    expect(results.filter((r) => r.status === "done")).toHaveLength(1);
    expect(results.filter((r) => r.status === "duplicate")).toHaveLength(2);
  });

  it("a tip racing a decline either joins before it (and follows it) or opens a new lead after it", async () => {
    for (let i = 0; i < 10; i++) {
      const name = `关闭竞争医院${i}`;
      await submit(name);
      const [lead] = await ctx.db.select().from(leads).where(eq(leads.targetName, name));
      const who = await actors(lead!);
      const [tip] = await Promise.all([
        submit(name),
        runLeadCommand(ctx.deps, { leadId: lead!.id, command: { type: "decline", reason: "线索不清" }, actor: who.coordinator, dedupeKey: `close-race-${i}` }),
      ]);
      expect(tip.status).toBe(201);
      const { reportId } = (await tip.json()) as { reportId: string };
      const [link] = await ctx.db.select().from(leadReports).where(eq(leadReports.reportId, reportId));
      const [linkedLead] = await ctx.db.select().from(leads).where(eq(leads.id, link!.leadId));
      const [report] = await ctx.db.select().from(reports).where(eq(reports.id, reportId));
      // Never attached to a lead that was closed before it joined: its status is its lead's.
      const expected = { new: "received", not_accepted: "not_accepted" } as Record<string, string>;
      expect(report!.status).toBe(expected[linkedLead!.state]);
    }
  });
});
