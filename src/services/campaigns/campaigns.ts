// Campaigns: started from a bundled template for a year and region, or imported from a campaign file
// (same format). Starting creates the campaign, its deliverables and one assignment per unit of the named
// kinds in the region (and per period for recurring deliverables), each with its first reminder time.
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { campaignFileSchema, type CampaignFile } from "../../core/campaigns/campaign-file";
import { newId } from "../../core/ids";
import { asBatch } from "../../db/client";
import { failedConstraint } from "../../db/retry";
import { assignments, campaigns, deliverables, events, type CampaignRow, type DeliverableRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { eventRow, type Actor } from "../events";
import { currentOrg } from "../org/org-cache";
import { enqueueManyStatements, type EnqueueInput } from "../delivery/outbox";
import { coordinatorsOf, nextReminderFor } from "./assignment-context";
import { localeOf } from "./messages";
import { coordinatorStartNotice, unitStartMessage, type StartTask } from "./start-messages";
import { planCampaignFile, startFile, type CampaignStartInput, type DateMove } from "./start-plan";
import { chunkedStatements } from "../../db/chunk";

export { listTemplates, templateFile, TEMPLATE_IDS } from "./template-files";

export interface StartedCampaign {
  campaignId: string;
  deliverables: number;
  assignments: number;
  units: number;
  /** Deadlines (deliverable and period) already past at the start. */
  pastDeadlines: number;
  /** Start messages sent (one per unit), 0 when nothing was past at the start. */
  startMessages: number;
  /** The same request (dedupe key) started this campaign before: nothing new was written. */
  duplicate?: boolean;
}

export interface CreateCampaignOptions {
  templateId: string | null;
  regionCode?: string;
  actor: Actor;
  /** Moved dates, already applied to the file's one-off deadlines; its shift moves recurring periods too. */
  move?: DateMove;
  /** A form's key or a command's id: a second start with it answers the first campaign. */
  dedupeKey?: string;
}

const startDedupeKey = (key: string) => `campaign-start:${key}`;

async function startedBefore(deps: ServiceDeps, dedupeKey: string | undefined): Promise<StartedCampaign | null> {
  if (!dedupeKey) return null;
  const event = await deps.db.query.events.findFirst({ where: and(eq(events.dedupeKey, startDedupeKey(dedupeKey)), eq(events.action, "campaign.started")) });
  if (!event) return null;
  const data = JSON.parse(event.data ?? "{}") as Partial<StartedCampaign>;
  return { campaignId: event.entityId, deliverables: data.deliverables ?? 0, assignments: data.assignments ?? 0, units: data.units ?? 0, pastDeadlines: data.pastDeadlines ?? 0, startMessages: data.startMessages ?? 0, duplicate: true };
}

/**
 * Creates a campaign from a campaign file (already for its year) in one batch. `regionCode` overrides the
 * file's jurisdiction (a template from another province started for this one). Slots already past at the
 * start are never sent: when there are any, each unit gets one start message listing its tasks and true
 * deadlines (overdue reminders and the escalation then count from the next working day after it) and
 * the coordinators one notice, in the same batch.
 */
export async function createCampaign(deps: ServiceDeps, file: CampaignFile, options: CreateCampaignOptions): Promise<StartedCampaign> {
  const earlier = await startedBefore(deps, options.dedupeKey);
  if (earlier) return earlier;
  const plan = await planCampaignFile(deps, file, { templateId: options.templateId, ...(options.regionCode ? { regionCode: options.regionCode } : {}), ...(options.move ? { move: options.move } : {}) });
  const { regionCode, now } = plan;
  const org = await currentOrg(deps);
  const cal = org.policy.calendar;
  const campaignId = newId("cmp");
  const campaignRow = {
    id: campaignId,
    templateId: options.templateId,
    name: file.name,
    year: file.year,
    regionCode,
    issuer: file.issuer,
    coordinatorTeamId: org.coordinators?.id ?? null,
    phases: JSON.stringify(file.phases),
    reminderPolicy: file.reminderPolicy ? JSON.stringify(file.reminderPolicy) : null,
    definition: JSON.stringify({ ...file, regionCode, ...(options.move ? { movedDates: options.move } : {}) }),
    status: "active",
    createdBy: options.actor.id ?? null,
    createdAt: now,
    updatedAt: now,
  };
  const notifiedAt = plan.startMessage ? now : null;
  const deliverableRows: DeliverableRow[] = [];
  const assignmentRows: (typeof assignments.$inferInsert)[] = [];
  const idOfKey = new Map<string, string>();
  for (const { deliverable: d } of plan.deliverables) {
    const [dueOn, dueTime] = d.due ? (d.due.split("T") as [string, string | undefined]) : [null, undefined];
    const row: DeliverableRow = {
      id: newId("dlv"),
      campaignId,
      key: d.key,
      title: d.title,
      titleEn: d.titleEn ?? null,
      phaseKey: d.phase ?? null,
      unitKinds: JSON.stringify(d.unitKinds),
      dueOn,
      dueTime: dueTime ?? null,
      recurrence: d.recurrence ? JSON.stringify(d.recurrence) : null,
      statistics: d.statistics ? JSON.stringify(d.statistics) : null,
      reminderPolicy: d.reminderPolicy ? JSON.stringify(d.reminderPolicy) : null,
      createdAt: now,
    };
    deliverableRows.push(row);
    idOfKey.set(d.key, row.id);
  }
  const policyOf = new Map(plan.deliverables.map((p) => [p.deliverable.key, p.policy]));
  const tasksOf = new Map<string, { assignmentId: string; task: StartTask; overdueAt: number | null }[]>();
  for (const a of plan.assignments) {
    const id = newId("asg");
    // Strictly after the start: whatever was due before it is covered by the start message (or was nothing).
    const nextReminderAt = nextReminderFor({ dueAt: a.dueAt, dueVersion: 1, state: "open", receivedVersion: null, notifiedAt }, policyOf.get(a.deliverableKey)!, cal, now);
    assignmentRows.push({ id, campaignId, deliverableId: idOfKey.get(a.deliverableKey)!, unitId: a.unit.id, period: a.period, dueAt: a.dueAt, dueVersion: 1, state: "open", nextReminderAt, notifiedAt, version: 1, createdAt: now, updatedAt: now });
    const d = plan.deliverables.find((p) => p.deliverable.key === a.deliverableKey)!.deliverable;
    const list = tasksOf.get(a.unit.id) ?? [];
    list.push({ assignmentId: id, task: { title: d.title, titleEn: d.titleEn, period: a.period, dueAt: a.dueAt }, overdueAt: a.dueAt <= now ? (a.schedule.upcoming.find((s) => s.kind === "overdue")?.sendAt ?? null) : null });
    tasksOf.set(a.unit.id, list);
  }
  const overdueTimes = [...tasksOf.values()].flat().flatMap((x) => (x.overdueAt === null ? [] : [x.overdueAt]));
  const overdueFrom = overdueTimes.length ? Math.min(...overdueTimes) : null;
  const messages: EnqueueInput[] = [];
  if (plan.startMessage) {
    for (const unit of plan.units) {
      const tasks = tasksOf.get(unit.id);
      if (!tasks?.length) continue;
      const own = tasks.flatMap((x) => (x.overdueAt === null ? [] : [x.overdueAt]));
      messages.push({
        dedupeKey: `campaign-start:${campaignId}:${unit.id}`,
        platform: unit.platform as EnqueueInput["platform"],
        chatId: unit.chatId,
        kind: "text",
        payload: { message: unitStartMessage({ file, unitName: unit.name, locale: localeOf(unit.locale), tasks: tasks.map((x) => x.task), now, overdueFrom: own.length ? Math.min(...own) : null, anyAssignmentId: tasks[0]!.assignmentId }) },
      });
    }
    const coordinators = coordinatorsOf(org, campaignRow);
    if (coordinators)
      messages.push({
        dedupeKey: `campaign-start:${campaignId}:coordinators`,
        platform: coordinators.platform as EnqueueInput["platform"],
        chatId: coordinators.chatId,
        kind: "text",
        payload: {
          message: coordinatorStartNotice({
            file,
            locale: localeOf(coordinators.locale),
            units: plan.units.length,
            deliverables: deliverableRows.length,
            assignments: assignmentRows.length,
            pastDeadlines: plan.pastDeadlines.length,
            overdueFrom,
            unenrolledNames: plan.unenrolled.map((u) => u.name),
          }),
        },
      });
  }
  const summary = { deliverables: deliverableRows.length, assignments: assignmentRows.length, units: plan.units.length, pastDeadlines: plan.pastDeadlines.length, startMessages: messages.length ? plan.units.length : 0 };
  const statements: unknown[] = [
    deps.db.insert(campaigns).values(campaignRow),
    ...chunkedStatements(deliverableRows, (rows) => deps.db.insert(deliverables).values(rows)),
    ...chunkedStatements(assignmentRows, (rows) => deps.db.insert(assignments).values(rows)),
    ...(messages.length ? enqueueManyStatements(deps, messages) : []),
    deps.db.insert(events).values(
      eventRow(options.actor, {
        occurredAt: now,
        entityType: "campaign",
        entityId: campaignId,
        action: "campaign.started",
        toState: "active",
        data: JSON.stringify({ templateId: options.templateId, fileId: file.id, year: file.year, regionCode, ...summary, ...(options.move ? { movedDates: options.move } : {}) }),
        ...(options.dedupeKey ? { dedupeKey: startDedupeKey(options.dedupeKey) } : {}),
      }),
    ),
  ];
  try {
    await deps.db.batch(asBatch(statements));
  } catch (err) {
    // The same form submitted twice at once: the other request started it.
    if (options.dedupeKey && failedConstraint(err)?.kind === "unique") {
      const other = await startedBefore(deps, options.dedupeKey);
      if (other) return other;
    }
    throw err;
  }
  if (messages.length) deps.notifyOutbox?.();
  return { campaignId, ...summary };
}

/** `campaign start <template> --year <YYYY> [--region <code>]`: the template's dates moved to that year (and any moved dates). */
export function startCampaign(deps: ServiceDeps, input: CampaignStartInput & { actor: Actor; dedupeKey?: string }): Promise<StartedCampaign> {
  const file = startFile(input);
  return createCampaign(deps, file, {
    templateId: input.templateId,
    ...(input.regionCode ? { regionCode: input.regionCode } : {}),
    ...(input.move ? { move: input.move } : {}),
    ...(input.dedupeKey ? { dedupeKey: input.dedupeKey } : {}),
    actor: input.actor,
  });
}

/** `campaign import <file>`: a campaign file (decoded YAML or JSON) exactly as written. */
export function importCampaign(deps: ServiceDeps, raw: unknown, actor: Actor): Promise<StartedCampaign> {
  const parsed = campaignFileSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("validation_failed", `not a valid campaign file:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  return createCampaign(deps, parsed.data, { templateId: null, actor });
}

export async function listActiveCampaigns(deps: ServiceDeps): Promise<CampaignRow[]> {
  return deps.db.select().from(campaigns).where(eq(campaigns.status, "active")).orderBy(desc(campaigns.createdAt));
}

/**
 * A deliverable named in a chat command: its id, or its key within the active campaigns. Several active
 * campaigns with that key → all of them (the caller asks for the id).
 */
export async function findDeliverables(deps: ServiceDeps, ref: string): Promise<{ deliverable: DeliverableRow; campaign: CampaignRow }[]> {
  const rows = await deps.db
    .select({ deliverable: deliverables, campaign: campaigns })
    .from(deliverables)
    .innerJoin(campaigns, eq(campaigns.id, deliverables.campaignId))
    .where(ref.startsWith("dlv_") ? eq(deliverables.id, ref) : and(eq(deliverables.key, ref), eq(campaigns.status, "active")))
    .orderBy(asc(campaigns.createdAt));
  return rows;
}

export async function deliverablesOf(deps: ServiceDeps, campaignIds: string[]): Promise<DeliverableRow[]> {
  if (campaignIds.length === 0) return [];
  return deps.db.select().from(deliverables).where(inArray(deliverables.campaignId, campaignIds)).orderBy(asc(deliverables.createdAt));
}

/**
 * The demonstration campaign of a fresh development installation (`npm start` with the example
 * organisation): one deliverable for every kind of unit, due three days from today: its reminders show
 * on the console (a start message at once when today's reminder time has already passed).
 */
export function startDemoCampaign(deps: ServiceDeps, regionCode: string): Promise<StartedCampaign> {
  const today = new Date(deps.now().getTime() + 8 * 3_600_000);
  const due = new Date(today.getTime() + 3 * 86_400_000).toISOString().slice(0, 10);
  const file: CampaignFile = {
    id: "demo",
    name: "演示专项行动（示例数据）",
    nameEn: "Demo campaign (example data)",
    year: Number(due.slice(0, 4)),
    regionCode,
    issuer: "FundWatch 示例",
    phases: [],
    deliverables: [{ key: "demo-report", title: "演示：自查情况报告", titleEn: "Demo: self-inspection report", unitKinds: ["bureau", "agency", "institution", "team"], due }],
  };
  return createCampaign(deps, file, { templateId: null, actor: { type: "system", platform: "cli" } });
}
