// POST /webhooks/feishu: Feishu's one request URL for events and card presses. The signature (and the
// Encrypt Key's decryption and the verification token) are checked before anything is read; a press is
// handled before the answer so its toast can say what happened; a text is stored before the answer when
// that is quick (Feishu wants an answer within 3 s and redelivers otherwise, deduped by event_id).
import type { Context } from "hono";
import { jsonNestingDepth, MAX_JSON_DEPTH } from "../../core/json-depth";
import type { ServiceDeps } from "../../services/deps";
import { handleInboundPress, handleInboundText } from "../../services/chat/inbound";
import type { ChatWebhook } from "../webhook";
import { decodeFeishuMessage, decodeFeishuPress } from "./events";
import { FEISHU_MAX_BODY_BYTES, parseFeishuBody, verifyFeishuRequest, type FeishuFailure } from "./verify";

export interface FeishuWebhookOptions {
  verificationToken: string;
  /** The Encrypt Key of the event subscription: bodies are encrypted and every event must be signed. */
  encryptKey?: string;
  /** How long handling may hold the answer before it finishes after it (Feishu's deadline is 3 s). */
  answerWithinMs?: number;
}

/** Failures of the request itself (not of its signature or token) are 400; everything else is 401. */
const BAD_REQUEST: ReadonlySet<FeishuFailure> = new Set(["bad_json", "too_large"]);

export function createFeishuWebhook(deps: ServiceDeps, options: FeishuWebhookOptions): ChatWebhook {
  const encryptKey = options.encryptKey || undefined;
  const answerWithinMs = options.answerWithinMs ?? 2000;
  return {
    async handle(c: Context, waitUntil) {
      const refuse = (status: 400 | 401, reason: string) => {
        deps.log.warn("feishu callback refused", { reason });
        return c.json({ error: { code: status === 401 ? "unauthorized" : "validation_failed", message: "callback refused" } }, status);
      };
      const raw = await c.req.text();
      if (raw.length > FEISHU_MAX_BODY_BYTES) return refuse(400, "too_large");
      const signed = c.req.header("x-lark-signature") !== undefined;
      // With an Encrypt Key, every event is signed; only the url_verification challenge may come without.
      if (encryptKey && signed) {
        const verified = await verifyFeishuRequest({ headers: c.req.raw.headers, rawBody: raw, encryptKey, now: deps.now() });
        if (!verified.ok) return refuse(verified.reason === "too_large" ? 400 : 401, verified.reason);
      }
      // JSON.parse recurses: bound the depth first (the decrypted body is bounded by its signed size).
      if (jsonNestingDepth(raw) > MAX_JSON_DEPTH) return refuse(400, "too_deep");
      const parsed = await parseFeishuBody(raw, { verificationToken: options.verificationToken, ...(encryptKey ? { encryptKey } : {}) });
      if (!parsed.ok) return refuse(BAD_REQUEST.has(parsed.reason) ? 400 : 401, parsed.reason);
      const body = parsed.value;
      if (body.kind === "challenge") return c.json({ challenge: body.challenge });
      if (encryptKey && !signed) return refuse(401, "missing_headers");
      if (body.schema !== "2.0" || !body.eventId) return refuse(400, "not_schema_2");
      const event = body.body.event;

      if (body.eventType === "card.action.trigger") {
        const press = decodeFeishuPress(event, body.eventId);
        if (!press) return c.json({});
        // Before the answer: the toast says what the press did, and a failure lets the presser try again.
        // Past Feishu's deadline a toast is lost anyway: answer empty and let the press finish after it.
        const work = handleInboundPress(deps, press).then((answer) => {
          deps.notifyOutbox?.();
          return answer;
        });
        waitUntil(work);
        const outcome = await withinDeadline(work, answerWithinMs);
        if (outcome.kind === "failed") {
          deps.log.error("feishu press failed", { eventId: body.eventId });
          return c.json({ error: { code: "unavailable", message: "try again later" } }, 503);
        }
        const text = outcome.kind === "done" ? outcome.value.text : "";
        return c.json(text ? { toast: { type: "info", content: text } } : {});
      }

      if (body.eventType === "im.message.receive_v1") {
        const message = decodeFeishuMessage(event, body.eventId);
        if (!message) return c.json({});
        const work = handleInboundText(deps, message).then(() => deps.notifyOutbox?.());
        // Stored before the answer when that is quick; otherwise it finishes after it (Workers: waitUntil),
        // and if it then fails Feishu's redelivery (same event_id) does it once.
        waitUntil(work);
        if ((await withinDeadline(work, answerWithinMs)).kind === "failed") return c.json({ error: { code: "unavailable", message: "try again later" } }, 503);
        return c.json({});
      }
      // Other subscribed events (a bot added to a group, a message read): nothing to do.
      return c.json({});
    },
  };
}

type Outcome<T> = { kind: "done"; value: T } | { kind: "failed" } | { kind: "late" };

/** Waits for `work` at most `ms`; the work goes on either way (the caller handed it to waitUntil). */
async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work.then((value): Outcome<T> => ({ kind: "done", value }), (): Outcome<T> => ({ kind: "failed" })),
      new Promise<Outcome<T>>((resolve) => (timer = setTimeout(() => resolve({ kind: "late" }), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
