// The Feishu tenant_access_token of one adapter: fetched from /open-apis/auth/v3/tenant_access_token/internal,
// kept in memory, renewed a few minutes before it expires, and on demand after the API calls it invalid.
// Concurrent callers share one fetch, so a burst of sends after a restart asks for one token, not fifty.
import { ChatDeliveryError } from "../types";

/** Renew this long before the stated expiry: a call started just before expiry must still carry a valid token. */
export const FEISHU_TOKEN_REFRESH_EARLY_MS = 5 * 60_000;

export interface FeishuTokenSource {
  /** A valid token (cached, or fetched now). */
  get(): Promise<string>;
  /** Forgets `stale` (the API refused it) and fetches a new one, unless another caller already did. */
  renew(stale: string): Promise<string>;
}

export interface FeishuTokenOptions {
  appId: string;
  appSecret: string;
  apiBase: string;
  timeoutMs: number;
  fetch: typeof fetch;
  now?: () => number;
}

export function createFeishuTokenSource(options: FeishuTokenOptions): FeishuTokenSource {
  const now = options.now ?? Date.now;
  let cached: { token: string; renewAt: number } | null = null;
  let inFlight: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
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
    const expireMs = (typeof body.expire === "number" && body.expire > 0 ? body.expire : 7200) * 1000;
    // A token with less than the margin left is used once more rather than refetched in a loop.
    cached = { token: body.tenant_access_token, renewAt: now() + Math.max(expireMs - FEISHU_TOKEN_REFRESH_EARLY_MS, expireMs / 2) };
    return body.tenant_access_token;
  }

  function shared(): Promise<string> {
    inFlight ??= fetchToken().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  return {
    async get() {
      if (cached && now() < cached.renewAt) return cached.token;
      return shared();
    },
    async renew(stale) {
      if (cached && cached.token !== stale && now() < cached.renewAt) return cached.token;
      if (cached?.token === stale) cached = null;
      return shared();
    },
  };
}

/** Seconds to wait from Feishu's `x-ogw-ratelimit-reset` header (seconds until the window resets). */
export function retryAfterOf(res: Response): number | undefined {
  const raw = res.headers.get("x-ogw-ratelimit-reset");
  const n = raw === null ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? Math.max(1, Math.ceil(n)) : undefined;
}
