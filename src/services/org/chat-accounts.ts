// The one map from a chat platform to the member column holding a member's account there (Telegram
// user id, Slack user id, Feishu open_id, DingTalk userId, WeCom UserID). Lookups by chat user,
// enrolment, deactivation, approvals and listings all go through it: a new platform is one entry here
// (plus its column and partial unique index in src/db/schema/org.ts and a migration).
import { isNull, type SQL } from "drizzle-orm";
import { privateChatIdOf, type AccountPlatform } from "../../chat/types";
import { members, type MemberRow } from "../../db/schema";

/** Member field of each platform's account, in the order a private message prefers them. */
export const ACCOUNT_FIELDS = {
  telegram: "telegramUserId",
  slack: "slackUserId",
  feishu: "feishuUserId",
  dingtalk: "dingtalkUserId",
  wecom: "wecomUserId",
} as const satisfies Record<AccountPlatform, keyof MemberRow>;

export type AccountField = (typeof ACCOUNT_FIELDS)[AccountPlatform];
/** The account columns of a member row (what the helpers below read). */
export type MemberAccounts = Pick<MemberRow, AccountField>;

export const ACCOUNT_PLATFORMS = Object.keys(ACCOUNT_FIELDS) as AccountPlatform[];

/** How each platform is named to people (announcements, listings). */
export const PLATFORM_NAMES: Record<AccountPlatform, string> = { telegram: "Telegram", slack: "Slack", feishu: "Feishu", dingtalk: "DingTalk", wecom: "WeCom" };

export const isAccountPlatform = (platform: string): platform is AccountPlatform => Object.hasOwn(ACCOUNT_FIELDS, platform);

/** The drizzle column of a platform's account. */
export const accountColumn = (platform: AccountPlatform) => members[ACCOUNT_FIELDS[platform]];

/** `{ <platform>UserId: value }`, to set (or clear, with null) one platform's account. */
export const accountValue = (platform: AccountPlatform, userId: string | null): Partial<MemberAccounts> => ({ [ACCOUNT_FIELDS[platform]]: userId });

/** Every account column cleared (deactivation: no chat account acts for the member any more). */
export const NO_ACCOUNTS: MemberAccounts = { telegramUserId: null, slackUserId: null, feishuUserId: null, dingtalkUserId: null, wecomUserId: null };

/** `column IS NULL` for every platform: the member has no account anywhere. */
export const noAccountConditions = (): SQL[] => ACCOUNT_PLATFORMS.map((p) => isNull(accountColumn(p)));

/** The member's accounts, in ACCOUNT_FIELDS order. */
export function accountsOf(m: MemberAccounts): { platform: AccountPlatform; userId: string }[] {
  return ACCOUNT_PLATFORMS.flatMap((platform) => {
    const userId = m[ACCOUNT_FIELDS[platform]];
    return userId ? [{ platform, userId }] : [];
  });
}

export const isBound = (m: MemberAccounts): boolean => accountsOf(m).length > 0;

/** True when the member has an account on every platform (an additional-account invite has nothing left to add). */
export const isBoundEverywhere = (m: MemberAccounts): boolean => accountsOf(m).length === ACCOUNT_PLATFORMS.length;

/**
 * Where a private message to the member goes: their account on `preferred` (e.g. the team's platform)
 * if they have one, else their first account. The chat id of a private chat is the user id on
 * Telegram and Slack (the private chat id, a DM by user id); `user:<id>` on Feishu, DingTalk and WeCom.
 */
export function privateChatOf(m: MemberAccounts, preferred?: string): { platform: AccountPlatform; chatId: string } | null {
  const accounts = accountsOf(m);
  const chosen = accounts.find((a) => a.platform === preferred) ?? accounts[0];
  return chosen ? { platform: chosen.platform, chatId: privateChatIdOf(chosen.platform, chosen.userId) } : null;
}
