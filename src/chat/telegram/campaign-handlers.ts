// Telegram side of campaign cards: a press on c-recv / c-subm / c-open / c-acc / c-ret, and a reply to a
// campaign prompt (submission note, return reason). Called from bot.ts; the meaning lives in
// src/services/campaigns/chat.ts, every message goes through the outbox keyed by the update.
import type { Context } from "grammy";
import { answerCampaignPrompt, createCampaignPrompt, handleCampaignAction, type CampaignPromptPurpose } from "../../services/campaigns/chat";
import type { CampaignAction } from "../../services/campaigns/messages";
import { markPromptAnswered, type ChatPrompt } from "../../services/chat/prompts";
import { queueReplies } from "../../services/chat/replies";
import type { ServiceDeps } from "../../services/deps";
import { findMemberByChatUser } from "../../services/org/org";
import { chatUser, updateKey } from "./update";

export async function handleCampaignCallback(deps: ServiceDeps, ctx: Context, decoded: { action: CampaignAction; leadId: string }): Promise<void> {
  const user = chatUser(ctx);
  const reply = await handleCampaignAction(deps, { user, action: decoded.action, assignmentId: decoded.leadId, updateKey: updateKey(ctx) });
  await ctx.answerCallbackQuery(reply.text ? { text: reply.text.slice(0, 190) } : undefined).catch((err: unknown) => {
    deps.log.warn("telegram answerCallbackQuery failed", { updateId: ctx.update.update_id, error: err instanceof Error ? err.message : String(err) });
  });
  if (reply.privateText) await queueReplies(deps, { user, updateKey: updateKey(ctx), privateText: reply.privateText });
  if (reply.prompt) {
    const member = await findMemberByChatUser(deps, "telegram", user.userId);
    if (!member) return;
    const cardMessageId = ctx.callbackQuery?.message?.message_id;
    await createCampaignPrompt(deps, { user, memberId: member.id, purpose: reply.prompt.purpose, assignmentId: reply.prompt.assignmentId, text: reply.prompt.text, replyToMessageId: cardMessageId !== undefined ? String(cardMessageId) : null, dedupeKey: updateKey(ctx) });
  }
}

/** A reply to a campaign prompt, by the member it asked (others fall through to the next handler). */
export async function handleCampaignReply(deps: ServiceDeps, ctx: Context, prompt: ChatPrompt, text: string): Promise<boolean> {
  const user = chatUser(ctx);
  const member = await findMemberByChatUser(deps, "telegram", user.userId);
  if (!member || member.id !== prompt.memberId || !prompt.assignmentId) return false;
  const reply = await answerCampaignPrompt(deps, { user, purpose: prompt.purpose as CampaignPromptPurpose, assignmentId: prompt.assignmentId, text, updateKey: updateKey(ctx) });
  if (!reply.keepPromptOpen) await markPromptAnswered(deps, prompt.id);
  await queueReplies(deps, { user, updateKey: updateKey(ctx), publicText: reply.text, replyToMessageId: String(ctx.msg!.message_id) });
  return true;
}
