// Decodes the two Feishu callbacks FundWatch subscribes to, once verified and decrypted: a text message
// to the bot (im.message.receive_v1) and a card button press (card.action.trigger, schema 2.0). Anything
// else, or anything not in the documented shape, decodes to null and is acknowledged without effect.
import { z } from "zod";
import { privateChatIdOf } from "../types";
import type { InboundPress, InboundText } from "../../services/chat/inbound";

const openId = z.string().min(1).max(128);
const id = z.string().min(1).max(128);

const messageEvent = z.looseObject({
  sender: z.looseObject({ sender_id: z.looseObject({ open_id: openId }), sender_type: z.string().max(32) }),
  message: z.looseObject({
    message_id: id,
    chat_id: id,
    chat_type: z.string().max(32),
    message_type: z.string().max(32),
    content: z.string().max(200_000),
  }),
});

const pressEvent = z.looseObject({
  operator: z.looseObject({ open_id: openId }),
  action: z.looseObject({ value: z.looseObject({ a: z.string().min(1).max(64), id: z.string().min(1).max(128) }) }),
  context: z.looseObject({ open_message_id: id.optional(), open_chat_id: id.optional() }).optional(),
});

const textContent = z.looseObject({ text: z.string().max(20_000) });

/** The dedupe key of a callback: Feishu redelivers an event (and a press) with the same header.event_id. */
export const feishuUpdateKey = (eventId: string) => `feishu:event:${eventId}`;

/**
 * Mentions in a text message arrive as placeholders (`@_user_1`, `@_all`) with the names in `mentions`;
 * they are removed, so "@FundWatch join ABC" in a group reads as "join ABC".
 */
export const stripFeishuMentions = (text: string) => text.replace(/@_(?:user_\d+|all)/g, " ").replace(/[ \t]+/g, " ").trim();

/** A text message to the bot as handleInboundText takes it; null for anything else (images, the bot's own posts). */
export function decodeFeishuMessage(event: unknown, eventId: string): InboundText | null {
  const parsed = messageEvent.safeParse(event);
  if (!parsed.success) return null;
  const { sender, message } = parsed.data;
  if (sender.sender_type !== "user" || message.message_type !== "text") return null;
  let content: unknown;
  try {
    content = JSON.parse(message.content);
  } catch {
    return null;
  }
  const text = textContent.safeParse(content);
  if (!text.success) return null;
  const userId = sender.sender_id.open_id;
  const isPrivateChat = message.chat_type === "p2p";
  return {
    user: { platform: "feishu", userId, chatId: isPrivateChat ? privateChatIdOf("feishu", userId) : message.chat_id, platformRef: message.message_id },
    text: stripFeishuMentions(text.data.text),
    messageId: message.message_id,
    updateKey: feishuUpdateKey(eventId),
    isPrivateChat,
  };
}

/**
 * A press on one of our buttons. The chat is the card's (context.open_chat_id); a card in the private
 * chat with the bot has no group id to name, so the presser's private chat stands in.
 */
export function decodeFeishuPress(event: unknown, eventId: string): InboundPress | null {
  const parsed = pressEvent.safeParse(event);
  if (!parsed.success) return null;
  const { operator, action, context } = parsed.data;
  const userId = operator.open_id;
  return {
    user: { platform: "feishu", userId, chatId: context?.open_chat_id ?? privateChatIdOf("feishu", userId), platformRef: context?.open_message_id ?? null },
    action: action.value.a,
    id: action.value.id,
    updateKey: feishuUpdateKey(eventId),
  };
}
