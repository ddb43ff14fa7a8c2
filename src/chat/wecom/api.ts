// WeCom server API calls over plain fetch: the access token (gettoken) cached in memory and refreshed a few
// minutes before it expires and once more when WeCom answers "token expired/invalid", and every answer's
// errcode turned into the outbox's one error shape (frequency limits and "busy" retryable, the rest not).
import { ChatDeliveryError } from "../types";

export interface WecomApiOptions {
  corpId: string;
  secret: string;
  /** API base without trailing slash (config WECOM_API_BASE; tests point it at a fake). */
  apiBase: string;
  fetch?: typeof fetch;
  /** Per-call timeout (ms), well under the outbox claim lease. Default 10 s. */
  timeoutMs?: number;
  /** Real time (ms) for the token's lifetime; injectable for tests. */
  clock?: () => number;
}

/** A WeCom answer: `errcode` 0 and the method's own fields. */
export type WecomAnswer = Record<string, unknown> & { errcode?: number; errmsg?: string };

/** errcodes meaning the access token is stale: refresh once and call again (42001 expired, 40014 invalid, 40001 invalid credential). */
export const TOKEN_ERRCODES = new Set([42001, 40014, 40001]);
/** Retryable answers, with the wait WeCom's limits suggest (s): 45009 API frequency (per minute), 45033 concurrency, -1 busy. */
const RETRY_AFTER: Record<number, number> = { 45009: 60, 45033: 2, [-1]: 2 };
/** What to do about refusals an operator can fix (errors say what went wrong and what to do). */
const HINTS: Record<number, string> = {
  60020: "add this server's outgoing IP to the app's 企业可信IP (trusted IPs)",
  81013: "no recipient is a member in the app's visible range (可见范围)",
  86003: "the app group chat does not exist or was not created by this app",
};
const hinted = (code: number) => (HINTS[code] ? ` (${HINTS[code]})` : "");

/** Refresh this long before WeCom's expires_in runs out (it is 7200 s). */
const REFRESH_EARLY_MS = 5 * 60_000;

export interface WecomApi {
  /** POSTs JSON to `path` with the access token; resolves with the answer when errcode is 0. */
  post(path: string, body: unknown): Promise<WecomAnswer>;
}

export function createWecomApi(options: WecomApiOptions): WecomApi {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clock = options.clock ?? Date.now;
  let cached: { token: string; refreshAt: number } | null = null;
  let refreshing: Promise<string> | null = null;

  async function request(url: string, init: RequestInit, what: string): Promise<WecomAnswer> {
    let res: Response;
    try {
      res = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      // No answer (timeout, dropped connection): WeCom may have acted on it.
      throw new ChatDeliveryError(`wecom ${what} failed: ${err instanceof Error ? err.message : String(err)}`, true, undefined, true);
    }
    if (res.status === 429) {
      const after = Number(res.headers.get("retry-after"));
      throw new ChatDeliveryError(`wecom ${what} HTTP 429`, true, Number.isFinite(after) && after > 0 ? after : 60);
    }
    if (!res.ok) throw new ChatDeliveryError(`wecom ${what} HTTP ${res.status}`, res.status >= 500);
    try {
      const answer = (await res.json()) as unknown;
      if (answer && typeof answer === "object" && !Array.isArray(answer)) return answer as WecomAnswer;
    } catch {
      // fall through
    }
    throw new ChatDeliveryError(`wecom ${what}: unreadable answer`, true);
  }

  /** One gettoken call for every caller that needs a token meanwhile. */
  function token(force = false, stale?: string): Promise<string> {
    if (cached && !force && clock() < cached.refreshAt) return Promise.resolve(cached.token);
    // Someone already replaced the token that failed: use theirs.
    if (force && cached && stale !== undefined && cached.token !== stale && clock() < cached.refreshAt) return Promise.resolve(cached.token);
    if (!refreshing) {
      refreshing = (async () => {
        const url = `${options.apiBase}/cgi-bin/gettoken?corpid=${encodeURIComponent(options.corpId)}&corpsecret=${encodeURIComponent(options.secret)}`;
        const answer = await request(url, { method: "GET" }, "gettoken");
        const code = answer.errcode ?? 0;
        if (code !== 0 || typeof answer.access_token !== "string" || !answer.access_token) {
          // A wrong corp id or secret will not fix itself; "busy" will.
          throw new ChatDeliveryError(`wecom gettoken errcode ${code}${hinted(code) || " (check WECOM_CORP_ID and WECOM_SECRET)"}`, code in RETRY_AFTER, RETRY_AFTER[code]);
        }
        const expiresMs = (typeof answer.expires_in === "number" && answer.expires_in > 0 ? answer.expires_in : 7200) * 1000;
        cached = { token: answer.access_token, refreshAt: clock() + Math.max(expiresMs - REFRESH_EARLY_MS, expiresMs / 2) };
        return answer.access_token;
      })().finally(() => {
        refreshing = null;
      });
    }
    return refreshing;
  }

  return {
    async post(path, body) {
      const what = path.replace(/^\/cgi-bin\//, "");
      let used = await token();
      for (let attempt = 0; ; attempt++) {
        const answer = await request(`${options.apiBase}${path}?access_token=${encodeURIComponent(used)}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        }, what);
        const code = answer.errcode ?? 0;
        if (code === 0) return answer;
        if (TOKEN_ERRCODES.has(code) && attempt === 0) {
          used = await token(true, used);
          continue;
        }
        // 45009 is a limit on the API for the whole app, not one chat: it names the method so the outbox holds it everywhere.
        if (code in RETRY_AFTER) throw new ChatDeliveryError(`wecom ${what} errcode ${code}`, true, RETRY_AFTER[code], false, code === 45009 ? what : undefined);
        throw new ChatDeliveryError(`wecom ${what} errcode ${code}${hinted(code)}`, false);
      }
    },
  };
}
