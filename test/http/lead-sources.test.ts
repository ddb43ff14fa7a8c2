// Leads from screening batches (CSV) and hotline calls join the same clustering and routing as tips.
import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { leads } from "../../src/db/schema";
import { createHotlineLead, importScreeningBatch, parseCsv } from "../../src/services/leads/lead-sources";
import { importOrganisation, orgFileSchema } from "../../src/services/org/org";
import { createTestContext, type TestContext } from "../support/context";

let ctx: TestContext;
const staff = { type: "member" as const, id: "mem_coordinator", role: "coordinator", platform: "cli" };

beforeAll(async () => {
  ctx = await createTestContext();
  await importOrganisation(ctx.deps, orgFileSchema.parse(parseYaml(readFileSync("examples/org.example.yaml", "utf8"))), { type: "system", platform: "cli" });
});
afterAll(() => ctx.close());

describe("screening batches", () => {
  it("parses quoted CSV fields with commas, quotes and a BOM", () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\n')).toEqual([["a", "b"], ["x, y", 'say "hi"']]);
  });

  it("turns each row into a routed lead, and importing the file again adds nothing", async () => {
    const csv = readFileSync("examples/screening-batch.example.csv", "utf8");
    const first = await importScreeningBatch(ctx.deps, csv, staff);
    expect(first).toMatchObject({ rows: 3, created: 3, corroborated: 0, skippedAlreadyImported: 0 });
    const again = await importScreeningBatch(ctx.deps, csv, staff);
    expect(again).toMatchObject({ created: 0, skippedAlreadyImported: 3 });
    const rows = await ctx.db.select().from(leads).where(eq(leads.source, "batch"));
    expect(rows).toHaveLength(3);
    expect(rows.find((l) => l.targetName === "锦江某某康复医院")).toMatchObject({ amountEstimateFen: 2_680_000, state: "new", regionCode: "510104" });
    expect(rows.every((l) => l.teamId !== null)).toBe(true);
  });

  it("rejects a file with a bad row, listing every problem, and stores nothing", async () => {
    const before = (await ctx.db.select().from(leads)).length;
    const bad = "rule,institution,region_code,subject,violation_type\n规则A,某某医院,999999,medical_institution,ghost_admission\n规则B,,510104,pharmacy,ghost_admission\n";
    await expect(importScreeningBatch(ctx.deps, bad, staff)).rejects.toThrow(/row 2, region_code: is not a GB\/T 2260 division code[\s\S]*row 3, institution: required[\s\S]*row 3, violation_type: violation_type does not belong to subject/);
    expect((await ctx.db.select().from(leads)).length).toBe(before);
    await expect(importScreeningBatch(ctx.deps, "name,value\n1,2\n", staff)).rejects.toThrow(/header lacks column\(s\): rule, institution, region_code, subject, violation_type/);
  });
});

describe("hotline calls", () => {
  it("creates a lead, and a second call about the same institution and type corroborates it", async () => {
    const call = { callRef: "12393-20261124-001", subject: "pharmacy" as const, violationType: "card_skimming_cash_out" as const, regionCode: "510104", targetName: "锦江某某药店", description: "来电反映药店刷医保卡套现。" };
    const first = await createHotlineLead(ctx.deps, call, staff);
    expect(first.created).toBe(true);
    const second = await createHotlineLead(ctx.deps, { ...call, callRef: "12393-20261124-002", targetName: "锦江 某某药店" }, staff);
    expect(second).toEqual({ leadId: first.leadId, created: false });
    const lead = await ctx.db.query.leads.findFirst({ where: eq(leads.id, first.leadId) });
    expect(lead).toMatchObject({ source: "hotline", corroborationCount: 2 });
  });
});

describe("deadline policy from configuration", () => {
  it("uses the configured acknowledgement time and office hours", async () => {
    const local = await createTestContext({ LEAD_ACK_WORKING_HOURS: "1", WORKING_HOURS: "08:30-12:00", LEAD_ACCEPT_WORKING_DAYS: "5" });
    try {
      local.setNow("2026-11-24T03:30:00Z"); // Tuesday 11:30 Shanghai: 30 minutes left today
      const { leadId } = await createHotlineLead(
        local.deps,
        { callRef: "c1", subject: "pharmacy", violationType: "fake_invoices", regionCode: "510104", targetName: "某药房", description: "虚开发票" },
        staff,
      );
      const lead = await local.db.query.leads.findFirst({ where: eq(leads.id, leadId) });
      expect(new Date(lead!.ackBy).toISOString()).toBe("2026-11-25T01:00:00.000Z"); // Wednesday 09:00 Shanghai
      expect(new Date(lead!.acceptBy).toISOString()).toBe("2026-12-01T15:59:59.999Z"); // 5 working days: Monday 1 Dec
    } finally {
      await local.close();
    }
  });
});
