// The Feishu tenant_access_token of one adapter, fetched from /open-apis/auth/v3/tenant_access_token/internal
// and cached by the shared rules of ../access-token.ts (renewed early, and after the API calls it invalid).
import { createAccessTokenCache, type AccessTokenCache } from "../access-token";
import { ChatDeliveryError } from "../types";

export interface FeishuTokenOptions {
  appId: string;
  appSecret: string;
  apiBase: string;
  timeoutMs: number;
  fetch: typeof fetch;
  now?: () => number;
}

export function createFeishuTokenCache(options: FeishuTokenOptions): AccessTokenCache {
  return createAccessTokenCache(async () => {
    let res: Response;
    try {
      res = await options.fetch(`${options.apiBase}/open-apis/auth/v3/tenant_access_token/internal`, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify({ app_id: options.appId, app_secret: options.appSecret }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (err) {
      // No message was sent yet: retrying cannot duplicate anything.
      throw new ChatDeliveryError(`feishu token request failed: ${err instanceof Error ? err.message : String(err)}`, true);
    }
    const body = (await res.json().catch(() => null)) as { code?: number; msg?: string; tenant_access_token?: string; expire?: number } | null;
    if (res.status === 429) throw new ChatDeliveryError("feishu token request rate limited", true, retryAfterOf(res));
    if (res.status >= 500) throw new ChatDeliveryError(`feishu token request HTTP ${res.status}`, true);
    if (!body || body.code !== 0 || typeof body.tenant_access_token !== "string") {
      // Wrong App ID/Secret is a configuration error: retrying will not fix it, but the operator may, so
      // the outbox keeps the row with backoff instead of dropping every message.
      throw new ChatDeliveryError(`feishu token refused: code ${body?.code ?? res.status} ${body?.msg ?? ""}`.trim(), true);
    }
    return { token: body.tenant_access_token, expiresInMs: (typeof body.expire === "number" && body.expire > 0 ? body.expire : 7200) * 1000 };
  }, options.now ? { now: options.now } : {});
}

/** Seconds to wait from Feishu's `x-ogw-ratelimit-reset` header (seconds until the window resets). */
export function retryAfterOf(res: Response): number | undefined {
  const raw = res.headers.get("x-ogw-ratelimit-reset");
  const n = raw === null ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? Math.max(1, Math.ceil(n)) : undefined;
}
