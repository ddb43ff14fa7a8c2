// The Telegram Bot API calls delivery makes (sendMessage, editMessageText), over plain `fetch`: a server
// that only sends never loads grammY (~10 MB resident on Node), which stays for inbound updates
// (./bot.ts). Requests and failures have grammY's shape, so the outbox sees the same errors: an answer
// with `ok: false` is a TelegramApiError (429 carries retry_after), anything without a readable answer
// (refused connection, timeout, a proxy's HTML page) a TelegramNetworkError.
import { z } from "zod";

export interface BotApiOptions {
  token: string;
  /** Bot API root without trailing slash; default https://api.telegram.org. */
  apiRoot?: string;
  /** Per-call timeout (s). */
  timeoutSeconds: number;
  fetch?: typeof fetch;
}

/** Telegram answered the call with an error (`ok: false`). */
export class TelegramApiError extends Error {
  override name = "TelegramApiError";
  constructor(
    readonly method: string,
    readonly errorCode: number,
    readonly description: string,
    /** Seconds to wait before calling again (429 Too Many Requests). */
    readonly retryAfter?: number,
  ) {
    super(`Call to '${method}' failed! (${errorCode}: ${description})`);
  }
}

/** No answer could be read: the call may or may not have taken effect. */
export class TelegramNetworkError extends Error {
  override name = "TelegramNetworkError";
  constructor(
    readonly method: string,
    override readonly cause: unknown,
  ) {
    super(`Network request for '${method}' failed! (${cause instanceof Error ? cause.message : String(cause)})`);
  }
}

const answerSchema = z.discriminatedUnion("ok", [
  z.looseObject({ ok: z.literal(true), result: z.unknown() }),
  z.looseObject({
    ok: z.literal(false),
    error_code: z.number().int(),
    description: z.string().default(""),
    parameters: z.looseObject({ retry_after: z.number().optional() }).optional(),
  }),
]);

export interface BotApiClient {
  /** Calls `method` with a JSON body; the answer's `result`, or a TelegramApiError / TelegramNetworkError. */
  call(method: string, payload: Record<string, unknown>): Promise<unknown>;
}

export function createBotApiClient(options: BotApiOptions): BotApiClient {
  const root = options.apiRoot ?? "https://api.telegram.org";
  // Workers reject a fetch called with another `this`: call the global through a closure.
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  return {
    async call(method, payload) {
      const controller = new AbortController();
      // A timer (not AbortSignal.timeout) as grammY's client has: the delivery tests' virtual clock drives it.
      const timer = setTimeout(() => controller.abort(new Error(`Request to '${method}' timed out after ${options.timeoutSeconds} seconds`)), options.timeoutSeconds * 1000);
      let body: unknown;
      try {
        const res = await doFetch(`${root}/bot${options.token}/${method}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          // Like grammY: null fields are left out rather than sent as null.
          body: JSON.stringify(payload, (_, v: unknown) => v ?? undefined),
          signal: controller.signal,
        });
        body = await res.json();
      } catch (err) {
        throw new TelegramNetworkError(method, controller.signal.aborted ? controller.signal.reason : err);
      } finally {
        clearTimeout(timer);
      }
      const answer = answerSchema.safeParse(body);
      if (!answer.success) throw new TelegramNetworkError(method, new Error("the answer is not a Bot API response"));
      if (answer.data.ok) return answer.data.result;
      const { error_code, description, parameters } = answer.data;
      throw new TelegramApiError(method, error_code, description, parameters?.retry_after);
    },
  };
}
