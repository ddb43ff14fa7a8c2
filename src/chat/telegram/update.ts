// What every Telegram handler reads off an update: its dedupe key and who sent it from which chat.
import type { Context } from "grammy";
import type { ChatUser } from "../../services/chat/types";

/** The update's delivery id as a dedupe key: a redelivered update takes effect once. */
export const updateKey = (ctx: Context) => `telegram:update:${ctx.update.update_id}`;

/** Only called after the guard that drops updates without a sender. */
export function chatUser(ctx: Context): ChatUser {
  const from = ctx.from!;
  return {
    platform: "telegram",
    userId: String(from.id),
    chatId: String(ctx.chat?.id ?? from.id),
    platformRef: ctx.msg?.message_id !== undefined ? String(ctx.msg.message_id) : `update:${ctx.update.update_id}`,
  };
}
