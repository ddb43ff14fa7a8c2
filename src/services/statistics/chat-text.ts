// The statistics report as a chat message (/stats, and the figures block of the weekly digest): the key
// numbers in the member's language, amounts through core/money, shares as whole percentages. Pure.
import { formatMoney } from "../../core/money";
import { measureLabel, MEASURES } from "../../core/measures";
import type { Locale } from "../../core/report-input";
import { REPORT_OUTCOMES } from "../../core/report-status";
import { STATISTICS_SOURCES } from "../../core/statistics/report-shape";
import { t } from "../../i18n";
import type { StatisticsReport } from "./report";

/** Items of a list as the language joins them ("A 1、B 2" / "A 1, B 2"). */
const joinList = (locale: Locale, items: string[]) => items.join(locale === "zh-CN" ? "、" : ", ");

/** A share 0–1 as a whole percentage; "—" when nothing was counted (never "0%" for "no data"). */
export function shareText(share: number | null): string {
  return share === null || !Number.isFinite(share) ? "—" : `${Math.round(share * 100)}%`;
}

/** The period as a reader sees it: "2026-12-01 – 2026-12-07" (one day: the date alone). */
export function periodText(period: { from: string; to: string }): string {
  return period.from === period.to ? period.from : `${period.from} – ${period.to}`;
}

/** Who the figures are about: the team or region by name, or everything. */
export function scopeText(report: Pick<StatisticsReport, "scope">, locale: Locale): string {
  const parts: string[] = [];
  if (report.scope.teamName) parts.push(t(locale, "statistics.chat.scope_team", { team: report.scope.teamName }));
  if (report.scope.regionName) parts.push(t(locale, "statistics.chat.scope_region", { region: report.scope.regionName }));
  if (report.scope.source) parts.push(t(locale, "statistics.chat.scope_source", { source: t(locale, `statistics.chat.source.${report.scope.source}`) }));
  return parts.length ? joinList(locale, parts) : t(locale, "statistics.chat.scope_all");
}

/** The lines of the key figures (without heading or link): the /stats answer and the digest share them. */
export function keyFigureLines(report: StatisticsReport, locale: Locale): string[] {
  const { leads, amounts, measures, rewards, timeliness } = report;
  const bySource = joinList(
    locale,
    STATISTICS_SOURCES.map((s) => `${t(locale, `statistics.chat.source.${s}`)} ${leads.bySource[s]}`),
  );
  const outcomes = REPORT_OUTCOMES.filter((o) => leads.byOutcome[o] > 0).map((o) => `${t(locale, `report_outcome.${o}`)} ${leads.byOutcome[o]}`);
  const measureItems = MEASURES.filter((m) => measures[m] > 0).map((m) => `${measureLabel(m, locale)} ${measures[m]}`);
  return [
    t(locale, "statistics.chat.received", { count: leads.received, bySource }),
    t(locale, "statistics.chat.handled", { acknowledged: leads.acknowledged, accepted: leads.accepted, declined: leads.declined }),
    t(locale, "statistics.chat.open_now", { open: leads.openNow, overdue: leads.overdueNow }),
    outcomes.length
      ? t(locale, "statistics.chat.concluded", { count: leads.concluded, outcomes: joinList(locale, outcomes) })
      : t(locale, "statistics.chat.concluded_none", { count: leads.concluded }),
    t(locale, "statistics.chat.amounts", { recovered: formatMoney(amounts.recoveredFen, locale), fines: formatMoney(amounts.finesFen, locale) }),
    measureItems.length ? t(locale, "statistics.chat.measures", { measures: joinList(locale, measureItems) }) : t(locale, "statistics.chat.measures_none"),
    t(locale, "statistics.chat.rewards", { count: rewards.paid, amount: formatMoney(rewards.paidFen, locale) }),
    t(locale, "statistics.chat.timeliness", {
      ack: shareText(timeliness.acknowledgedInTime),
      decided: shareText(timeliness.decidedInTime),
      closed: shareText(timeliness.closedInTime),
    }),
  ];
}

/**
 * The /stats answer: heading (period and scope), the key figures, and the link into the workspace page
 * with the same filters (the page asks for a session; the link itself opens nothing).
 */
export function statisticsChatText(report: StatisticsReport, locale: Locale, options: { link?: string } = {}): string {
  const heading = t(locale, "statistics.chat.heading", { period: periodText(report.period), scope: scopeText(report, locale) });
  const lines = [heading, ...keyFigureLines(report, locale)];
  if (options.link) lines.push(t(locale, "statistics.chat.link", { url: options.link }));
  return lines.join("\n");
}
