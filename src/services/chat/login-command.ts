// /login (Slack: /fundwatch login): an enrolled member asks for a sign-in link to the staff workspace.
// The link is a credential of one person: it is given only where nobody else reads the answer — a
// private chat with the Telegram bot, or Slack's ephemeral answer to a slash command — never in a group.
import type { Locale } from "../../core/report-input";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { issueSignInLink } from "../workspace/sign-in-links";
import type { ChatReply, ChatUser, MemberCommand } from "./types";

export const LOGIN_COMMANDS: ReadonlySet<string> = new Set(["login"]);

/**
 * True when only the person who typed the command sees the answer: a private chat, or any Slack slash
 * command (answered ephemerally wherever it is typed, see chat/slack/app.ts).
 */
export const answerIsPrivate = (user: ChatUser, isPrivateChat: boolean): boolean => isPrivateChat || user.platform === "slack";

/** The answer to someone not enrolled: no link exists for them, and how to get one. */
export const loginNotEnrolledReply = (locale: Locale): ChatReply => ({ text: t(locale, "workspace.signin.chat_not_enrolled") });

/**
 * Issues the member's link, keyed by the update: a redelivered or replayed command issues nothing new
 * (its link was given the first time) and says so. In a group nothing is issued at all.
 */
export async function handleLoginCommand(deps: ServiceDeps, input: MemberCommand & { isPrivateChat: boolean }): Promise<ChatReply> {
  const { member, locale } = input;
  if (!answerIsPrivate(input.user, input.isPrivateChat)) return { text: t(locale, "workspace.signin.chat_private_only") };
  const issued = await issueSignInLink(deps, { memberId: member.id, via: input.user.platform, actor: input.actor, dedupeKey: input.updateKey });
  if (issued.status === "replayed") return { text: t(locale, "workspace.signin.chat_replayed"), replayed: true };
  return { text: t(locale, "workspace.signin.chat_link", { url: issued.url }) };
}
