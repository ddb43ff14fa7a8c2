// What the webhook routes need of a platform's inbound handler (Feishu, DingTalk, WeCom): take the raw
// request, verify it before reading anything, answer within the platform's deadline, and hand work that
// may come after the answer to `waitUntil` (Workers) — messages themselves go through the outbox.
import type { Context } from "hono";

export interface ChatWebhook {
  handle(c: Context, waitUntil: (p: Promise<unknown>) => void): Promise<Response>;
}
