// The two kinds of request DingTalk POSTs to /webhooks/dingtalk, read only after their signature passed:
// a robot message (HTTP mode: the text someone sent the bot privately or @-mentioned it with in a group)
// and a card callback (a button pressed on a FundWatch card). Each decodes into what the platform-neutral
// inbound use cases take, or null for what FundWatch ignores.
import { z } from "zod";
import { parseBoundedJson } from "../../core/json-depth";
import { sha256Hex } from "../../security/encoding";
import { privateChatIdOf } from "../types";
import type { InboundPress, InboundText } from "../../services/chat/inbound";
import { verifyButtonSig, verifyTrackId } from "./track";

const id = z.string().min(1).max(256);

const robotMessageSchema = z.looseObject({
  msgtype: z.string().max(32),
  msgId: id,
  /** "1": the private chat with the bot; "2": a group. */
  conversationType: z.enum(["1", "2"]),
  conversationId: id,
  /** The sender's staff id (userId) in the organisation; absent for people outside it. */
  senderStaffId: id.optional(),
  text: z.looseObject({ content: z.string().max(8000) }).optional(),
});

const cardCallbackSchema = z.looseObject({
  type: z.string().max(64).optional(),
  outTrackId: id,
  userId: id,
  content: z.string().max(16_000),
});

const cardContentSchema = z.looseObject({
  cardPrivateData: z.looseObject({
    actionIds: z.array(z.string().max(128)).max(16).optional(),
    params: z.looseObject({ action: z.string().min(1).max(64), id: z.string().min(1).max(128), sig: z.string().min(1).max(64) }),
  }),
});

/** A group text with its @-mentions (the bot's, and anyone else's) removed. */
export const stripMentions = (text: string) => text.replace(/(^|\s)@\S+/g, " ").replace(/\s+/g, " ").trim();

/** A verified robot message as an inbound text, or null (not text, not from a member of the organisation, unreadable). */
export function decodeRobotMessage(value: unknown): InboundText | null {
  const parsed = robotMessageSchema.safeParse(value);
  if (!parsed.success) return null;
  const m = parsed.data;
  if (m.msgtype !== "text" || !m.text || !m.senderStaffId) return null;
  const isPrivateChat = m.conversationType === "1";
  return {
    user: { platform: "dingtalk", userId: m.senderStaffId, chatId: isPrivateChat ? privateChatIdOf("dingtalk", m.senderStaffId) : m.conversationId, platformRef: m.msgId },
    // In a group the bot was @-mentioned; a private text is kept as typed (an answer may name someone).
    text: isPrivateChat ? m.text.content.trim() : stripMentions(m.text.content),
    messageId: m.msgId,
    updateKey: `dingtalk:msg:${m.msgId}`,
    isPrivateChat,
  };
}

export type CardCallbackDecoding = { ok: true; press: InboundPress } | { ok: false; reason: "unreadable" | "not_ours" };

/** Presses of one button by one person within this window are one press (a double click, a replayed request). */
export const PRESS_WINDOW_MS = 30_000;

/**
 * A verified card callback as a press: only for a card we sent (its outTrackId carries our signature and
 * names its chat) and a button it had (the button's signature covers the card, action and id). A card
 * callback carries no delivery id, so the update key is made of its stable fields (card, person, action,
 * id) and the signed timestamp's 30-second window: a redelivered or replayed request (same signature,
 * same timestamp) is the same press, while the same button pressed again later (a second question to the
 * tipster) is a new one.
 */
export async function decodeCardCallback(value: unknown, secret: string, signedAtMs: number): Promise<CardCallbackDecoding> {
  const parsed = cardCallbackSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: "unreadable" };
  const cb = parsed.data;
  if (cb.type !== undefined && cb.type !== "actionCallback") return { ok: false, reason: "unreadable" };
  const chatId = await verifyTrackId(secret, cb.outTrackId);
  if (chatId === null) return { ok: false, reason: "not_ours" };
  const content = parseBoundedJson(cb.content, 8);
  const data = content.ok ? cardContentSchema.safeParse(content.value) : null;
  if (!data?.success) return { ok: false, reason: "unreadable" };
  const { action, id: targetId, sig } = data.data.cardPrivateData.params;
  if (!(await verifyButtonSig(secret, cb.outTrackId, action, targetId, sig))) return { ok: false, reason: "not_ours" };
  const key = (await sha256Hex(`${cb.outTrackId}\n${cb.userId}\n${action}\n${targetId}\n${Math.floor(signedAtMs / PRESS_WINDOW_MS)}`)).slice(0, 40);
  return {
    ok: true,
    press: { user: { platform: "dingtalk", userId: cb.userId, chatId, platformRef: cb.outTrackId.slice(0, 64) }, action, id: targetId, updateKey: `dingtalk:card:${key}` },
  };
}
