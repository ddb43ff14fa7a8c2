// The escalation job: for every open lead past a deadline, remind the assignee, then the team lead,
// then the coordinators, each step once (dedupe keys), catching up after missed ticks. It reads only
// what is due (leads.next_escalation_at <= now, through its index) in bounded batches. Within a batch
// the reminders are grouped per recipient and step (one message per assignee, one digest per team,
// one to the coordinators), so a screening batch of thousands of leads is a few messages, not
// thousands; each lead still gets its own lead.escalated event per step.
import { asc, inArray, lte, sql } from "drizzle-orm";
import { ESCALATION_STEPS, notifyByOf, planEscalation, type DeadlineKind, type EscalationStep } from "../../core/deadlines";
import { leadsOwingNotice } from "./decision-notice";
import type { LeadState } from "../../core/lead-lifecycle";
import type { Locale } from "../../core/report-input";
import { shanghaiDateTime } from "../../core/time";
import { asBatch } from "../../db/client";
import { failedConstraint, retryBusy, retryBusyWrite } from "../../db/retry";
import { events, leads, type LeadRow, type MemberRow, type TeamRow } from "../../db/schema";
import type { Platform } from "../../chat/types";
import { isLocale, t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import type { KeyRing } from "../../security/keys";
import { sha256Hex, toHex, utf8 } from "../../security/encoding";
import { orgSnapshot, orgVersionOf, orgVersionQuery } from "../org/org-cache";
import { parseEscalations } from "./lead-model";
import { enqueueManyStatements, type EnqueueInput } from "../delivery/outbox";
import { MAX_BOUND_PARAMETERS } from "../../db/chunk";

const REMINDER_KEY: Record<DeadlineKind, string> = { ack: "chat.reminder_ack", accept: "chat.reminder_accept", finish: "chat.reminder_finish", notify: "notice.reminder_lead" };
const deadlineLabelKey = (kind: DeadlineKind) => (kind === "notify" ? "notice.reminder_deadline" : `chat.reminder_deadline.${kind}`);

/** Leads looked at per read; each batch is one read and one write round trip (one commit). */
export const ESCALATION_BATCH_SIZE = 200;
/**
 * Node's batch (src/node.ts passes it as deps.escalationTick): a busy morning's thousand due leads in one
 * read and one commit instead of five, and one message per recipient instead of up to five. Workers keep
 * ESCALATION_BATCH_SIZE (CPU time per invocation is what is scarce there, not commits).
 */
export const ESCALATION_TICK_NODE = { batchSize: 1000 } as const;
/** A tick stops taking new batches after this long; the rest stays due for the next tick. */
export const ESCALATION_TIME_BUDGET_MS = 20_000;

/** Lines a grouped reminder lists before "… and N more" (the rest is one /overdue away). */
export const REMINDER_GROUP_MAX_LINES = 30;
/** Characters the listed lines may take, well under Telegram's 4096 (header and "more" line come on top). */
const REMINDER_GROUP_MAX_LINE_CHARS = 3400;
/** A long institution name is cut in a listing line, so one name cannot crowd out the others. */
const TARGET_MAX_CHARS = 60;
/** Batches that lost to a concurrent tick are re-read this many times in a row before the tick gives up. */
const MAX_LOST_BATCHES = 5;

type DueLead = Pick<LeadRow, "id" | "state" | "teamId" | "assigneeId" | "ackBy" | "acceptBy" | "finishBy" | "escalations" | "violationType" | "targetName" | "source" | "acceptedAt"> & {
  /** The acceptance-notice deadline, worked out while planning (notifyByOf). */
  notifyBy?: number | null;
};

const dueLeadColumns = {
  id: leads.id,
  state: leads.state,
  teamId: leads.teamId,
  assigneeId: leads.assigneeId,
  ackBy: leads.ackBy,
  acceptBy: leads.acceptBy,
  finishBy: leads.finishBy,
  escalations: leads.escalations,
  violationType: leads.violationType,
  targetName: leads.targetName,
  source: leads.source,
  acceptedAt: leads.acceptedAt,
};

const deadlineOf = (lead: DueLead, kind: DeadlineKind) => (kind === "ack" ? lead.ackBy : kind === "accept" ? lead.acceptBy : kind === "finish" ? lead.finishBy : (lead.notifyBy ?? 0));

function reminderText(lead: DueLead, kind: DeadlineKind, step: EscalationStep, assigneeName: string, locale: Locale, leadNames: string[]) {
  const due = shanghaiDateTime(new Date(deadlineOf(lead, kind)));
  const text = t(locale, REMINDER_KEY[kind], { id: lead.id, due, assignee: assigneeName });
  const to = step === "team_lead" && leadNames.length ? ` → ${leadNames.join(", ")}` : "";
  return `${t(locale, `chat.escalation_prefix.${step}`)}${text}${to}`;
}

/** One lead's step in a reminder. */
interface ReminderItem {
  lead: DueLead;
  kind: DeadlineKind;
  stepIndex: number;
  assigneeName: string;
  /** The per-lead key of today's single reminder and of the lead.escalated event. */
  itemKey: string;
}

/** The reminders of one batch that go to the same recipient at the same step, in one chat. */
interface ReminderGroup {
  step: EscalationStep;
  /** Who the message is for: the assignee (or a team's unassigned leads), a team, the coordinators. */
  recipient: string;
  target: TeamRow;
  locale: Locale;
  assigneeName: string;
  teamLeads: string[];
  items: ReminderItem[];
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * A grouped reminder: a header naming the recipient, then one line per lead (oldest deadline first)
 * up to REMINDER_GROUP_MAX_LINES lines or the character budget, then "… and N more, see /overdue".
 * Every item is either listed or counted. Plain text: the adapters escape it per platform.
 */
export function groupedReminderText(group: Pick<ReminderGroup, "step" | "locale" | "assigneeName" | "teamLeads" | "items"> & { teamName: string }): string {
  const { locale, step } = group;
  const items = [...group.items].sort((a, b) => deadlineOf(a.lead, a.kind) - deadlineOf(b.lead, b.kind) || (a.lead.id < b.lead.id ? -1 : a.lead.id > b.lead.id ? 1 : 0));
  const to = step === "team_lead" && group.teamLeads.length ? ` → ${group.teamLeads.join(", ")}` : "";
  const header = `${t(locale, `chat.escalation_prefix.${step}`)}${t(locale, `chat.reminder_group.${step}`, { count: items.length, assignee: group.assigneeName, team: group.teamName, to })}`;
  const lines: string[] = [];
  let chars = 0;
  for (const item of items) {
    if (lines.length >= REMINDER_GROUP_MAX_LINES) break;
    const params = {
      id: item.lead.id,
      type: t(locale, `taxonomy.type.${item.lead.violationType}`),
      target: cut(item.lead.targetName, TARGET_MAX_CHARS),
      deadline: t(locale, deadlineLabelKey(item.kind)),
      due: shanghaiDateTime(new Date(deadlineOf(item.lead, item.kind))),
      assignee: item.assigneeName,
    };
    const line = t(locale, step === "assignee" ? "chat.reminder_line" : "chat.reminder_line_assignee", params);
    if (chars + line.length + 1 > REMINDER_GROUP_MAX_LINE_CHARS) break;
    lines.push(line);
    chars += line.length + 1;
  }
  const rest = items.length - lines.length;
  if (rest > 0) lines.push(t(locale, "chat.reminder_more", { count: rest }));
  return [header, ...lines].join("\n");
}

/** SHA-256 in hex: the key ring's synchronous node:crypto digest on Node, WebCrypto elsewhere (same bytes). */
async function digestHex(keys: KeyRing, text: string): Promise<string> {
  return keys.sync ? toHex(keys.sync.sha256(utf8.encode(text))) : sha256Hex(text);
}

/**
 * The outbox row of a group. One lead keeps today's single-lead text and key; several get a key
 * derived from the recipient, the step and the sorted set of (lead, kind, step) covered, so a tick
 * that planned the same group again stores nothing new. (What keeps a lead out of a second digest
 * for the same step is the lead.escalated event: see the batch write below.)
 */
async function reminderRow(keys: KeyRing, group: ReminderGroup, org: { teamById: Map<string, TeamRow> }, leadTeamId: string | null): Promise<EnqueueInput> {
  const base = { platform: group.target.platform as Platform, chatId: group.target.chatId, kind: "text" as const };
  if (group.items.length === 1) {
    const item = group.items[0]!;
    return { ...base, dedupeKey: item.itemKey, leadId: item.lead.id, payload: { message: { kind: "text", text: reminderText(item.lead, item.kind, group.step, item.assigneeName, group.locale, group.teamLeads) } } };
  }
  const covered = group.items.map((i) => i.itemKey).sort().join(",");
  const teamName = (leadTeamId && org.teamById.get(leadTeamId)?.name) || group.target.name;
  return {
    ...base,
    dedupeKey: `esc:group:${group.step}:${await digestHex(keys, `${group.recipient}|${covered}`)}`,
    leadId: null,
    payload: { message: { kind: "text", text: groupedReminderText({ ...group, teamName }) } },
  };
}

/** The statement selecting one batch of due leads, oldest due first (see EXPLAIN in test/services/escalation-scale.test.ts). */
export function dueLeadsQuery(deps: ServiceDeps, at: number, limit = ESCALATION_BATCH_SIZE) {
  return deps.db.select(dueLeadColumns).from(leads).where(lte(leads.nextEscalationAt, at)).orderBy(asc(leads.nextEscalationAt)).limit(limit);
}

/** A batch's writes, planned from the due leads read; `covered` steps are left out of messages and events. */
async function planBatch(deps: ServiceDeps, due: DueLead[], org: Awaited<ReturnType<typeof orgSnapshot>>, now: Date, covered: Set<string>, owingNotice: Set<string>) {
  const db = deps.db;
  const t0 = now.getTime();
  const policy = org.policy;
  /** [lead id, event data, dedupe key] of each lead.escalated event. */
  const escalationEvents: [string, string, string][] = [];
  const groups = new Map<string, ReminderGroup & { leadTeamId: string | null }>();
  /** [lead id, steps sent, next escalation time, state and steps the plan was made from] of each lead. */
  const updates: [string, string, number | null, string, string][] = [];
  const itemKeys: string[] = [];
  for (const lead of due) {
    const sent = parseEscalations(lead as LeadRow);
    const notifyBy = notifyByOf(policy.calendar, lead, policy.deadlines);
    lead.notifyBy = notifyBy?.getTime() ?? null;
    // The notice is no longer owed (every real-name tipster has seen it, or there is none): met.
    if (notifyBy && notifyBy.getTime() <= t0 && !owingNotice.has(lead.id)) sent.notify = ESCALATION_STEPS.length;
    const plan = planEscalation({
      state: lead.state as LeadState,
      deadlines: { ackBy: new Date(lead.ackBy), acceptBy: new Date(lead.acceptBy), finishBy: new Date(lead.finishBy), notifyBy },
      sent,
      now,
      cal: policy.calendar,
      wh: policy.workingHours,
      policy: policy.deadlines,
    });
    const team = lead.teamId ? org.teamById.get(lead.teamId) : undefined;
    const assignee: MemberRow | undefined = lead.assigneeId ? org.memberById.get(lead.assigneeId) : undefined;
    const teamLeads = (lead.teamId && org.teamLeadNames.get(lead.teamId)) || [];
    for (const step of plan.due) {
      const target: TeamRow | undefined = step.step === "coordinators" ? (org.coordinators ?? team) : (team ?? org.coordinators);
      if (!target) continue;
      const itemKey = `esc:${lead.id}:${step.kind}:${step.stepIndex}`;
      // Already recorded (by a concurrent tick, or by an earlier one whose state update a concurrent
      // command outran): it was in that tick's message, so it is only marked sent below.
      if (covered.has(itemKey)) continue;
      itemKeys.push(itemKey);
      const locale: Locale = isLocale(target.locale) ? target.locale : deps.config.DEFAULT_LOCALE;
      const assigneeName = assignee?.displayName ?? t(locale, "chat.unassigned");
      // Assignee step: per assignee (unassigned leads per team); team-lead step: per team;
      // coordinators: all together. Always within one destination chat.
      const recipient =
        step.step === "assignee" ? `assignee:${lead.assigneeId ?? `none:${lead.teamId ?? ""}`}` : step.step === "team_lead" ? `team:${lead.teamId ?? ""}` : "coordinators";
      const groupKey = `${step.step}|${recipient}|${target.platform}|${target.chatId}`;
      let group = groups.get(groupKey);
      if (!group) {
        group = { step: step.step, recipient: groupKey, target, locale, assigneeName, teamLeads, items: [], leadTeamId: lead.teamId };
        groups.set(groupKey, group);
      }
      group.items.push({ lead, kind: step.kind, stepIndex: step.stepIndex, assigneeName, itemKey });
      escalationEvents.push([lead.id, JSON.stringify({ deadline: step.kind, step: step.step, dueAt: step.dueAt.getTime() }), itemKey]);
    }
    // Guarded on what the plan was made from: a concurrent command (which sets its own next time) wins.
    updates.push([lead.id, JSON.stringify(plan.sent), plan.nextAt ? plan.nextAt.getTime() : null, lead.state, lead.escalations]);
  }
  const reminderRows = await Promise.all([...groups.values()].map((g) => reminderRow(deps.keys, g, org, g.leadTeamId)));
  // Three statements per batch whatever its size (each costs a prepare on the embedded engine, and
  // building a multi-row statement in drizzle costs more than the write): the messages in one
  // multi-row outbox insert, the events and the leads each from one JSON parameter (json_each: one
  // bound parameter, so within D1's 100 however many rows).
  const statements: unknown[] = [];
  if (reminderRows.length) statements.push(...enqueueManyStatements(deps, reminderRows));
  // Without ON CONFLICT: a step another tick already recorded (it read the same leads before this
  // one wrote) fails the whole batch, messages included; the caller then plans it again without the
  // recorded steps. So no lead appears in two messages for one step, and none is recorded unsent.
  if (escalationEvents.length)
    statements.push(
      db.run(sql`INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, platform, data, dedupe_key)
        SELECT ${t0}, 'lead', json_extract(value, '$[0]'), 'lead.escalated', 'system', 'scheduler', json_extract(value, '$[1]'), json_extract(value, '$[2]')
        FROM json_each(${JSON.stringify(escalationEvents)}) ORDER BY key`),
    );
  if (updates.length)
    statements.push(
      db.run(sql`UPDATE leads SET escalations = v.sent, next_escalation_at = v.next_at
      FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS sent, json_extract(value, '$[2]') AS next_at,
              json_extract(value, '$[3]') AS state, json_extract(value, '$[4]') AS escalations FROM json_each(${JSON.stringify(updates)})) AS v
      WHERE leads.id = v.id AND leads.state = v.state AND leads.escalations = v.escalations`),
    );
  return { statements, reminders: escalationEvents.length, messages: reminderRows.length, itemKeys };
}

/** Which of these lead.escalated dedupe keys are recorded already (through the unique index). */
async function recordedKeys(deps: ServiceDeps, keys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += MAX_BOUND_PARAMETERS) {
    const rows = await retryBusy(deps.db, () => deps.db.select({ key: events.dedupeKey }).from(events).where(inArray(events.dedupeKey, keys.slice(i, i + MAX_BOUND_PARAMETERS))));
    for (const r of rows) if (r.key) found.add(r.key);
  }
  return found;
}

/**
 * Grouping happens per batch of due leads (ESCALATION_BATCH_SIZE): a batch's messages are written in
 * the same transaction as its leads' events and escalation state, so a crash between batches neither
 * drops nor doubles a reminder. A recipient with due leads in two batches of one tick therefore gets
 * up to two messages. Result: `reminders` counts lead steps (one lead.escalated event each),
 * `messages` the chat messages they went out in, `lostBatches` writes that found steps already
 * recorded by a concurrent tick and were planned again without them.
 */
export async function escalateOverdueLeads(
  deps: ServiceDeps,
  options: { batchSize?: number; budgetMs?: number } = {},
): Promise<{ reminders: number; messages: number; leads: number; batches: number; lostBatches: number }> {
  const db = deps.db;
  const now = deps.now();
  const t0 = now.getTime();
  const batchSize = options.batchSize ?? deps.escalationTick?.batchSize ?? ESCALATION_BATCH_SIZE;
  const budget = options.budgetMs ?? ESCALATION_TIME_BUDGET_MS;
  const started = Date.now();
  let reminders = 0;
  let messages = 0;
  let looked = 0;
  let batches = 0;
  let lostBatches = 0;
  for (;;) {
    const [versionRows, due] = await retryBusy(db, () => db.batch([orgVersionQuery(db), dueLeadsQuery(deps, t0, batchSize)]));
    if (due.length === 0) break;
    const org = await orgSnapshot(deps, orgVersionOf(versionRows));
    const covered = new Set<string>();
    // Only leads whose acceptance notice falls due now need the look-up (one indexed read per batch).
    const noticeDue = due.filter((l) => (parseEscalations(l as LeadRow).notify ?? 0) < ESCALATION_STEPS.length && (notifyByOf(org.policy.calendar, l, org.policy.deadlines)?.getTime() ?? Infinity) <= t0);
    const owingNotice = noticeDue.length ? await leadsOwingNotice(deps, noticeDue.map((l) => l.id)) : new Set<string>();
    let written: Awaited<ReturnType<typeof planBatch>> | null = null;
    for (let attempt = 0; attempt < MAX_LOST_BATCHES; attempt++) {
      const planned = await planBatch(deps, due, org, now, covered, owingNotice);
      try {
        await retryBusyWrite(db, () => db.batch(asBatch(planned.statements)));
        written = planned;
        break;
      } catch (err) {
        if (failedConstraint(err)?.columns !== "events.dedupe_key") throw err;
        lostBatches++;
        for (const key of await recordedKeys(deps, planned.itemKeys)) covered.add(key);
      }
    }
    // Still losing after several rounds: leave the rest for the next tick.
    if (!written) break;
    batches++;
    looked += due.length;
    reminders += written.reminders;
    messages += written.messages;
    if (due.length < batchSize || Date.now() - started >= budget) break;
  }
  if (messages) deps.notifyOutbox?.();
  return { reminders, messages, leads: looked, batches, lostBatches };
}
