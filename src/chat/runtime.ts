// Builds the chat side from configuration: one adapter per platform (the console adapter stands in
// for any platform without a token, so a local start shows every message), the Telegram bot, the
// Slack app and the Feishu / DingTalk / WeCom webhook handlers for incoming updates, and what the outbox needs to deliver: a long-lived loop on Node
// (start/notify/close) or bounded drains (Workers' waitUntil, the tick, the admin CLI).
import type { Bot } from "grammy";
import type { ServiceDeps } from "../services/deps";
import { createOutboxRenderer } from "../services/leads/lead-cards";
import { drainOutbox, type DeliveryDeps, type DeliveryReport, type DeliveryTuning } from "../services/delivery/outbox";
import { createDeliveryLoop, type DeliveryLoop } from "../services/delivery/loop";
import { createConsoleAdapter } from "./console/adapter";
import { createFeishuAdapter } from "./feishu/adapter";
import { createFeishuWebhook } from "./feishu/webhook";
import { createDingtalkAdapter } from "./dingtalk/adapter";
import { createDingtalkWebhook } from "./dingtalk/webhook";
import { createSlackAdapter } from "./slack/adapter";
import { createSlackIntegration, type SlackIntegration } from "./slack/app";
import { createTelegramAdapter } from "./telegram/adapter";
import { createTelegramBot } from "./telegram/bot";
import type { AccountPlatform, ChatAdapter, ChatAdapters } from "./types";
import { wecomCardCodes } from "../services/chat/wecom-card-codes";
import { t } from "../i18n";
import { createWecomAdapter } from "./wecom/adapter";
import { createWecomWebhook } from "./wecom/webhook";
import type { ChatWebhook } from "./webhook";

export interface ChatRuntime {
  adapters: ChatAdapters;
  telegramBot: Bot | null;
  slack: SlackIntegration | null;
  /** Inbound handlers of POST /webhooks/feishu, /webhooks/dingtalk and GET|POST /webhooks/wecom; null: not configured (404). */
  feishu: ChatWebhook | null;
  dingtalk: ChatWebhook | null;
  wecom: ChatWebhook | null;
  delivery: DeliveryDeps;
  /** Delivers what is due now and keeps going for a few seconds while more becomes due. Single-flight. */
  drain(): Promise<DeliveryReport | null>;
  /** Starts the long-lived delivery loop (Node). While it runs, notify() wakes it and drain() only wakes it too. */
  startDeliveryLoop(): void;
  /** A change queued messages: wakes the loop if it runs. */
  notify(): void;
  readonly deliveryLoop: DeliveryLoop;
  /** Stops the delivery loop and waits for calls in flight (each bounded by the call timeout). */
  close(): Promise<void>;
}

export interface ChatRuntimeOptions {
  /** Where the console adapter writes; default console.log. */
  consoleWrite?: (line: string) => void;
  fetch?: typeof fetch;
  /** Timeout of every platform call (ms); must stay well under the claim lease. Default 10 s. */
  callTimeoutMs?: number;
  /** Pacing and lease constants (tests run them scaled); default the platforms' documented limits. */
  tuning?: Partial<DeliveryTuning>;
  /** Budget of one bounded drain (Workers: within waitUntil). Default 25 s, waiting at most 5 s for the next due row. */
  drainBudgetMs?: number;
  drainMaxWaitMs?: number;
}

