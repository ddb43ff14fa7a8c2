// What campaign messages say, in the recipient's language: reminders to a unit's chat (with Received,
// Submitted and unit-page buttons), deadline changes, returns and acceptances, submission notices and
// escalations to the coordinators, the holiday-data warning; a statistics table's reminder offers the
// unit's pre-filled figures. Pure rendering: no I/O.
import type { Locale } from "../../core/report-input";
import { shanghaiDateTime } from "../../core/time";
import type { ChatButton, ChatCard, OutgoingMessage } from "../../chat/types";
import type { AssignmentRow, CampaignRow, DeliverableRow, UnitRow } from "../../db/schema";
import { isLocale, t } from "../../i18n";
import { statisticsOffer } from "../../core/statistics/deliverable-period";
import { regionDisplayName } from "../../core/regions";

/** Chat actions of campaign buttons (Telegram callback data `fw:<action>:<assignment id>`). */
export const CAMPAIGN_ACTIONS = ["c-recv", "c-subm", "c-open", "c-acc", "c-ret"] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];
export const isCampaignAction = (action: string): action is CampaignAction => (CAMPAIGN_ACTIONS as readonly string[]).includes(action);

export type CampaignMessageKind = "before" | "due" | "overdue" | "nudge" | "moved" | "extended" | "returned";

export interface AssignmentMessageContext {
  campaign: Pick<CampaignRow, "id" | "name"> & { definition?: string };
  /** `statistics` (a statistics table) and the unit's `regionCode` add the offer of its pre-filled figures. */
  deliverable: Pick<DeliverableRow, "id" | "key" | "title" | "titleEn"> & Partial<Pick<DeliverableRow, "statistics">>;
  unit: Pick<UnitRow, "id" | "name" | "locale"> & Partial<Pick<UnitRow, "regionCode">>;
  assignment: Pick<AssignmentRow, "id" | "dueAt" | "period" | "dueVersion" | "receivedVersion" | "state">;
}

export const localeOf = (value: string | null | undefined, fallback: Locale = "zh-CN"): Locale => (isLocale(value) ? value : fallback);

/** A deadline in Shanghai time, e.g. "2026-10-20 23:59（北京时间）". */
export function deadlineText(dueAt: number, locale: Locale): string {
  return t(locale, "campaign.deadline", { time: shanghaiDateTime(new Date(dueAt)) });
}

/** The campaign's name in the locale: the file's `nameEn` for English when it has one. */
export function campaignName(c: AssignmentMessageContext["campaign"], locale: Locale): string {
  if (locale !== "en" || !c.definition) return c.name;
  try {
    const nameEn = (JSON.parse(c.definition) as { nameEn?: unknown }).nameEn;
    return typeof nameEn === "string" && nameEn ? nameEn : c.name;
  } catch {
    return c.name;
  }
}

export function deliverableTitle(d: Pick<DeliverableRow, "title" | "titleEn">, locale: Locale): string {
  return locale === "en" && d.titleEn ? d.titleEn : d.title;
}

/** Received (while the current deadline is not acknowledged), Submitted, and the unit page. */
export function unitButtons(a: AssignmentMessageContext["assignment"], locale: Locale): ChatButton[][] {
  const b = (action: CampaignAction, style?: "primary"): ChatButton => ({ action, leadId: a.id, label: t(locale, `campaign.btn.${action}`), ...(style ? { style } : {}) });
  const open = a.state === "open" || a.state === "returned";
  const rows: ChatButton[][] = [];
  if (open) rows.push(a.receivedVersion === a.dueVersion ? [b("c-subm", "primary")] : [b("c-recv"), b("c-subm", "primary")]);
  rows.push([b("c-open")]);
  return rows;
}

function baseFields(ctx: AssignmentMessageContext, locale: Locale): ChatCard["fields"] {
  const fields = [
    { label: t(locale, "campaign.field.campaign"), value: campaignName(ctx.campaign, locale) },
    { label: t(locale, "campaign.field.deliverable"), value: deliverableTitle(ctx.deliverable, locale) },
    { label: t(locale, "campaign.field.unit"), value: ctx.unit.name },
  ];
  if (ctx.assignment.period) fields.push({ label: t(locale, "campaign.field.period"), value: ctx.assignment.period });
  fields.push({ label: t(locale, "campaign.field.deadline"), value: deadlineText(ctx.assignment.dueAt, locale) });
  return fields;
}

