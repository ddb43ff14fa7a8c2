// The statistics as chat text, from literal reports: every key figure in both languages, amounts as
// core/money writes them, shares as whole percentages ("—" when nothing counted), the link last; the
// weekly digest compares two weeks and lists due deliverables and late units by name.
import { describe, expect, it } from "vitest";
import { emptyStatistics } from "../../src/core/statistics/report-shape";
import { statisticsChatText } from "../../src/services/statistics/chat-text";
import { weeklyDigestMessage } from "../../src/services/statistics/digest-text";
import type { StatisticsReport } from "../../src/services/statistics/report";

const NBSP = "\u00a0";

function report(period: { from: string; to: string }, edit: (r: StatisticsReport) => void = () => undefined): StatisticsReport {
  const dist = { count: 0, median: null, p90: null };
  const r: StatisticsReport = {
    ...emptyStatistics(period),
    scope: { regionCode: null, regionName: null, teamId: null, teamName: null, source: null, campaignId: null },
    asOf: Date.parse("2026-12-07T02:00:00Z"),
    breakdown: { byViolationType: {}, byFocusArea: {}, byRegion: {}, tips: { received: 0, anonymous: 0, realName: 0, insider: 0 }, corroborated: 0, referrals: { police: 0, discipline: 0, health_commission: 0 } },
    timelinessDetail: { counted: { ack: 0, decide: 0, close: 0 }, ackWorkingHours: dist, decideWorkingDays: dist, closeWorkingDays: dist },
    monthly: [],
    campaigns: [],
    batches: { count: 0, rows: 0, fedBack: 0, byOutcome: {} },
  };
  edit(r);
  return r;
}

const december = report({ from: "2026-12-01", to: "2026-12-07" }, (r) => {
  r.leads = {
    received: 12,
    bySource: { tip: 7, batch: 4, hotline: 1 },
    acknowledged: 10,
    accepted: 8,
    declined: 1,
    openNow: 21,
    overdueNow: 3,
    concluded: 5,
    byOutcome: { substantiated: 3, partly_substantiated: 1, unsubstantiated: 0, referred_police: 1, referred_discipline: 0, referred_health_commission: 0 },
  };
  r.amounts = { verifiedFen: 9_000_000, recoveredFen: 123_456_789, finesFen: 50_000 };
  r.measures = { interview: 2, rectification: 1, suspend_agreement: 0, terminate_agreement: 0, administrative_penalty: 1, published: 0 };
  r.rewards = { eligible: 2, claimed: 1, approved: 1, rejected: 0, paid: 1, paidFen: 80_000 };
  r.timeliness = { acknowledgedInTime: 0.9, decidedInTime: 2 / 3, closedInTime: null };
  r.scope = { ...r.scope, teamId: "team_1", teamName: "成都市核查一组" };
});

