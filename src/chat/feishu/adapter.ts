// Feishu/Lark delivery over the Open API with plain fetch (Node and Workers alike): cards as `interactive`
// messages sent to a group (chat_id) or a person (`user:<open_id>`), edited in place with PATCH, texts and
// prompts as `text` messages (replies where a message is named), who read a message from read_users.
// Failures come back as ChatDeliveryError in the shape the outbox retries on.
import { ChatDeliveryError, userOfPrivateChat, type ChatAdapter, type ChatTarget, type OutgoingMessage } from "../types";
import { renderFeishu } from "./render";
import type { AccessTokenCache } from "../access-token";
import { createFeishuTokenCache, retryAfterOf } from "./token";

export interface FeishuAdapterOptions {
  appId: string;
  appSecret: string;
  /** Open API origin, default https://open.feishu.cn (Lark: https://open.larksuite.com; tests: a fake). */
  apiBase?: string;
  /** Per-call timeout (ms), well under the outbox claim lease. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Codes for a missing, invalid or expired tenant_access_token: renew it once and call again. */
const TOKEN_CODES = new Set([99991661, 99991663, 99991668]);
/** "Request trigger frequency limit": a rate limit answered in the body. */
const RATE_LIMIT_CODE = 99991400;
/** read_users pages of 100; a group card is read by at most a few hundred members. */
const READ_PAGES_MAX = 10;

interface FeishuAnswer {
  code?: number;
  msg?: string;
  data?: Record<string, unknown>;
}

export function createFeishuAdapter(options: FeishuAdapterOptions): ChatAdapter & { readonly tokens: AccessTokenCache } {
  const apiBase = (options.apiBase ?? "https://open.feishu.cn").replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const tokens = createFeishuTokenCache({ appId: options.appId, appSecret: options.appSecret, apiBase, timeoutMs, fetch: doFetch });

  /** One API call, renewing the token once when Feishu calls it invalid or expired. */
  async function call(httpMethod: "GET" | "POST" | "PATCH" | "PUT", path: string, body?: unknown): Promise<Record<string, unknown>> {
    let token = await tokens.get();
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(`${apiBase}${path}`, {
          method: httpMethod,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        // No answer: Feishu may have posted the message. The retry carries the same uuid, which Feishu dedupes.
        throw new ChatDeliveryError(`feishu ${httpMethod} ${pathName(path)} failed: ${err instanceof Error ? err.message : String(err)}`, true, undefined, true);
      }
      const answer = (await res.json().catch(() => null)) as FeishuAnswer | null;
      const code = answer?.code;
      if (code !== undefined && TOKEN_CODES.has(code) && attempt === 0) {
        token = await tokens.renew(token);
        continue;
      }
      if (res.status === 429 || code === RATE_LIMIT_CODE) throw new ChatDeliveryError(`feishu ${pathName(path)} rate limited`, true, retryAfterOf(res));
      if (res.status >= 500) throw new ChatDeliveryError(`feishu ${pathName(path)} HTTP ${res.status}${code ? ` code ${code}` : ""}`, true);
      if (!answer || code !== 0) throw new ChatDeliveryError(`feishu ${pathName(path)} refused: code ${code ?? res.status} ${answer?.msg ?? ""}`.trim(), false);
      return answer.data ?? {};
    }
  }

  function messageIdOf(data: Record<string, unknown>): string {
    const id = data.message_id;
    if (typeof id !== "string" || !id) throw new ChatDeliveryError("feishu answered without a message_id", false);
    return id;
  }

  return {
    platform: "feishu",
    tokens,
    async send(target: ChatTarget, message: OutgoingMessage, sendOptions) {
      const content = renderFeishu(message);
      // Feishu keeps a message's uuid for one hour and answers a repeat with the first message instead of
      // posting again: the outbox id as uuid makes a retry within that hour (after a timeout, a crash, an
      // uncertain 5xx) one visible message per outbox row. After an hour a retry may post a second copy.
      const uuid = sendOptions?.outboxId ? { uuid: sendOptions.outboxId } : {};
      const replyTo = message.kind !== "card" ? message.replyToMessageId : undefined;
      if (replyTo) return { messageId: messageIdOf(await call("POST", `/open-apis/im/v1/messages/${encodeURIComponent(replyTo)}/reply`, { ...content, ...uuid })) };
      const user = userOfPrivateChat(target.chatId);
      const query = user === null ? "receive_id_type=chat_id" : "receive_id_type=open_id";
      return { messageId: messageIdOf(await call("POST", `/open-apis/im/v1/messages?${query}`, { receive_id: user ?? target.chatId, ...content, ...uuid })) };
    },
    async edit(_target, messageId, message) {
      const content = renderFeishu(message);
      const path = `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}`;
      // Cards sent by the app can be replaced for 14 days (PATCH); text messages are edited with PUT.
      if (content.msg_type === "interactive") await call("PATCH", path, { content: content.content });
      else await call("PUT", path, content);
    },
    async readers(_target, messageId) {
      const readers: string[] = [];
      let pageToken = "";
      for (let page = 0; page < READ_PAGES_MAX; page++) {
        const query = `user_id_type=open_id&page_size=100${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ""}`;
        const data = await call("GET", `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}/read_users?${query}`);
        for (const item of Array.isArray(data.items) ? data.items : []) {
          const id = (item as { user_id?: unknown }).user_id;
          if (typeof id === "string" && !readers.includes(id)) readers.push(id);
        }
        pageToken = typeof data.page_token === "string" ? data.page_token : "";
        if (data.has_more !== true || !pageToken) break;
      }
      return readers;
    },
  };
}

/** The API path without ids or query, for error messages and logs (message ids are not secret, but noise). */
function pathName(path: string): string {
  return (path.split("?")[0] ?? "").replace(/\/om_[^/]+/g, "/:message_id");
}
