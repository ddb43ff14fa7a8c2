// A verified, decrypted WeCom callback turned into FundWatch's platform-neutral chat input: a member's text
// to the app (a command, or the answer to their open prompt) or a press on a template card (whose one-time
// response_code is kept so the card can be updated). Everything else WeCom reports is ignored.
import { z } from "zod";
import type { ServiceDeps } from "../../services/deps";
import { handleInboundPress, handleInboundText } from "../../services/chat/inbound";
import type { WecomCardCodes } from "../../services/chat/wecom-card-codes";
import { privateChatIdOf } from "../types";
import { rootTaskId } from "./adapter";
import { parseButtonKey } from "./render";
import type { WecomMessage } from "./xml";

const userId = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/);
const digits = z.string().regex(/^\d{1,20}$/);

const textSchema = z.object({
  MsgType: z.literal("text"),
  FromUserName: userId,
  MsgId: digits,
  Content: z.string().max(4096),
});

const pressSchema = z.object({
  MsgType: z.literal("event"),
  Event: z.literal("template_card_event"),
  FromUserName: userId,
  CreateTime: digits,
  EventKey: z.string().min(3).max(1024),
  TaskId: z.string().regex(/^[A-Za-z0-9_@-]{1,128}$/),
  ResponseCode: z.string().regex(/^[\x21-\x7e]{1,512}$/).optional(),
});

export type WecomOutcome = "text" | "press" | "ignored";

/** Hands one decrypted message to the chat use cases; each is keyed by WeCom's ids so its three retries count once. */
export async function handleWecomMessage(deps: ServiceDeps, message: WecomMessage, codes: WecomCardCodes): Promise<WecomOutcome> {
  const text = textSchema.safeParse(message);
  if (text.success) {
    const { FromUserName: user, MsgId: msgId } = text.data;
    await handleInboundText(deps, {
      user: { platform: "wecom", userId: user, chatId: privateChatIdOf("wecom", user), platformRef: `msg:${msgId}` },
      text: text.data.Content,
      // WeCom has no replies to a message: answers are plain messages in the member's chat with the app.
      messageId: null,
      updateKey: `wecom:msg:${msgId}`,
      // Members reach the app only in their own conversation with it (app group chats send no callbacks).
      isPrivateChat: true,
    });
    return "text";
  }
  const press = pressSchema.safeParse(message);
  if (press.success) {
    const { FromUserName: user, TaskId: taskId, CreateTime: at, EventKey: key, ResponseCode: code } = press.data;
    if (code) await codes.put(rootTaskId(taskId), code, taskId);
    const button = parseButtonKey(key);
    if (!button) return "ignored";
    await handleInboundPress(
      deps,
      {
        // Cards reach members in their conversation with the app: anything said back goes there.
        user: { platform: "wecom", userId: user, chatId: privateChatIdOf("wecom", user), platformRef: `card:${taskId}` },
        action: button.action,
        id: button.id,
        updateKey: `wecom:card:${user}:${taskId}:${at}:${key}`,
      },
      // WeCom shows nothing to the presser alone: the short answer comes as a private message.
      { answerPrivately: true },
    );
    return "press";
  }
  return "ignored";
}
