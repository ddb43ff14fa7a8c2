// DingTalk delivery through the app robot: texts to a group with /v1.0/robot/groupMessages/send and to a
// person (`user:<staff id>`) with /v1.0/robot/oToMessages/batchSend; cards with buttons as interactive
// cards (/v1.0/card/instances/createAndDeliver, callbackType HTTP, edited with PUT /v1.0/card/instances)
// when the FundWatch card template is configured, otherwise as markdown. Robot messages cannot be edited:
// an edit of one sends a new message. Who read a robot message comes from the read-status APIs.
import type { Locale } from "../../core/report-input";
import { ChatDeliveryError, userOfPrivateChat, type ChatAdapter, type ChatTarget, type OutgoingMessage } from "../types";
import { renderCardParams, renderRobotMessage } from "./render";
import { createDingtalkTokenCache } from "./token";
import { isTrackId, mintTrackId } from "./track";

export interface DingtalkAdapterOptions {
  clientId: string;
  clientSecret: string;
  /** The robot's code (for an app robot, usually the app's Client ID). */
  robotCode: string;
  /** https://api.dingtalk.com (or the government network's gateway). */
  apiBase: string;
  /** https://oapi.dingtalk.com; no call needs it today, kept for the legacy endpoints of 浙政钉 gateways. */
  oapiBase?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Signs outTrackIds and button ids (see track.ts); the webhook checks them with the same secret. */
  callbackSecret: string;
  /** The FundWatch card template's id (DINGTALK_CARD_TEMPLATE_ID); without it cards are sent as markdown. */
  cardTemplateId?: string;
  /** The callbackRouteKey registered for POST /webhooks/dingtalk. */
  callbackRouteKey?: string;
  /** Language of the line that says how to act on a card without buttons. */
  locale?: Locale;
  /** The token cache's clock (tests). */
  now?: () => number;
}

/** The route key FundWatch registers its card callback URL under (see README "Connecting DingTalk"). */
export const DEFAULT_CALLBACK_ROUTE_KEY = "fundwatch";

/** DingTalk error codes that mean "too many calls": retry after a wait (the robot limit is 20 a minute per group). */
const THROTTLED = /throttl|qpslimit|flowcontrol|ratelimit|limit\.exceed/i;
/** Without a Retry-After, wait one per-group slot (60 s / 20). */
const DEFAULT_RETRY_AFTER_S = 3;

interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

