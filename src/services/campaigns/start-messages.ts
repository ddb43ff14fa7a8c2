// What a campaign's start says, in the recipient's language: each unit's one start message (its tasks
// with their true deadlines, the past ones marked, and from when overdue reminders come) and the
// coordinators' one notice (units reached, deadlines already past, units nobody can answer for).
// Pure rendering: no I/O.
import type { ChatCard, OutgoingMessage } from "../../chat/types";
import type { CampaignFile } from "../../core/campaigns/campaign-file";
import type { Locale } from "../../core/report-input";
import { shanghaiDateTime } from "../../core/time";
import { t } from "../../i18n";
import { deadlineText } from "./messages";

/** Tasks listed in one message; a unit with more (a monthly table over years) gets the count of the rest. */
const MAX_TASKS = 24;
/** Unit names listed in the coordinators' notice. */
const MAX_NAMES = 10;

export interface StartTask {
  title: string;
  titleEn?: string | undefined;
  period: string;
  dueAt: number;
}

const nameOf = (file: Pick<CampaignFile, "name" | "nameEn">, locale: Locale) => (locale === "en" && file.nameEn ? file.nameEn : file.name);
const titleOf = (task: StartTask, locale: Locale) => (locale === "en" && task.titleEn ? task.titleEn : task.title);

/** The unit's start message: a card listing its tasks by deadline, with the button to its unit page. */
export function unitStartMessage(input: {
  file: Pick<CampaignFile, "name" | "nameEn" | "issuer">;
  unitName: string;
  locale: Locale;
  tasks: StartTask[];
  now: number;
  /** When overdue reminders begin for the past tasks (null: none past, or the policy sends none). */
  overdueFrom: number | null;
  /** An assignment of the unit: the unit-page button opens the unit's page through it. */
  anyAssignmentId: string;
}): OutgoingMessage {
  const { locale } = input;
  const tasks = [...input.tasks].sort((a, b) => a.dueAt - b.dueAt || a.period.localeCompare(b.period));
  const past = tasks.filter((x) => x.dueAt <= input.now).length;
  const fields: ChatCard["fields"] = tasks.slice(0, MAX_TASKS).map((task) => ({
    label: task.period ? (locale === "en" ? `${titleOf(task, locale)} (${task.period})` : `${titleOf(task, locale)}（${task.period}）`) : titleOf(task, locale),
    value: task.dueAt <= input.now ? t(locale, "campaign.start.overdue_deadline", { deadline: deadlineText(task.dueAt, locale) }) : deadlineText(task.dueAt, locale),
  }));
  if (tasks.length > MAX_TASKS) fields.push({ label: "…", value: t(locale, "campaign.start.more_tasks", { n: tasks.length - MAX_TASKS }) });
  const lines = [t(locale, "campaign.start.intro", { issuer: input.file.issuer, unit: input.unitName, n: tasks.length })];
  if (past) lines.push(input.overdueFrom !== null ? t(locale, "campaign.start.past_note", { n: past, from: shanghaiDateTime(new Date(input.overdueFrom)) }) : t(locale, "campaign.start.past_note_no_reminders", { n: past }));
  return {
    kind: "card",
    card: {
      title: t(locale, "campaign.start.title", { campaign: nameOf(input.file, locale) }),
      body: lines.join("\n"),
      fields,
      buttons: [[{ action: "c-open", leadId: input.anyAssignmentId, label: t(locale, "campaign.btn.c-open") }]],
      footer: t(locale, "campaign.start.footer"),
    },
  };
}

/** The coordinators' one notice of a start. */
export function coordinatorStartNotice(input: {
  file: Pick<CampaignFile, "name" | "nameEn">;
  locale: Locale;
  units: number;
  deliverables: number;
  assignments: number;
  pastDeadlines: number;
  overdueFrom: number | null;
  unenrolledNames: string[];
}): OutgoingMessage {
  const { locale } = input;
  const lines = [t(locale, "campaign.start.notice", { campaign: nameOf(input.file, locale), units: input.units, deliverables: input.deliverables, assignments: input.assignments })];
  if (input.pastDeadlines)
    lines.push(
      input.overdueFrom !== null
        ? t(locale, "campaign.start.notice_past", { n: input.pastDeadlines, from: shanghaiDateTime(new Date(input.overdueFrom)) })
        : t(locale, "campaign.start.notice_past_no_reminders", { n: input.pastDeadlines }),
    );
  else lines.push(t(locale, "campaign.start.notice_told"));
  if (input.unenrolledNames.length) {
    const shown = input.unenrolledNames.slice(0, MAX_NAMES).join(locale === "en" ? ", " : "、");
    const more = input.unenrolledNames.length > MAX_NAMES ? t(locale, "campaign.start.and_more", { n: input.unenrolledNames.length - MAX_NAMES }) : "";
    lines.push(t(locale, "campaign.start.notice_unenrolled", { n: input.unenrolledNames.length, names: shown + more }));
  }
  return { kind: "text", text: lines.join("\n") };
}
