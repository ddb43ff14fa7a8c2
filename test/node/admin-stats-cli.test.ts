// `npm run admin -- stats` through test/support/admin-cli.ts (in this process; the terminal case a real one): the JSON on standard output (checked by
// statisticsSchema), the statistics CSV, the ledger CSV and the workbook to --out, and bad input refused in
// words with exit 2 and no file written.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leadReports } from "../../src/db/schema";
import { shanghaiDate } from "../../src/core/time";
import { statisticsSchema } from "../../src/core/statistics/report-shape";
import { generateKeyMaterial, type KeyMaterial } from "../../src/security/keys";
import { parseStatsFlags } from "../../scripts/admin/stats";
import { runAdmin } from "../support/admin-cli";
import { createTestContext, type TestContext } from "../support/context";
import { parseRfc4180 } from "../support/csv-parse";
import { jsonPost, REAL_NAME, validReport } from "../support/fixtures";
import { CHENGDU, importExampleOrg } from "../support/round-trips";

let ctx: TestContext;
let keys: KeyMaterial;
let dir: string;
let leadId = "";
const admin = (...args: string[]) => runAdmin(ctx, keys, args);
// The lead is received today (Shanghai): a range around today holds it.
const today = shanghaiDate(new Date());
const range = ["--from", `${today.slice(0, 4)}-01-01`, "--to", today];

