// The escalation job: for every open lead past a deadline, remind the assignee, then the team lead,
// then the coordinators, each step once (dedupe keys), catching up after missed ticks. It reads only
// what is due (leads.next_escalation_at <= now, through its index) in bounded batches.
import { asc, lte, sql, type SQL } from "drizzle-orm";
import { planEscalation, type DeadlineKind, type EscalationStep } from "../../core/deadlines";
import type { LeadState } from "../../core/lead-lifecycle";
import type { Locale } from "../../core/report-input";
import { shanghaiDateTime } from "../../core/time";
import { asBatch } from "../../db/client";
import { retryBusy, retryBusyWrite } from "../../db/retry";
import { events, leads, type LeadRow, type TeamRow } from "../../db/schema";
import type { Platform } from "../../chat/types";
import { isLocale, t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { orgSnapshot, orgVersionOf, orgVersionQuery } from "../org/org-cache";
import { parseEscalations } from "./leads";
import { enqueueManyStatement, type EnqueueInput } from "../delivery/outbox";

const REMINDER_KEY: Record<DeadlineKind, string> = { ack: "chat.reminder_ack", accept: "chat.reminder_accept", finish: "chat.reminder_finish" };

/** Leads looked at per read; each batch is one read and one write round trip. */
export const ESCALATION_BATCH_SIZE = 200;
/** A tick stops taking new batches after this long; the rest stays due for the next tick. */
export const ESCALATION_TIME_BUDGET_MS = 20_000;

type DueLead = Pick<LeadRow, "id" | "state" | "teamId" | "assigneeId" | "ackBy" | "acceptBy" | "finishBy" | "escalations">;

const dueLeadColumns = {
  id: leads.id,
  state: leads.state,
  teamId: leads.teamId,
  assigneeId: leads.assigneeId,
  ackBy: leads.ackBy,
  acceptBy: leads.acceptBy,
  finishBy: leads.finishBy,
  escalations: leads.escalations,
};

function reminderText(lead: DueLead, kind: DeadlineKind, step: EscalationStep, assigneeName: string, locale: Locale, leadNames: string[]) {
  const due = shanghaiDateTime(new Date(kind === "ack" ? lead.ackBy : kind === "accept" ? lead.acceptBy : lead.finishBy));
  const text = t(locale, REMINDER_KEY[kind], { id: lead.id, due, assignee: assigneeName });
  const to = step === "team_lead" && leadNames.length ? ` → ${leadNames.join(", ")}` : "";
  return `${t(locale, `chat.escalation_prefix.${step}`)}${text}${to}`;
}

/** The statement selecting one batch of due leads, oldest due first (see EXPLAIN in test/services/escalation-scale.test.ts). */
export function dueLeadsQuery(deps: ServiceDeps, at: number, limit = ESCALATION_BATCH_SIZE) {
  return deps.db.select(dueLeadColumns).from(leads).where(lte(leads.nextEscalationAt, at)).orderBy(asc(leads.nextEscalationAt)).limit(limit);
}

export async function escalateOverdueLeads(
  deps: ServiceDeps,
  options: { batchSize?: number; budgetMs?: number } = {},
): Promise<{ reminders: number; leads: number; batches: number }> {
  const db = deps.db;
  const now = deps.now();
  const t0 = now.getTime();
  const batchSize = options.batchSize ?? ESCALATION_BATCH_SIZE;
  const budget = options.budgetMs ?? ESCALATION_TIME_BUDGET_MS;
  const started = Date.now();
  let reminders = 0;
  let looked = 0;
  let batches = 0;
  for (;;) {
    const [versionRows, due] = await retryBusy(db, () => db.batch([orgVersionQuery(db), dueLeadsQuery(deps, t0, batchSize)]));
    if (due.length === 0) break;
    batches++;
    looked += due.length;
    const org = await orgSnapshot(deps, orgVersionOf(versionRows));
    const policy = org.policy;
    // Few statements per batch (each costs a prepare on the embedded engine): the reminders through
    // the outbox, then one multi-row insert of the events and one UPDATE ... FROM of the leads.
    const statements: unknown[] = [];
    const escalationEvents: (typeof events.$inferInsert)[] = [];
    const reminderRows: EnqueueInput[] = [];
    const updates: SQL[] = [];
    for (const lead of due) {
      const sent = parseEscalations(lead as LeadRow);
      const plan = planEscalation({
        state: lead.state as LeadState,
        deadlines: { ackBy: new Date(lead.ackBy), acceptBy: new Date(lead.acceptBy), finishBy: new Date(lead.finishBy) },
        sent,
        now,
        cal: policy.calendar,
        wh: policy.workingHours,
        policy: policy.deadlines,
      });
      const team = lead.teamId ? org.teamById.get(lead.teamId) : undefined;
      const assignee = lead.assigneeId ? org.memberById.get(lead.assigneeId) : undefined;
      const teamLeads = (lead.teamId && org.teamLeadNames.get(lead.teamId)) || [];
      for (const step of plan.due) {
        const target: TeamRow | undefined = step.step === "coordinators" ? (org.coordinators ?? team) : (team ?? org.coordinators);
        if (!target) continue;
        const locale: Locale = isLocale(target.locale) ? target.locale : deps.config.DEFAULT_LOCALE;
        const dedupeKey = `esc:${lead.id}:${step.kind}:${step.stepIndex}`;
        reminderRows.push({
          dedupeKey,
          platform: target.platform as Platform,
          chatId: target.chatId,
          kind: "text",
          leadId: lead.id,
          payload: { message: { kind: "text", text: reminderText(lead, step.kind, step.step, assignee?.displayName ?? t(locale, "chat.unassigned"), locale, teamLeads) } },
        });
        escalationEvents.push({
          occurredAt: t0,
          entityType: "lead",
          entityId: lead.id,
          action: "lead.escalated",
          actorType: "system",
          platform: "scheduler",
          data: JSON.stringify({ deadline: step.kind, step: step.step, dueAt: step.dueAt.getTime() }),
          dedupeKey,
        });
        reminders++;
      }
      // Guarded on what the plan was made from: a concurrent command (which sets its own next time)
      // wins, and a step sent twice is absorbed by the dedupe keys above.
      updates.push(sql`(${lead.id}, ${JSON.stringify(plan.sent)}, ${plan.nextAt ? plan.nextAt.getTime() : null}, ${lead.state}, ${lead.escalations})`);
    }
    // One multi-row insert for the batch's reminders (one statement, not one per reminder).
    if (reminderRows.length) statements.push(enqueueManyStatement(deps, reminderRows));
    if (escalationEvents.length) statements.push(db.insert(events).values(escalationEvents).onConflictDoNothing());
    statements.push(
      db.run(sql`UPDATE leads SET escalations = v.column2, next_escalation_at = v.column3
        FROM (VALUES ${sql.join(updates, sql`, `)}) AS v
        WHERE leads.id = v.column1 AND leads.state = v.column4 AND leads.escalations = v.column5`),
    );
    await retryBusyWrite(db, () => db.batch(asBatch(statements)));
    if (due.length < batchSize || Date.now() - started >= budget) break;
  }
  if (reminders) deps.notifyOutbox?.();
  return { reminders, leads: looked, batches };
}
