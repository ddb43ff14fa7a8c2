// The Slack Web API over plain `fetch`, runtime-neutral (no Node or Workers import): the calls FundWatch
// makes, encoded and answered as @slack/web-api does (form-encoded arguments, objects as JSON strings,
// `ok: false` → platform error, 429 → rate-limited error with Retry-After), without its queue, retries,
// logger and Node-only file uploads. Rate limits and failures are thrown, never waited out here: the
// outbox decides when to try again (a client that sleeps could stall a tick for minutes).

/** The `code` of each error, the same strings @slack/web-api's ErrorCode uses. */
export const SlackErrorCode = {
  RequestError: "slack_webapi_request_error",
  HTTPError: "slack_webapi_http_error",
  PlatformError: "slack_webapi_platform_error",
  RateLimitedError: "slack_webapi_rate_limited_error",
} as const;

export type SlackErrorCodeValue = (typeof SlackErrorCode)[keyof typeof SlackErrorCode];

/** A Web API answer: `ok` and whatever the method returns. */
export interface SlackApiResult {
  ok: boolean;
  error?: string;
  [field: string]: unknown;
}

/** A failed call. `data`: Slack's answer (platform errors); `retryAfter`: seconds (rate limits); `statusCode`: HTTP errors. */
export class SlackApiError extends Error {
  constructor(
    message: string,
    readonly code: SlackErrorCodeValue,
    readonly details: { data?: SlackApiResult; retryAfter?: number; statusCode?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "SlackApiError";
  }
  get data() {
    return this.details.data;
  }
  get retryAfter() {
    return this.details.retryAfter;
  }
  get statusCode() {
    return this.details.statusCode;
  }
}

export interface SlackWebClientOptions {
  token: string;
  /** Web API base, default https://slack.com/api/ (tests point it at a fake server). */
  apiUrl?: string | undefined;
  fetch?: typeof fetch | undefined;
  /** Per-call timeout (ms). Default 10 s. */
  timeoutMs?: number | undefined;
}

type Args = Record<string, unknown>;
type Method = (args: Args) => Promise<SlackApiResult>;

/** The methods FundWatch calls, grouped as in @slack/web-api (`client.chat.postMessage(…)`). */
export interface SlackWebClient {
  apiCall(method: string, args?: Args): Promise<SlackApiResult>;
  chat: { postMessage: Method; update: Method; postEphemeral: Method };
  conversations: { history: Method; replies: Method };
  views: { open: Method };
}

const DEFAULT_API_URL = "https://slack.com/api/";

/** Arguments as Slack's form encoding takes them: undefined left out, objects and arrays as JSON. */
export function encodeSlackArgs(args: Args): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    form.append(key, typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value));
  }
  return form.toString();
}

/** Slack's Retry-After (whole seconds); undefined when missing or unreadable. */
function retryAfterSeconds(response: Response): number | undefined {
  const seconds = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
  return Number.isNaN(seconds) ? undefined : seconds;
}

export function createSlackWebClient(options: SlackWebClientOptions): SlackWebClient {
  const base = options.apiUrl ? (options.apiUrl.endsWith("/") ? options.apiUrl : `${options.apiUrl}/`) : DEFAULT_API_URL;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));

  async function apiCall(method: string, args: Args = {}): Promise<SlackApiResult> {
    let response: Response;
    let text: string;
    try {
      response = await fetchFn(`${base}${method}`, {
        method: "POST",
        headers: { authorization: `Bearer ${options.token}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: encodeSlackArgs(args),
        // A redirect would carry the token elsewhere: not followed, answered as an HTTP error below.
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      // No answer (timeout, refused, dropped): the call may or may not have taken effect.
      const message = err instanceof Error ? err.message : String(err);
      throw new SlackApiError(`slack ${method}: request failed: ${message}`, SlackErrorCode.RequestError, { cause: err });
    }
    if (response.status === 429) {
      const retryAfter = retryAfterSeconds(response);
      throw new SlackApiError(`slack ${method}: rate limited${retryAfter === undefined ? "" : `, retry after ${retryAfter} s`}`, SlackErrorCode.RateLimitedError, retryAfter === undefined ? {} : { retryAfter });
    }
    // Slack's Web API answers 200 or 429; anything else is the transport's failure.
    if (response.status !== 200) throw new SlackApiError(`slack ${method}: HTTP ${response.status}`, SlackErrorCode.HTTPError, { statusCode: response.status });
    let data: SlackApiResult;
    try {
      const parsed: unknown = JSON.parse(text);
      data = parsed !== null && typeof parsed === "object" ? (parsed as SlackApiResult) : { ok: false, error: text };
    } catch {
      data = { ok: false, error: text };
    }
    if (data.ok !== true) throw new SlackApiError(`slack ${method}: ${String(data.error ?? "not ok")}`, SlackErrorCode.PlatformError, { data });
    return data;
  }

  const method = (name: string): Method => (args) => apiCall(name, args);
  return {
    apiCall,
    chat: { postMessage: method("chat.postMessage"), update: method("chat.update"), postEphemeral: method("chat.postEphemeral") },
    conversations: { history: method("conversations.history"), replies: method("conversations.replies") },
    views: { open: method("views.open") },
  };
}
