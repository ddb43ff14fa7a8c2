// The weekly digest for the coordinators' chat in their language: last week's figures against the week
// before, open and overdue now, campaign deliverables due this week and the late units. Pure rendering.
import type { OutgoingMessage } from "../../chat/types";
import { formatMoney } from "../../core/money";
import type { Locale } from "../../core/report-input";
import { shanghaiDate } from "../../core/time";
import { t } from "../../i18n";
import { periodText, shareText } from "./chat-text";
import type { StatisticsReport } from "./report";

/** Late units named in the digest (the count covers all). */
export const DIGEST_LATE_NAMES = 5;
/** Deliverables due this week listed in the digest. */
export const DIGEST_DUE_ITEMS = 10;

export interface DigestDeliverable {
  campaignName: string;
  title: string;
  titleEn: string | null;
  dueAt: number;
  /** Units that have not handed it in. */
  units: number;
}

export interface DigestLateUnit {
  unitName: string;
  /** Its late items (deliverables past their deadline, not handed in). */
  late: number;
}

export interface DigestInput {
  locale: Locale;
  lastWeek: StatisticsReport;
  weekBefore: StatisticsReport;
  dueThisWeek: DigestDeliverable[];
  /** Units with anything late, and the worst of them first. */
  lateCount: number;
  late: DigestLateUnit[];
  /** The statistics page for last week (no secret: the page asks for a session). */
  link?: string;
}

const joinList = (locale: Locale, items: string[]) => items.join(locale === "zh-CN" ? "、" : ", ");

/** The digest as one text message. */
export function weeklyDigestMessage(input: DigestInput): OutgoingMessage {
  const { locale, lastWeek: a, weekBefore: b } = input;
  const pair = (key: string, now: string | number, before: string | number) => t(locale, `statistics.digest.${key}`, { now, before });
  const money = (fen: number) => formatMoney(fen, locale);
  const lines = [
    t(locale, "statistics.digest.heading", { lastWeek: periodText(a.period), weekBefore: periodText(b.period) }),
    pair("received", a.leads.received, b.leads.received),
    pair("acknowledged", a.leads.acknowledged, b.leads.acknowledged),
    pair("concluded", a.leads.concluded, b.leads.concluded),
    pair("recovered", money(a.amounts.recoveredFen), money(b.amounts.recoveredFen)),
    pair("fines", money(a.amounts.finesFen), money(b.amounts.finesFen)),
    pair("ack_in_time", shareText(a.timeliness.acknowledgedInTime), shareText(b.timeliness.acknowledgedInTime)),
    pair("decided_in_time", shareText(a.timeliness.decidedInTime), shareText(b.timeliness.decidedInTime)),
    pair("closed_in_time", shareText(a.timeliness.closedInTime), shareText(b.timeliness.closedInTime)),
    // Open and overdue are "as of now" figures: the same in both reports, so shown once.
    t(locale, "statistics.digest.open_now", { open: a.leads.openNow, overdue: a.leads.overdueNow }),
  ];
  const due = input.dueThisWeek.slice(0, DIGEST_DUE_ITEMS);
  if (due.length) {
    lines.push(t(locale, "statistics.digest.due_heading"));
    for (const d of due)
      lines.push(
        t(locale, "statistics.digest.due_item", {
          campaign: d.campaignName,
          deliverable: locale === "en" && d.titleEn ? d.titleEn : d.title,
          due: shanghaiDate(new Date(d.dueAt)),
          units: d.units,
        }),
      );
  } else lines.push(t(locale, "statistics.digest.due_none"));
  if (input.lateCount > 0) {
    const named = input.late.slice(0, DIGEST_LATE_NAMES).map((u) => (u.late > 1 ? t(locale, "statistics.digest.late_items", { name: u.unitName, count: u.late }) : u.unitName));
    const rest = input.lateCount - named.length;
    const names = joinList(locale, named) + (rest > 0 ? (locale === "en" ? " " : "") + t(locale, "statistics.digest.late_more", { count: rest }) : "");
    lines.push(t(locale, "statistics.digest.late", { count: input.lateCount, names }));
  } else lines.push(t(locale, "statistics.digest.late_none"));
  if (input.link) lines.push(t(locale, "statistics.digest.link", { url: input.link }));
  return { kind: "text", text: lines.join("\n") };
}
