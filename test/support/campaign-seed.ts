// Campaign fixtures written with direct inserts: a campaign with phases and deliverables, units of a
// few regions, one assignment per unit and deliverable, contacts, a coordinator and an inspector.
import { campaigns, deliverables, assignments, members, teams, units } from "../../src/db/schema";
import { asBatch } from "../../src/db/client";
import type { TestContext } from "./context";

export interface SeededCampaign {
  campaignId: string;
  deliverableIds: string[];
  unitIds: string[];
  /** assignment id by `${unitId}|${deliverableKey}` */
  assignmentIds: Map<string, string>;
  contacts: Map<string, string>;
  coordinatorId: string;
  inspectorId: string;
}

/** Dates are 2026; deliverable 0 is due 2026-11-20 23:59:59.999 Shanghai (before the test clock), 1 and 2 later. */
export const DUE = [Date.parse("2026-11-20T15:59:59.999Z"), Date.parse("2026-12-10T15:59:59.999Z"), Date.parse("2026-12-25T15:59:59.999Z")];

export async function seedCampaign(ctx: TestContext, options: { units?: number; prefix?: string; locale?: string } = {}): Promise<SeededCampaign> {
  const n = options.units ?? 4;
  const p = options.prefix ?? "t";
  const now = ctx.deps.now().getTime();
  const campaignId = `cmp_${p}`;
  const db = ctx.db;
  const statements: unknown[] = [];
  statements.push(
    db.insert(teams).values({ id: `team_${p}_coord`, name: `协调组${p}`, regionCode: "510000", platform: "console", chatId: `coord-${p}`, isCoordinators: true, createdAt: now, updatedAt: now }),
    db.insert(teams).values({ id: `team_${p}_insp`, name: `检查组${p}`, regionCode: "510100", platform: "console", chatId: `insp-${p}`, createdAt: now, updatedAt: now }),
    db.insert(campaigns).values({
      id: campaignId,
      templateId: "jilin-2020",
      name: `医保基金专项治理${p}`,
      year: 2026,
      regionCode: "510000",
      issuer: "四川省医疗保障局",
      phases: JSON.stringify([
        { key: "self", name: "自查自纠", nameEn: "Self-inspection", startsOn: "2026-09-01", endsOn: "2026-11-30" },
        { key: "summary", name: "总结", nameEn: "Summary", startsOn: "2026-12-01", endsOn: "2026-12-31" },
      ]),
      definition: "{}",
      createdAt: now,
      updatedAt: now,
    }),
  );
  const dels = [
    { key: "self-inspection", title: "自查报告", titleEn: "Self-inspection report", phaseKey: "self", dueOn: "2026-11-20" },
    { key: "statistics", title: "统计表", titleEn: "Statistics table", phaseKey: "summary", dueOn: "2026-12-10" },
    { key: "summary", title: "工作总结", titleEn: "Summary", phaseKey: "summary", dueOn: "2026-12-25" },
  ];
  const deliverableIds = dels.map((d) => `dlv_${p}_${d.key}`);
  dels.forEach((d, i) => statements.push(db.insert(deliverables).values({ id: deliverableIds[i]!, campaignId, ...d, unitKinds: JSON.stringify(["institution"]), createdAt: now })));
  const unitIds: string[] = [];
  const assignmentIds = new Map<string, string>();
  const contacts = new Map<string, string>();
  for (let u = 0; u < n; u++) {
    const unitId = `${p}-inst-${String(u).padStart(5, "0")}`;
    unitIds.push(unitId);
    // Two regions: even units in Chengdu Jinniu, odd in Mianyang.
    const regionCode = u % 2 === 0 ? "510106" : "510703";
    statements.push(db.insert(units).values({ id: unitId, name: `定点医院${p}${u}`, kind: "institution", regionCode, platform: "console", chatId: `unit-${p}-${u}`, createdAt: now, updatedAt: now }));
    const contactId = `mem_${p}_c${u}`;
    contacts.set(unitId, contactId);
    statements.push(db.insert(members).values({ id: contactId, displayName: `联系人${p}${u}`, role: "contact", unitId, locale: options.locale ?? "zh-CN", createdAt: now, updatedAt: now }));
    dels.forEach((d, i) => {
      const id = `asg_${p}_${u}_${i}`;
      assignmentIds.set(`${unitId}|${d.key}`, id);
      statements.push(db.insert(assignments).values({ id, campaignId, deliverableId: deliverableIds[i]!, unitId, period: "", dueAt: DUE[i]!, createdAt: now, updatedAt: now }));
    });
  }
  const coordinatorId = `mem_${p}_coord`;
  const inspectorId = `mem_${p}_insp`;
  statements.push(
    db.insert(members).values({ id: coordinatorId, displayName: `陈协调${p}`, role: "coordinator", teamId: `team_${p}_coord`, locale: "en", createdAt: now, updatedAt: now }),
    db.insert(members).values({ id: inspectorId, displayName: `王检查${p}`, role: "inspector", teamId: `team_${p}_insp`, createdAt: now, updatedAt: now }),
  );
  for (let i = 0; i < statements.length; i += 500) await db.batch(asBatch(statements.slice(i, i + 500)));
  return { campaignId, deliverableIds, unitIds, assignmentIds, contacts, coordinatorId, inspectorId };
}
