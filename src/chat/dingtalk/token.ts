// DingTalk's app access token (POST /v1.0/oauth2/accessToken with the app's Client ID and Secret): kept in
// memory per adapter, renewed a few minutes before it expires and once more when the API calls it invalid
// (HTTP 401 / code InvalidAuthentication); callers that need it at the same time share one request.
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

export interface DingtalkTokenCache {
  /** A token valid for at least the renewal margin. */
  get(): Promise<string>;
  /** The API refused `token`: the next get() fetches a new one (unless another caller already did). */
  invalidate(token: string): void;
}

/** Renew this long before DingTalk's expiry (tokens last 7200 s). */
export const TOKEN_RENEW_MARGIN_MS = 5 * 60_000;

export function createDingtalkTokenCache(options: DingtalkTokenOptions): DingtalkTokenCache {
  const now = options.now ?? Date.now;
  let current: { token: string; renewAt: number } | null = null;
  let inFlight: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
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
    const expireIn = typeof body.expireIn === "number" && body.expireIn > 0 ? body.expireIn : 7200;
    current = { token: body.accessToken, renewAt: now() + Math.max(expireIn * 1000 - TOKEN_RENEW_MARGIN_MS, 30_000) };
    return body.accessToken;
  }

  return {
    async get() {
      if (current && now() < current.renewAt) return current.token;
      inFlight ??= fetchToken().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    invalidate(token) {
      if (current?.token === token) current = null;
    },
  };
}
