// The free-text answer to a lead prompt: a decline reason (for the lead, or "#n reason" for one tip), a
// verified amount, a question for one tipster, or the member to reassign the lead to.
import { parseConclusionText } from "../../core/conclusion-text";
import { MEASURES, measuresText } from "../../core/measures";
import { formatYuan, MAX_AMOUNT_FEN, parseYuanText } from "../../core/money";
import { REPORT_OUTCOMES, type ReportOutcome } from "../../core/report-status";
import type { Locale } from "../../core/report-input";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { getLead, logUnknownUser, reassignLead, runLeadCommand, type CommandResult, type MemberActor } from "../leads/leads";
import { askTipster as askTipsterOfLead, declineOneTip, type TipActionResult } from "../leads/tip-actions";
import { parseTipAddress } from "../leads/tips";
import { findMemberByChatUser } from "../org/org";
import { refusalText } from "../refusals/refusal-text";
import { resultReply } from "./lead-replies";
import { chatLocale, localeOf } from "./locale";
import type { ChatReply, ChatUser, PromptPurpose } from "./types";

/** Parses "12000", "12,000.50", "1.2万" into fen; null when it is not an amount or over MAX_AMOUNT_FEN. */
export function parseAmountFen(text: string): number | null {
  const r = parseYuanText(text);
  return r.ok ? r.fen : null;
}

/** The free-text answer to a prompt: a decline reason, a verified amount, a question for the tipster, or a member to reassign to. */
export async function answerLeadPrompt(
  deps: ServiceDeps,
  input: { user: ChatUser; purpose: PromptPurpose; leadId: string; text: string; context?: Record<string, unknown>; updateKey: string },
): Promise<ChatReply> {
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member, await chatLocale(deps, input.user));
  if (!member) {
    await logUnknownUser(deps, { platform: input.user.platform, platformUserId: input.user.userId, attempted: input.purpose, leadId: input.leadId, dedupeKey: input.updateKey });
    return { text: await refusalText(deps, locale, { scope: "chat", code: "not_enrolled" }) };
  }
  const actor: MemberActor = { member, platform: input.user.platform, platformRef: input.user.platformRef ?? null };
  let result: CommandResult;
  switch (input.purpose) {
    case "decline_reason": {
      const addressed = parseTipAddress(input.text);
      if (addressed.tipNo !== null) return declineTipOfLead(deps, { leadId: input.leadId, tipNo: addressed.tipNo, reason: addressed.body, actor, updateKey: input.updateKey, locale });
      result = await runLeadCommand(deps, { leadId: input.leadId, command: { type: "decline", reason: input.text }, actor, dedupeKey: input.updateKey });
      break;
    }
    case "conclude_amount": {
      // The verified amount, and in the same reply optionally what was recovered, the fine and the measures.
      const parsed = parseConclusionText(input.text);
      // The prompt stays open: the asker fixes the reply and answers it again.
      if (!parsed.ok) return { text: conclusionTextError(parsed, locale), keepPromptOpen: true };
      const outcome = (REPORT_OUTCOMES as readonly string[]).includes(String(input.context?.outcome)) ? (input.context!.outcome as ReportOutcome) : "substantiated";
      const command = { type: "conclude", outcome, amountFen: parsed.amountFen, recoveredFen: parsed.recoveredFen, fineFen: parsed.fineFen, measures: parsed.measures } as const;
      result = await runLeadCommand(deps, { leadId: input.leadId, command, actor, dedupeKey: input.updateKey });
      break;
    }
    case "ask_tipster":
      return askTipster(deps, { leadId: input.leadId, text: input.text, chosenTip: input.context?.tipNo, actor, updateKey: input.updateKey, locale });
    case "reassign":
      result = await reassignLead(deps, { leadId: input.leadId, toMemberId: input.text.trim(), actor, dedupeKey: input.updateKey });
      break;
  }
  if (result.status === "done") deps.notifyOutbox?.();
  const action = input.purpose === "decline_reason" ? "decline" : input.purpose === "reassign" ? "reassign" : "conclude";
  return resultReply(deps, result, locale, t(locale, `chat.btn.${action === "conclude" ? String(input.context?.outcome ?? "substantiated") : action}`), { action, actorId: actor.member.id, leadId: input.leadId });
}

