// A fake Feishu Open API on loopback: tenant_access_token issuing (and expiring on demand), messages to
// chats and open_ids with Feishu's one-hour uuid dedupe, replies, card PATCHes, read_users with paging,
// and 429s carrying x-ogw-ratelimit-reset. Calls are recorded under short names: token, send, reply,
// patch, put, read_users.
import { FakeServer, type Fault, type FakeAnswer, type FakeRequest } from "./fake-chat-servers";

export interface FeishuMessage {
  messageId: string;
  /** The group's chat_id, or `user:<open_id>` for a message to a person. */
  chat: string;
  msgType: string;
  /** The parsed content: a card JSON 2.0 object, or { text }. */
  content: any;
  replyTo?: string;
  uuid?: string;
  /** Every content the message has had (PATCHes append). */
  history: any[];
}

export class FakeFeishu extends FakeServer {
  readonly messages: FeishuMessage[] = [];
  /** Readers (open_ids) a test says have read a message. */
  readonly readsOf = new Map<string, string[]>();
  private validTokens = new Set<string>();
  private issued = 0;
  private nextId = 1;
  private readonly byUuid = new Map<string, string>();
  /** Messages people sent (the moves note them), which the bot may reply to: message id → chat. */
  private readonly incoming = new Map<string, string>();

  /** A message a person sent in `chat` (a chat_id, or `user:<open_id>` for their private chat). */
  noteIncoming(messageId: string, chat: string) {
    this.incoming.set(messageId, chat);
  }

  constructor(readonly app: { appId: string; appSecret: string }) {
    super();
  }

  /** Every token issued so far stops working: the next call with one is answered 99991663. */
  expireTokens() {
    this.validTokens.clear();
  }

  get tokensIssued() {
    return this.issued;
  }

  message(id: string) {
    return this.messages.find((m) => m.messageId === id);
  }

  /** Messages to one chat (a chat_id, or `user:<open_id>`), in order. */
  sentTo(chat: string) {
    return this.messages.filter((m) => m.chat === chat);
  }

  protected methodOf(url: string, httpMethod: string) {
    const path = url.split("?")[0] ?? "";
    if (path.endsWith("/auth/v3/tenant_access_token/internal")) return "token";
    if (path.endsWith("/read_users")) return "read_users";
    if (path.endsWith("/reply")) return "reply";
    if (path === "/open-apis/im/v1/messages") return "send";
    if (path.startsWith("/open-apis/im/v1/messages/")) return httpMethod === "PATCH" ? "patch" : httpMethod === "PUT" ? "put" : "unknown";
    return "unknown";
  }

  /** Checks the bearer token (as Feishu does, before anything else) and notes the path for routing. */
  protected override intercept(method: string, body: Record<string, any>, request: FakeRequest): FakeAnswer | null {
    Object.defineProperty(body, "__url", { value: request.url, enumerable: false });
    if (method === "token") return null;
    const auth = String(request.headers.authorization ?? "");
    if (!this.validTokens.has(auth.replace(/^Bearer /, ""))) {
      return { status: 400, headers: {}, body: { code: 99991663, msg: "Invalid access token for authorization. Please make a request with token attached." } };
    }
    return null;
  }

  protected chatOf(method: string, body: Record<string, any>) {
    const url: string = body.__url ?? "";
    if (method === "send") return url.includes("receive_id_type=open_id") ? `user:${body.receive_id}` : String(body.receive_id);
    if (method === "reply") return this.message(idIn(url))?.chat ?? this.incoming.get(idIn(url)) ?? "unknown";
    if (method === "patch" || method === "put") return this.message(idIn(url))?.chat ?? "unknown";
    return null;
  }

  protected isGroup(chat: string) {
    return !chat.startsWith("user:");
  }

  protected faultResponse(fault: Fault): { status: number; headers: Record<string, string>; body: unknown } {
    return fault.status === 429
      ? { status: 429, headers: { "x-ogw-ratelimit-limit": "5", "x-ogw-ratelimit-reset": String(fault.retryAfter ?? 1) }, body: { code: 99991400, msg: "request trigger frequency limit" } }
      : { status: 500, headers: {}, body: { code: 1, msg: "internal error" } };
  }

  private post(chat: string, body: Record<string, any>, replyTo?: string) {
    if (body.uuid && this.byUuid.has(body.uuid)) return this.byUuid.get(body.uuid)!;
    const messageId = `om_${String(this.nextId++).padStart(6, "0")}`;
    const content = JSON.parse(String(body.content));
    this.messages.push({ messageId, chat, msgType: String(body.msg_type), content, history: [content], ...(replyTo ? { replyTo } : {}), ...(body.uuid ? { uuid: body.uuid } : {}) });
    if (body.uuid) this.byUuid.set(body.uuid, messageId);
    return messageId;
  }

  protected route(method: string, body: Record<string, any>) {
    const url: string = body.__url ?? "";
    switch (method) {
      case "token": {
        if (body.app_id !== this.app.appId || body.app_secret !== this.app.appSecret) return { code: 10014, msg: "app secret invalid" };
        const token = `t-${++this.issued}`;
        this.validTokens.add(token);
        return { code: 0, msg: "ok", tenant_access_token: token, expire: 7200 };
      }
      case "send": {
        const chat = this.chatOf("send", body)!;
        return { code: 0, msg: "success", data: { message_id: this.post(chat, body), chat_id: chat, msg_type: body.msg_type } };
      }
      case "reply": {
        const parentId = idIn(url);
        const chat = this.message(parentId)?.chat ?? this.incoming.get(parentId);
        if (!chat) return { code: 230011, msg: "message not found" };
        return { code: 0, msg: "success", data: { message_id: this.post(chat, body, parentId), parent_id: parentId } };
      }
      case "patch":
      case "put": {
        const m = this.message(idIn(url));
        if (!m) return { code: 230011, msg: "message not found" };
        m.content = JSON.parse(String(body.content));
        m.history.push(m.content);
        return { code: 0, msg: "success", data: {} };
      }
      case "read_users": {
        const all = this.readsOf.get(idIn(url)) ?? [];
        const query = new URLSearchParams(url.split("?")[1] ?? "");
        const size = Number(query.get("page_size") ?? 20);
        const start = Number(query.get("page_token") || 0);
        const items = all.slice(start, start + size).map((user_id) => ({ user_id_type: "open_id", user_id, timestamp: "1764000000000", tenant_key: "tk" }));
        const more = start + size < all.length;
        return { code: 0, msg: "success", data: { items, has_more: more, ...(more ? { page_token: String(start + size) } : {}) } };
      }
      default:
        return { code: 404, msg: "not found" };
    }
  }
}

/** The message id in /open-apis/im/v1/messages/:message_id[/…]. */
function idIn(url: string): string {
  return decodeURIComponent((url.split("?")[0] ?? "").split("/")[5] ?? "");
}
