// Telegram delivery through the Bot API over fetch (./bot-api.ts; grammY is for inbound updates only).
// Cards become HTML messages with inline keyboards; prompts use force-reply so the member's answer comes
// back as a reply to them.
import type { InlineKeyboardButton } from "grammy/types";
import { z } from "zod";
import { ChatDeliveryError, type ChatAdapter, type ChatButton, type OutgoingMessage } from "../types";
import { createBotApiClient, TelegramApiError, TelegramNetworkError } from "./bot-api";

export interface TelegramAdapterOptions {
  token: string;
  /** Bot API root without trailing slash; default https://api.telegram.org. */
  apiRoot?: string;
  /** Per-call timeout (s), kept well under the outbox claim lease (grammY's default is 500 s). Default 10 s. */
  timeoutSeconds?: number;
  fetch?: typeof fetch;
}

/** Telegram HTML parse mode: only `&`, `<` and `>` are special outside attributes. */
export const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** callback_data is at most 64 bytes: `fw:<action>:<leadId>`. */
export function encodeCallbackData(button: Pick<ChatButton, "action" | "leadId">): string {
  const data = `fw:${button.action}:${button.leadId}`;
  if (new TextEncoder().encode(data).length > 64) throw new Error(`callback data too long: ${data}`);
  return data;
}

export function decodeCallbackData(data: string): { action: string; leadId: string } | null {
  // Actions may carry a dash (`c-recv`, `b-ack`: campaign and batch buttons).
  const m = /^fw:([a-z_:-]+?):([A-Za-z0-9_-]+)$/.exec(data);
  if (!m) return null;
  return { action: m[1]!, leadId: m[2]! };
}

export function renderTelegram(message: OutgoingMessage): { text: string; keyboard?: InlineKeyboardButton[][] } {
  if (message.kind !== "card") return { text: escapeHtml(message.text) };
  const { card } = message;
  const lines = [`<b>${escapeHtml(card.title)}</b>`];
  for (const f of card.fields) lines.push(`<b>${escapeHtml(f.label)}:</b> ${escapeHtml(f.value)}`);
  if (card.body) lines.push("", escapeHtml(card.body));
  if (card.footer) lines.push("", `<i>${escapeHtml(card.footer)}</i>`);
  const keyboard = card.buttons.map((row) =>
    row.map((b): InlineKeyboardButton => (b.url ? { text: b.label, url: b.url } : { text: b.label, callback_data: encodeCallbackData(b) })),
  );
  return { text: lines.join("\n"), keyboard };
}

function toDeliveryError(err: unknown): ChatDeliveryError {
  if (err instanceof TelegramApiError) {
    const retryable = err.errorCode === 429 || err.errorCode >= 500;
    return new ChatDeliveryError(`telegram ${err.method}: ${err.errorCode} ${err.description}`, retryable, err.retryAfter);
  }
  if (err instanceof TelegramNetworkError) return new ChatDeliveryError(`telegram network error: ${err.message}`, true, undefined, true);
  return new ChatDeliveryError(err instanceof Error ? err.message : String(err), true, undefined, true);
}

/** What sendMessage answers, as far as delivery reads it. */
const sentMessageSchema = z.looseObject({ message_id: z.number().int() });

export function createTelegramAdapter(options: TelegramAdapterOptions): ChatAdapter {
  const api = createBotApiClient({
    token: options.token,
    timeoutSeconds: options.timeoutSeconds ?? 10,
    ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return {
    platform: "telegram",
    async send(target, message) {
      const { text, keyboard } = renderTelegram(message);
      const replyTo = message.kind !== "card" && message.replyToMessageId ? { reply_parameters: { message_id: Number(message.replyToMessageId), allow_sending_without_reply: true } } : {};
      try {
        const answer = await api.call("sendMessage", {
          chat_id: target.chatId,
          text,
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          ...replyTo,
          ...(message.kind === "prompt" ? { reply_markup: { force_reply: true, selective: true } } : keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}),
        });
        const sent = sentMessageSchema.safeParse(answer);
        // Sent, but without an id to edit later: an uncertain outcome, like a lost answer.
        if (!sent.success) throw new TelegramNetworkError("sendMessage", new Error("the answer carries no message_id"));
        return { messageId: String(sent.data.message_id) };
      } catch (err) {
        throw toDeliveryError(err);
      }
    },
    async edit(target, messageId, message) {
      const { text, keyboard } = renderTelegram(message);
      try {
        await api.call("editMessageText", {
          chat_id: target.chatId,
          message_id: Number(messageId),
          text,
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}),
        });
      } catch (err) {
        // Editing to identical content is not an error for us: the card already shows this state.
        if (err instanceof TelegramApiError && /message is not modified/i.test(err.description)) return;
        throw toDeliveryError(err);
      }
    },
  };
}
