// Chat platforms call in here: POST /webhooks/telegram (verified by the secret token Telegram sends
// back), POST /webhooks/slack (events, interactivity and slash commands, verified by signature), and
// POST /webhooks/feishu, POST /webhooks/dingtalk, GET|POST /webhooks/wecom (each verified and decrypted
// by its handler in src/chat/<platform>/; 404 while the platform is not configured).
import { Hono, type Context } from "hono";
import { z } from "zod";
// identity.ts imports only grammY's types: the webhook route loads grammY through the runtime, on the first update.
import { refreshTelegramBotInfo } from "../chat/telegram/identity";
import { constantTimeEqual } from "../security/encoding";
import { parseBoundedJson } from "../core/json-depth";
import type { ChatWebhook } from "../chat/webhook";
import type { AppEnv } from "./context";

const telegramUpdateSchema = z.looseObject({ update_id: z.number().int().nonnegative() });


export function createWebhookRoutes() {
  const hooks = new Hono<AppEnv>();

  hooks.post("/telegram", async (c) => {
    const { deps } = c.var;
    const lazyBot = deps.chat?.telegramBot;
    const secret = deps.config.TELEGRAM_WEBHOOK_SECRET;
    if (!lazyBot || !secret) return c.json({ error: { code: "not_found", message: "Telegram is not configured", requestId: c.var.requestId } }, 404);
    const given = c.req.header("x-telegram-bot-api-secret-token") ?? "";
    if (!constantTimeEqual(given, secret)) {
      deps.log.warn("telegram update rejected: missing or wrong secret token");
      return c.json({ error: { code: "unauthorized", message: "wrong secret token", requestId: c.var.requestId } }, 401);
    }
    // A body over its limit or stalled is answered by the app (413/408), not as a bad update.
    const text = await c.req.text();
    let update: z.infer<typeof telegramUpdateSchema>;
    try {
      // Depth-bounded before parsing (core/json-depth.ts), like every JSON body.
      const parsed = parseBoundedJson(text);
      if (!parsed.ok) throw new Error(`unreadable update: ${parsed.reason}`);
      update = telegramUpdateSchema.parse(parsed.value);
    } catch {
      return c.json({ error: { code: "validation_failed", message: "not a Telegram update", requestId: c.var.requestId } }, 400);
    }
    let bot: Awaited<ReturnType<typeof lazyBot.get>>;
    try {
      bot = await lazyBot.get();
    } catch (err) {
      deps.log.error("telegram bot could not be loaded", { error: err instanceof Error ? err.message : String(err) });
      return c.json({ error: { code: "unavailable", message: "try again later", requestId: c.var.requestId } }, 503);
    }
    // Never bot.init() here: it retries getMe for as long as the Bot API is unreachable. The bot starts
    // with an identity from configuration; the real one is fetched (with a timeout) alongside.
    const refresh = refreshTelegramBotInfo(deps, bot);
    try {
      c.executionCtx.waitUntil(refresh);
    } catch {
      // Node: no execution context; the promise simply runs on.
    }
    try {
      await bot.handleUpdate(update as never);
    } catch (err) {
      // A failure of ours (e.g. the database): 503 makes Telegram deliver the update again later, and
      // the dedupe keys make that safe. Bad input is answered inside the handlers, never here.
      deps.log.error("telegram update failed", { updateId: update.update_id, error: err instanceof Error ? err.message : String(err) });
      return c.json({ error: { code: "unavailable", message: "try again later", requestId: c.var.requestId } }, 503);
    }
    return c.json({ ok: true });
  });

  /** Work after the answer (Workers: waitUntil; Node: it simply runs on), its failure logged under the platform's name. */
  const waitUntilOf = (c: Context<AppEnv>, platform: string) => (p: Promise<unknown>) => {
    const guarded = p.catch((err: unknown) => c.var.deps.log.error(`${platform} work after ack failed`, { error: err instanceof Error ? err.message : String(err) }));
    try {
      c.executionCtx.waitUntil(guarded);
    } catch {
      // Node: no execution context; the promise simply runs on.
    }
  };

  hooks.post("/slack", async (c) => {
    const slack = c.var.deps.chat?.slack;
    if (!slack) return c.json({ error: { code: "not_found", message: "Slack is not configured", requestId: c.var.requestId } }, 404);
    return slack.handle(c, waitUntilOf(c, "slack"));
  });

  /** The platforms whose inbound handler is a ChatWebhook: 404 until configured, then the handler answers. */
  const platformHook = (platform: "feishu" | "dingtalk" | "wecom", name: string) => async (c: Context<AppEnv>) => {
    const handler: ChatWebhook | null | undefined = c.var.deps.chat?.[platform];
    if (!handler) return c.json({ error: { code: "not_found", message: `${name} is not configured`, requestId: c.var.requestId } }, 404);
    return handler.handle(c, waitUntilOf(c, platform));
  };
  hooks.post("/feishu", platformHook("feishu", "Feishu"));
  hooks.post("/dingtalk", platformHook("dingtalk", "DingTalk"));
  // WeCom verifies the callback URL with a GET carrying echostr, then POSTs encrypted XML.
  hooks.on(["GET", "POST"], "/wecom", platformHook("wecom", "WeCom"));

  return hooks;
}
