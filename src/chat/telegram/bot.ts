// The Telegram bot (grammY): card buttons, force-reply answers and commands, each turned into a call of
// src/services/chat/dispatch.ts (campaign and reward cards: ./campaign-handlers.ts, ./reward-handlers.ts).
// Updates arrive by webhook (POST /webhooks/telegram, checked against TELEGRAM_WEBHOOK_SECRET) or, for
// local runs, by long polling. Handling an update never waits on the
// Bot API for long: the bot knows who it is without getMe, the one direct call (answering a button press)
// is capped at a few seconds, and every message goes through the durable outbox keyed by the update.
import { Bot, type Context } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { ServiceDeps } from "../../services/deps";
import { answerPrompt, handleCardAction, handleCommand } from "../../services/chat/dispatch";
import { routeListingReply } from "../../services/chat/listings";
import { createPrompt, findPromptForReply, markPromptAnswered } from "../../services/chat/prompts";
import { queueReplies } from "../../services/chat/replies";
import type { ChatReply, PromptPurpose } from "../../services/chat/types";
import { findMemberByChatUser } from "../../services/org/org";
import { decodeCallbackData } from "./adapter";
import { botInfoFromToken, isIdentified } from "./identity";
import { chatUser, updateKey } from "./update";
import { isCampaignAction } from "../../services/campaigns/messages";
import { handleCampaignCallback, handleCampaignReply } from "./campaign-handlers";
import { isRewardAction, isRewardPromptPurpose } from "../../services/rewards/reward-chat";
import { handleRewardCallback, handleRewardReply } from "./reward-handlers";

export interface TelegramBotOptions {
  token: string;
  apiRoot?: string;
  /** Who the bot is, when known (tests, or a fixed bot); otherwise built from configuration and the token. */
  botInfo?: UserFromGetMe;
  /** Cap on each Bot API call made while handling an update; default 3 s (long polling uses its own). */
  callTimeoutSeconds?: number;
}

// The bot's identity lives in ./identity.ts; the webhook route and tests import it from here too.
export { BOT_INFO_STATE_KEY, botInfoFromToken, refreshTelegramBotInfo } from "./identity";
const CALL_TIMEOUT_SECONDS = 3;

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function followUp(deps: ServiceDeps, ctx: Context, reply: ChatReply, replyToMessageId: string | null) {
  if (reply.privateText) await queueReplies(deps, { user: chatUser(ctx), updateKey: updateKey(ctx), privateText: reply.privateText });
  if (reply.prompt) {
    const member = await findMemberByChatUser(deps, "telegram", String(ctx.from!.id));
    if (!member) return;
    await createPrompt(deps, {
      user: chatUser(ctx),
      memberId: member.id,
      purpose: reply.prompt.purpose,
      leadId: reply.prompt.leadId,
      text: reply.prompt.text,
      context: reply.prompt.context,
      replyToMessageId,
      dedupeKey: updateKey(ctx),
    });
  }
}