beforeAll(async () => {
  keys = await generateKeyMaterial();
  ctx = await createTestContext({}, { keyMaterial: keys });
  await importExampleOrg(ctx.deps);
  const report = validReport({ region: CHENGDU, targetName: '=HYPERLINK("http://x","成都某某医院")', anonymous: false, reporter: REAL_NAME });
  const { reportId } = (await (await ctx.app.request("/api/v1/reports", jsonPost(report))).json()) as { reportId: string };
  leadId = (await ctx.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
  dir = mkdtempSync(join(tmpdir(), "fundwatch-stats-cli-"));
}, 120_000);
afterAll(async () => {
  await ctx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm run admin -- stats", () => {
  it("prints the issue's JSON for this month by default, and for a range with the lead in it", { timeout: 240_000 }, async () => {
    const [r, ranged] = await Promise.all([admin("stats"), admin("stats", ...range, "--region", "510000")]);
    expect(r.code, r.out).toBe(0);
    const json = statisticsSchema.parse(JSON.parse(r.stdout));
    expect(json.period).toEqual({ from: `${today.slice(0, 7)}-01`, to: today });

    expect(ranged.code, ranged.out).toBe(0);
    const report = JSON.parse(ranged.stdout) as Record<string, unknown>;
    const stats = statisticsSchema.parse(report);
    expect(stats.period).toEqual({ from: `${today.slice(0, 4)}-01-01`, to: today });
    expect(stats.leads.received).toBe(1);
    expect(stats.leads.bySource).toEqual({ tip: 1, batch: 0, hotline: 0 });
    // The full report: the keys plus the breakdowns.
    expect(report).toHaveProperty("breakdown");
    expect(report).toHaveProperty("campaigns");
    // Pretty-printed exactly as JSON.stringify(report, null, 2).
    expect(ranged.stdout).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });

  it("writes the statistics CSV, the lead ledger CSV and the workbook to --out", { timeout: 300_000 }, async () => {
    const csvPath = join(dir, "stats.csv");
    const ledgerPath = join(dir, "ledger.csv");
    const xlsxPath = join(dir, "stats.xlsx");
    // Four runs at once (the runner takes them in turn in this process); they touch different files.
    const [r, l, x, piped] = await Promise.all([
      admin("stats", ...range, "--format", "csv", "--lang", "en", "--out", csvPath),
      admin("stats", ...range, "--format", "csv", "--ledger", "--out", ledgerPath),
      admin("stats", ...range, "--format", "xlsx", "--out", xlsxPath),
      // Not a terminal (a pipe here): the workbook goes to standard output.
      admin("stats", ...range, "--format", "xlsx"),
    ]);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toBe("");
    const text = readFileSync(csvPath, "utf8");
    expect(text.startsWith("\uFEFF")).toBe(true);
    const rows = parseRfc4180(text.slice(1));
    expect(rows[0]).toEqual(["Figure", "Value", "Key"]);
    expect(rows.find((row) => row[2] === "leads.received")).toEqual(["Leads received", "1", "leads.received"]);

    expect(l.code, l.out).toBe(0);
    const ledgerText = readFileSync(ledgerPath, "utf8");
    const ledger = parseRfc4180(ledgerText.slice(1));
    // Default language zh-CN; one lead; its formula-looking target neutralised; never the tipster's identity.
    expect(ledger[0]![0]).toBe("线索编号");
    expect(ledger).toHaveLength(2);
    expect(ledger[1]![0]).toBe(leadId);
    expect(ledger[1]![5]).toBe(`'=HYPERLINK("http://x","成都某某医院")`);
    for (const secret of [REAL_NAME.name, REAL_NAME.phone, REAL_NAME.idNumber, REAL_NAME.email]) expect(ledgerText).not.toContain(secret);

    expect(x.code, x.out).toBe(0);
    const files = unzipSync(new Uint8Array(readFileSync(xlsxPath)));
    expect(strFromU8(files["xl/workbook.xml"]!)).toMatch(/name="统计表".*name="线索台账".*name="专项行动完成情况"/);

    expect(piped.code, piped.out).toBe(0);
    expect(piped.stdout.startsWith("PK")).toBe(true);
  });

  it("refuses bad input in words with exit 2 and writes nothing", { timeout: 400_000 }, async () => {
    const out = join(dir, "refused.out");
    // Two runs of the CLI: a flag zod refuses and a scope the use case refuses. Every other refusal of the
    // flags is checked in-process below ("stats flags"), and the scope refusals in statistics-compute.
    const cases: [string[], RegExp][] = [
      [["--format", "pdf"], /--format: /],
      [["--region", "999999"], /no region has the code 999999/],
    ];
    // A workbook is never poured onto a terminal: without --out on a terminal it is refused.
    const tty = await runAdmin(ctx, keys, ["stats", "--format", "xlsx"], {}, { tty: true });
    expect(tty.code, tty.out).toBe(2);
    expect(tty.stdout).toMatch(/--format xlsx writes a binary workbook: give --out PATH/);
    expect(tty.stdout).not.toContain("PK");
    const results = await Promise.all(cases.map(([flags]) => admin("stats", ...flags, "--out", out)));
    for (const [i, [flags, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, `${flags.join(" ")}: ${r.out}`).toBe(2);
      expect(r.stderr, flags.join(" ")).toMatch(message);
      expect(r.stdout, flags.join(" ")).toBe("");
      expect(existsSync(out), flags.join(" ")).toBe(false);
    }
  });
});

describe("stats flags", () => {
  it("refuses what is not a flag, a value or a combination the command takes", () => {
    const cases: [string[], RegExp][] = [
      [["--lang", "fr"], /--lang: /],
      [["--region", "51"], /--region: a 6-digit region code/],
      [["--source", "email"], /--source: /],
      [["--format", "xlsx", "--ledger"], /--ledger switches the CSV to the lead ledger/],
      [["--format", "json", "--ledger"], /--ledger switches the CSV/],
      [["--period", "2026-03", "--from", "2026-03-01", "--to", "2026-03-31"], /either --period or --from\/--to/],
      [["--out"], /--out needs a value/],
      [["--out", "--ledger"], /--out needs a value/],
      [["--team", "a", "--team", "b"], /--team given twice/],
      [["march"], /unknown argument "march"/],
      [["--colour", "red"], /unknown argument "--colour"/],
      [["--from", "2026-01-01"], /--from and --to go together/],
      [["--to", "2026-3-1", "--from", "2026-03-01"], /--to: a date YYYY-MM-DD/],
    ];
    for (const [args, message] of cases) {
      const r = parseStatsFlags(args);
      expect(r.ok, args.join(" ")).toBe(false);
      if (!r.ok) expect(r.message, args.join(" ")).toMatch(message);
    }
  });

  it("defaults to JSON in Chinese and reads every flag", () => {
    expect(parseStatsFlags([])).toEqual({ ok: true, flags: { format: "json", lang: "zh-CN", ledger: false } });
    const all = parseStatsFlags(["--from", "2026-01-01", "--to", "2026-03-31", "--region", "510104", "--team", "t1", "--source", "hotline", "--campaign", "c1", "--format", "csv", "--lang", "en", "--out", "x.csv", "--ledger"]);
    expect(all).toEqual({ ok: true, flags: { from: "2026-01-01", to: "2026-03-31", region: "510104", team: "t1", source: "hotline", campaign: "c1", format: "csv", lang: "en", out: "x.csv", ledger: true } });
  });
});
