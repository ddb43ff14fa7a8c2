// Enrolment and membership from chat: /start CODE (Slack: /fundwatch join CODE) redeems an invite; the
// coordinators' /teams, /members, /invite, /addmember, /deactivate (team leads may list their own team).
import type { Locale } from "../../core/report-input";
import { eq } from "drizzle-orm";
import { members, teams } from "../../db/schema";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { logOperatorOnlyRefusal, OPERATOR_ONLY_ROLES } from "../org/enrolment-rules";
import { isBound } from "../org/chat-accounts";
import { listMemberDirectory } from "../org/member-directory";
import { roleLabel } from "../org/member-names";
import { refusalText } from "../refusals/refusal-text";
import { addMember, createInvite, deactivateMember, MEMBER_ROLES, redeemInvite, type MemberRole } from "../org/org";
import { localeOf } from "./locale";
import { logRead } from "./read-log";
import type { ChatReply, ChatUser, MemberCommand } from "./types";

export const ENROL_COMMANDS: ReadonlySet<string> = new Set(["start", "join"]);
export const ORG_COMMANDS: ReadonlySet<string> = new Set(["teams", "members", "invite", "addmember", "deactivate"]);

/** /start CODE or join CODE: binds this chat account to the invited member (anyone may try; the code decides). */
export async function enrolByInvite(deps: ServiceDeps, input: { user: ChatUser; args: string[]; updateKey: string; fallback: Locale }): Promise<ChatReply> {
  const code = input.args[0];
  if (!code) return { text: t(input.fallback, "chat.help") };
  const member = await redeemInvite(deps, { platform: input.user.platform, platformUserId: input.user.userId, code, platformRef: input.user.platformRef ?? undefined, dedupeKey: input.updateKey });
  if (!member) return { text: t(input.fallback, "chat.invite_invalid") };
  const locale = localeOf(member, input.fallback);
  return { text: t(locale, "chat.enrolled", { name: member.displayName, role: t(locale, member.role === "contact" ? "campaign.role_contact" : `chat.role.${member.role}`) }) };
}

