// The one interface every chat platform implements. Services speak in cards and texts; adapters turn
// them into Telegram messages with inline keyboards or Slack Block Kit, and report delivery errors in
// one shape the outbox understands.

export type Platform = "telegram" | "slack" | "console";
export const PLATFORMS: readonly Platform[] = ["telegram", "slack", "console"];

export interface ChatButton {
  /** Machine action, e.g. "ack", "accept", "status:substantiated". Kept short: Telegram allows 64 bytes of callback data. */
  action: string;
  leadId: string;
  label: string;
  style?: "primary" | "danger";
  /** Link buttons open a URL instead of calling back. */
  url?: string;
}

export interface ChatCard {
  title: string;
  fields: { label: string; value: string }[];
  body?: string;
  /** Rows of buttons. */
  buttons: ChatButton[][];
  footer?: string;
}

export type OutgoingMessage =
  | { kind: "card"; card: ChatCard }
  | { kind: "text"; text: string; replyToMessageId?: string }
  /** Asks the member to answer by replying (Telegram force-reply; Slack shows it as a thread message). */
  | { kind: "prompt"; text: string; replyToMessageId?: string };

export interface ChatTarget {
  chatId: string;
}

export interface SentMessage {
  messageId: string;
}

/** A delivery failure. `retryable` failures are retried by the outbox, after `retryAfterSeconds` if given. */
export class ChatDeliveryError extends Error {
  override name = "ChatDeliveryError";
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface ChatAdapter {
  readonly platform: Platform;
  send(target: ChatTarget, message: OutgoingMessage): Promise<SentMessage>;
  /** Replaces a message's content (lead cards are edited in place). "Not modified" counts as success. */
  edit(target: ChatTarget, messageId: string, message: OutgoingMessage): Promise<void>;
}

export type ChatAdapters = Partial<Record<Platform, ChatAdapter>>;
