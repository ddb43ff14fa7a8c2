// The one interface every chat platform implements. Services speak in cards and texts; adapters turn
// them into Telegram messages with inline keyboards, Slack Block Kit, Feishu interactive cards (and
// DingTalk / WeCom cards), and report delivery errors in one shape the outbox understands.

export type Platform = "telegram" | "slack" | "feishu" | "dingtalk" | "wecom" | "console";
export const PLATFORMS: readonly Platform[] = ["telegram", "slack", "feishu", "dingtalk", "wecom", "console"];
/** The platforms a member can hold an account on (every one but the console). */
export type AccountPlatform = Exclude<Platform, "console">;

export interface ChatButton {
  /** Machine action, e.g. "ack", "accept", "status:substantiated". Kept short: Telegram allows 64 bytes of callback data. */
  action: string;
  /**
   * The id the action is about: a lead id for lead actions; for other things the action carries a
   * prefix naming what the id is (e.g. `b-ack` + a batch id, `c-recv` + an assignment id).
   */
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

/**
 * A delivery failure. `retryable` failures are retried by the outbox, after `retryAfterSeconds` if
 * given. `uncertain` means the platform may have acted on the call (a timeout or a dropped
 * connection, not an error answer): the retry first looks for the message where the platform can tell.
 */
export class ChatDeliveryError extends Error {
  override name = "ChatDeliveryError";
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterSeconds?: number,
    readonly uncertain = false,
    /** The API method a rate limit was answered for, where the platform limits per method (Slack). */
    readonly method?: string,
  ) {
    super(message);
  }
}

/** What the outbox tells an adapter about the row being delivered. */
export interface SendOptions {
  /** The outbox row: Slack posts carry it as message metadata so a retry after a crash can find the post. */
  outboxId?: string;
}

/** Where to look for a post that a crashed attempt may have made. */
export interface DeliveredLookup {
  outboxId: string;
  /** When the earlier attempt started (ms); only messages from a few seconds before it are searched. */
  attemptStartedAt: number;
  /** A reply in a thread is searched in that thread. */
  threadOf?: string;
}

export interface ChatAdapter {
  readonly platform: Platform;
  /**
   * The API method behind each call, for platforms whose rate limits hold a method as a whole (Slack: a
   * 429 for chat.postMessage holds chat.postMessage for every channel). Absent: holds stay per chat.
   */
  readonly methods?: { send: string; edit: string };
  send(target: ChatTarget, message: OutgoingMessage, options?: SendOptions): Promise<SentMessage>;
  /** Replaces a message's content (lead cards are edited in place). "Not modified" counts as success. */
  edit(target: ChatTarget, messageId: string, message: OutgoingMessage): Promise<void>;
  /**
   * Finds the message an interrupted attempt posted for this outbox row, if the platform can tell
   * (Slack: message metadata in the channel history). Adapters that cannot search leave it out, and
   * the outbox re-sends.
   */
  findDelivered?(target: ChatTarget, lookup: DeliveredLookup): Promise<SentMessage | null>;
  /**
   * Who has read a sent message, as platform user ids (Feishu `read_users`, DingTalk read status), for
   * platforms that report it; absent elsewhere. Only messages the bot sent can be asked about.
   */
  readers?(target: ChatTarget, messageId: string): Promise<string[]>;
  /** Whether `readers` can answer for this message (DingTalk: robot messages can, interactive cards cannot); absent: every one. */
  reportsReadersOf?(messageId: string): boolean;
}

export type ChatAdapters = Partial<Record<Platform, ChatAdapter>>;

/**
 * The chat id of a member's private chat with the bot. Telegram (the private chat's id is the user id)
 * and Slack (chat.postMessage takes a user id as channel) use the user id itself. Feishu, DingTalk and
 * WeCom address a person through a different API than a group, and their group and user ids cannot be
 * told apart by shape (WeCom app chats are named by us), so their private chats are `user:<user id>` and
 * their adapters send those through the per-user API.
 */
export function privateChatIdOf(platform: Platform, userId: string): string {
  return platform === "feishu" || platform === "dingtalk" || platform === "wecom" ? `${PRIVATE_CHAT_PREFIX}${userId}` : userId;
}

export const PRIVATE_CHAT_PREFIX = "user:";

/** The user a `user:` chat id names (Feishu, DingTalk, WeCom private chats), or null for a group. */
export const userOfPrivateChat = (chatId: string): string | null => (chatId.startsWith(PRIVATE_CHAT_PREFIX) ? chatId.slice(PRIVATE_CHAT_PREFIX.length) : null);
