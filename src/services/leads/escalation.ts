// The escalation job: for every open lead past a deadline, remind the assignee, then the team lead,
// then the coordinators, each step once (dedupe keys), catching up after missed ticks.
import { and, eq, inArray, lte, or } from "drizzle-orm";
import { dueEscalations, type DeadlineKind, type EscalationStep } from "../../core/deadlines";
import type { LeadState } from "../../core/lead-lifecycle";
import type { Locale } from "../../core/report-input";
import { shanghaiDateTime } from "../../core/time";
import { asBatch } from "../../db/client";
import { events, leads, members, teams, type LeadRow, type TeamRow } from "../../db/schema";
import type { Platform } from "../../chat/types";
import { isLocale, t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { loadLeadPolicy, OPEN_LEAD_STATES, parseEscalations } from "./leads";
import { enqueueStatement } from "../delivery/outbox";

const REMINDER_KEY: Record<DeadlineKind, string> = { ack: "chat.reminder_ack", accept: "chat.reminder_accept", finish: "chat.reminder_finish" };

function reminderText(lead: LeadRow, kind: DeadlineKind, step: EscalationStep, assigneeName: string, locale: Locale, leadNames: string[]) {
  const due = shanghaiDateTime(new Date(kind === "ack" ? lead.ackBy : kind === "accept" ? lead.acceptBy : lead.finishBy));
  const text = t(locale, REMINDER_KEY[kind], { id: lead.id, due, assignee: assigneeName });
  const to = step === "team_lead" && leadNames.length ? ` → ${leadNames.join(", ")}` : "";
  return `${t(locale, `chat.escalation_prefix.${step}`)}${text}${to}`;
}

export async function escalateOverdueLeads(deps: ServiceDeps): Promise<{ reminders: number }> {
  const now = deps.now();
  const t0 = now.getTime();
  const policy = await loadLeadPolicy(deps);
  const overdue = await deps.db
    .select()
    .from(leads)
    .where(and(inArray(leads.state, OPEN_LEAD_STATES), or(lte(leads.ackBy, t0), lte(leads.acceptBy, t0), lte(leads.finishBy, t0))));
  if (overdue.length === 0) return { reminders: 0 };
  const allTeams = await deps.db.select().from(teams);
  const allMembers = await deps.db.select().from(members);
  const coordinators = allTeams.find((t) => t.isCoordinators && t.active);
  let reminders = 0;
  for (const lead of overdue) {
    const sent = parseEscalations(lead);
    const due = dueEscalations({
      state: lead.state as LeadState,
      deadlines: { ackBy: new Date(lead.ackBy), acceptBy: new Date(lead.acceptBy), finishBy: new Date(lead.finishBy) },
      sent,
      now,
      cal: policy.calendar,
      wh: policy.workingHours,
      policy: policy.deadlines,
    });
    if (due.length === 0) continue;
    const team = allTeams.find((t) => t.id === lead.teamId);
    const assignee = allMembers.find((m) => m.id === lead.assigneeId);
    const teamLeads = allMembers.filter((m) => m.teamId === lead.teamId && m.role === "team_lead" && m.active).map((m) => m.displayName);
    const statements: unknown[] = [];
    const next = { ...sent };
    for (const step of due) {
      const target: TeamRow | undefined = step.step === "coordinators" ? (coordinators ?? team) : (team ?? coordinators);
      next[step.kind] = Math.max(next[step.kind], step.stepIndex + 1);
      if (!target) continue;
      const locale: Locale = isLocale(target.locale) ? target.locale : deps.config.DEFAULT_LOCALE;
      const dedupeKey = `esc:${lead.id}:${step.kind}:${step.stepIndex}`;
      statements.push(
        enqueueStatement(deps, {
          dedupeKey,
          platform: target.platform as Platform,
          chatId: target.chatId,
          kind: "text",
          leadId: lead.id,
          payload: { message: { kind: "text", text: reminderText(lead, step.kind, step.step, assignee?.displayName ?? t(locale, "chat.unassigned"), locale, teamLeads) } },
        }),
        deps.db
          .insert(events)
          .values({
            occurredAt: t0,
            entityType: "lead",
            entityId: lead.id,
            action: "lead.escalated",
            actorType: "system",
            platform: "scheduler",
            data: JSON.stringify({ deadline: step.kind, step: step.step, dueAt: step.dueAt.getTime() }),
            dedupeKey,
          })
          .onConflictDoNothing(),
      );
      reminders++;
    }
    statements.push(deps.db.update(leads).set({ escalations: JSON.stringify(next) }).where(eq(leads.id, lead.id)));
    await deps.db.batch(asBatch(statements));
  }
  if (reminders) deps.notifyOutbox?.();
  return { reminders };
}
