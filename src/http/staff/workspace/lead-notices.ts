// What a lead step from the page came to, in words: the code travels in the redirect back to the lead
// page (`?notice=<code>&n=<tip number>`), never free text, so nothing a form carried is echoed.
import type { Locale } from "../../../core/report-input";
import { MAX_AMOUNT_FEN } from "../../../core/money";
import { formatYuan } from "../../../core/rewards/compute";
import { t } from "../../../i18n";

/** Successes (shown as a status) and refusals (shown as an alert): each has workspace.leads.notice.<code>. */
const DONE = ["done_acknowledge", "done_accept", "done_investigate", "done_decline", "done_conclude", "done_refer", "done_ask", "done_reassign", "done_decline_tip"] as const;
const REFUSED = [
  "duplicate",
  "unchanged",
  "changed_meanwhile",
  "not_permitted",
  "not_permitted_reassign",
  "invalid_transition",
  "reason_required",
  "amount_required",
  "amount_invalid",
  "amount_too_large",
  "figures_not_allowed",
  "measures_invalid",
  "reassign_target",
  "choose_tip",
  "question_required",
  "tip_closed",
  "no_tipster",
  "invalid_form",
] as const;
export type NoticeCode = (typeof DONE)[number] | (typeof REFUSED)[number];

const OK: ReadonlySet<string> = new Set(DONE);
const ALL: ReadonlySet<string> = new Set([...DONE, ...REFUSED]);

/** The notice for the page, or null for no (or an unknown) code. */
export function noticeOf(locale: Locale, code: string | undefined, n: string | undefined): { ok: boolean; text: string } | null {
  if (!code || !ALL.has(code)) return null;
  const no = n && /^\d{1,4}$/.test(n) ? n : "?";
  return { ok: OK.has(code), text: t(locale, `workspace.leads.notice.${code}`, { no, max: formatYuan(MAX_AMOUNT_FEN) }) };
}
