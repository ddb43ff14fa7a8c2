// Where a chat listing may be shown. /board (late units), /campaigns, /members, /mine, /overdue and
// /teams answer with lists about people, units and leads: typed in a unit's or a team's group they go
// to the person privately and the group sees only a short note; shown where typed only in a private
// chat and in the coordinators' own chat. (Slack answers slash commands ephemerally: nobody else sees
// them there, so it needs no note.)
import { and, eq } from "drizzle-orm";
import { teams } from "../../db/schema";
import { isLocale, t } from "../../i18n";
import type { ChatReply, ChatUser } from "./types";
import type { ServiceDeps } from "../deps";
import { findMemberByChatUser } from "../org/org";

export const LISTING_COMMANDS: ReadonlySet<string> = new Set(["board", "campaigns", "members", "mine", "overdue", "teams"]);

/** True when this chat is the (active) coordinators' team chat. */
async function isCoordinatorsChat(deps: ServiceDeps, user: ChatUser): Promise<boolean> {
  const team = await deps.db.query.teams.findFirst({
    columns: { id: true },
    where: and(eq(teams.platform, user.platform), eq(teams.chatId, user.chatId), eq(teams.isCoordinators, true), eq(teams.active, true)),
  });
  return team !== undefined;
}

/**
 * The reply to a command as it may be shown in the chat it was typed in: a listing typed in any group
 * but the coordinators' becomes a private message (list and link together) plus a note for the group.
 * Anyone not enrolled gets the usual public answer (there is no private chat with them to use).
 */
export async function routeListingReply(deps: ServiceDeps, input: { user: ChatUser; command: string; isPrivateChat: boolean }, reply: ChatReply): Promise<ChatReply> {
  if (input.isPrivateChat || !LISTING_COMMANDS.has(input.command.toLowerCase())) return reply;
  if (await isCoordinatorsChat(deps, input.user)) return reply;
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  if (!member) return reply;
  const locale = isLocale(member.locale) ? member.locale : deps.config.DEFAULT_LOCALE;
  return { text: t(locale, "chat.list_sent_privately"), privateText: [reply.text, reply.privateText].filter(Boolean).join("\n") };
}
