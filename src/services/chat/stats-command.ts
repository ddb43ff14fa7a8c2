// /stats [week|month|quarter|year] (Slack: /fundwatch stats …): the key figures of this week, month,
// quarter or year so far, and a link into the workspace statistics page. Answered only where nobody else
// reads it — a private chat with the Telegram bot, or Slack's ephemeral answer — as /login is. Every
// /stats leaves an event: viewed, refused, or not answered (typed in a group, or a bad argument).
import { z } from "zod";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { refusalText } from "../refusals/refusal-text";
import { statisticsChatText } from "../statistics/chat-text";
import { logStatisticsNotAnswered, statisticsForMember } from "../statistics/member-statistics";
import { statisticsPageUrl } from "../statistics/page-link";
import { answerIsPrivate } from "./login-command";
import type { ChatReply, MemberCommand } from "./types";

export const STATS_COMMANDS: ReadonlySet<string> = new Set(["stats"]);

/** No word: this month so far; otherwise exactly one of the four, in any letter case. */
const statsArgsSchema = z.union([z.tuple([]), z.tuple([z.string().max(20).transform((s) => s.toLowerCase()).pipe(z.enum(["week", "month", "quarter", "year"]))])]);

export async function handleStatsCommand(deps: ServiceDeps, input: MemberCommand & { isPrivateChat: boolean }): Promise<ChatReply> {
  const { member, locale } = input;
  const notAnswered = (reason: "group_chat" | "usage") => logStatisticsNotAnswered(deps, { member, actor: input.actor, reason, via: input.user.platform, dedupeKey: input.updateKey });
  // In a group: only the note, no figures (a team's figures are not for everyone in a shared chat).
  if (!answerIsPrivate(input.user, input.isPrivateChat)) {
    await notAnswered("group_chat");
    return { text: t(locale, "statistics.chat.private_only") };
  }
  const args = statsArgsSchema.safeParse(input.args);
  if (!args.success) {
    await notAnswered("usage");
    return { text: t(locale, "statistics.chat.usage") };
  }
  const period = args.data[0] ?? "month";
  const result = await statisticsForMember(deps, { member, actor: input.actor, period, via: input.user.platform, dedupeKey: input.updateKey });
  if (result.status === "refused") return { text: await refusalText(deps, locale, result.refusal) };
  return { text: statisticsChatText(result.report, locale, { link: statisticsPageUrl(deps, result.scope) }) };
}
