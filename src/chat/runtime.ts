// Builds the chat side from configuration: one adapter per platform (the console adapter stands in
// for any platform without a token, so a local start shows every message), the Telegram bot, the
// Slack app and the Feishu / DingTalk / WeCom webhook handlers (./mainland.ts) for incoming updates,
// and what the outbox needs to deliver: a long-lived loop on Node (start/notify/close) or bounded
// drains (Workers' waitUntil, the tick, the admin CLI). grammY and Bolt load only when their platform is
// configured and its webhook is first hit (./lazy.ts); Telegram messages go out without grammY.
import type { Bot } from "grammy";
import type { ServiceDeps } from "../services/deps";
import { createOutboxRenderer } from "../services/leads/lead-cards";
import { drainOutbox, type DeliveryDeps, type DeliveryReport, type DeliveryTuning } from "../services/delivery/outbox";
import { createDeliveryLoop, type DeliveryLoop } from "../services/delivery/loop";
import type { QueuedLane } from "../services/delivery/wake-plan";
import { createConsoleAdapter } from "./console/adapter";
import { dingtalkFromConfig, feishuFromConfig, wecomFromConfig } from "./mainland";
import { lazy, lazyAdapter, type Lazy } from "./lazy";
import { SLACK_METHODS } from "./slack/methods";
import type { SlackIntegration } from "./slack/app";
import type { AccountPlatform, ChatAdapter, ChatAdapters } from "./types";
import type { ChatWebhook } from "./webhook";

export interface ChatRuntime {
  adapters: ChatAdapters;
  /** The Telegram bot (webhook updates, long polling), built with grammY on first `get()`; null: not configured. */
  telegramBot: Lazy<Bot> | null;
  /** Slack's inbound handler; Bolt loads on the first request. Null: not configured (404). */
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
  /** Settles once the configured platforms' sending clients have loaded (tests that time deliveries wait for it). */
  ready(): Promise<void>;
  /** A change queued messages (`queued`: which lanes, see queuedBy): wakes the loop if it runs and one of them can send before it looks anyway. */
  notify(queued?: readonly QueuedLane[]): void;
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
  const asConsole = (platform: AccountPlatform): ChatAdapter => ({ ...consoleAdapter, platform });
  const sidesOptions = { callTimeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const feishu = feishuFromConfig(deps, sidesOptions);
  const dingtalk = dingtalkFromConfig(deps, sidesOptions);
  const wecom = wecomFromConfig(deps, sidesOptions);
  // The sending clients (a few kilobytes each over fetch: ./telegram/bot-api.ts, ./slack/web-client.ts) load in
  // the background as soon as their platform is configured, so the first delivery's pace does not include
  // an import; what only inbound traffic needs (grammY and the Telegram bot's handlers ~10 MB, Bolt's App
  // ~30 MB) waits for its webhook.
  const warming: Promise<unknown>[] = [];
  const warm = { warm: true, onWarm: (loading: Promise<unknown>) => warming.push(loading) };
  const adapters: ChatAdapters = {
    console: consoleAdapter,
    telegram: config.TELEGRAM_BOT_TOKEN
      ? lazyAdapter({ platform: "telegram" }, async () =>
          (await import("./telegram/adapter")).createTelegramAdapter({ token: config.TELEGRAM_BOT_TOKEN!, apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: callTimeoutMs / 1000, ...(options.fetch ? { fetch: options.fetch } : {}) }),
        warm)
      : asConsole("telegram"),
    slack: config.SLACK_BOT_TOKEN
      ? lazyAdapter({ platform: "slack", methods: SLACK_METHODS, findsDelivered: true }, async () =>
          (await import("./slack/adapter")).createSlackAdapter({ token: config.SLACK_BOT_TOKEN!, apiUrl: config.SLACK_API_URL, timeoutMs: callTimeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) }),
        warm)
      : asConsole("slack"),
    // Feishu, DingTalk, WeCom (./mainland.ts): until a platform's credentials are set, its chats print.
    feishu: feishu?.adapter ?? asConsole("feishu"),
    dingtalk: dingtalk?.adapter ?? asConsole("dingtalk"),
    wecom: wecom?.adapter ?? asConsole("wecom"),
  };
  const delivery: DeliveryDeps = { ...deps, adapters, renderer: createOutboxRenderer(deps), ...(options.tuning ? { tuning: options.tuning } : {}) };
  const telegramToken = config.TELEGRAM_BOT_TOKEN;
  const telegramBot = telegramToken ? lazy(async () => (await import("./telegram/bot")).createTelegramBot(deps, { token: telegramToken, apiRoot: config.TELEGRAM_API_ROOT })) : null;
  const slackToken = config.SLACK_BOT_TOKEN;
  const slackSecret = config.SLACK_SIGNING_SECRET;
  const slackApp = slackToken && slackSecret
    ? lazy(async () =>
        (await import("./slack/app")).createSlackIntegration(deps, {
          token: slackToken,
          signingSecret: slackSecret,
          apiUrl: config.SLACK_API_URL,
          botId: config.SLACK_BOT_ID,
          botUserId: config.SLACK_BOT_USER_ID,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      )
    : null;
  const slack: SlackIntegration | null = slackApp ? { handle: async (c, waitUntil) => (await slackApp.get()).handle(c, waitUntil) } : null;

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
    feishu: feishu?.webhook ?? null,
    dingtalk: dingtalk?.webhook ?? null,
    wecom: wecom?.webhook ?? null,
    delivery,
    drain,
    deliveryLoop,
    startDeliveryLoop: () => deliveryLoop.start(),
    notify: (queued) => deliveryLoop.notify(queued),
    ready: () => Promise.all(warming).then(() => undefined),
    async close() {
      await deliveryLoop.stop();
      await running;
    },
  };
}
