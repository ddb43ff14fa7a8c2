// Who the Telegram bot is, known without a Bot API call on the request path: a synthetic identity from
// the token (and TELEGRAM_BOT_USERNAME), replaced off the request path by the getMe answer cached in
// app_state (services/chat/bot-identity.ts) or fetched once.
import type { Bot } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { z } from "zod";
import { loadBotIdentity, saveBotIdentity } from "../../services/chat/bot-identity";
import type { ServiceDeps } from "../../services/deps";

export { BOT_INFO_STATE_KEY } from "../../services/chat/bot-identity";

const botInfoSchema = z.looseObject({ id: z.number().int().positive(), is_bot: z.literal(true), first_name: z.string(), username: z.string().min(1) });

/**
 * The bot's identity without a Bot API call: the id is the token's prefix (Telegram tokens are
 * `<bot id>:<secret>`), the username comes from TELEGRAM_BOT_USERNAME when set. Only command matching
 * (`/mine@name`) uses the username, so a placeholder is harmless until the cached getMe replaces it.
 */
export function botInfoFromToken(token: string, username?: string): UserFromGetMe {
  const id = Number(token.split(":")[0]);
  return {
    id: Number.isSafeInteger(id) && id > 0 ? id : 1,
    is_bot: true,
    first_name: username ?? "FundWatch",
    username: username ?? `bot${Number.isSafeInteger(id) ? id : 1}`,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
  } as UserFromGetMe;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Parses the stored getMe answer; anything unreadable counts as absent. */
function parseStoredBotInfo(value: string | undefined, botId: number): UserFromGetMe | null {
  if (!value) return null;
  try {
    const parsed = botInfoSchema.safeParse(JSON.parse(value));
    // A cached identity of another bot (the token changed) is ignored.
    return parsed.success && parsed.data.id === botId ? (parsed.data as unknown as UserFromGetMe) : null;
  } catch {
    return null;
  }
}

const refreshes = new WeakMap<Bot, Promise<void>>();
/** Bots whose real username is known (cached or fetched), so `/cmd@name` can be checked against it. */
const identified = new WeakSet<Bot>();

/**
 * Replaces the synthetic identity with the real one, off the request path: from app_state if cached,
 * otherwise one getMe with a timeout (then cached). Once per bot object; failures are logged and the
 * synthetic identity stays, so updates are handled either way.
 */
export function refreshTelegramBotInfo(deps: ServiceDeps, bot: Bot): Promise<void> {
  const running = refreshes.get(bot);
  if (running) return running;
  const work = (async () => {
    const botId = bot.botInfo.id;
    const cached = parseStoredBotInfo(await loadBotIdentity(deps), botId);
    if (cached) {
      bot.botInfo = cached;
      identified.add(bot);
      return;
    }
    // Bounded by the client's timeoutSeconds, like every other call of this bot.
    const me = await bot.api.getMe();
    if (me.id !== botId) throw new Error(`getMe answered for bot ${me.id}, the token is for ${botId}`);
    bot.botInfo = me;
    identified.add(bot);
    await saveBotIdentity(deps, JSON.stringify(me));
  })().catch((err: unknown) => {
    deps.log.warn("telegram getMe failed; using the configured identity", { error: errorText(err) });
  });
  refreshes.set(bot, work);
  return work;
}

/** True once the bot's real username is known, so `/cmd@name` can be checked against it. */
export const isIdentified = (bot: Bot): boolean => identified.has(bot);