export function createTelegramBot(deps: ServiceDeps, options: TelegramBotOptions): Bot {
  const configuredUsername = deps.config.TELEGRAM_BOT_USERNAME;
  const botInfo = options.botInfo ?? botInfoFromToken(options.token, configuredUsername);
  // Long polling holds getUpdates open for 30 s, so only the webhook mode gets the short cap.
  const timeoutSeconds = deps.config.TELEGRAM_POLLING ? 60 : (options.callTimeoutSeconds ?? CALL_TIMEOUT_SECONDS);
  const bot = new Bot(options.token, { botInfo, client: { timeoutSeconds, ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) } });

  // Channel posts, service messages and the like carry no sender: nothing for FundWatch to do.
  bot.use(async (ctx, next) => {
    if (!ctx.from || ctx.from.is_bot) return;
    await next();
  });

  bot.on("callback_query:data", async (ctx) => {
    const decoded = decodeCallbackData(ctx.callbackQuery.data) ?? decodeBatchCallback(ctx.callbackQuery.data);
    if (decoded && isCampaignAction(decoded.action)) return handleCampaignCallback(deps, ctx, { action: decoded.action, leadId: decoded.leadId });
    if (decoded && isRewardAction(decoded.action)) return handleRewardCallback(deps, ctx, { action: decoded.action, claimId: decoded.leadId });
    const reply = decoded ? await handleCardAction(deps, { user: chatUser(ctx), action: decoded.action, leadId: decoded.leadId, updateKey: updateKey(ctx) }) : { text: "" };
    // The press is recorded before this; a lost answer only leaves the button spinning for a moment
    // ("query is too old" after a slow redelivery is harmless too).
    await ctx.answerCallbackQuery(reply.text ? { text: reply.text.slice(0, 190) } : undefined).catch((err: unknown) => {
      deps.log.warn("telegram answerCallbackQuery failed", { updateId: ctx.update.update_id, error: errorText(err) });
    });
    const cardMessageId = ctx.callbackQuery.message?.message_id;
    await followUp(deps, ctx, reply, cardMessageId !== undefined ? String(cardMessageId) : null);
  });

  bot.on("message:text", async (ctx, next) => {
    const text = ctx.message.text;
    if (text.startsWith("/")) {
      const [head = "", ...args] = text.trim().split(/\s+/);
      const [command = "", addressedTo] = head.slice(1).split("@");
      // In a group with several bots, `/mine@otherbot` is not for us (only checkable once the username is known).
      if (addressedTo && (configuredUsername || isIdentified(bot)) && addressedTo.toLowerCase() !== bot.botInfo.username.toLowerCase()) return;
      const isPrivateChat = ctx.chat.type === "private";
      const answer = await handleCommand(deps, { user: chatUser(ctx), command, args, updateKey: updateKey(ctx), isPrivateChat });
      // Lists (late units, members, leads) typed in a group go to the person privately, unless the group is the coordinators'.
      const reply = await routeListingReply(deps, { user: chatUser(ctx), command, isPrivateChat }, answer);
      await queueReplies(deps, { user: chatUser(ctx), updateKey: updateKey(ctx), publicText: reply.text, replyToMessageId: String(ctx.message.message_id), privateText: reply.privateText });
      return;
    }
    const repliedTo = ctx.message.reply_to_message?.message_id;
    if (repliedTo === undefined) return next();
    const prompt = await findPromptForReply(deps, { platform: "telegram", chatId: String(ctx.chat.id), replyToMessageId: String(repliedTo) });
    if (prompt?.assignmentId) return (await handleCampaignReply(deps, ctx, prompt, text)) ? undefined : next();
    if (prompt && isRewardPromptPurpose(prompt.purpose)) return (await handleRewardReply(deps, ctx, prompt, text)) ? undefined : next();
    if (!prompt || prompt.leadId === null) return next();
    const member = await findMemberByChatUser(deps, "telegram", String(ctx.from.id));
    if (!member || member.id !== prompt.memberId) return next();
    const reply = await answerPrompt(deps, {
      user: chatUser(ctx),
      purpose: prompt.purpose as PromptPurpose,
      leadId: prompt.leadId,
      text,
      context: parseContext(prompt.context),
      updateKey: updateKey(ctx),
    });
    // An answer that could not be used (e.g. a question naming no tip) leaves the prompt open for another reply.
    if (!reply.keepPromptOpen) await markPromptAnswered(deps, prompt.id);
    await queueReplies(deps, { user: chatUser(ctx), updateKey: updateKey(ctx), publicText: reply.text, replyToMessageId: String(ctx.message.message_id) });
  });

  // Used by long polling only; with webhooks the error reaches the route, which answers 503 so Telegram
  // redelivers (dedupe keys make the retry safe).
  bot.catch((err) => {
    deps.log.error("telegram update failed", { updateId: err.ctx.update.update_id, error: errorText(err.error) });
  });
  return bot;
}

/** `fw:b-ack:<batch id>` / `fw:b-open:<batch id>`: batch actions carry a hyphen the lead-action pattern does not take. */
function decodeBatchCallback(data: string): { action: string; leadId: string } | null {
  const m = /^fw:(b-ack|b-open):([A-Za-z0-9_-]{1,54})$/.exec(data);
  return m ? { action: m[1]!, leadId: m[2]! } : null;
}

function parseContext(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
