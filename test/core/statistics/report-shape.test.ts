import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CATALOGS } from "../../../src/i18n";
import { STATISTICS_MEASURES, STATISTICS_ROW_KEYS, emptyStatistics, statisticsSchema, toStatisticsRows, type Statistics } from "../../../src/core/statistics/report-shape";

const period = { from: "2026-11-01", to: "2026-11-30" };

function sample(): Statistics {
  const s = emptyStatistics(period);
  s.leads.received = 12;
  s.leads.bySource = { tip: 7, batch: 3, hotline: 2 };
  s.leads.concluded = 4;
  s.leads.byOutcome.substantiated = 2;
  s.leads.byOutcome.referred_police = 1;
  s.amounts = { verifiedFen: 123_456, recoveredFen: 100_005, finesFen: 5_000_000 };
  s.measures.suspend_agreement = 1;
  s.rewards.paid = 1;
  s.rewards.paidFen = 50_000;
  s.timeliness = { acknowledgedInTime: 2 / 3, decidedInTime: 1, closedInTime: null };
  return s;
}

describe("the statistics JSON", () => {
  it("has exactly the issue's figures, all zero and null when nothing happened", () => {
    const e = emptyStatistics(period);
    expect(statisticsSchema.parse(e)).toEqual(e);
    expect(e).toEqual({
      period,
      leads: {
        received: 0,
        bySource: { tip: 0, batch: 0, hotline: 0 },
        acknowledged: 0,
        accepted: 0,
        declined: 0,
        openNow: 0,
        overdueNow: 0,
        concluded: 0,
        byOutcome: { substantiated: 0, partly_substantiated: 0, unsubstantiated: 0, referred_police: 0, referred_discipline: 0, referred_health_commission: 0 },
      },
      amounts: { verifiedFen: 0, recoveredFen: 0, finesFen: 0 },
      measures: { interview: 0, rectification: 0, suspend_agreement: 0, terminate_agreement: 0, administrative_penalty: 0, published: 0 },
      rewards: { eligible: 0, claimed: 0, approved: 0, rejected: 0, paid: 0, paidFen: 0 },
      timeliness: { acknowledgedInTime: null, decidedInTime: null, closedInTime: null },
    });
  });

  it("rejects negative counts, fractional fen, ratios above 1 and unknown measure codes", () => {
    const bad = (f: (s: Statistics) => void) => {
      const s = structuredClone(sample());
      f(s);
      return statisticsSchema.safeParse(s).success;
    };
    expect(bad(() => {})).toBe(true);
    expect(bad((s) => (s.leads.received = -1))).toBe(false);
    expect(bad((s) => (s.amounts.finesFen = 1.5))).toBe(false);
    expect(bad((s) => (s.timeliness.closedInTime = 1.2))).toBe(false);
    expect(bad((s) => ((s.measures as Record<string, number>).warning = 1))).toBe(false);
  });
});

describe("the statistics as labelled rows", () => {
  it("gives one row per figure, in a fixed order, in Chinese", () => {
    const rows = toStatisticsRows(sample(), "zh-CN");
    expect(rows.map((r) => r.key)).toEqual(STATISTICS_ROW_KEYS);
    expect(rows).toHaveLength(2 + 1 + 3 + 6 + 6 + 3 + STATISTICS_MEASURES.length + 6 + 3);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(byKey["period.from"]).toMatchObject({ label: "统计起始日期", text: "2026-11-01" });
    expect(byKey["leads.concluded"]).toMatchObject({ label: "查处（办结）案件", value: 4, text: "4" });
    expect(byKey["amounts.recoveredFen"]).toMatchObject({ label: "追回医保基金（元）", kind: "fen", value: 100_005, text: "1000.05" });
    expect(byKey["amounts.finesFen"]).toMatchObject({ label: "行政罚款（元）", text: "50000.00" });
    expect(byKey["measures.suspend_agreement"]).toMatchObject({ label: "处理措施：暂停医保结算/协议", value: 1 });
    expect(byKey["leads.byOutcome.referred_police"]?.label).toBe("其中：移送司法（公安机关）");
    expect(byKey["leads.byOutcome.referred_discipline"]?.label).toBe("其中：移送纪检监察");
    expect(byKey["rewards.paidFen"]).toMatchObject({ label: "兑现举报奖励金额（元）", text: "500.00" });
    expect(byKey["timeliness.acknowledgedInTime"]).toMatchObject({ kind: "ratio", text: "66.7%" });
    expect(byKey["timeliness.decidedInTime"]?.text).toBe("100.0%");
    expect(byKey["timeliness.closedInTime"]).toMatchObject({ value: null, text: "" });
  });

  it("labels every figure in both languages, differently", () => {
    const zh = toStatisticsRows(sample(), "zh-CN");
    const en = toStatisticsRows(sample(), "en");
    for (const [i, row] of en.entries()) {
      expect(CATALOGS.en.has(`statistics.figure.${row.key}`), row.key).toBe(true);
      expect(CATALOGS["zh-CN"].has(`statistics.figure.${row.key}`), row.key).toBe(true);
      expect(zh[i]!.label).not.toBe(row.label);
      expect(zh[i]!.label).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(en.find((r) => r.key === "amounts.recoveredFen")?.label).toBe("Medical-insurance funds recovered (yuan)");
  });

  it("keeps every value as the JSON holds it, for any report", () => {
    const n = fc.nat({ max: 1_000_000 });
    const r = fc.option(fc.double({ min: 0, max: 1, noNaN: true }));
    fc.assert(
      fc.property(n, n, n, r, (received, fenA, fenB, share) => {
        const s = emptyStatistics(period);
        s.leads.received = received;
        s.amounts.verifiedFen = fenA;
        s.rewards.paidFen = fenB;
        s.timeliness.decidedInTime = share;
        statisticsSchema.parse(s);
        const rows = toStatisticsRows(s, "en");
        const get = (k: string) => rows.find((x) => x.key === k)!;
        expect(get("leads.received").value).toBe(received);
        expect(Math.round(Number(get("amounts.verifiedFen").text) * 100)).toBe(fenA);
        expect(Math.round(Number(get("rewards.paidFen").text) * 100)).toBe(fenB);
        expect(get("timeliness.decidedInTime").text).toBe(share === null ? "" : `${(Math.round(share * 1000) / 10).toFixed(1)}%`);
      }),
    );
  });
});
