// The shapes every chat handler shares: who pressed or typed (ChatUser), what the platform shows back
// (ChatReply), and what an enrolled member's command carries once the dispatcher has found them.
import type { Locale } from "../../core/report-input";
import type { MemberRow } from "../../db/schema";
import type { Platform } from "../../chat/types";
import type { Actor } from "../events";

export type PromptPurpose = "decline_reason" | "conclude_amount" | "ask_tipster" | "reassign";

export interface ChatReply {
  /** Short answer shown to the person who pressed (Telegram callback answer, Slack ephemeral). */
  text: string;
  /** Ask for free text: the platform shows a force-reply prompt (Telegram) or a modal (Slack). */
  prompt?: {
    purpose: PromptPurpose;
    leadId: string;
    text: string;
    context?: Record<string, unknown>;
    /**
     * The tips of a clustered lead, when the answer must address one of them: Slack shows a select
     * (its value comes back as context.tipNo); on Telegram the answer starts with "#<no>".
     */
    tipChoices?: { tipNo: number; label: string }[];
  };
  /** The prompt stays open: its answer was not usable (e.g. a question that names no tip). */
  keepPromptOpen?: boolean;
  /** Sent only to the person (Telegram private chat, Slack ephemeral): e.g. the signed case link. */
  privateText?: string;
  /**
   * This press was seen before (a platform retry or a replayed request): its link was already given. The
   * outbox dedupes by the update (Telegram); a direct answer (Slack ephemeral) is not shown again.
   */
  replayed?: boolean;
}

export interface ChatUser {
  platform: Exclude<Platform, "console">;
  userId: string;
  chatId: string;
  /** Platform reference of the press or message (for the log). */
  platformRef?: string | null;
}

/** A text command by an enrolled member, as the dispatcher hands it to a capability's handler. */
export interface MemberCommand {
  user: ChatUser;
  member: MemberRow;
  /** The member as the event log's actor (type "member", with the platform and its reference). */
  actor: Actor;
  locale: Locale;
  /** Lower-cased, without the slash. */
  command: string;
  args: string[];
  updateKey: string;
}