/** The message a unit's chat gets: a reminder, a nudge, a moved / extended deadline, or a returned submission. */
export function unitMessage(
  ctx: AssignmentMessageContext,
  kind: CampaignMessageKind,
  extra: { offsetDays?: number; fromDueAt?: number; reason?: string } = {},
): OutgoingMessage {
  const locale = localeOf(ctx.unit.locale);
  const fields = baseFields(ctx, locale);
  if (extra.fromDueAt !== undefined) fields.push({ label: t(locale, "campaign.field.old_deadline"), value: deadlineText(extra.fromDueAt, locale) });
  if (extra.reason) fields.push({ label: t(locale, "campaign.field.reason"), value: extra.reason });
  // A statistics table still to hand in: its figures are prepared, the unit page button leads to them.
  const offer = ctx.assignment.state === "open" || ctx.assignment.state === "returned" ? statisticsOffer(ctx.deliverable, ctx.unit, ctx.assignment) : null;
  const card: ChatCard = {
    title: t(locale, `campaign.title.${kind}`, { days: extra.offsetDays ?? 0, deliverable: deliverableTitle(ctx.deliverable, locale) }),
    fields,
    ...(offer ? { body: t(locale, "statistics_deliverable.chat_offer", { region: regionDisplayName(offer.regionCode, locale) || offer.regionCode, period: offer.reported.key }) } : {}),
    buttons: unitButtons(ctx.assignment, locale),
    footer: t(locale, kind === "moved" ? "campaign.footer_moved" : "campaign.footer"),
  };
  return { kind: "card", card };
}

/** Tells the unit its submission was accepted. */
export function acceptedMessage(ctx: AssignmentMessageContext): OutgoingMessage {
  const locale = localeOf(ctx.unit.locale);
  return { kind: "text", text: t(locale, "campaign.accepted_text", { deliverable: deliverableTitle(ctx.deliverable, locale), unit: ctx.unit.name }) };
}

/** The coordinators' notice of a submission, with Accept and Return. */
export function submissionNotice(
  ctx: AssignmentMessageContext,
  input: { locale: Locale; attempt: number; submittedBy: string; note: string | null; fileCount: number; late: boolean },
): OutgoingMessage {
  const { locale } = input;
  const fields = baseFields(ctx, locale);
  fields.push({ label: t(locale, "campaign.field.submitted_by"), value: input.submittedBy });
  fields.push({ label: t(locale, "campaign.field.attempt"), value: String(input.attempt) });
  if (input.fileCount) fields.push({ label: t(locale, "campaign.field.files"), value: String(input.fileCount) });
  if (input.late) fields.push({ label: t(locale, "campaign.field.status"), value: t(locale, "campaign.status.late") });
  const b = (action: CampaignAction, style?: "primary" | "danger"): ChatButton => ({ action, leadId: ctx.assignment.id, label: t(locale, `campaign.btn.${action}`), ...(style ? { style } : {}) });
  return {
    kind: "card",
    card: {
      title: t(locale, "campaign.title.submitted", { unit: ctx.unit.name, deliverable: deliverableTitle(ctx.deliverable, locale) }),
      fields,
      ...(input.note ? { body: input.note.length > 600 ? `${input.note.slice(0, 600)}…` : input.note } : {}),
      buttons: [[b("c-acc", "primary"), b("c-ret", "danger")]],
    },
  };
}

/** Escalation after the working days overdue: to the coordinators and to the supervising unit. */
export function escalationMessage(ctx: AssignmentMessageContext, locale: Locale): OutgoingMessage {
  return {
    kind: "card",
    card: {
      title: t(locale, "campaign.title.escalation", { unit: ctx.unit.name, deliverable: deliverableTitle(ctx.deliverable, locale) }),
      fields: baseFields(ctx, locale),
      buttons: [],
      footer: t(locale, "campaign.footer_escalation", { key: ctx.deliverable.key }),
    },
  };
}

/** Unit names an escalation summary lists; the rest are counted. */
const GROUP_NAMES = 30;

/**
 * Many units of one deliverable escalating to one coordinators' chat in the same tick (a provincial
 * campaign): one card naming the deliverable, the count and the first units, instead of a card each.
 */
export function escalationGroupMessage(
  campaign: AssignmentMessageContext["campaign"],
  deliverable: AssignmentMessageContext["deliverable"],
  escalated: { unit: Pick<UnitRow, "name">; dueAt: number }[],
  locale: Locale,
): OutgoingMessage {
  const names = escalated.slice(0, GROUP_NAMES).map((e) => e.unit.name);
  const more = escalated.length - names.length;
  const deadlines = new Set(escalated.map((e) => e.dueAt));
  const fields = [
    { label: t(locale, "campaign.field.campaign"), value: campaignName(campaign, locale) },
    { label: t(locale, "campaign.field.deliverable"), value: deliverableTitle(deliverable, locale) },
    ...(deadlines.size === 1 ? [{ label: t(locale, "campaign.field.deadline"), value: deadlineText(escalated[0]!.dueAt, locale) }] : []),
    { label: t(locale, "campaign.escalation_group.units"), value: names.join(locale === "en" ? ", " : "、") + (more > 0 ? t(locale, "campaign.escalation_group.more", { count: more }) : "") },
  ];
  return {
    kind: "card",
    card: {
      title: t(locale, "campaign.escalation_group.title", { count: escalated.length, deliverable: deliverableTitle(deliverable, locale) }),
      fields,
      buttons: [],
      footer: t(locale, "campaign.footer_escalation", { key: deliverable.key }),
    },
  };
}

export function holidayWarningMessage(year: number, locale: Locale): OutgoingMessage {
  return { kind: "text", text: t(locale, "campaign.holiday_warning", { year }) };
}
