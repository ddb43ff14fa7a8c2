// Campaigns: started from a bundled template for a year and region, or imported from a campaign file
// (same format). Starting creates the campaign, its deliverables and one assignment per unit of the named
// kinds in the region (and per period for recurring deliverables), each with its first reminder time.
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { campaignForYear } from "../../core/campaigns/calendar-shift";
import { campaignFileSchema, type CampaignFile } from "../../core/campaigns/campaign-file";
import { assignmentPeriods } from "../../core/campaigns/periods";
import { newId } from "../../core/ids";
import { getRegion } from "../../core/regions";
import { asBatch } from "../../db/client";
import { assignments, campaigns, deliverables, events, type CampaignRow, type DeliverableRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { eventRow, type Actor } from "../events";
import { currentOrg } from "../org/org-cache";
import { nextReminderFor, policyFor } from "./assignment-context";
import { CAMPAIGN_TEMPLATES, TEMPLATE_IDS } from "./templates/index";
import { unitsInRegion } from "./units";
import { chunkedStatements } from "../../db/chunk";

export { TEMPLATE_IDS } from "./templates/index";

/** A bundled template, validated (templates are data: a broken one is reported, never half-used). */
export function templateFile(templateId: string): CampaignFile {
  if (!Object.hasOwn(CAMPAIGN_TEMPLATES, templateId)) throw new AppError("not_found", `no campaign template ${templateId} (templates: ${TEMPLATE_IDS.join(", ")})`);
  const parsed = campaignFileSchema.safeParse(CAMPAIGN_TEMPLATES[templateId]);
  if (!parsed.success) throw new AppError("validation_failed", `template ${templateId} is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

export function listTemplates(): { id: string; name: string; year: number; regionCode: string; deliverables: number }[] {
  return TEMPLATE_IDS.map((id) => {
    const file = templateFile(id);
    return { id, name: file.name, year: file.year, regionCode: file.regionCode, deliverables: file.deliverables.length };
  });
}

export interface StartedCampaign {
  campaignId: string;
  deliverables: number;
  assignments: number;
  units: number;
}

/**
 * Creates a campaign from a campaign file (already for its year) in one batch. `regionCode` overrides the
 * file's jurisdiction (a template from another province started for this one).
 */
export async function createCampaign(deps: ServiceDeps, file: CampaignFile, options: { templateId: string | null; regionCode?: string; actor: Actor }): Promise<StartedCampaign> {
  const regionCode = options.regionCode ?? file.regionCode;
  if (regionCode !== "000000" && !getRegion(regionCode)) throw new AppError("validation_failed", `region ${regionCode} is not a known GB/T 2260 code`);
  const now = deps.now().getTime();
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
    definition: JSON.stringify({ ...file, regionCode }),
    status: "active",
    createdBy: options.actor.id ?? null,
    createdAt: now,
    updatedAt: now,
  };
  const deliverableRows: DeliverableRow[] = [];
  const assignmentRows: (typeof assignments.$inferInsert)[] = [];
  const reached = new Set<string>();
  for (const d of file.deliverables) {
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
      reminderPolicy: d.reminderPolicy ? JSON.stringify(d.reminderPolicy) : null,
      createdAt: now,
    };
    deliverableRows.push(row);
    const policy = policyFor(campaignRow, row);
    const unitRows = await unitsInRegion(deps, regionCode, d.unitKinds);
    for (const { period, dueAt } of assignmentPeriods(d, file.year)) {
      for (const unit of unitRows) {
        reached.add(unit.id);
        // From the beginning of time: a campaign started late gets, at the first tick, the latest reminder that
        // is already due (stale ones collapse into it), like a tick that missed them.
        const nextReminderAt = nextReminderFor({ dueAt, dueVersion: 1, state: "open", receivedVersion: null }, policy, cal, 0);
        assignmentRows.push({ id: newId("asg"), campaignId, deliverableId: row.id, unitId: unit.id, period, dueAt, dueVersion: 1, state: "open", nextReminderAt, version: 1, createdAt: now, updatedAt: now });
      }
    }
  }
  const statements: unknown[] = [
    deps.db.insert(campaigns).values(campaignRow),
    ...chunkedStatements(deliverableRows, (rows) => deps.db.insert(deliverables).values(rows)),
    ...chunkedStatements(assignmentRows, (rows) => deps.db.insert(assignments).values(rows)),
    deps.db.insert(events).values(
      eventRow(options.actor, {
        occurredAt: now,
        entityType: "campaign",
        entityId: campaignId,
        action: "campaign.started",
        toState: "active",
        data: JSON.stringify({ templateId: options.templateId, fileId: file.id, year: file.year, regionCode, deliverables: deliverableRows.length, assignments: assignmentRows.length, units: reached.size }),
      }),
    ),
  ];
  await deps.db.batch(asBatch(statements));
  return { campaignId, deliverables: deliverableRows.length, assignments: assignmentRows.length, units: reached.size };
}

/** `campaign start <template> --year <YYYY> [--region <code>]`: the template's dates moved to that year. */
export function startCampaign(deps: ServiceDeps, input: { templateId: string; year: number; regionCode?: string; actor: Actor }): Promise<StartedCampaign> {
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) throw new AppError("validation_failed", "year must be between 2000 and 2100");
  const file = campaignForYear(templateFile(input.templateId), input.year);
  return createCampaign(deps, file, { templateId: input.templateId, ...(input.regionCode ? { regionCode: input.regionCode } : {}), actor: input.actor });
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
 * organisation): one deliverable for every kind of unit, due three days from today, so the first tick
 * already has a reminder to send (the latest one that is due) and the loop shows on the console.
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
