// GET|POST /webhooks/wecom: WeCom's URL check (a signed, encrypted echostr answered in plaintext) and its
// callbacks (signed, encrypted XML), each verified and decrypted — signature over the Encrypt element, then
// the CorpID inside — before anything in it is read. Answers an empty 200 within WeCom's 5 s (it retries
// three times otherwise; the ids it repeats make every retry count once).
import type { Context } from "hono";
import { z } from "zod";
import type { ServiceDeps } from "../../services/deps";
import type { WecomCardCodes } from "../../services/chat/wecom-card-codes";
import type { ChatWebhook } from "../webhook";
import { readWecomMessage, verifyWecomCallback, verifyWecomUrl, type WecomKeys } from "./crypto";
import { handleWecomMessage } from "./events";

/** WeCom answers slower than 5 s with a retry: answer by then and let the work finish (waitUntil on Workers). */
const ANSWER_DEADLINE_MS = 4000;
/** WeCom sets no freshness window; an hour refuses old captured callbacks without tripping on clock skew. */
const MAX_SKEW_MS = 3600_000;

const part = z.string().min(1).max(512);
/** Forged or misdirected (another token, another corp, too old): 401; malformed: 400. */
const statusOf = (reason: string) => (reason === "bad_signature" || reason === "wrong_receiver" || reason === "stale_timestamp" ? 401 : 400);

const querySchema = z.object({ msg_signature: part, timestamp: z.string().regex(/^\d{1,12}$/), nonce: part });
const urlCheckSchema = querySchema.extend({ echostr: z.string().min(1).max(1024) });

export interface WecomWebhookOptions {
  keys: WecomKeys;
  /** The app's AgentId: callbacks for another app of the same corp are ignored. */
  agentId: string;
  codes: WecomCardCodes;
}

export function createWecomWebhook(deps: ServiceDeps, options: WecomWebhookOptions): ChatWebhook {
  const refuse = (c: Context, status: 400 | 401, reason: string) => {
    deps.log.warn("wecom callback refused", { reason });
    return c.body(null, status);
  };
  return {
    async handle(c, waitUntil) {
      if (c.req.method === "GET") {
        const q = urlCheckSchema.safeParse(c.req.query());
        if (!q.success) return refuse(c, 400, "missing_parameter");
        const echo = await verifyWecomUrl(options.keys, q.data);
        if (!echo.ok) return refuse(c, statusOf(echo.reason), echo.reason);
        return c.text(echo.value, 200);
      }
      const q = querySchema.safeParse(c.req.query());
      if (!q.success) return refuse(c, 400, "missing_parameter");
      const plain = await verifyWecomCallback(options.keys, q.data, await c.req.text(), { now: deps.now(), maxSkewMs: MAX_SKEW_MS });
      if (!plain.ok) return refuse(c, statusOf(plain.reason), plain.reason);
      const read = readWecomMessage(plain.value);
      if (!read.ok) return refuse(c, 400, read.reason);
      if (read.message.AgentID !== undefined && read.message.AgentID !== options.agentId) return c.body("", 200);
      let failed = false;
      const work = handleWecomMessage(deps, read.message, options.codes).catch((err: unknown) => {
        failed = true;
        deps.log.error("wecom callback failed", { error: err instanceof Error ? err.message : String(err) });
      });
      waitUntil(work);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ANSWER_DEADLINE_MS)))]);
      clearTimeout(timer);
      // A failure of ours (the database): 503 makes WeCom deliver it again, and its ids make that safe.
      if (failed) return c.body(null, 503);
      // An empty answer: WeCom shows nothing and does not retry; what is said back goes through the outbox.
      return c.body("", 200);
    },
  };
}
