// Telegram side of reward claim cards: a press on r-apr / r-fin / r-rej / r-ask / r-pay, and a reply to
// a reward prompt (reason, question, payment reference). Called from bot.ts; the meaning lives in
// src/services/rewards/reward-chat.ts.
import type { Context } from "grammy";
import { markPromptAnswered, type ChatPrompt } from "../../services/chat/prompts";
import { queueReplies } from "../../services/chat/replies";
import type { ServiceDeps } from "../../services/deps";
import { findMemberByChatUser } from "../../services/org/org";
import { chatUser, updateKey } from "./update";
import { answerRewardPrompt, createRewardPrompt, handleRewardAction, rewardPromptClaim, type RewardAction, type RewardPromptPurpose } from "../../services/rewards/reward-chat";

export async function handleRewardCallback(deps: ServiceDeps, ctx: Context, decoded: { action: RewardAction; claimId: string }): Promise<void> {
  const user = chatUser(ctx);
  const reply = await handleRewardAction(deps, { user, action: decoded.action, claimId: decoded.claimId, updateKey: updateKey(ctx) });
  await ctx.answerCallbackQuery(reply.text ? { text: reply.text.slice(0, 190) } : undefined).catch((err: unknown) => {
    deps.log.warn("telegram answerCallbackQuery failed", { updateId: ctx.update.update_id, error: err instanceof Error ? err.message : String(err) });
  });
  if (!reply.prompt) return;
  const member = await findMemberByChatUser(deps, "telegram", user.userId);
  if (!member) return;
  const cardMessageId = ctx.callbackQuery?.message?.message_id;
  await createRewardPrompt(deps, { user, memberId: member.id, purpose: reply.prompt.purpose, claimId: reply.prompt.claimId, text: reply.prompt.text, replyToMessageId: cardMessageId !== undefined ? String(cardMessageId) : null, dedupeKey: updateKey(ctx) });
}

/** A reply to a reward prompt by the member it asked; false lets the next handler look at it. */
export async function handleRewardReply(deps: ServiceDeps, ctx: Context, prompt: ChatPrompt, text: string): Promise<boolean> {
  const claimId = rewardPromptClaim(prompt);
  if (!claimId) return false;
  const user = chatUser(ctx);
  const member = await findMemberByChatUser(deps, "telegram", user.userId);
  if (!member || member.id !== prompt.memberId) return false;
  const reply = await answerRewardPrompt(deps, { user, purpose: prompt.purpose as RewardPromptPurpose, claimId, text });
  if (!reply.keepPromptOpen) await markPromptAnswered(deps, prompt.id);
  await queueReplies(deps, { user, updateKey: updateKey(ctx), publicText: reply.text, replyToMessageId: String(ctx.msg!.message_id) });
  return true;
}