export function createDingtalkAdapter(options: DingtalkAdapterOptions): ChatAdapter {
  const doFetch = options.fetch ?? fetch;
  const locale = options.locale ?? "zh-CN";
  const tokens = createDingtalkTokenCache({ apiBase: options.apiBase, clientId: options.clientId, clientSecret: options.clientSecret, fetch: doFetch, timeoutMs: options.timeoutMs, ...(options.now ? { now: options.now } : {}) });

  async function once(method: "POST" | "PUT" | "GET", path: string, body: unknown, token: string): Promise<ApiAnswer & { retryAfter: string | null }> {
    let res: Response;
    try {
      res = await doFetch(`${options.apiBase}${path}`, {
        method,
        headers: { "content-type": "application/json", "x-acs-dingtalk-access-token": token },
        ...(method === "GET" ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (err) {
      // No answer: DingTalk may have acted on the call.
      throw new ChatDeliveryError(`dingtalk ${path} failed: ${err instanceof Error ? err.message : String(err)}`, true, undefined, true);
    }
    const parsed = (await res.json().catch(() => ({}))) as unknown;
    return { status: res.status, body: parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {}, retryAfter: res.headers.get("retry-after") };
  }

  /** One API call with the cached token, renewed once if DingTalk calls it invalid; errors in the outbox's terms. */
  async function call(method: "POST" | "PUT" | "GET", path: string, body?: unknown): Promise<Record<string, unknown>> {
    let token = await tokens.get();
    let answer = await once(method, path, body, token);
    if (isInvalidToken(answer)) {
      token = await tokens.renew(token);
      answer = await once(method, path, body, token);
    }
    const code = String(answer.body.code ?? "");
    if (answer.status >= 200 && answer.status < 300 && !answer.body.errcode) return answer.body;
    if (answer.status === 429 || THROTTLED.test(code)) {
      const after = Number(answer.retryAfter);
      throw new ChatDeliveryError(`dingtalk ${path} throttled (${code || answer.status})`, true, Number.isFinite(after) && after > 0 ? after : DEFAULT_RETRY_AFTER_S);
    }
    if (answer.status >= 500) throw new ChatDeliveryError(`dingtalk ${path} HTTP ${answer.status} ${code}`.trim(), true, undefined, true);
    throw new ChatDeliveryError(`dingtalk ${path} HTTP ${answer.status} ${code} ${String(answer.body.message ?? "")}`.trim(), false);
  }

  async function sendRobot(target: ChatTarget, message: OutgoingMessage): Promise<string> {
    const { msgKey, msgParam } = renderRobotMessage(message, locale);
    const user = userOfPrivateChat(target.chatId);
    if (user !== null) {
      const res = await call("POST", "/v1.0/robot/oToMessages/batchSend", { robotCode: options.robotCode, userIds: [user], msgKey, msgParam });
      if (asStrings(res.flowControlledStaffIdList).includes(user)) throw new ChatDeliveryError("dingtalk batchSend flow-controlled", true, DEFAULT_RETRY_AFTER_S);
      if (asStrings(res.invalidStaffIdList).includes(user)) throw new ChatDeliveryError("dingtalk batchSend: not a staff id of this organisation", false);
      return requireKey(res);
    }
    return requireKey(await call("POST", "/v1.0/robot/groupMessages/send", { robotCode: options.robotCode, openConversationId: target.chatId, msgKey, msgParam }));
  }

  async function sendCard(target: ChatTarget, message: Extract<OutgoingMessage, { kind: "card" }>, templateId: string): Promise<string> {
    const outTrackId = await mintTrackId(options.callbackSecret, target.chatId);
    const cardParamMap = await renderCardParams(message.card, outTrackId, options.callbackSecret);
    const user = userOfPrivateChat(target.chatId);
    const space =
      user !== null
        ? { openSpaceId: `dtv1.card//IM_ROBOT.${user}`, imRobotOpenSpaceModel: { supportForward: false }, imRobotOpenDeliverModel: { spaceType: "IM_ROBOT", robotCode: options.robotCode } }
        : { openSpaceId: `dtv1.card//IM_GROUP.${target.chatId}`, imGroupOpenSpaceModel: { supportForward: false }, imGroupOpenDeliverModel: { robotCode: options.robotCode } };
    const res = await call("POST", "/v1.0/card/instances/createAndDeliver", {
      cardTemplateId: templateId,
      outTrackId,
      callbackType: "HTTP",
      callbackRouteKey: options.callbackRouteKey ?? DEFAULT_CALLBACK_ROUTE_KEY,
      cardData: { cardParamMap },
      userIdType: 1,
      ...space,
    });
    const result = (res.result ?? {}) as { deliverResults?: { success?: boolean; errorMsg?: string }[] };
    const failed = result.deliverResults?.find((r) => r.success === false);
    if (failed) throw new ChatDeliveryError(`dingtalk card not delivered: ${failed.errorMsg ?? "unknown"}`, false);
    return outTrackId;
  }

  return {
    platform: "dingtalk",
    async send(target, message) {
      if (message.kind === "card" && options.cardTemplateId) return { messageId: await sendCard(target, message, options.cardTemplateId) };
      return { messageId: await sendRobot(target, message) };
    },
    async edit(target, messageId, message) {
      if (message.kind === "card" && options.cardTemplateId && isTrackId(messageId)) {
        const cardParamMap = await renderCardParams(message.card, messageId, options.callbackSecret);
        await call("PUT", "/v1.0/card/instances", { outTrackId: messageId, cardData: { cardParamMap }, cardUpdateOptions: { updateCardDataByKey: true } });
        return;
      }
      // Robot messages cannot be changed once sent: the new state goes out as a new message.
      await sendRobot(target, message);
    },
    // Interactive cards have no read status; robot messages do (processQueryKey).
    reportsReadersOf: (messageId) => !isTrackId(messageId),
    async readers(target, messageId) {
      if (isTrackId(messageId)) return [];
      const user = userOfPrivateChat(target.chatId);
      if (user !== null) {
        const q = new URLSearchParams({ robotCode: options.robotCode, processQueryKey: messageId });
        const res = await call("GET", `/v1.0/robot/oToMessages/readStatus?${q}`);
        const list = Array.isArray(res.messageReadInfoList) ? (res.messageReadInfoList as { userId?: unknown; readStatus?: unknown }[]) : [];
        return list.filter((r) => String(r.readStatus).toUpperCase() === "READ" && typeof r.userId === "string").map((r) => r.userId as string);
      }
      const readers: string[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await call("POST", "/v1.0/robot/groupMessages/query", { openConversationId: target.chatId, robotCode: options.robotCode, processQueryKey: messageId, maxResults: 200, ...(nextToken ? { nextToken } : {}) });
        readers.push(...asStrings(res.readUserIds));
        nextToken = typeof res.nextToken === "string" && res.nextToken ? res.nextToken : undefined;
        if (!nextToken) break;
      }
      return readers;
    },
  };
}

function isInvalidToken(answer: ApiAnswer): boolean {
  const code = String(answer.body.code ?? "");
  return answer.status === 401 || code === "InvalidAuthentication" || /accesstoken.*(invalid|expired)|token\.(invalid|expired)/i.test(code);
}

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function requireKey(res: Record<string, unknown>): string {
  if (typeof res.processQueryKey !== "string" || !res.processQueryKey) throw new ChatDeliveryError("dingtalk answered without a processQueryKey", true, undefined, true);
  return res.processQueryKey;
}
