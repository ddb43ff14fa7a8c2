// How a lead step's outcome and a lead's tips read in chat (shared by lead presses, prompts and commands).
import type { Locale } from "../../core/report-input";
import { shanghaiDateTime } from "../../core/time";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import type { CommandResult } from "../leads/leads";
import { refusalText } from "../refusals/refusal-text";
import type { LeadTip } from "../leads/tips";
import type { ChatReply } from "./types";

/** The reply to a lead step: done, already, or the refusal in words naming who can do it (refusals/refusal-text.ts). */
export async function resultReply(deps: ServiceDeps, result: CommandResult, locale: Locale, actionLabel: string, about: { action: string; actorId: string; leadId?: string }): Promise<ChatReply> {
  switch (result.status) {
    case "done":
      return { text: t(locale, "chat.done", { action: actionLabel }) };
    case "duplicate":
      return { text: t(locale, "chat.already") };
    case "unchanged":
      // A concurrent change won: nothing of this one was written; the card shows what happened.
      return { text: t(locale, result.changedMeanwhile ? "chat.changed_meanwhile" : "chat.already") };
    case "refused":
      return { text: await refusalText(deps, locale, { scope: "lead", code: result.reason, action: about.action, actorId: about.actorId, lead: result.lead ?? null, ...(about.leadId ? { leadId: about.leadId } : {}) }) };
  }
}

export function tipLabel(tip: Pick<LeadTip, "tipNo" | "addedAt" | "channel">, locale: Locale): string {
  return t(locale, "chat.tip_label", { no: tip.tipNo, time: shanghaiDateTime(new Date(tip.addedAt)), channel: t(locale, `chat.tip_channel.${tip.channel === "api" ? "api" : "web"}`) });
}
