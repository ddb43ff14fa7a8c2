// A button pressed on a lead card (see leadButtons in leads/lead-cards.ts): a lead step taken at once, a
// prompt for the text a step needs (reason, amount, question, new assignee), or the signed case link.
import type { LeadCommand } from "../../core/lead-lifecycle";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { asActor, getLead, logRefusal, logUnknownUser, mayHandleLead, runLeadCommand, type MemberActor } from "../leads/leads";
import { listLeadTips } from "../leads/tips";
import { findMemberByChatUser } from "../org/org";
import { CASE_LINK_MINUTES, caseLinkForPress } from "./case-links";
import { measureWords } from "./lead-prompts";
import { refusalText } from "../refusals/refusal-text";
import { resultReply, tipLabel } from "./lead-replies";
import { chatLocale, localeOf } from "./locale";
import type { ChatReply, ChatUser } from "./types";

// Maps, not object literals: the action comes from the platform, and "constructor" or "__proto__" must
// not find Object.prototype members.
const SIMPLE_COMMANDS = new Map<string, LeadCommand>([
  ["ack", { type: "acknowledge" }],
  ["accept", { type: "accept" }],
  ["investigate", { type: "investigate" }],
  ["unsubstantiated", { type: "conclude", outcome: "unsubstantiated" }],
  ["referred_police", { type: "conclude", outcome: "referred_police" }],
  ["referred_discipline", { type: "conclude", outcome: "referred_discipline" }],
  ["referred_health_commission", { type: "conclude", outcome: "referred_health_commission" }],
]);
const PROMPT_ACTIONS = new Set(["decline", "substantiated", "partly_substantiated", "ask", "reassign"]);

/** True for the actions a lead card's buttons carry (see leadButtons in leads/lead-cards.ts). */
export function isCardAction(action: string): boolean {
  return SIMPLE_COMMANDS.has(action) || PROMPT_ACTIONS.has(action) || action === "open";
}

/** A press on a lead card. Unknown actions are answered with an empty reply and change nothing. */
export async function handleLeadPress(deps: ServiceDeps, input: { user: ChatUser; action: string; leadId: string; updateKey: string }): Promise<ChatReply> {
  if (!isCardAction(input.action)) return { text: "" };
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member, await chatLocale(deps, input.user));
  if (!member) {
    await logUnknownUser(deps, { platform: input.user.platform, platformUserId: input.user.userId, attempted: input.action, leadId: input.leadId, dedupeKey: input.updateKey });
    return { text: await refusalText(deps, locale, { scope: "chat", code: "not_enrolled" }) };
  }
  const actor: MemberActor = { member, platform: input.user.platform, platformRef: input.user.platformRef ?? null };
  const lead = await getLead(deps, input.leadId);
  if (!lead) return { text: t(locale, "chat.unknown_lead") };
  const label = t(locale, `chat.btn.${input.action}`);
  const simple = SIMPLE_COMMANDS.get(input.action);
  if (simple) {
    const result = await runLeadCommand(deps, { leadId: lead.id, command: simple, actor, dedupeKey: input.updateKey });
    if (result.status === "done") deps.notifyOutbox?.();
    return resultReply(deps, result, locale, label, { action: simple.type, actorId: member.id, leadId: lead.id });
  }
  if (!mayHandleLead(member, lead)) {
    await logRefusal(deps, asActor(actor), lead.id, input.action, "not_permitted", input.updateKey);
    return { text: await refusalText(deps, locale, { scope: "lead", code: "not_permitted", action: input.action, actorId: member.id, lead }) };
  }
  switch (input.action) {
    case "decline": {
      const tips = await listLeadTips(deps, lead.id);
      // A clustered lead: the reason reaches every tipster on their own page, or "#n reason" declines one tip only.
      const text = tips.length > 1 ? t(locale, "chat.prompt_decline_clustered", { id: lead.id, count: tips.length, tips: tips.map((tip) => tipLabel(tip, locale)).join("\n") }) : t(locale, "chat.prompt_decline", { id: lead.id });
      return { text: label, prompt: { purpose: "decline_reason", leadId: lead.id, text } };
    }
    case "substantiated":
    case "partly_substantiated":
      return { text: label, prompt: { purpose: "conclude_amount", leadId: lead.id, text: t(locale, "conclusion.prompt", { id: lead.id, measures: measureWords(locale) }), context: { outcome: input.action } } };
    case "ask": {
      // Each tip of a clustered lead is its own conversation: the question goes to one tipster, chosen here.
      const tips = await listLeadTips(deps, lead.id);
      if (tips.length === 0) return { text: t(locale, "chat.no_tipster") };
      if (tips.length === 1) return { text: label, prompt: { purpose: "ask_tipster", leadId: lead.id, text: t(locale, "chat.prompt_ask", { id: lead.id }), context: { tipNo: 1 } } };
      const tipChoices = tips.map((tip) => ({ tipNo: tip.tipNo, label: tipLabel(tip, locale) }));
      return {
        text: label,
        prompt: {
          purpose: "ask_tipster",
          leadId: lead.id,
          text: t(locale, "chat.prompt_ask_one_of", { id: lead.id, count: tips.length, tips: tipChoices.map((c) => c.label).join("\n") }),
          tipChoices,
        },
      };
    }
    case "reassign":
      return { text: label, prompt: { purpose: "reassign", leadId: lead.id, text: t(locale, "chat.prompt_reassign", { id: lead.id }) } };
    case "open": {
      const { url, replayed } = await caseLinkForPress(deps, actor, lead, input.updateKey);
      return { text: label, privateText: t(locale, "chat.open_link", { id: lead.id, minutes: CASE_LINK_MINUTES, url }), ...(replayed ? { replayed } : {}) };
    }
    default:
      return { text: await refusalText(deps, locale, { scope: "lead", code: "invalid_transition", action: input.action, actorId: member.id, lead }) };
  }
}
