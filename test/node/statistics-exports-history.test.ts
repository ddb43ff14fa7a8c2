// The known history (test/support/statistics-history.ts) through the exports: every figure of the CSV and
// of the workbook as LibreOffice reads it equals the numbers computed by hand in EXPECTED, the ledger lists
// the expected leads in order, and the campaign sheet holds each deliverable's units.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeStatistics } from "../../src/services/statistics/compute";
import { ledgerCsv, statisticsCsv, statisticsXlsx } from "../../src/services/statistics/exports";
import { leadLedger } from "../../src/services/statistics/ledger";
import { createTestContext, type TestContext } from "../support/context";
import { parseRfc4180 } from "../support/csv-parse";
import { libreOfficeSheets, requireSoffice } from "../support/libreoffice";
import { EXPECTED, NOW, SCOPES, expectedLedgerIds, seedStatisticsHistory, type HistoryScope, type StatisticsHistory } from "../support/statistics-history";

let ctx: TestContext;
let history: StatisticsHistory;

beforeAll(async () => {
  ctx = await createTestContext();
  history = await seedStatisticsHistory(ctx);
  ctx.setNow(NOW);
}, 300_000);
afterAll(async () => ctx?.close());

type Kind = "count" | "fen" | "ratio" | "decimal" | "date";

/**
 * EXPECTED's figures by the export's stable keys: the keys are the JSON paths, so flattening the hand-made
 * object gives them (the chart months, campaigns and ledger are checked on their own).
 */
function expectedFigures(scope: HistoryScope): Map<string, { kind: Kind; value: number | string | null }> {
  const out = new Map<string, { kind: Kind; value: number | string | null }>();
  const walk = (value: unknown, path: string) => {
    if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
      return;
    }
    const kind: Kind = path.startsWith("period.") ? "date" : path.endsWith("Fen") ? "fen" : path.startsWith("timeliness.") ? "ratio" : /\.(median|p90)$/.test(path) ? "decimal" : "count";
    out.set(path, { kind, value: value as number | string | null });
  };
  const { monthly: _m, campaigns: _c, ledger: _l, ...figures } = EXPECTED[scope];
  walk(figures, "");
  return out;
}

const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;

/** A figure as our CSV writes it. */
function csvText(kind: Kind, value: number | string | null): string {
  if (value === null) return "";
  if (kind === "fen") return yuan(value as number);
  if (kind === "ratio") return `${((value as number) * 100).toFixed(1)}%`;
  if (kind === "decimal") return String(Math.round((value as number) * 10) / 10);
  return String(value);
}

/** A figure as LibreOffice reads the workbook's cell (raw values): the number it holds. */
function expectCellHolds(text: string | undefined, kind: Kind, value: number | string | null, key: string) {
  if (value === null) return expect.soft(text, key).toBe("");
  if (kind === "date") return expect.soft(text, key).toBe(value);
  if (kind === "ratio") {
    expect.soft(text, key).toMatch(/%$/);
    return expect.soft(Number(text!.slice(0, -1)) / 100, key).toBeCloseTo(value as number, 9);
  }
  if (kind === "fen") return expect.soft(Math.round(Number(text) * 100), key).toBe(value);
  return expect.soft(Number(text), key).toBe(value);
}

describe("the known history through the exports", () => {
  for (const scope of Object.keys(SCOPES) as HistoryScope[]) {
    it(`${scope}: the statistics CSV and the ledger CSV hold the hand-computed figures`, { timeout: 120_000 }, async () => {
      const report = await computeStatistics(ctx.deps, SCOPES[scope], NOW);
      const rows = parseRfc4180(statisticsCsv(report, "en").slice(1));
      const byKey = new Map(rows.slice(1).map((r) => [r[2]!, r[1]!]));
      const expected = expectedFigures(scope);
      for (const [key, { kind, value }] of expected) expect.soft(byKey.get(key), key).toBe(csvText(kind, value));
      // A breakdown row EXPECTED does not list is a zero.
      for (const [key, text] of byKey) if (/^(breakdown|batches)\./.test(key) && !expected.has(key)) expect.soft(text, key).toBe("0");

      const ledger = await leadLedger(ctx.deps, SCOPES[scope]);
      const ledgerRows = parseRfc4180(ledgerCsv(ledger.rows, "zh-CN").slice(1));
      expect(ledgerRows.slice(1).map((r) => r[0])).toEqual(expectedLedgerIds(history, scope));
    });
  }

  it("both months: the workbook, read by LibreOffice, holds the same figures, ledger and campaign compliance", { timeout: 400_000 }, async () => {
    requireSoffice();
    const scope = "both";
    const report = await computeStatistics(ctx.deps, SCOPES[scope], NOW);
    const ledger = await leadLedger(ctx.deps, SCOPES[scope]);
    const sheets = await libreOfficeSheets(await statisticsXlsx(report, ledger.rows, "en"));
    const stats = sheets.get("Statistics")!;
    const byKey = new Map(stats.slice(1).map((r) => [r[2]!, r[1]!]));
    for (const [key, { kind, value }] of expectedFigures(scope)) expectCellHolds(byKey.get(key), kind, value, key);

    expect(sheets.get("Lead ledger")!.slice(1).map((r) => r[0])).toEqual(expectedLedgerIds(history, scope));

    const compliance = sheets.get("Campaign compliance")!;
    const expectedRows = EXPECTED[scope].campaigns.flatMap((c) =>
      c.deliverables.map((d, i) => [c.name, d.name, d.dueDate, ...[d.units, d.onTime, d.late, d.missing, d.returned].map(String), ...(i === 0 ? [String(c.reminders.sent), String(c.reminders.acknowledged)] : ["", ""])]),
    );
    expect(compliance.slice(1)).toEqual(expectedRows);
  });
});
