// What chat presses, commands and prompt answers mean, independent of the platform: the Telegram and
// Slack handlers call these three entry points, which hand each one to its capability's handler (leads,
// batches, enrolment and membership, campaigns) and return the reply to show. Handlers never import this.
import { t } from "../../i18n";
import { CAMPAIGN_COMMANDS, handleCampaignCommand } from "../campaigns/chat";
import type { ServiceDeps } from "../deps";
import { refusalText } from "../refusals/refusal-text";
import type { Actor } from "../events";
import { logUnknownUser } from "../leads/leads";
import { findMemberByChatUser } from "../org/org";
import { BATCH_ACTIONS, handleBatchPress } from "./batch-presses";
import { handleLeadCommand, LEAD_COMMANDS } from "./lead-commands";
import { handleLeadPress } from "./lead-presses";
import { answerLeadPrompt } from "./lead-prompts";
import { chatLocale, localeOf } from "./locale";
import { handleLoginCommand, LOGIN_COMMANDS, loginNotEnrolledReply } from "./login-command";
import { enrolByInvite, ENROL_COMMANDS, handleOrgCommand, ORG_COMMANDS } from "./org-commands";
import { handleStatsCommand, STATS_COMMANDS } from "./stats-command";
import type { ChatReply, ChatUser, PromptPurpose } from "./types";

/**
 * A button pressed on a lead or batch card. `updateKey` identifies the delivery (update_id, action_ts).
 * Unknown actions are answered with an empty reply and change nothing. (Campaign and reward cards have
 * their own entry points: campaigns/chat.ts, rewards/reward-chat.ts.)
 */
export async function handleCardAction(deps: ServiceDeps, input: { user: ChatUser; action: string; leadId: string; updateKey: string }): Promise<ChatReply> {
  if (BATCH_ACTIONS.has(input.action)) return handleBatchPress(deps, { ...input, batchId: input.leadId });
  return handleLeadPress(deps, input);
}

/** The free-text answer to a lead prompt (campaign and reward prompts are answered by their own handlers). */
export function answerPrompt(
  deps: ServiceDeps,
  input: { user: ChatUser; purpose: PromptPurpose; leadId: string; text: string; context?: Record<string, unknown>; updateKey: string },
): Promise<ChatReply> {
  return answerLeadPrompt(deps, input);
}

/** Text commands: /start CODE, /login, /stats, /mine, /overdue, /lead ID, /help (Slack: /fundwatch join CODE, …). */
export async function handleCommand(deps: ServiceDeps, input: { user: ChatUser; command: string; args: string[]; updateKey: string; isPrivateChat: boolean }): Promise<ChatReply> {
  const command = input.command.toLowerCase();
  const fallback = await chatLocale(deps, input.user);
  if (ENROL_COMMANDS.has(command)) return enrolByInvite(deps, { user: input.user, args: input.args, updateKey: input.updateKey, fallback });
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member, fallback);
  if (!member) {
    await logUnknownUser(deps, { platform: input.user.platform, platformUserId: input.user.userId, attempted: `/${command}`, dedupeKey: input.updateKey });
    return LOGIN_COMMANDS.has(command) ? loginNotEnrolledReply(locale) : { text: await refusalText(deps, locale, { scope: "chat", code: "not_enrolled" }) };
  }
  const actor: Actor = { type: "member", id: member.id, role: member.role, platform: input.user.platform, platformRef: input.user.platformRef ?? null };
  // Campaign commands (/campaigns, /board, /nudge, /move, /extend): see services/campaigns/chat.ts.
  if (CAMPAIGN_COMMANDS.has(command)) {
    const reply = await handleCampaignCommand(deps, { user: input.user, member, command, args: input.args, updateKey: input.updateKey });
    return { text: reply.text, ...(reply.privateText ? { privateText: reply.privateText } : {}) };
  }
  const memberCommand = { user: input.user, member, actor, locale, command, args: input.args, updateKey: input.updateKey };
  // /login: a sign-in link to the staff workspace, only where nobody else reads it (services/chat/login-command.ts).
  if (LOGIN_COMMANDS.has(command)) return handleLoginCommand(deps, { ...memberCommand, isPrivateChat: input.isPrivateChat });
  // /stats: the key figures, privately too (services/chat/stats-command.ts).
  if (STATS_COMMANDS.has(command)) return handleStatsCommand(deps, { ...memberCommand, isPrivateChat: input.isPrivateChat });
  if (LEAD_COMMANDS.has(command)) return handleLeadCommand(deps, memberCommand);
  if (ORG_COMMANDS.has(command)) return handleOrgCommand(deps, memberCommand);
  return { text: t(locale, "chat.help") };
}
