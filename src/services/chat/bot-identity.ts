// The Telegram bot's cached identity (its getMe answer, as JSON) in app_state, so a restart knows the
// bot's real username without asking Telegram. Parsing and checking the value is the bot's business.
import { eq } from "drizzle-orm";
import { appState } from "../../db/schema";
import type { ServiceDeps } from "../deps";

/** app_state row caching getMe. */
export const BOT_INFO_STATE_KEY = "telegram_bot_info";

/** The stored getMe answer, or undefined when none was cached yet. */
export async function loadBotIdentity(deps: ServiceDeps): Promise<string | undefined> {
  const row = await deps.db.query.appState.findFirst({ where: eq(appState.key, BOT_INFO_STATE_KEY) });
  return row?.value;
}

/** Caches the getMe answer (replacing an older one). */
export async function saveBotIdentity(deps: ServiceDeps, value: string): Promise<void> {
  const now = deps.now().getTime();
  await deps.db
    .insert(appState)
    .values({ key: BOT_INFO_STATE_KEY, value, updatedAt: now })
    .onConflictDoUpdate({ target: appState.key, set: { value, updatedAt: now } });
}