describe("statisticsChatText", () => {
  it("gives every key figure in Chinese, amounts in yuan, shares in whole percent, and the link", () => {
    const text = statisticsChatText(december, "zh-CN", { link: "https://x.example/staff/statistics?from=2026-12-01&to=2026-12-07" });
    expect(text.split("\n")).toEqual([
      "FundWatch 统计：2026-12-01 – 2026-12-07（小组：成都市核查一组）",
      "收到线索：12（举报 7、数据筛查批次 4、热线 1）",
      "已签收 10 · 已受理 8 · 不予受理 1",
      "当前未办结 21 · 当前逾期 3",
      "办结：5（举报属实 3、部分属实 1、已移送公安机关 1）",
      `追回资金 1,234,567.89${NBSP}元 · 行政罚款 500.00${NBSP}元`,
      "处理措施：约谈 2、限期整改 1、行政处罚 1",
      `兑现举报奖励：1 笔（800.00${NBSP}元）`,
      "按时率：按时签收 90% · 15 个工作日内决定 67% · 30 个工作日内办结 —",
      "完整统计表及导出：https://x.example/staff/statistics?from=2026-12-01&to=2026-12-07",
    ]);
  });

  it("in English, and an empty period says none instead of listing zeros", () => {
    const text = statisticsChatText(december, "en");
    expect(text).toContain("FundWatch statistics, 2026-12-01 – 2026-12-07 (team 成都市核查一组)");
    expect(text).toContain("Received: 12 (tips 7, screening batches 4, hotline 1)");
    expect(text).toContain(`Recovered CNY${NBSP}1,234,567.89 · fines CNY${NBSP}500.00`);
    expect(text).toContain("In time: acknowledged 90% · decided within 15 working days 67% · closed within 30 —");
    expect(text).not.toContain("Full table");
    const empty = statisticsChatText(report({ from: "2026-12-07", to: "2026-12-07" }), "en");
    expect(empty).toContain("FundWatch statistics, 2026-12-07 (all regions and teams)");
    expect(empty).toContain("Concluded: 0\n");
    expect(empty).toContain("Measures: none");
    expect(empty).toContain("In time: acknowledged — · decided within 15 working days — · closed within 30 —");
    expect(empty).not.toMatch(/NaN|undefined|\{/);
  });
});

describe("weeklyDigestMessage", () => {
  const lastWeek = report({ from: "2026-11-30", to: "2026-12-06" }, (r) => {
    r.leads = { ...r.leads, received: 9, acknowledged: 8, concluded: 4, openNow: 21, overdueNow: 3 };
    r.amounts = { verifiedFen: 0, recoveredFen: 100_000, finesFen: 0 };
    r.timeliness = { acknowledgedInTime: 0.75, decidedInTime: null, closedInTime: 1 };
  });
  const weekBefore = report({ from: "2026-11-23", to: "2026-11-29" }, (r) => {
    r.leads = { ...r.leads, received: 5, acknowledged: 5, concluded: 2, openNow: 21, overdueNow: 3 };
    r.timeliness = { acknowledgedInTime: 0.5, decidedInTime: null, closedInTime: null };
  });

  it("puts last week against the week before, and names due deliverables and late units", () => {
    const msg = weeklyDigestMessage({
      locale: "zh-CN",
      lastWeek,
      weekBefore,
      dueThisWeek: [{ campaignName: "2026 专项整治", title: "月度统计表", titleEn: "Monthly table", dueAt: Date.parse("2026-12-10T09:30:00Z"), units: 4 }],
      lateCount: 7,
      late: ["甲", "乙", "丙", "丁", "戊", "己"].map((unitName, i) => ({ unitName, late: i === 0 ? 3 : 1 })),
      link: "https://x.example/staff/statistics?from=2026-11-30&to=2026-12-06",
    });
    expect(msg.kind).toBe("text");
    const lines = (msg as { text: string }).text.split("\n");
    expect(lines).toEqual([
      "FundWatch 每周统计：上周 2026-11-30 – 2026-12-06（括号内为前一周 2026-11-23 – 2026-11-29）",
      "收到线索：9（5）",
      "已签收：8（5）",
      "办结：4（2）",
      `追回资金：1,000.00${NBSP}元（0.00${NBSP}元）`,
      `行政罚款：0.00${NBSP}元（0.00${NBSP}元）`,
      "按时签收率：75%（50%）",
      "15 个工作日内决定率：—（—）",
      "30 个工作日内办结率：100%（—）",
      "当前未办结 21 · 当前逾期 3",
      "本周到期的任务：",
      "• 2026 专项整治：月度统计表，2026-12-10 截止；4 个单位尚未提交",
      "逾期单位：7 个——甲（3 项）、乙、丙、丁、戊等另外 2 个",
      "统计页面：https://x.example/staff/statistics?from=2026-11-30&to=2026-12-06",
    ]);
  });

  it("in English says none when nothing is due or late", () => {
    const msg = weeklyDigestMessage({ locale: "en", lastWeek, weekBefore, dueThisWeek: [], lateCount: 0, late: [] }) as { text: string };
    expect(msg.text).toContain("Received: 9 (5)");
    expect(msg.text).toContain("Deliverables due this week: none");
    expect(msg.text).toContain("Late units: none");
  });
});
