// Lead commands of an enrolled member: /mine, /overdue, /lead ID, /reassign LEAD MEMBER. Every listing
// or look is logged as a read.
import type { Locale } from "../../core/report-input";
import type { LeadRow, MemberRow } from "../../db/schema";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { getLead, listMyLeads, listOverdueLeads, logRefusal, reassignLead } from "../leads/leads";
import { refusalText } from "../refusals/refusal-text";
import { resultReply } from "./lead-replies";
import { logRead } from "./read-log";
import type { ChatReply, MemberCommand } from "./types";

export const LEAD_COMMANDS: ReadonlySet<string> = new Set(["mine", "overdue", "reassign", "lead"]);

function leadLine(lead: LeadRow, locale: Locale) {
  return t(locale, "chat.lead_line", { id: lead.id, type: t(locale, `taxonomy.type.${lead.violationType}`), target: lead.targetName, state: t(locale, `chat.lead_state.${lead.state}`) });
}

/**
 * Who may look at a lead from chat: coordinators any; team leads and inspectors those of their own
 * team (whose cards they already see) or assigned to them; finance none (rewards have their own view).
 */
export function mayViewLead(member: MemberRow, lead: LeadRow): boolean {
  if (!member.active) return false;
  if (member.role === "coordinator") return true;
  if (member.role === "finance") return false;
  return lead.assigneeId === member.id || (member.teamId !== null && member.teamId === lead.teamId);
}

/** One of LEAD_COMMANDS (the dispatcher found the member); anything else gets the help text. */
export async function handleLeadCommand(deps: ServiceDeps, input: MemberCommand): Promise<ChatReply> {
  const { member, actor, locale } = input;
  switch (input.command) {
    case "mine": {
      const mine = await listMyLeads(deps, member.id);
      await logRead(deps, actor, { entityType: "member", entityId: member.id, action: "leads.listed", data: { command: "mine", leadIds: mine.map((l) => l.id) }, dedupeKey: input.updateKey });
      return { text: mine.length ? [t(locale, "chat.mine_title", { count: mine.length }), ...mine.map((l) => leadLine(l, locale))].join("\n") : t(locale, "chat.mine_empty") };
    }
    case "overdue": {
      if (member.role !== "coordinator" && member.role !== "team_lead") return { text: await refusalText(deps, locale, { scope: "chat", code: "lead_lists", actorId: member.id }) };
      let overdue = await listOverdueLeads(deps, deps.now());
      if (member.role === "team_lead") overdue = overdue.filter((l) => l.teamId === member.teamId);
      await logRead(deps, actor, { entityType: "member", entityId: member.id, action: "leads.listed", data: { command: "overdue", leadIds: overdue.map((l) => l.id) }, dedupeKey: input.updateKey });
      return { text: overdue.length ? [t(locale, "chat.overdue_title", { count: overdue.length }), ...overdue.map((l) => leadLine(l, locale))].join("\n") : t(locale, "chat.overdue_empty") };
    }
    case "reassign": {
      const [leadId, toMemberId] = input.args;
      if (!leadId || !toMemberId) return { text: t(locale, "chat.help") };
      const result = await reassignLead(deps, { leadId, toMemberId, actor: { member, platform: input.user.platform, platformRef: input.user.platformRef ?? null }, dedupeKey: input.updateKey });
      if (result.status === "done") deps.notifyOutbox?.();
      return resultReply(deps, result, locale, t(locale, "chat.btn.reassign"), { action: "reassign", actorId: member.id, leadId });
    }
    case "lead": {
      const lead = input.args[0] ? await getLead(deps, input.args[0]) : null;
      if (!lead) return { text: t(locale, "chat.unknown_lead") };
      // Need to know: a member sees only leads their role allows, and every look is logged.
      if (!mayViewLead(member, lead)) {
        await logRefusal(deps, actor, lead.id, "/lead", "not_permitted", input.updateKey);
        return { text: t(locale, "chat.unknown_lead") };
      }
      await logRead(deps, actor, { entityType: "lead", entityId: lead.id, action: "lead.viewed", data: { command: "lead" }, dedupeKey: input.updateKey });
      return { text: leadLine(lead, locale) };
    }
    default:
      return { text: t(locale, "chat.help") };
  }
}
