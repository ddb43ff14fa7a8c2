// What a press or a typed message means on the platforms without Telegram's force-reply or Slack's modals
// (Feishu, DingTalk, WeCom): their inbound handlers verify and decode a callback into one of these two
// shapes and call here. A press goes to the lead, batch, campaign or reward handler; a prompt it opens is
// sent to the member's private chat with the bot, and the next text there that is not a command answers
// it. Everything said back goes through the durable outbox keyed by the delivery, so a redelivered
// callback takes effect once and queues nothing new.
import { t } from "../../i18n";
import { answerCampaignPrompt, createCampaignPrompt, handleCampaignAction, isCampaignAction, type CampaignPromptPurpose } from "../campaigns/chat";
import type { ServiceDeps } from "../deps";
import { findMemberByChatUser } from "../org/org";
import { answerRewardPrompt, createRewardPrompt, handleRewardAction, isRewardAction, isRewardPromptPurpose, rewardPromptClaim } from "../rewards/reward-chat";
import { answerPrompt, handleCardAction, handleCommand } from "./dispatch";
import { routeListingReply } from "./listings";
import { chatLocale, localeOf } from "./locale";
import { createPrompt, findOpenPromptInChat, markPromptAnswered, type ChatPrompt } from "./prompts";
import { privateChatId, queueReplies } from "./replies";
import type { ChatUser, PromptPurpose } from "./types";

/** A button pressed on a card, as a platform's handler decoded it from a verified callback. */
export interface InboundPress {
  user: ChatUser;
  /** The button's action (`ack`, `c-recv`, `r-apr`, `b-ack`, …) and the id it is about, as the card carried them. */
  action: string;
  id: string;
  /** Identifies the delivery: the same press redelivered carries the same key. */
  updateKey: string;
}

export interface PressAnswer {
  /** The short answer for the person who pressed (Feishu: a toast). Empty: nothing to say. */
  text: string;
  /** The press was seen before: its answer was given the first time. */
  replayed?: boolean;
}

/**
 * Handles a press and returns the short answer. A private text (a signed link) and a prompt go to the
 * member's private chat through the outbox. `answerPrivately`: the platform cannot show a short answer
 * to the presser alone (DingTalk, WeCom), so a non-empty one is queued privately too.
 */
export async function handleInboundPress(deps: ServiceDeps, press: InboundPress, options: { answerPrivately?: boolean } = {}): Promise<PressAnswer> {
  const { user, action, id, updateKey } = press;
  let text: string;
  let privateText: string | undefined;
  let replayed: boolean | undefined;
  let open: ((memberId: string, asked: ChatUser) => Promise<unknown>) | null = null;
  if (isCampaignAction(action)) {
    const reply = await handleCampaignAction(deps, { user, action, assignmentId: id, updateKey });
    ({ text, privateText, replayed } = reply);
    const prompt = reply.prompt;
    if (prompt) open = (memberId, asked) => createCampaignPrompt(deps, { user: asked, memberId, purpose: prompt.purpose, assignmentId: prompt.assignmentId, text: prompt.text, dedupeKey: updateKey });
  } else if (isRewardAction(action)) {
    const reply = await handleRewardAction(deps, { user, action, claimId: id, updateKey });
    text = reply.text;
    const prompt = reply.prompt;
    if (prompt) open = (memberId, asked) => createRewardPrompt(deps, { user: asked, memberId, purpose: prompt.purpose, claimId: prompt.claimId, text: prompt.text, dedupeKey: updateKey });
  } else {
    const reply = await handleCardAction(deps, { user, action, leadId: id, updateKey });
    ({ text, privateText, replayed } = reply);
    const prompt = reply.prompt;
    if (prompt)
      open = (memberId, asked) =>
        createPrompt(deps, {
          user: asked,
          memberId,
          purpose: prompt.purpose,
          leadId: prompt.leadId,
          // A clustered lead: the prompt lists its tips and the answer starts with "#<no>", as on Telegram.
          text: prompt.text,
          context: prompt.context,
          dedupeKey: updateKey,
        });
  }
  const privately = [options.answerPrivately && !replayed ? text : "", privateText].filter(Boolean).join("\n");
  if (privately) await queueReplies(deps, { user, updateKey, privateText: privately });
  if (open) {
    const member = await findMemberByChatUser(deps, user.platform, user.userId);
    // Asked in the private chat: the next text there answers it, whichever chat the card was in.
    if (member) await open(member.id, { ...user, chatId: privateChatId(user) });
  }
  return { text, ...(replayed ? { replayed } : {}) };
}

/** A text someone typed to the bot, decoded from a verified callback. */
export interface InboundText {
  user: ChatUser;
  /** The text with any mention of the bot removed. */
  text: string;
  /** The platform's id of the message (answers reply to it where the platform can). */
  messageId: string | null;
  updateKey: string;
  /** Typed in the private chat with the bot (not a group). */
  isPrivateChat: boolean;
}

/**
 * Handles a typed message. In a private chat: the answer to the member's open prompt unless it starts
 * with "/", otherwise a command (`join CODE`, `mine`, `/lead L-…`; the slash is optional there); in a
 * group only "/"-commands count (a group's chatter is not for the bot). Answers go through the outbox.
 */
export async function handleInboundText(deps: ServiceDeps, message: InboundText): Promise<void> {
  const text = message.text.trim();
  if (!text) return;
  const { user, updateKey } = message;
  const slashed = text.startsWith("/");
  if (message.isPrivateChat && !slashed) {
    const member = await findMemberByChatUser(deps, user.platform, user.userId);
    const prompt = member ? await findOpenPromptInChat(deps, { platform: user.platform, chatId: privateChatId(user), memberId: member.id }) : null;
    if (prompt) {
      const answer = await answerOpenPrompt(deps, prompt, user, text, updateKey);
      if (!answer.keepPromptOpen) await markPromptAnswered(deps, prompt.id);
      await queueReplies(deps, { user, updateKey, publicText: answer.text, replyToMessageId: message.messageId });
      return;
    }
  }
  if (!slashed && !message.isPrivateChat) return;
  const [head = "", ...args] = (slashed ? text.slice(1) : text).split(/\s+/);
  const command = head.toLowerCase();
  if (!command) return;
  const answer = await handleCommand(deps, { user, command, args, updateKey, isPrivateChat: message.isPrivateChat });
  const reply = await routeListingReply(deps, { user, command, isPrivateChat: message.isPrivateChat }, answer);
  await queueReplies(deps, { user, updateKey, publicText: reply.text, replyToMessageId: message.messageId, privateText: reply.privateText });
}

/** Hands the text to the prompt's owner (lead, campaign or reward), as the member it asked. */
async function answerOpenPrompt(deps: ServiceDeps, prompt: ChatPrompt, user: ChatUser, text: string, updateKey: string): Promise<{ text: string; keepPromptOpen?: boolean }> {
  if (prompt.assignmentId) return answerCampaignPrompt(deps, { user, purpose: prompt.purpose as CampaignPromptPurpose, assignmentId: prompt.assignmentId, text, updateKey });
  if (isRewardPromptPurpose(prompt.purpose)) {
    const claimId = rewardPromptClaim(prompt);
    if (claimId) return answerRewardPrompt(deps, { user, purpose: prompt.purpose, claimId, text });
  }
  if (prompt.leadId !== null) return answerPrompt(deps, { user, purpose: prompt.purpose as PromptPurpose, leadId: prompt.leadId, text, context: parseContext(prompt.context), updateKey });
  return { text: t(localeOf(null, await chatLocale(deps, user)), "chat.help") };
}

function parseContext(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
