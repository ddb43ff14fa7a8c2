// The Telegram bot (grammY): card buttons, force-reply answers and commands, each turned into a call of
// src/services/chat-actions.ts. Updates arrive by webhook (POST /webhooks/telegram, checked against
// TELEGRAM_WEBHOOK_SECRET) or, for local runs, by long polling.
import { Bot, type Context } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { ServiceDeps } from "../../services/deps";
import { answerPrompt, createPrompt, findPromptForReply, handleCardAction, handleCommand, markPromptAnswered, type ChatReply, type ChatUser, type PromptPurpose } from "../../services/chat-actions";
import { findMemberByChatUser } from "../../services/org/org";
import { decodeCallbackData } from "./adapter";

export interface TelegramBotOptions {
  token: string;
  apiRoot?: string;
  /** Skips getMe when known (tests, or a fixed bot). */
  botInfo?: UserFromGetMe;
}

const updateKey = (ctx: Context) => `telegram:update:${ctx.update.update_id}`;

function chatUser(ctx: Context): ChatUser {
  return {
    platform: "telegram",
    userId: String(ctx.from!.id),
    chatId: String(ctx.chat?.id ?? ctx.from!.id),
    platformRef: ctx.msg?.message_id !== undefined ? String(ctx.msg.message_id) : `update:${ctx.update.update_id}`,
  };
}

async function sendPrivate(ctx: Context, text: string) {
  // Only works once the member has opened a private chat with the bot (they did, to enrol with /start).
  await ctx.api.sendMessage(ctx.from!.id, text, { link_preview_options: { is_disabled: true } }).catch(() => undefined);
}

async function followUp(deps: ServiceDeps, ctx: Context, reply: ChatReply, replyToMessageId: string | null) {
  if (reply.privateText) await sendPrivate(ctx, reply.privateText);
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
  const bot = new Bot(options.token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    ...(options.apiRoot ? { client: { apiRoot: options.apiRoot } } : {}),
  });

  bot.on("callback_query:data", async (ctx) => {
    const decoded = decodeCallbackData(ctx.callbackQuery.data);
    if (!decoded) {
      await ctx.answerCallbackQuery();
      return;
    }
    const reply = await handleCardAction(deps, { user: chatUser(ctx), action: decoded.action, leadId: decoded.leadId, updateKey: updateKey(ctx) });
    // "query is too old" after a slow redelivery is harmless: the action itself was recorded.
    await ctx.answerCallbackQuery({ text: reply.text.slice(0, 190) }).catch(() => undefined);
    const cardMessageId = ctx.callbackQuery.message?.message_id;
    await followUp(deps, ctx, reply, cardMessageId !== undefined ? String(cardMessageId) : null);
  });

  bot.on("message:text", async (ctx, next) => {
    const text = ctx.message.text;
    if (text.startsWith("/")) {
      const [head = "", ...args] = text.trim().split(/\s+/);
      const command = head.slice(1).split("@")[0] ?? "";
      const reply = await handleCommand(deps, { user: chatUser(ctx), command, args, updateKey: updateKey(ctx), isPrivateChat: ctx.chat.type === "private" });
      await ctx.reply(reply.text, { reply_parameters: { message_id: ctx.message.message_id, allow_sending_without_reply: true } });
      if (reply.privateText) await sendPrivate(ctx, reply.privateText);
      return;
    }
    const repliedTo = ctx.message.reply_to_message?.message_id;
    if (repliedTo === undefined) return next();
    const prompt = await findPromptForReply(deps, { platform: "telegram", chatId: String(ctx.chat.id), replyToMessageId: String(repliedTo) });
    if (!prompt) return next();
    const member = await findMemberByChatUser(deps, "telegram", String(ctx.from.id));
    if (!member || member.id !== prompt.memberId) return next();
    const reply = await answerPrompt(deps, {
      user: chatUser(ctx),
      purpose: prompt.purpose as PromptPurpose,
      leadId: prompt.leadId,
      text,
      context: JSON.parse(prompt.context) as Record<string, unknown>,
      updateKey: updateKey(ctx),
    });
    // An answer that could not be used (e.g. a question naming no tip) leaves the prompt open for another reply.
    if (!reply.keepPromptOpen) await markPromptAnswered(deps, prompt.id);
    await ctx.reply(reply.text, { reply_parameters: { message_id: ctx.message.message_id, allow_sending_without_reply: true } });
  });

  // Used by long polling only; with webhooks the error reaches the route, which answers 500 so Telegram
  // redelivers (dedupe keys make the retry safe).
  bot.catch((err) => {
    deps.log.error("telegram update failed", { updateId: err.ctx.update.update_id, error: err.error instanceof Error ? err.error.message : String(err.error) });
  });
  return bot;
}
