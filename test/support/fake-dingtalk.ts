// A fake DingTalk open API on loopback: access tokens (which it can expire), robot messages to groups and
// persons, interactive cards (created, delivered and updated by outTrackId) and read status. Like the other
// fakes it records calls, injects faults, stalls and enforces the per-group limit (20 a minute, scaled).
import { FakeServer, type Fault, type FakeAnswer, type FakeRequest } from "./fake-chat-servers";

export interface FakeDingtalkCard {
  outTrackId: string;
  /** The chat as FundWatch names it: the openConversationId, or `user:<staff id>`. */
  chat: string;
  templateId: string;
  callbackType: string;
  params: Record<string, string>;
  /** Every version of the card's parameters, first as created. */
  versions: Record<string, string>[];
}

export interface FakeDingtalkMessage {
  chat: string;
  processQueryKey: string;
  msgKey: string;
  /** The parsed msgParam (content for sampleText; title and text for sampleMarkdown). */
  param: Record<string, string>;
}

export class FakeDingtalk extends FakeServer {
  private tokenCounter = 0;
  private keyCounter = 0;
  /** Tokens the fake accepts; expireTokens() empties it (DingTalk then answers 401 InvalidAuthentication). */
  readonly validTokens = new Set<string>();
  readonly cards = new Map<string, FakeDingtalkCard>();
  readonly messages: FakeDingtalkMessage[] = [];
  /** processQueryKey → staff ids that read it. */
  readonly reads = new Map<string, string[]>();

  /** Every token issued so far stops working, as after DingTalk's 2 h expiry. */
  expireTokens() {
    this.validTokens.clear();
  }

  protected methodOf(url: string, httpMethod: string) {
    const path = (url.split("?")[0] ?? "").replace(/^\/v1\.0\//, "");
    if (path === "card/instances" && httpMethod === "PUT") return "card/update";
    return path;
  }

  /** The app secret the fake expects for a token (any when unset). */
  appSecret: string | null = null;

  protected override intercept(method: string, body: Record<string, any>, request: FakeRequest): FakeAnswer | null {
    if (method === "oauth2/accessToken")
      return this.appSecret !== null && body.appSecret !== this.appSecret ? { status: 400, headers: {}, body: { code: "invalidClientIdOrSecret", message: "无效的clientId或者clientSecret", requestid: "fake" } } : null;
    const token = String(request.headers["x-acs-dingtalk-access-token"] ?? "");
    if (this.validTokens.has(token)) return null;
    return { status: 401, headers: {}, body: { code: "InvalidAuthentication", message: "不合法的access_token", requestid: "fake" } };
  }

  protected chatOf(method: string, body: Record<string, any>) {
    switch (method) {
      case "robot/groupMessages/send":
        return String(body.openConversationId);
      case "robot/oToMessages/batchSend":
        return `user:${(body.userIds ?? [])[0]}`;
      case "card/instances/createAndDeliver":
        return chatOfSpace(String(body.openSpaceId ?? ""));
      case "card/update":
        return this.cards.get(String(body.outTrackId))?.chat ?? null;
      default:
        return null;
    }
  }

  protected isGroup(chat: string) {
    return !chat.startsWith("user:");
  }

  protected faultResponse(fault: Fault) {
    // DingTalk names no Retry-After header for throttling; its answer is a code.
    return fault.status === 429
      ? { status: 429, headers: {}, body: { code: "Throttling.Api", message: "调用频率超过限制", requestid: "fake" } }
      : { status: 500, headers: {}, body: { code: "ServiceUnavailable", message: "服务暂不可用", requestid: "fake" } };
  }

  protected route(method: string, body: Record<string, any>, request: FakeRequest) {
    switch (method) {
      case "oauth2/accessToken": {
        const token = `tok-${++this.tokenCounter}`;
        this.validTokens.add(token);
        return { accessToken: token, expireIn: 7200 };
      }
      case "robot/groupMessages/send":
      case "robot/oToMessages/batchSend": {
        const processQueryKey = `pqk-${++this.keyCounter}`;
        this.messages.push({ chat: this.chatOf(method, body)!, processQueryKey, msgKey: String(body.msgKey), param: JSON.parse(String(body.msgParam)) });
        return method === "robot/groupMessages/send" ? { processQueryKey } : { processQueryKey, invalidStaffIdList: [], flowControlledStaffIdList: [] };
      }
      case "card/instances/createAndDeliver": {
        const params = { ...(body.cardData?.cardParamMap ?? {}) } as Record<string, string>;
        const card: FakeDingtalkCard = { outTrackId: String(body.outTrackId), chat: chatOfSpace(String(body.openSpaceId)), templateId: String(body.cardTemplateId), callbackType: String(body.callbackType), params, versions: [params] };
        this.cards.set(card.outTrackId, card);
        return { success: true, result: { outTrackId: card.outTrackId, deliverResults: [{ success: true, spaceId: card.chat.replace(/^user:/, ""), spaceType: card.chat.startsWith("user:") ? "IM_ROBOT" : "IM_GROUP", carrierId: `carrier-${++this.keyCounter}` }] } };
      }
      case "card/update": {
        const card = this.cards.get(String(body.outTrackId));
        if (!card) return { success: false };
        card.params = { ...card.params, ...(body.cardData?.cardParamMap ?? {}) };
        card.versions.push(card.params);
        return { success: true, result: true };
      }
      case "robot/groupMessages/query":
        return { sendStatus: "SUCCESS", readUserIds: this.reads.get(String(body.processQueryKey)) ?? [], unReadUserIds: [] };
      case "robot/oToMessages/readStatus": {
        const key = new URL(request.url, "http://x").searchParams.get("processQueryKey") ?? "";
        return { sendStatus: "SUCCESS", messageReadInfoList: (this.reads.get(key) ?? []).map((userId) => ({ name: userId, userId, readStatus: "READ", readTimestamp: 0 })) };
      }
      default:
        return { success: true };
    }
  }

  /** Cards delivered to one chat, in order. */
  cardsIn(chat: string): FakeDingtalkCard[] {
    return [...this.cards.values()].filter((c) => c.chat === chat);
  }

  /** Robot messages sent to one chat, in order. */
  messagesTo(chat: string): FakeDingtalkMessage[] {
    return this.messages.filter((m) => m.chat === chat);
  }

  /** The texts (sampleText content, or markdown text) sent to one chat. */
  textsTo(chat: string): string[] {
    return this.messagesTo(chat).map((m) => m.param.content ?? m.param.text ?? "");
  }
}

/** `dtv1.card//IM_GROUP.<cid>` → `<cid>`; `dtv1.card//IM_ROBOT.<user>` → `user:<user>`. */
function chatOfSpace(openSpaceId: string): string {
  const m = /^dtv1\.card\/\/(IM_GROUP|IM_ROBOT)\.(.+)$/i.exec(openSpaceId);
  if (!m) return openSpaceId;
  return m[1]!.toUpperCase() === "IM_ROBOT" ? `user:${m[2]}` : m[2]!;
}
