// POST /webhooks/dingtalk: robot messages (verified by the `timestamp`/`sign` headers) and card callbacks
// (verified by the `x-ddpaas-signature` headers, then by our own signatures on the card and button). Each
// is verified before its body is parsed, handed to the platform-neutral inbound use cases, and answered
// within DingTalk's deadline (2 s for card callbacks); what is said back goes through the outbox.
import type { Context } from "hono";
import { parseBoundedJson } from "../../core/json-depth";
import type { ServiceDeps } from "../../services/deps";
import { handleInboundPress, handleInboundText } from "../../services/chat/inbound";
import type { ChatWebhook } from "../webhook";
import { decodeCardCallback, decodeRobotMessage } from "./events";
import { verifyDingtalkCardCallback, verifyDingtalkRequest } from "./verify";

export interface DingtalkWebhookOptions {
  /** The app's Client Secret: robot messages are signed with it. */
  clientSecret: string;
  /** The apiSecret the card callback URL was registered with (FundWatch registers the Client Secret). */
  cardApiSecret: string;
  /** Signs outTrackIds and buttons (the adapter's callbackSecret). */
  callbackSecret: string;
}

export function createDingtalkWebhook(deps: ServiceDeps, options: DingtalkWebhookOptions): ChatWebhook {
  const refuse = (c: Context, status: 400 | 401 | 403, code: string, message: string) => c.json({ error: { code, message, requestId: c.get("requestId") as string | undefined } }, status);

  return {
    async handle(c) {
      const headers = c.req.raw.headers;
      const isCard = headers.has("x-ddpaas-signature") || headers.has("x-ddpaas-signature-timestamp");
      const verified: { ok: true; signedAtMs?: number } | { ok: false; reason: string } = isCard
        ? await verifyDingtalkCardCallback({ headers, apiSecret: options.cardApiSecret, now: deps.now() })
        : await verifyDingtalkRequest({ headers, appSecret: options.clientSecret, now: deps.now() });
      if (!verified.ok) {
        deps.log.warn("dingtalk callback refused", { kind: isCard ? "card" : "robot", reason: verified.reason });
        return refuse(c, 401, "unauthorized", "signature missing, wrong or stale");
      }
      const parsed = parseBoundedJson(await c.req.text());
      if (!parsed.ok) return refuse(c, 400, "validation_failed", "not a DingTalk callback");
      try {
        if (isCard) {
          const decoded = await decodeCardCallback(parsed.value, options.callbackSecret, verified.signedAtMs ?? deps.now().getTime());
          if (!decoded.ok) {
            deps.log.warn("dingtalk card callback refused", { reason: decoded.reason });
            return decoded.reason === "not_ours" ? refuse(c, 403, "forbidden", "not a FundWatch card or button") : refuse(c, 400, "validation_failed", "not a card callback");
          }
          // DingTalk shows no short answer to the presser alone: a non-empty one goes to their private chat.
          await handleInboundPress(deps, decoded.press, { answerPrivately: true });
          // The card itself is edited through the outbox (DingTalk asks not to update it inside the callback).
          return c.json({});
        }
        const message = decodeRobotMessage(parsed.value);
        // A group's openConversationId is what the organisation file needs: @-mention the bot there once and read it here.
        if (message && !message.isPrivateChat) deps.log.info("dingtalk group message", { chatId: message.user.chatId });
        if (message) await handleInboundText(deps, message);
        return c.json({});
      } catch (err) {
        // Ours (e.g. the database): 503 so DingTalk may deliver again; the update keys make that safe.
        deps.log.error("dingtalk callback failed", { kind: isCard ? "card" : "robot", error: err instanceof Error ? err.message : String(err) });
        return c.json({ error: { code: "unavailable", message: "try again later" } }, 503);
      }
    },
  };
}