/** The words a measure may be typed as, for the prompt and its errors ("约谈、限期整改…" / "interview, rectification, …"). */
export function measureWords(locale: Locale): string {
  return locale === "zh-CN" ? measuresText(MEASURES, locale) : MEASURES.join(", ");
}

/** Why a conclusion reply could not be read, in words (nothing was recorded). */
function conclusionTextError(parsed: Extract<ReturnType<typeof parseConclusionText>, { ok: false }>, locale: Locale): string {
  switch (parsed.reason) {
    case "amount_invalid":
    case "amount_too_large":
      return t(locale, `chat.${parsed.reason}`, { max: formatYuan(MAX_AMOUNT_FEN) });
    case "unknown_word":
      return t(locale, "conclusion.unknown_word", { word: parsed.word, measures: measureWords(locale) });
    case "figure_repeated":
    case "figure_missing":
      return t(locale, `conclusion.${parsed.reason}`, { figure: t(locale, `conclusion.figure.${parsed.figure}`) });
  }
}

/**
 * The question appears on the status page of one tip only: in a clustered lead the asker names the
 * tip (Slack select or "#<no>" on Telegram), and nothing written for one tipster reaches another.
 */
async function askTipster(
  deps: ServiceDeps,
  input: { leadId: string; text: string; chosenTip: unknown; actor: MemberActor; updateKey: string; locale: Locale },
): Promise<ChatReply> {
  const addressed = parseTipAddress(input.text);
  const chosen = typeof input.chosenTip === "number" ? input.chosenTip : typeof input.chosenTip === "string" && /^\d+$/.test(input.chosenTip) ? Number(input.chosenTip) : null;
  const result = await askTipsterOfLead(deps, { leadId: input.leadId, tipNo: addressed.tipNo ?? chosen, question: addressed.body, actor: input.actor, dedupeKey: input.updateKey });
  if (result.status === "done") return { text: result.tipCount > 1 ? t(input.locale, "chat.question_sent_to", { no: result.tipNo }) : t(input.locale, "chat.question_sent") };
  return tipActionReply(deps, result, input, "ask");
}

/** "#n reason" on a clustered lead: only that tip is not accepted; the lead goes on with the others. */
async function declineTipOfLead(deps: ServiceDeps, input: { leadId: string; tipNo: number; reason: string; actor: MemberActor; updateKey: string; locale: Locale }): Promise<ChatReply> {
  const result = await declineOneTip(deps, { leadId: input.leadId, tipNo: input.tipNo, reason: input.reason, actor: input.actor, dedupeKey: input.updateKey });
  if (result.status === "done") return { text: t(input.locale, "chat.tip_declined", { no: result.tipNo, id: input.leadId }) };
  return tipActionReply(deps, result, input, "decline");
}

/** A tip action that was not taken, as chat says it (a prompt stays open while the asker can fix the answer). */
async function tipActionReply(
  deps: ServiceDeps,
  result: Exclude<TipActionResult, { status: "done" }>,
  input: { leadId: string; actor: MemberActor; locale: Locale },
  action: "ask" | "decline",
): Promise<ChatReply> {
  const locale = input.locale;
  switch (result.status) {
    case "unknown_lead":
      return { text: t(locale, "chat.unknown_lead") };
    case "not_permitted": {
      // In words: what is missing and who can do it (the refusal was logged by the use case).
      const lead = await getLead(deps, input.leadId);
      if (!lead) return { text: t(locale, "chat.unknown_lead") };
      return { text: await refusalText(deps, locale, { scope: "lead", code: "not_permitted", action, actorId: input.actor.member.id, lead }) };
    }
    case "no_tipster":
      return { text: t(locale, "chat.no_tipster") };
    case "choose_tip":
      return { text: t(locale, "chat.ask_choose_tip", { count: result.count }), keepPromptOpen: true };
    case "empty":
      return { text: t(locale, "validation.required"), keepPromptOpen: true };
    case "duplicate":
      return { text: t(locale, "chat.already") };
    case "closed":
      return { text: t(locale, "chat.tip_closed", { no: result.tipNo }) };
  }
}
