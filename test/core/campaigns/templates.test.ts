// The shipped campaign templates: each parses, the bundled index is current, and they are faithful to the
// seed notices (dates, unit kinds, recurring statistics).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTemplateFiles, renderTemplateIndex, TEMPLATE_INDEX } from "../../../scripts/bundle-templates";
import { campaignForYear } from "../../../src/core/campaigns/calendar-shift";
import { campaignFileSchema, UNIT_KINDS, type CampaignFile } from "../../../src/core/campaigns/campaign-file";
import { assignmentPeriods } from "../../../src/core/campaigns/periods";
import { CAMPAIGN_TEMPLATES, TEMPLATE_IDS } from "../../../src/services/campaigns/templates/index";

const template = (id: string): CampaignFile => campaignFileSchema.parse(CAMPAIGN_TEMPLATES[id]);
const local = (t: number) => new Date(t + 8 * 3600_000).toISOString().slice(0, 23).replace("T", " ");

describe("campaign templates", () => {
  it("ships the five notices", () => {
    expect([...TEMPLATE_IDS].sort()).toEqual(["jilin-2020", "liaoning-2023", "luliang-2021", "shanghai-2024", "zhengning-2024"]);
  });

  it("every template parses and names only known unit kinds", () => {
    for (const id of TEMPLATE_IDS) {
      const file = template(id);
      expect(file.id).toBe(id);
      for (const d of file.deliverables) for (const k of d.unitKinds) expect(UNIT_KINDS).toContain(k);
      // Every deliverable sits inside the campaign's phases when it names one.
      for (const d of file.deliverables) if (d.phase) expect(file.phases.map((p) => p.key)).toContain(d.phase);
    }
  });

  it("the bundled index.ts is the one the YAML files produce (run `npx tsx scripts/bundle-templates.ts`)", () => {
    expect(readFileSync(TEMPLATE_INDEX, "utf8")).toBe(renderTemplateIndex());
  });

  it("the bundler refuses a template whose id is not its file name, or that does not parse", () => {
    const dir = mkdtempSync(join(tmpdir(), "fw-templates-"));
    writeFileSync(join(dir, "a.yaml"), readFileSync(TEMPLATE_INDEX.replace("index.ts", "jilin-2020.yaml")));
    expect(() => loadTemplateFiles(dir)).toThrow(/a\.yaml: id jilin-2020 differs/);
    const dir2 = mkdtempSync(join(tmpdir(), "fw-templates-"));
    writeFileSync(join(dir2, "x.yaml"), "id: x\nname: X\nyear: 2026\nregionCode: '510000'\nissuer: I\ndeliverables:\n  - { key: d, title: T, unitKinds: [bureau] }\n");
    expect(() => loadTemplateFiles(dir2)).toThrow(/x\.yaml: deliverables\.0\.due: a deliverable has exactly one/);
  });

  it("jilin-2020: plans by Jul 7, institutions' self-inspection Oct 20, bureaus' report Oct 31", () => {
    const f = template("jilin-2020");
    expect(f.deliverables.map((d) => [d.key, d.due, d.unitKinds.join("+")])).toEqual([
      ["plan-filing", "2020-07-07", "bureau"],
      ["self-inspection", "2020-10-20", "institution"],
      ["self-inspection-report", "2020-10-31", "bureau"],
    ]);
    expect(f.phases.at(-1)).toMatchObject({ key: "recheck", startsOn: "2020-11-01", endsOn: "2020-11-30" });
  });

  it("luliang-2021: the four phases of the notice, county results by end of June, reports by the teams", () => {
    const f = template("luliang-2021");
    expect(f.phases.map((p) => `${p.key}:${p.startsOn}..${p.endsOn}`)).toEqual([
      "preparation:2021-04-25..2021-05-10",
      "inspection:2021-05-11..2021-06-30",
      "handling:2021-07-01..2021-07-10",
      "summary:2021-07-11..2021-07-20",
    ]);
    expect(f.deliverables.find((d) => d.key === "county-results")).toMatchObject({ due: "2021-06-30", unitKinds: ["bureau"] });
    expect(f.deliverables.find((d) => d.key === "inspection-report")?.unitKinds).toEqual(["team"]);
  });

  it("liaoning-2023: launch by Jun 15, quarterly statistics, summary by Dec 25", () => {
    const f = template("liaoning-2023");
    expect(f.deliverables.find((d) => d.key === "launch")?.due).toBe("2023-06-15");
    expect(f.deliverables.find((d) => d.key === "summary")?.due).toBe("2023-12-25");
    const stats = f.deliverables.find((d) => d.key === "quarterly-statistics")!;
    expect(assignmentPeriods(stats, f.year).map((p) => `${p.period} ${local(p.dueAt)}`)).toEqual([
      "2023-Q2 2023-07-10 23:59:59.999",
      "2023-Q3 2023-10-10 23:59:59.999",
      "2023-Q4 2024-01-10 23:59:59.999",
    ]);
  });

  it("shanghai-2024: monthly statistics April to November, district summaries by Dec 10", () => {
    const f = template("shanghai-2024");
    expect(f.deliverables.find((d) => d.key === "district-summary")).toMatchObject({ due: "2024-12-10", unitKinds: ["bureau"] });
    const stats = f.deliverables.find((d) => d.key === "monthly-statistics")!;
    const periods = assignmentPeriods(stats, f.year);
    expect(periods.map((p) => p.period)).toEqual(["2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10", "2024-11"]);
    expect(local(periods[0]!.dueAt)).toBe("2024-05-05 23:59:59.999");
    expect(local(periods.at(-1)!.dueAt)).toBe("2024-12-05 23:59:59.999");
  });

  it("every template started for any year keeps parsing, and its recurring periods follow the year", () => {
    for (const id of TEMPLATE_IDS) {
      for (const year of [2026, 2027, 2028]) {
        const f = campaignFileSchema.parse(campaignForYear(template(id), year));
        expect(f.year).toBe(year);
        for (const d of f.deliverables) for (const p of assignmentPeriods(d, f.year)) expect(Number(local(p.dueAt).slice(0, 4))).toBeGreaterThanOrEqual(year);
      }
    }
  });
});
