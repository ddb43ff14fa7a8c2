// Separation of duties around enrolment: finance and coordinator members are enrolled only by an
// operator (org file, `npm run admin -- invite`), never from chat; a chat account bound to a member is
// never moved by an invite; the account that stops acting for a member is told so; and every enrolment
// of a finance or coordinator member is announced in the coordinators' chat.
import { and, eq } from "drizzle-orm";
import { privateChatIdOf, type Platform } from "../../chat/types";
import type { Locale } from "../../core/report-input";
import { events, type MemberRow } from "../../db/schema";
import { isLocale, t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { enqueueStatement, sealEnqueueInput } from "../delivery/outbox";
import { AppError } from "../errors";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import { accountsOf, isBound, PLATFORM_NAMES, isAccountPlatform, type MemberAccounts } from "./chat-accounts";
import { currentOrg } from "./org-cache";

/**
 * Roles whose members take part in paying rewards (approve, pay, see the claimant): a coordinator who
 * could enrol one from chat would hold both approvals. Only an operator, out of band, adds or invites them.
 */
export const OPERATOR_ONLY_ROLES: ReadonlySet<string> = new Set(["finance", "coordinator"]);

// Which accounts a member has: one map for every platform (./chat-accounts.ts).
export { isBound };

/** An invite for a member who already has a chat account would move that binding: refused until deactivated. */
export function memberBoundError(member: Pick<MemberRow, "id" | "displayName">): AppError {
  return new AppError(
    "conflict",
    `member ${member.id} is already enrolled with a chat account: deactivate them first (npm run admin -- deactivate ${member.id}, or /deactivate ${member.id} in chat), then issue a new invite`,
    { messageKey: "chat.invite_member_bound", params: { name: member.displayName, id: member.id }, details: { reason: "member_bound" } },
  );
}

/**
 * Logs a chat /addmember or /invite refused because the role is the operator's to enrol (once per
 * delivery of the command). The entity is the member invited, or the role asked for a new one.
 */
export async function logOperatorOnlyRefusal(deps: ServiceDeps, actor: Actor, input: { command: "addmember" | "invite" | "deactivate"; role: string; memberId?: string; dedupeKey: string }): Promise<void> {
  try {
    await deps.db.insert(events).values(
      eventRow(actor, {
        occurredAt: deps.now().getTime(),
        entityType: "member",
        entityId: input.memberId ?? `role:${input.role}`,
        action: input.command === "deactivate" ? "member.deactivate_refused" : "member.invite_refused",
        data: JSON.stringify({ command: input.command, role: input.role, reason: "operator_only_role" }),
        dedupeKey: `${input.dedupeKey}:refused`,
      }),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

/**
 * Statements telling each chat account bound to the member, privately, that it no longer acts for them
 * (deactivation: offboarding, or a lost phone before a new invite). Queued in the same batch as the unbinding.
 */
export async function bindingReleasedStatements(deps: ServiceDeps, member: MemberRow, now: number): Promise<unknown[]> {
  const locale: Locale = isLocale(member.locale) ? member.locale : deps.config.DEFAULT_LOCALE;
  const statements: unknown[] = [];
  for (const account of accountsOf(member))
    statements.push(
      enqueueStatement(
        deps,
        await sealEnqueueInput(deps, {
          dedupeKey: `binding-released:${member.id}:${account.platform}:${account.userId}:${now}`,
          platform: account.platform,
          // The member's private chat with the bot (`user:<id>` on Feishu, DingTalk and WeCom; see chat/types.ts).
          chatId: privateChatIdOf(account.platform, account.userId),
          kind: "text",
          payload: { message: { kind: "text", text: t(locale, "chat.binding_released", { name: member.displayName }) } },
        }),
      ),
    );
  return statements;
}

/**
 * The coordinators' notice of a finance or coordinator enrolment (name, role, platform; never the code),
 * for the redemption's batch; empty for other roles or without a coordinators' destination.
 */
export async function enrolmentAnnouncementStatements(deps: ServiceDeps, member: MemberRow, input: { platform: Platform; inviteId: string }): Promise<unknown[]> {
  if (!OPERATOR_ONLY_ROLES.has(member.role)) return [];
  const coordinators = (await currentOrg(deps)).coordinators;
  if (!coordinators) return [];
  const locale: Locale = coordinators.locale === "en" ? "en" : "zh-CN";
  const text = t(locale, "chat.enrolment_announced", { name: member.displayName, role: t(locale, `chat.role.${member.role}`), platform: isAccountPlatform(input.platform) ? PLATFORM_NAMES[input.platform] : input.platform });
  return [
    enqueueStatement(
      deps,
      await sealEnqueueInput(deps, { dedupeKey: `enrolment-announced:${input.inviteId}`, platform: coordinators.platform as Platform, chatId: coordinators.chatId, kind: "text", payload: { message: { kind: "text", text } } }),
    ),
  ];
}

/**
 * Every chat account a member was ever enrolled from (`platform:user id`), plus the ones bound now: an
 * account that once acted for the first approver may not give the second approval under another member.
 * Reads the member's own events only (indexed by entity).
 */
export async function enrolledAccounts(deps: ServiceDeps, member: Pick<MemberRow, "id"> & MemberAccounts): Promise<string[]> {
  const rows = await deps.db
    .select({ platform: events.platform, data: events.data })
    .from(events)
    .where(and(eq(events.entityType, "member"), eq(events.entityId, member.id), eq(events.action, "member.enrolled")));
  const accounts = new Set(accountsOf(member).map((a) => `${a.platform}:${a.userId}`));
  for (const row of rows) {
    try {
      const id = (JSON.parse(row.data ?? "{}") as { platformUserId?: unknown }).platformUserId;
      if (typeof id === "string") accounts.add(`${row.platform}:${id}`);
    } catch {
      // A malformed row names no account.
    }
  }
  return [...accounts];
}