/** One of ORG_COMMANDS (the dispatcher found the member); anything else gets the help text. */
export async function handleOrgCommand(deps: ServiceDeps, input: MemberCommand): Promise<ChatReply> {
  const { member, actor, locale } = input;
  switch (input.command) {
    case "teams": {
      if (member.role !== "coordinator") return { text: await refusalText(deps, locale, { scope: "chat", code: "coordinator_only", actorId: member.id }) };
      const rows = await deps.db.select().from(teams);
      return { text: rows.map((r) => `${r.name} · ${r.regionCode} · ${r.platform}${r.isCoordinators ? " · ★" : ""}${r.active ? "" : " · (inactive)"}`).join("\n") || "—" };
    }
    case "members": {
      if (member.role !== "coordinator" && member.role !== "team_lead") return { text: await refusalText(deps, locale, { scope: "chat", code: "member_lists", actorId: member.id }) };
      let rows = await listMemberDirectory(deps);
      if (member.role === "team_lead") rows = rows.filter(({ member: m }) => m.teamId === member.teamId);
      await logRead(deps, actor, { entityType: "member", entityId: member.id, action: "members.listed", data: { memberIds: rows.map(({ member: m }) => m.id) }, dedupeKey: input.updateKey });
      // The id stays on each line: /invite, /deactivate and /reassign take it.
      return {
        text:
          rows
            .map(({ member: m, place, placeKind }) => `${m.displayName} · ${roleLabel(m, locale, placeKind === "unit" ? place : null)}${placeKind === "team" ? ` · ${place}` : ""} · ${m.id}${m.active ? "" : ` · ${t(locale, "names.deactivated")}`}${isBound(m) ? "" : " · ✉"}`)
            .join("\n") || "—",
      };
    }
    case "invite": {
      if (member.role !== "coordinator") return { text: await refusalText(deps, locale, { scope: "chat", code: "coordinator_only", actorId: member.id }) };
      const target = input.args[0] ? await deps.db.query.members.findFirst({ where: eq(members.id, input.args[0]) }) : undefined;
      if (!target) return { text: t(locale, "chat.unknown_member") };
      // Finance and coordinators are enrolled by an operator only: otherwise one coordinator holds both reward approvals.
      if (OPERATOR_ONLY_ROLES.has(target.role)) {
        await logOperatorOnlyRefusal(deps, actor, { command: "invite", role: target.role, memberId: target.id, dedupeKey: input.updateKey });
        return { text: t(locale, "chat.operator_only_role") };
      }
      // Keyed by the command: a redelivered /invite yields the same code, not a second one.
      const invited = await createInvite(deps, { memberId: target.id, actor, dedupeKey: input.updateKey }).catch((err: unknown) => {
        if (err instanceof AppError && err.options.details?.reason === "member_bound") return null;
        throw err;
      });
      if (!invited) return { text: t(locale, "chat.invite_member_bound", { name: target.displayName, id: target.id }) };
      const { code, expiresAt } = invited;
      // The code is a credential: it goes to the coordinator privately, never into a group.
      return {
        text: t(locale, "chat.invite_sent_privately"),
        privateText: t(locale, "chat.invite_code", { name: target.displayName, code, expires: expiresAt.toISOString().slice(0, 10) }),
      };
    }
    case "addmember": {
      // /addmember <role> <team-id or -> <name…>
      if (member.role !== "coordinator") return { text: await refusalText(deps, locale, { scope: "chat", code: "coordinator_only", actorId: member.id }) };
      const [role, teamArg, ...nameParts] = input.args;
      if (!role || !(MEMBER_ROLES as readonly string[]).includes(role) || !teamArg || nameParts.length === 0) return { text: t(locale, "chat.addmember_usage") };
      if (OPERATOR_ONLY_ROLES.has(role)) {
        await logOperatorOnlyRefusal(deps, actor, { command: "addmember", role, dedupeKey: input.updateKey });
        return { text: t(locale, "chat.operator_only_role") };
      }
      const added = await addMember(deps, { displayName: nameParts.join(" "), role: role as MemberRole, teamId: teamArg === "-" ? null : teamArg, actor, dedupeKey: input.updateKey });
      const { code, expiresAt } = await createInvite(deps, { memberId: added.id, actor, dedupeKey: `${input.updateKey}:invite` });
      return {
        text: t(locale, "chat.member_added", { name: added.displayName, id: added.id }),
        privateText: t(locale, "chat.invite_code", { name: added.displayName, code, expires: expiresAt.toISOString().slice(0, 10) }),
      };
    }
    case "deactivate": {
      if (member.role !== "coordinator") return { text: await refusalText(deps, locale, { scope: "chat", code: "coordinator_only", actorId: member.id }) };
      const targetId = input.args[0];
      const found = targetId ? await deps.db.query.members.findFirst({ columns: { id: true, role: true, active: true }, where: eq(members.id, targetId) }) : undefined;
      if (!found) return { text: t(locale, "chat.unknown_member") };
      // The same separation of duties as the People page: finance and coordinators (oneself included) leave
      // through an operator, so one coordinator cannot remove the second person of the reward rule.
      if (found.active && OPERATOR_ONLY_ROLES.has(found.role)) {
        await logOperatorOnlyRefusal(deps, actor, { command: "deactivate", role: found.role, memberId: found.id, dedupeKey: input.updateKey });
        return { text: t(locale, "chat.deactivate_operator_only") };
      }
      const target = await deactivateMember(deps, { memberId: found.id, actor, dedupeKey: input.updateKey });
      return { text: target ? t(locale, "chat.member_deactivated", { name: target.displayName }) : t(locale, "chat.unknown_member") };
    }
    default:
      return { text: t(locale, "chat.help") };
  }
}
