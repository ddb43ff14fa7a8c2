// DingTalk's app access token (POST /v1.0/oauth2/accessToken with the app's Client ID and Secret), cached by
// the shared rules of ../access-token.ts (renewed early, and after HTTP 401 / code InvalidAuthentication).
import { createAccessTokenCache, type AccessTokenCache } from "../access-token";
import { ChatDeliveryError } from "../types";

export interface DingtalkTokenOptions {
  apiBase: string;
  clientId: string;
  clientSecret: string;
  fetch: typeof fetch;
  timeoutMs: number;
  /** The clock (ms); tests move it past the expiry. */
  now?: () => number;
}

export function createDingtalkTokenCache(options: DingtalkTokenOptions): AccessTokenCache {
  return createAccessTokenCache(async () => {
    let res: Response;
    try {
      res = await options.fetch(`${options.apiBase}/v1.0/oauth2/accessToken`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ appKey: options.clientId, appSecret: options.clientSecret }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (err) {
      // Nothing was sent yet: the message call itself never happened, so this is certain.
      throw new ChatDeliveryError(`dingtalk accessToken failed: ${err instanceof Error ? err.message : String(err)}`, true);
    }
    const body = (await res.json().catch(() => null)) as { accessToken?: unknown; expireIn?: unknown; code?: unknown } | null;
    if (!res.ok || typeof body?.accessToken !== "string" || !body.accessToken) {
      // 4xx here means wrong credentials: retrying will not help until the configuration changes.
      const hint = res.status >= 400 && res.status < 500 && res.status !== 429 ? " (check DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET)" : "";
      throw new ChatDeliveryError(`dingtalk accessToken HTTP ${res.status} ${String(body?.code ?? "")}${hint}`.trim(), res.status >= 500 || res.status === 429);
    }
    return { token: body.accessToken, expiresInMs: (typeof body.expireIn === "number" && body.expireIn > 0 ? body.expireIn : 7200) * 1000 };
  }, options.now ? { now: options.now } : {});
}
