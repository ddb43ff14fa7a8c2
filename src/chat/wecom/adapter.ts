// WeCom (企业微信) delivery for a self-built app. Chat ids: `user:<userid>` one member, `users:<a>|<b>|…` a set
// of members acting as a team (both through /cgi-bin/message/send, where cards are `button_interaction`
// template cards), anything else an app group chat (/cgi-bin/appchat/send, which takes no template cards:
// cards go there as markdown saying to act in the app). A card's message id is its task_id; it is edited
// with /cgi-bin/message/update_template_card and a stored one-time response_code, or, with none left, sent
// again as a new card.
import { randomBytes, toHex } from "../../security/encoding";
import { ChatDeliveryError, PRIVATE_CHAT_PREFIX, type ChatAdapter, type ChatTarget, type OutgoingMessage } from "../types";
import { createWecomApi, type WecomApiOptions } from "./api";
import { inertText, renderMarkdownCard, renderTemplateCard, truncateBytes, WECOM_TEXT_MAX_BYTES } from "./render";

/** A team of members: `users:<userid>|<userid>|…` (WeCom's touser list, up to 1000). */
export const MEMBER_SET_PREFIX = "users:";
const USERID = /^[A-Za-z0-9_.@-]{1,64}$/;

/** Where WeCom's one-time card codes are kept (src/services/chat/wecom-card-codes.ts). */
export interface CardCodeStore {
  /** Keeps `code` for the card `root`; `taskId` is the task it was given for (the root or a replacement). */
  put(root: string, code: string, taskId: string): Promise<void>;
  take(root: string): Promise<{ code: string; taskId: string } | null>;
}

export interface WecomAdapterOptions extends Omit<WecomApiOptions, "corpId" | "secret"> {
  corpId: string;
  secret: string;
  agentId: string;
  codes: CardCodeStore;
  /** For the lead page link of a card shown in an app group chat. */
  publicBaseUrl?: string;
  /** "Act on this card in the app" for app group chats, in the installation's language. */
  actHint: string;
}

/** The members a chat id names, or null for an app group chat. */
export function membersOfChat(chatId: string): string[] | null {
  const list = chatId.startsWith(MEMBER_SET_PREFIX) ? chatId.slice(MEMBER_SET_PREFIX.length).split("|") : chatId.startsWith(PRIVATE_CHAT_PREFIX) ? [chatId.slice(PRIVATE_CHAT_PREFIX.length)] : null;
  if (list === null) return null;
  if (list.length === 0 || list.length > 1000 || !list.every((u) => USERID.test(u))) throw new ChatDeliveryError("wecom chat id names no valid userid", false);
  return list;
}

/** A card's task id (letters, digits, `_-@`, ≤ 128 bytes): a root, and `<root>@<n>` for a card sent again in its place. */
export const newTaskId = () => `fw${Date.now().toString(36)}${toHex(randomBytes(8))}`;
/** The card a task id belongs to (the message id the outbox knows): codes are kept under it. */
export const rootTaskId = (taskId: string) => taskId.split("@")[0]!;

/** The adapter's calls as the outbox holds them when WeCom says an API's frequency limit is reached (45009). */
const METHODS = { send: "message/send", edit: "message/update_template_card" } as const;

/** A 45009 holds the adapter call it came from (appchat/send and gettoken included) for every chat. */
async function heldAs<T>(call: keyof typeof METHODS, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ChatDeliveryError && err.method) throw new ChatDeliveryError(err.message, true, err.retryAfterSeconds, false, METHODS[call]);
    throw err;
  }
}

export function createWecomAdapter(options: WecomAdapterOptions): ChatAdapter {
  const api = createWecomApi(options);
  const agentid = Number(options.agentId);

  function textBody(message: OutgoingMessage): { msgtype: "text"; text: { content: string } } {
    const text = message.kind === "card" ? message.card.title : message.text;
    return { msgtype: "text", text: { content: truncateBytes(inertText(text), WECOM_TEXT_MAX_BYTES) } };
  }

  /** Sends a card to members; `taskId` is the root or `<root>@<n>` of a replacement. Stores its response_code. */
  async function sendCard(users: string[], message: Extract<OutgoingMessage, { kind: "card" }>, taskId: string): Promise<void> {
    const answer = await api.post("/cgi-bin/message/send", { touser: users.join("|"), msgtype: "template_card", agentid, template_card: renderTemplateCard(message.card, taskId) });
    if (typeof answer.response_code === "string" && answer.response_code) await options.codes.put(rootTaskId(taskId), answer.response_code, taskId);
  }

  async function sendToGroup(target: ChatTarget, message: OutgoingMessage): Promise<void> {
    const body =
      message.kind === "card"
        ? { msgtype: "markdown", markdown: { content: renderMarkdownCard(message.card, { ...(options.publicBaseUrl ? { publicBaseUrl: options.publicBaseUrl } : {}), actHint: options.actHint }) } }
        : textBody(message);
    await api.post("/cgi-bin/appchat/send", { chatid: target.chatId, ...body, safe: 0 });
  }

  async function send(target: ChatTarget, message: OutgoingMessage): Promise<{ messageId: string }> {
    const users = membersOfChat(target.chatId);
    if (users === null) {
      await sendToGroup(target, message);
      // appchat/send answers no message id; ours lets an edit find nothing to update and post anew.
      return { messageId: `appchat-${toHex(randomBytes(8))}` };
    }
    if (message.kind === "card") {
      const taskId = newTaskId();
      await sendCard(users, message, taskId);
      return { messageId: taskId };
    }
    const answer = await api.post("/cgi-bin/message/send", { touser: users.join("|"), agentid, ...textBody(message) });
    return { messageId: typeof answer.msgid === "string" && answer.msgid ? answer.msgid : `msg-${toHex(randomBytes(8))}` };
  }

  async function edit(target: ChatTarget, messageId: string, message: OutgoingMessage): Promise<void> {
    const users = membersOfChat(target.chatId);
    // App group chats cannot edit: the new state goes as a new message.
    if (users === null || message.kind !== "card") {
      await send(target, message);
      return;
    }
    const root = rootTaskId(messageId);
    const stored = await options.codes.take(root);
    if (stored) {
      try {
        const card = renderTemplateCard(message.card, stored.taskId);
        await api.post("/cgi-bin/message/update_template_card", { userids: users, agentid, response_code: stored.code, template_card: card });
        return;
      } catch (err) {
        // Never reached WeCom: the code is unspent.
        if (err instanceof ChatDeliveryError && err.retryable && !err.uncertain) await options.codes.put(root, stored.code, stored.taskId);
        // A spent or expired code (or any refusal): the card goes anew below; transient failures retry.
        if (!(err instanceof ChatDeliveryError) || err.retryable) throw err;
      }
    }
    // No code left (72 h passed, or all spent): the current card is sent as a new one in its place.
    await sendCard(users, message, `${root}@${toHex(randomBytes(4))}`);
  }

  return {
    platform: "wecom",
    methods: METHODS,
    send: (target, message) => heldAs("send", () => send(target, message)),
    edit: (target, messageId, message) => heldAs("edit", () => edit(target, messageId, message)),
  };
}
