// How a lead step's outcome and a lead's tips read in chat (shared by lead presses, prompts and commands).
import type { Locale } from "../../core/report-input";
import { shanghaiDateTime } from "../../core/time";
import { t } from "../../i18n";
import type { CommandResult } from "../leads/leads";
import type { LeadTip } from "../leads/tips";
import type { ChatReply } from "./types";

export function resultReply(result: CommandResult, locale: Locale, actionLabel: string): ChatReply {
  switch (result.status) {
    case "done":
      return { text: t(locale, "chat.done", { action: actionLabel }) };
    case "duplicate":
      return { text: t(locale, "chat.already") };
    case "unchanged":
      // A concurrent change won: nothing of this one was written; the card shows what happened.
      return { text: t(locale, result.changedMeanwhile ? "chat.changed_meanwhile" : "chat.already") };
    case "refused":
      if (result.reason === "invalid_transition")
        return { text: t(locale, "chat.invalid_transition", { state: result.lead ? t(locale, `chat.lead_state.${result.lead.state}`) : "?" }) };
      if (result.reason === "unknown_lead") return { text: t(locale, "chat.unknown_lead") };
      return { text: t(locale, "chat.not_permitted") };
  }
}

export function tipLabel(tip: Pick<LeadTip, "tipNo" | "addedAt" | "channel">, locale: Locale): string {
  return t(locale, "chat.tip_label", { no: tip.tipNo, time: shanghaiDateTime(new Date(tip.addedAt)), channel: t(locale, `chat.tip_channel.${tip.channel === "api" ? "api" : "web"}`) });
}