export function createChatRuntime(deps: ServiceDeps, options: ChatRuntimeOptions = {}): ChatRuntime {
  const { config } = deps;
  const callTimeoutMs = options.callTimeoutMs ?? config.CHAT_CALL_TIMEOUT_MS ?? 10_000;
  const consoleAdapter = createConsoleAdapter(options.consoleWrite);
  const wecomCodes = wecomCardCodes(deps);
  // config.ts refuses WECOM_CORP_ID without the other four; all five are checked for the types.
  const wecomConfig =
    config.WECOM_CORP_ID && config.WECOM_AGENT_ID && config.WECOM_SECRET && config.WECOM_TOKEN && config.WECOM_ENCODING_AES_KEY
      ? { corpId: config.WECOM_CORP_ID, agentId: config.WECOM_AGENT_ID, secret: config.WECOM_SECRET, token: config.WECOM_TOKEN, encodingAesKey: config.WECOM_ENCODING_AES_KEY }
      : null;
  const asConsole = (platform: AccountPlatform): ChatAdapter => ({ ...consoleAdapter, platform });
  const dingtalkConfigured = Boolean(config.DINGTALK_CLIENT_ID && config.DINGTALK_CLIENT_SECRET && config.DINGTALK_ROBOT_CODE);
  const adapters: ChatAdapters = {
    console: consoleAdapter,
    telegram: config.TELEGRAM_BOT_TOKEN
      ? createTelegramAdapter({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: callTimeoutMs / 1000 })
      : asConsole("telegram"),
    slack: config.SLACK_BOT_TOKEN
      ? createSlackAdapter({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL, timeoutMs: callTimeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) })
      : asConsole("slack"),
    // Filled in by each platform's adapter once it exists; until its credentials are set, its chats print.
    feishu:
      config.FEISHU_APP_ID && config.FEISHU_APP_SECRET
        ? createFeishuAdapter({ appId: config.FEISHU_APP_ID, appSecret: config.FEISHU_APP_SECRET, apiBase: config.FEISHU_API_BASE, timeoutMs: callTimeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) })
        : asConsole("feishu"),
    dingtalk: dingtalkConfigured
      ? createDingtalkAdapter({
          clientId: config.DINGTALK_CLIENT_ID!,
          clientSecret: config.DINGTALK_CLIENT_SECRET!,
          robotCode: config.DINGTALK_ROBOT_CODE!,
          apiBase: config.DINGTALK_API_BASE,
          oapiBase: config.DINGTALK_OAPI_BASE,
          timeoutMs: callTimeoutMs,
          callbackSecret: config.DINGTALK_CLIENT_SECRET!,
          locale: config.DEFAULT_LOCALE,
          ...(config.DINGTALK_CARD_TEMPLATE_ID ? { cardTemplateId: config.DINGTALK_CARD_TEMPLATE_ID } : {}),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        })
      : asConsole("dingtalk"),
    wecom: wecomConfig
      ? createWecomAdapter({
          corpId: wecomConfig.corpId,
          secret: wecomConfig.secret,
          agentId: wecomConfig.agentId,
          apiBase: config.WECOM_API_BASE,
          timeoutMs: callTimeoutMs,
          codes: wecomCodes,
          ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
          actHint: t(config.DEFAULT_LOCALE, "chat.wecom.act_in_app"),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        })
      : asConsole("wecom"),
  };
  const delivery: DeliveryDeps = { ...deps, adapters, renderer: createOutboxRenderer(deps), ...(options.tuning ? { tuning: options.tuning } : {}) };
  const telegramBot = config.TELEGRAM_BOT_TOKEN ? createTelegramBot(deps, { token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT }) : null;
  const slack =
    config.SLACK_BOT_TOKEN && config.SLACK_SIGNING_SECRET
      ? createSlackIntegration(deps, {
          token: config.SLACK_BOT_TOKEN,
          signingSecret: config.SLACK_SIGNING_SECRET,
          apiUrl: config.SLACK_API_URL,
          botId: config.SLACK_BOT_ID,
          botUserId: config.SLACK_BOT_USER_ID,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        })
      : null;

  // Feishu callbacks: the verification token always, the Encrypt Key (decryption, signatures) when set.
  const feishu =
    config.FEISHU_APP_ID && config.FEISHU_APP_SECRET && config.FEISHU_VERIFICATION_TOKEN
      ? createFeishuWebhook(deps, { verificationToken: config.FEISHU_VERIFICATION_TOKEN, ...(config.FEISHU_ENCRYPT_KEY ? { encryptKey: config.FEISHU_ENCRYPT_KEY } : {}) })
      : null;

  const deliveryLoop = createDeliveryLoop(delivery);
  let running: Promise<DeliveryReport | null> | null = null;
  let again = false;
  async function drain(): Promise<DeliveryReport | null> {
    if (deliveryLoop.running) {
      deliveryLoop.notify();
      return null;
    }
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let report: DeliveryReport | null = null;
      do {
        again = false;
        try {
          report = await drainOutbox(delivery, { budgetMs: options.drainBudgetMs ?? 25_000, maxWaitMs: options.drainMaxWaitMs ?? 5_000 });
        } catch (err) {
          deps.log.error("outbox delivery failed", { error: err instanceof Error ? err.message : String(err) });
        }
      } while (again);
      return report;
    })().finally(() => {
      running = null;
    });
    return running;
  }
  return {
    adapters,
    telegramBot,
    slack,
    feishu,
    // The card callback URL is registered with the Client Secret as its apiSecret (README "Connecting DingTalk").
    dingtalk: dingtalkConfigured
      ? createDingtalkWebhook(deps, { clientSecret: config.DINGTALK_CLIENT_SECRET!, cardApiSecret: config.DINGTALK_CLIENT_SECRET!, callbackSecret: config.DINGTALK_CLIENT_SECRET! })
      : null,
    wecom: wecomConfig
      ? createWecomWebhook(deps, { keys: { token: wecomConfig.token, encodingAesKey: wecomConfig.encodingAesKey, corpId: wecomConfig.corpId }, agentId: wecomConfig.agentId, codes: wecomCodes })
      : null,
    delivery,
    drain,
    deliveryLoop,
    startDeliveryLoop: () => deliveryLoop.start(),
    notify: () => deliveryLoop.notify(),
    async close() {
      await deliveryLoop.stop();
      await running;
    },
  };
}
