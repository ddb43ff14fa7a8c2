// The free-text answer to a lead prompt: a decline reason (for the lead, or "#n reason" for one tip), a
// verified amount, a question for one tipster, or the member to reassign the lead to.
import { MAX_AMOUNT_FEN, parseYuanText } from "../../core/money";
import { formatYuan } from "../../core/rewards/compute";
import { REPORT_OUTCOMES, type ReportOutcome } from "../../core/report-status";
import type { Locale } from "../../core/report-input";
import { events } from "../../db/schema";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { eventRow, isUniqueViolation } from "../events";
import { postInvestigatorMessage } from "../intake/reports";
import { asActor, getLead, logRefusal, logUnknownUser, mayHandleLead, reassignLead, runLeadCommand, type CommandResult, type MemberActor } from "../leads/leads";
import { declineTip, listLeadTips, parseTipAddress } from "../leads/tips";
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
      if (addressed.tipNo !== null) return declineOneTip(deps, { leadId: input.leadId, tipNo: addressed.tipNo, reason: addressed.body, actor, updateKey: input.updateKey, locale });
      result = await runLeadCommand(deps, { leadId: input.leadId, command: { type: "decline", reason: input.text }, actor, dedupeKey: input.updateKey });
      break;
    }
    case "conclude_amount": {
      const parsed = parseYuanText(input.text);
      if (!parsed.ok) return { text: t(locale, `chat.${parsed.reason}`, { max: formatYuan(MAX_AMOUNT_FEN) }) };
      const amountFen = parsed.fen;
      const outcome = (REPORT_OUTCOMES as readonly string[]).includes(String(input.context?.outcome)) ? (input.context!.outcome as ReportOutcome) : "substantiated";
      result = await runLeadCommand(deps, { leadId: input.leadId, command: { type: "conclude", outcome, amountFen }, actor, dedupeKey: input.updateKey });
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

/**
 * The question appears on the status page of one tip only: in a clustered lead the asker names the
 * tip (Slack select or "#<no>" on Telegram), and nothing written for one tipster reaches another.
 */
async function askTipster(
  deps: ServiceDeps,
  input: { leadId: string; text: string; chosenTip: unknown; actor: MemberActor; updateKey: string; locale: Locale },
): Promise<ChatReply> {
  const lead = await getLead(deps, input.leadId);
  if (!lead) return { text: t(input.locale, "chat.unknown_lead") };
  if (!mayHandleLead(input.actor.member, lead)) return { text: await refusalText(deps, input.locale, { scope: "lead", code: "not_permitted", action: "ask", actorId: input.actor.member.id, lead }) };
  const tips = await listLeadTips(deps, lead.id);
  if (tips.length === 0) return { text: t(input.locale, "chat.no_tipster") };
  const addressed = parseTipAddress(input.text);
  const chosen = typeof input.chosenTip === "number" ? input.chosenTip : typeof input.chosenTip === "string" && /^\d+$/.test(input.chosenTip) ? Number(input.chosenTip) : null;
  const tipNo = addressed.tipNo ?? chosen ?? (tips.length === 1 ? 1 : null);
  const tip = tips.find((x) => x.tipNo === tipNo);
  if (!tip) return { text: t(input.locale, "chat.ask_choose_tip", { count: tips.length }), keepPromptOpen: true };
  const question = addressed.body;
  if (!question) return { text: t(input.locale, "validation.required"), keepPromptOpen: true };
  // The dedupe row first: a redelivered update finds it and asks nothing twice.
  try {
    await deps.db.insert(events).values(
      eventRow(asActor(input.actor), {
        occurredAt: deps.now().getTime(),
        entityType: "lead",
        entityId: lead.id,
        action: "lead.tipster_asked",
        data: JSON.stringify({ reportId: tip.reportId, tipNo: tip.tipNo }),
        dedupeKey: input.updateKey,
      }),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return { text: t(input.locale, "chat.already") };
  }
  await postInvestigatorMessage(deps, { reportId: tip.reportId, body: question, actor: asActor(input.actor) });
  return { text: tips.length > 1 ? t(input.locale, "chat.question_sent_to", { no: tip.tipNo }) : t(input.locale, "chat.question_sent") };
}

/** "#n reason" on a clustered lead: only that tip is not accepted; the lead goes on with the others. */
async function declineOneTip(deps: ServiceDeps, input: { leadId: string; tipNo: number; reason: string; actor: MemberActor; updateKey: string; locale: Locale }): Promise<ChatReply> {
  const lead = await getLead(deps, input.leadId);
  if (!lead) return { text: t(input.locale, "chat.unknown_lead") };
  if (!mayHandleLead(input.actor.member, lead)) {
    await logRefusal(deps, asActor(input.actor), lead.id, "decline_tip", "not_permitted", input.updateKey);
    return { text: await refusalText(deps, input.locale, { scope: "lead", code: "not_permitted", action: "decline", actorId: input.actor.member.id, lead }) };
  }
  const tips = await listLeadTips(deps, lead.id);
  const tip = tips.find((x) => x.tipNo === input.tipNo);
  if (!tip) return { text: t(input.locale, "chat.ask_choose_tip", { count: tips.length }), keepPromptOpen: true };
  if (!input.reason) return { text: t(input.locale, "validation.required"), keepPromptOpen: true };
  const result = await declineTip(deps, { leadId: lead.id, tip, reason: input.reason, actor: asActor(input.actor), dedupeKey: input.updateKey });
  if (result.status === "duplicate") return { text: t(input.locale, "chat.already") };
  if (result.status === "closed") return { text: t(input.locale, "chat.tip_closed", { no: tip.tipNo }) };
  return { text: t(input.locale, "chat.tip_declined", { no: tip.tipNo, id: lead.id }) };
}
