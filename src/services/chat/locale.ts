// Which language a chat answer is in: the member's own, else the team chat's, else the configured default.
import { and, eq } from "drizzle-orm";
import type { Locale } from "../../core/report-input";
import { teams, type MemberRow } from "../../db/schema";
import { isLocale } from "../../i18n";
import type { ServiceDeps } from "../deps";
import type { ChatUser } from "./types";

export function localeOf(member: MemberRow | null, fallback: Locale): Locale {
  return member && isLocale(member.locale) ? member.locale : fallback;
}

/** The language of the team whose chat this is (the fallback for people not enrolled). */
export async function chatLocale(deps: ServiceDeps, user: ChatUser): Promise<Locale> {
  const team = await deps.db.query.teams.findFirst({ columns: { locale: true }, where: and(eq(teams.platform, user.platform), eq(teams.chatId, user.chatId)) });
  return team && isLocale(team.locale) ? team.locale : deps.config.DEFAULT_LOCALE;
}
