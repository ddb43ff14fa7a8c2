// The statistics CSVs: BOM and CRLF, one row per figure with its value and stable key, headers in the chosen
// language, amounts in yuan as numbers, ledger dates in Asia/Shanghai, formula-looking text neutralised.
import { describe, expect, it } from "vitest";
import { STATISTICS_ROW_KEYS, emptyStatistics } from "../../src/core/statistics/report-shape";
import { ledgerCsv, statisticsCsv, statisticsFileName, statisticsFileNameParts } from "../../src/services/statistics/exports";
import { DANGEROUS_CELLS, parseRfc4180 } from "../support/csv-parse";
import { sampleLedger, sampleReport } from "../support/statistics-sample";

/** Our CSV's records: it must start with the BOM and end with CRLF (the reader refuses any other line end). */
function parseCsv(text: string): string[][] {
  expect(text.startsWith("\uFEFF")).toBe(true);
  expect(text.endsWith("\r\n")).toBe(true);
  return parseRfc4180(text.slice(1));
}

const byKey = (rows: string[][]) => new Map(rows.slice(1).map((r) => [r[2]!, r[1]!]));

describe("statisticsCsv", () => {
  it("is UTF-8 with a BOM and CRLF line ends, one row per figure with its value and key", () => {
    const csv = statisticsCsv(sampleReport(), "en");
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(csv.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(["Figure", "Value", "Key"]);
    for (const r of rows) expect(r).toHaveLength(3);
    const values = byKey(rows);
    // Every figure of the issue's JSON has its row, in core's order, keys unique.
    const keys = rows.slice(1).map((r) => r[2]!);
    expect(new Set(keys).size).toBe(keys.length);
    const issueKeys = keys.filter((k) => STATISTICS_ROW_KEYS.includes(k));
    expect(issueKeys).toEqual([...STATISTICS_ROW_KEYS]);
    expect(values.get("period.from")).toBe("2026-01-01");
    expect(values.get("leads.received")).toBe("41");
    expect(values.get("leads.bySource.hotline")).toBe("7");
    expect(values.get("leads.byOutcome.referred_police")).toBe("2");
    expect(values.get("amounts.verifiedFen")).toBe("1234567.89");
    expect(values.get("amounts.finesFen")).toBe("10000.50");
    expect(values.get("measures.suspend_agreement")).toBe("2");
    expect(values.get("rewards.paidFen")).toBe("12345.00");
    expect(values.get("timeliness.acknowledgedInTime")).toBe("87.5%");
    expect(values.get("timeliness.decidedInTime")).toBe("66.7%");
    expect(values.get("timeliness.closedInTime")).toBe("");
  });

  it("adds the breakdowns after the issue's figures with stable keys", () => {
    const rows = parseCsv(statisticsCsv(sampleReport(), "en"));
    const values = byKey(rows);
    const keys = rows.slice(1).map((r) => r[2]!);
    expect(keys.indexOf("breakdown.byViolationType.split_hospitalisation")).toBeGreaterThan(keys.indexOf("timeliness.closedInTime"));
    expect(values.get("breakdown.byViolationType.ghost_admission")).toBe("28");
    expect(values.get("breakdown.byFocusArea.orthopaedics")).toBe("14");
    expect(values.get("breakdown.byRegion.510100")).toBe("29");
    expect(values.get("breakdown.tips.realName")).toBe("9");
    expect(values.get("breakdown.corroborated")).toBe("4");
    expect(values.get("breakdown.referrals.health_commission")).toBe("1");
    expect(values.get("timelinessDetail.ackWorkingHours.median")).toBe("3.3");
    expect(values.get("timelinessDetail.decideWorkingDays.p90")).toBe("14");
    expect(values.get("timelinessDetail.closeWorkingDays.median")).toBe("");
    expect(values.get("batches.fedBack")).toBe("25");
    expect(values.get("batches.byOutcome.unsubstantiated")).toBe("9");
    expect(values.get("scope.region")).toBe("四川省");
    // Labels name the code in words.
    expect(rows.find((r) => r[2] === "breakdown.byRegion.510100")![0]).toBe("Leads received by region: Sichuan 成都市");
  });

  it("has its headers and labels in Chinese for zh-CN, and the same keys and values", () => {
    const zh = parseCsv(statisticsCsv(sampleReport(), "zh-CN"));
    const en = parseCsv(statisticsCsv(sampleReport(), "en"));
    expect(zh[0]).toEqual(["统计项目", "数值", "指标代码"]);
    expect(zh.map((r) => [r[1], r[2]]).slice(1)).toEqual(en.map((r) => [r[1], r[2]]).slice(1));
    const label = (key: string) => zh.find((r) => r[2] === key)![0];
    expect(label("amounts.recoveredFen")).toBe("追回医保基金（元）");
    expect(label("breakdown.byViolationType.split_hospitalisation")).toBe("按违规类型收到线索：分解住院");
    expect(label("breakdown.byRegion.510700")).toBe("按地区收到线索：四川省 绵阳市");
    // Every label is translated: no key shows through as its own label.
    for (const r of zh.slice(1)) expect(r[0]).not.toMatch(/^statistics\./);
  });

  it("writes an empty period as zeros and empty shares", () => {
    const report = { ...sampleReport(), ...emptyStatistics({ from: "2026-02-01", to: "2026-02-28" }) };
    const values = byKey(parseCsv(statisticsCsv(report, "en")));
    expect(values.get("leads.received")).toBe("0");
    expect(values.get("amounts.recoveredFen")).toBe("0.00");
    expect(values.get("timeliness.decidedInTime")).toBe("");
  });
});

describe("ledgerCsv", () => {
  it("has one row per lead, translated labels, Shanghai dates and yuan, and neutralises a formula", () => {
    const csv = ledgerCsv(sampleLedger(), "zh-CN");
    expect(csv.endsWith("\r\n")).toBe(true);
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual([
      "线索编号", "线索来源", "违规类型", "重点领域", "地区", "被举报机构或人员", "状态", "办理组", "承办人", "同类举报数",
      "收到日期", "签收日期", "受理日期", "办结日期", "办理结果", "查实金额（元）", "追回医保基金（元）", "行政罚款（元）", "处理措施",
    ]);
    const [first, second] = [rows[1]!, rows[2]!];
    expect(first).toEqual([
      "L-0001", "群众举报", "挂床住院", "骨科、血液透析", "四川省 成都市 锦江区",
      // The leading ' keeps a spreadsheet from evaluating it.
      `'=HYPERLINK("http://evil.example","点击")`,
      "已办结", "锦江区医保局稽核组", "王芳", "3",
      // 23:30 and 00:30 Shanghai: the 5th and the 6th, not the UTC dates.
      "2026-01-05", "2026-01-06", "2026-01-08", "2026-02-20",
      "举报属实", "123456.78", "100000.00", "25000.50", "约谈、曝光",
    ]);
    expect(second).toEqual(["L-0002", "12393 热线", "分解住院", "", "四川省 绵阳市", "绵阳某医院", "核查中", "", "", "1", "2026-03-01", "", "", "", "", "", "", "", ""]);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it("neutralises every formula-looking text: target, team and handler names", () => {
    const [lead] = sampleLedger();
    const rows = DANGEROUS_CELLS.map((text, i) => ({ ...lead!, leadId: `L-${i}`, targetName: text, teamName: text, handlerName: text }));
    const parsed = parseCsv(ledgerCsv(rows, "en")).slice(1);
    expect(parsed).toHaveLength(DANGEROUS_CELLS.length);
    DANGEROUS_CELLS.forEach((text, i) => expect([parsed[i]![5], parsed[i]![7], parsed[i]![8]]).toEqual([`'${text}`, `'${text}`, `'${text}`]));
  });

  it("has English headers and labels for en", () => {
    const rows = parseCsv(ledgerCsv(sampleLedger(), "en"));
    expect(rows[0]!.slice(0, 3)).toEqual(["Lead", "Source", "Violation type"]);
    expect(rows[0]).toContain("Funds recovered (yuan)");
    expect(rows[1]![2]).toBe("Ghost or bed-blocking admission");
    expect(rows[1]![18]).toBe("interview, published");
    expect(rows[1]![14]).toBe("Substantiated");
  });

  it("is the header alone when there is no lead", () => {
    expect(parseCsv(ledgerCsv([], "en"))).toHaveLength(1);
  });
});

describe("statisticsFileName", () => {
  const scope = { period: { from: "2026-01-01", to: "2026-03-31" } };
  it("names the file by what it is and its period, in the chosen language", () => {
    expect(statisticsFileName(scope, "xlsx", "zh-CN")).toBe("统计_2026-01-01_2026-03-31.xlsx");
    expect(statisticsFileName(scope, "csv", "en")).toBe("statistics_2026-01-01_2026-03-31.csv");
    expect(statisticsFileName(scope, "ledger-csv", "zh-CN")).toBe("线索台账_2026-01-01_2026-03-31.csv");
    expect(statisticsFileName({ ...scope, regionCode: "510104" }, "json", "en")).toBe("statistics_510104_2026-01-01_2026-03-31.json");
    expect(statisticsFileNameParts(scope, "xlsx", "zh-CN").asciiStem).toBe("statistics_2026-01-01_2026-03-31");
  });
});
