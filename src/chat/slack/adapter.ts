// Slack delivery through the project's fetch-based Web API client (./web-client.ts, the same on Node and
// Workers; @slack/web-api with its queue and retry packages is no longer needed to send). Cards become
// Block Kit messages; button action ids carry the action and their value the lead id. Rate limits come
// back as retryable errors for the outbox instead of being retried inside the client (which could stall
// a tick for minutes).
import { ChatDeliveryError, type ChatAdapter, type OutgoingMessage } from "../types";
import { SLACK_METHODS } from "./methods";
import { createSlackWebClient, SlackErrorCode } from "./web-client";

export interface SlackAdapterOptions {
  token: string;
  /** Web API base, default https://slack.com/api/ (tests point it at a fake server). */
  apiUrl?: string;
  fetch?: typeof fetch;
  /** Per-call timeout (ms), kept well under the outbox claim lease so a stalled call cannot outlive its claim. Default 10 s. */
  timeoutMs?: number;
}

/** Metadata event type on every post the outbox makes; `event_payload.outbox_id` names the row. */
export const OUTBOX_METADATA_EVENT = "fundwatch_outbox";

/**
 * Makes text inert in Slack mrkdwn: `<!channel>`, `<@U…>` and `<https://x|label>` only work through
 * `<` and `>`, and `&` must be escaped so the escapes themselves stay literal.
 */
export const escapeMrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function renderSlack(message: OutgoingMessage): { text: string; blocks?: unknown[] } {
  // Texts and prompts carry tipster replies and citizen-provided names: never let them format or ping.
  if (message.kind !== "card") return { text: escapeMrkdwn(message.text) };
  const { card } = message;
  const blocks: unknown[] = [{ type: "section", text: { type: "mrkdwn", text: `*${escapeMrkdwn(card.title)}*` } }];
  // A section holds at most 10 fields.
  for (let i = 0; i < card.fields.length; i += 10)
    blocks.push({
      type: "section",
      fields: card.fields.slice(i, i + 10).map((f) => ({ type: "mrkdwn", text: `*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}` })),
    });
  if (card.body) blocks.push({ type: "section", text: { type: "mrkdwn", text: escapeMrkdwn(card.body).slice(0, 2900) } });
  card.buttons.forEach((row, i) => {
    if (row.length === 0) return;
    blocks.push({
      type: "actions",
      block_id: `fw_actions_${i}`,
      elements: row.map((b) =>
        b.url
          ? { type: "button", action_id: `fw:${b.action}`, text: { type: "plain_text", text: b.label }, url: b.url }
          : { type: "button", action_id: `fw:${b.action}`, text: { type: "plain_text", text: b.label }, value: b.leadId, ...(b.style ? { style: b.style } : {}) },
      ),
    });
  });
  if (card.footer) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: escapeMrkdwn(card.footer) }] });
  // The fallback text (notifications, screen readers) is mrkdwn too.
  const text = escapeMrkdwn([card.title, ...card.fields.map((f) => `${f.label}: ${f.value}`)].join("\n"));
  return { text, blocks };
}

const RETRYABLE_PLATFORM_ERRORS = new Set(["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"]);

/** `method`: the Web API method called; a rate limit holds that method for every channel (see delivery/method-holds.ts). */
function toDeliveryError(err: unknown, method: string): ChatDeliveryError {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  switch (e.code) {
    case SlackErrorCode.RateLimitedError:
      return new ChatDeliveryError(`slack ${method} rate limited`, true, e.retryAfter, false, method);
    case SlackErrorCode.PlatformError:
      return new ChatDeliveryError(`slack error: ${e.data?.error}`, RETRYABLE_PLATFORM_ERRORS.has(e.data?.error ?? ""));
    case SlackErrorCode.HTTPError:
      return new ChatDeliveryError(`slack HTTP ${e.statusCode}`, (e.statusCode ?? 500) >= 500 || e.statusCode === 429);
    default:
      // No answer (timeout, dropped connection): the post may exist; the retry looks for it first.
      return new ChatDeliveryError(`slack request failed: ${e.message ?? String(err)}`, true, undefined, true);
  }
}

export function createSlackAdapter(options: SlackAdapterOptions): ChatAdapter {
  const client = createSlackWebClient({ token: options.token, apiUrl: options.apiUrl, fetch: options.fetch, timeoutMs: options.timeoutMs });
  return {
    platform: "slack",
    // Slack's limits are per method and workspace: a Retry-After for one channel's post holds every post.
    methods: SLACK_METHODS,
    async send(target, message, sendOptions) {
      const { text, blocks } = renderSlack(message);
      const threadTs = message.kind !== "card" ? message.replyToMessageId : undefined;
      const metadata = sendOptions?.outboxId ? { metadata: { event_type: OUTBOX_METADATA_EVENT, event_payload: { outbox_id: sendOptions.outboxId } } } : {};
      try {
        const res = await client.chat.postMessage({
          channel: target.chatId,
          text,
          ...(blocks ? { blocks } : {}),
          ...(threadTs ? { thread_ts: threadTs } : {}),
          ...metadata,
          unfurl_links: false,
          unfurl_media: false,
        });
        return { messageId: String(res.ts) };
      } catch (err) {
        throw toDeliveryError(err, "chat.postMessage");
      }
    },
    async edit(target, messageId, message) {
      const { text, blocks } = renderSlack(message);
      try {
        await client.chat.update({ channel: target.chatId, ts: messageId, text, ...(blocks ? { blocks } : {}) });
      } catch (err) {
        throw toDeliveryError(err, "chat.update");
      }
    },
    async findDelivered(target, lookup) {
      // Search from a few seconds before the interrupted attempt (clocks differ) for our metadata.
      const oldest = ((lookup.attemptStartedAt - 5000) / 1000).toFixed(6);
      let cursor: string | undefined;
      try {
        for (let page = 0; page < 5; page++) {
          const common = { channel: target.chatId, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
          const res = (lookup.threadOf ? await client.conversations.replies({ ...common, ts: lookup.threadOf }) : await client.conversations.history(common)) as {
            messages?: { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[];
            response_metadata?: { next_cursor?: string };
          };
          const found = res.messages?.find((m) => m.metadata?.event_type === OUTBOX_METADATA_EVENT && m.metadata.event_payload?.outbox_id === lookup.outboxId);
          if (found?.ts) return { messageId: String(found.ts) };
          cursor = res.response_metadata?.next_cursor || undefined;
          if (!cursor) return null;
        }
        return null;
      } catch (err) {
        throw toDeliveryError(err, lookup.threadOf ? "conversations.replies" : "conversations.history");
      }
    },
  };
}
