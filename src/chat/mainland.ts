// The Feishu, DingTalk and WeCom halves of the chat runtime, built from configuration: for each platform
// whose credentials are set, its adapter (outgoing) and its webhook handler (incoming); null for the
// others, whose chats the runtime then prints to the console as it does for Telegram and Slack.
import { t } from "../i18n";
import { wecomCardCodes } from "../services/chat/wecom-card-codes";
import type { ServiceDeps } from "../services/deps";
import { createDingtalkAdapter } from "./dingtalk/adapter";
import { createDingtalkWebhook } from "./dingtalk/webhook";
import { createFeishuAdapter } from "./feishu/adapter";
import { createFeishuWebhook } from "./feishu/webhook";
import type { ChatAdapter } from "./types";
import type { ChatWebhook } from "./webhook";
import { createWecomAdapter } from "./wecom/adapter";
import { createWecomWebhook } from "./wecom/webhook";

/** One configured platform: how messages go out, and the handler of its webhook (null: it answers 404). */
export interface PlatformSides {
  adapter: ChatAdapter;
  webhook: ChatWebhook | null;
}

export interface MainlandOptions {
  callTimeoutMs: number;
  fetch?: typeof fetch;
}

export function feishuFromConfig(deps: ServiceDeps, options: MainlandOptions): PlatformSides | null {
  const { config } = deps;
  if (!config.FEISHU_APP_ID || !config.FEISHU_APP_SECRET) return null;
  return {
    adapter: createFeishuAdapter({ appId: config.FEISHU_APP_ID, appSecret: config.FEISHU_APP_SECRET, apiBase: config.FEISHU_API_BASE, timeoutMs: options.callTimeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) }),
    // Callbacks: the verification token always, the Encrypt Key (decryption, signatures) when set.
    webhook: config.FEISHU_VERIFICATION_TOKEN
      ? createFeishuWebhook(deps, { verificationToken: config.FEISHU_VERIFICATION_TOKEN, ...(config.FEISHU_ENCRYPT_KEY ? { encryptKey: config.FEISHU_ENCRYPT_KEY } : {}) })
      : null,
  };
}

export function dingtalkFromConfig(deps: ServiceDeps, options: MainlandOptions): PlatformSides | null {
  const { config } = deps;
  if (!config.DINGTALK_CLIENT_ID || !config.DINGTALK_CLIENT_SECRET || !config.DINGTALK_ROBOT_CODE) return null;
  const secret = config.DINGTALK_CLIENT_SECRET;
  return {
    adapter: createDingtalkAdapter({
      clientId: config.DINGTALK_CLIENT_ID,
      clientSecret: secret,
      robotCode: config.DINGTALK_ROBOT_CODE,
      apiBase: config.DINGTALK_API_BASE,
      oapiBase: config.DINGTALK_OAPI_BASE,
      timeoutMs: options.callTimeoutMs,
      callbackSecret: secret,
      locale: config.DEFAULT_LOCALE,
      ...(config.DINGTALK_CARD_TEMPLATE_ID ? { cardTemplateId: config.DINGTALK_CARD_TEMPLATE_ID } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
    // The card callback URL is registered with the Client Secret as its apiSecret (README "Connecting DingTalk").
    webhook: createDingtalkWebhook(deps, { clientSecret: secret, cardApiSecret: secret, callbackSecret: secret }),
  };
}

export function wecomFromConfig(deps: ServiceDeps, options: MainlandOptions): PlatformSides | null {
  const { config } = deps;
  // config.ts refuses WECOM_CORP_ID without the other four; all five are checked for the types.
  if (!config.WECOM_CORP_ID || !config.WECOM_AGENT_ID || !config.WECOM_SECRET || !config.WECOM_TOKEN || !config.WECOM_ENCODING_AES_KEY) return null;
  // One store of the cards' one-time response codes: the webhook keeps each press's, the adapter spends them.
  const codes = wecomCardCodes(deps);
  return {
    adapter: createWecomAdapter({
      corpId: config.WECOM_CORP_ID,
      secret: config.WECOM_SECRET,
      agentId: config.WECOM_AGENT_ID,
      apiBase: config.WECOM_API_BASE,
      timeoutMs: options.callTimeoutMs,
      codes,
      ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
      actHint: t(config.DEFAULT_LOCALE, "chat.wecom.act_in_app"),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
    webhook: createWecomWebhook(deps, {
      keys: { token: config.WECOM_TOKEN, encodingAesKey: config.WECOM_ENCODING_AES_KEY, corpId: config.WECOM_CORP_ID },
      agentId: config.WECOM_AGENT_ID,
      codes,
    }),
  };
}
