// The organisation file (JSON/YAML) an installation is loaded from: its schema, and the roles and
// chat platforms it names.
import { z } from "zod";
import { UNIT_KINDS } from "../../core/campaigns/campaign-file";
import { LOCALES } from "../../core/report-input";
import { FOCUS_AREAS, VIOLATION_TYPES } from "../../core/taxonomy";
import { getRegion } from "../../core/regions";
import { rewardRulesSchema } from "../../core/rewards/policy";

/** Staff roles (chat /addmember offers these); contacts of campaign units come only with the org file. */
export const MEMBER_ROLES = ["inspector", "team_lead", "coordinator", "finance"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
/** Roles an org file may give: staff, or `contact` of a campaign unit (never routed leads: no team). */
export const ORG_FILE_ROLES = [...MEMBER_ROLES, "contact"] as const;

export const CHAT_PLATFORMS = ["telegram", "slack", "feishu", "dingtalk", "wecom", "console"] as const;

const regionCode = z
  .string()
  .regex(/^\d{6}$/, { error: "must be a 6-digit GB/T 2260 code" })
  .refine((c) => c === "000000" || getRegion(c) !== undefined, { error: "is not a known division code (000000 = whole country)" });
const unitId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, { error: "must be 2-63 lowercase letters, digits or dashes" });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "must be YYYY-MM-DD" });

/** The installation file loaded by `npm run admin -- import <file>` (JSON or YAML). */
export const orgFileSchema = z
  .object({
    jurisdiction: z.object({ name: z.string().min(1), regionCode }).optional(),
    calendar: z.object({ holidays: z.array(isoDate).default([]), workdays: z.array(isoDate).default([]) }).optional(),
    /** Which reward policy applies where (举报奖励); absent = national at 2 %, claims within 2 months. */
    rewards: rewardRulesSchema.optional(),
    teams: z
      .array(
        z.object({
          name: z.string().min(1).max(100),
          regionCode,
          focusAreas: z.array(z.enum(FOCUS_AREAS)).default([]),
          violationTypes: z.array(z.enum(VIOLATION_TYPES)).default([]),
          coordinators: z.boolean().default(false),
          platform: z.enum(CHAT_PLATFORMS),
          chatId: z.string().min(1),
          locale: z.enum(LOCALES).default("zh-CN"),
          active: z.boolean().default(true),
        }),
      )
      .default([]),
    /** Recipients of campaign reminders (see src/services/campaigns). */
    units: z
      .array(
        z.object({
          id: unitId,
          name: z.string().min(1).max(100),
          kind: z.enum(UNIT_KINDS),
          regionCode,
          /** Id of the unit supervising this one (escalations go there too). */
          supervisor: unitId.optional(),
          platform: z.enum(CHAT_PLATFORMS),
          chatId: z.string().min(1),
          locale: z.enum(LOCALES).default("zh-CN"),
          active: z.boolean().default(true),
        }),
      )
      .default([]),
    members: z
      .array(
        z.object({
          name: z.string().min(1).max(100),
          role: z.enum(ORG_FILE_ROLES),
          team: z.string().min(1).optional(),
          /** For role `contact`: the unit (id) this person answers reminders for. */
          unit: unitId.optional(),
          locale: z.enum(LOCALES).default("zh-CN"),
          active: z.boolean().default(true),
        }),
      )
      .default([]),
  })
  .superRefine((file, ctx) => {
    const names = new Set(file.teams.map((t) => t.name));
    const unitIds = new Set<string>();
    const unitNames = new Set<string>();
    file.units.forEach((u, i) => {
      if (unitIds.has(u.id)) ctx.addIssue({ code: "custom", path: ["units", i, "id"], message: `unit id "${u.id}" is used twice` });
      if (unitNames.has(u.name)) ctx.addIssue({ code: "custom", path: ["units", i, "name"], message: `unit name "${u.name}" is used twice` });
      unitIds.add(u.id);
      unitNames.add(u.name);
    });
    file.units.forEach((u, i) => {
      if (u.supervisor && !unitIds.has(u.supervisor)) ctx.addIssue({ code: "custom", path: ["units", i, "supervisor"], message: `unit "${u.supervisor}" is not defined in units` });
      if (u.supervisor === u.id) ctx.addIssue({ code: "custom", path: ["units", i, "supervisor"], message: "a unit cannot supervise itself" });
    });
    file.members.forEach((m, i) => {
      if (m.role === "contact") {
        if (!m.unit) ctx.addIssue({ code: "custom", path: ["members", i, "unit"], message: "a contact needs a unit" });
        else if (!unitIds.has(m.unit)) ctx.addIssue({ code: "custom", path: ["members", i, "unit"], message: `unit "${m.unit}" is not defined in units` });
        // A contact answers for a unit only: with a team it would be routed leads.
        if (m.team) ctx.addIssue({ code: "custom", path: ["members", i, "team"], message: "a contact belongs to a unit, not a team" });
      } else if (m.unit) ctx.addIssue({ code: "custom", path: ["members", i, "unit"], message: "only contacts (role: contact) have a unit" });
      if (m.team && !names.has(m.team)) ctx.addIssue({ code: "custom", path: ["members", i, "team"], message: `team "${m.team}" is not defined in teams` });
      if ((m.role === "inspector" || m.role === "team_lead") && !m.team) ctx.addIssue({ code: "custom", path: ["members", i, "team"], message: `an ${m.role} needs a team` });
    });
    if (file.teams.length > 0 && !file.teams.some((t) => t.coordinators))
      ctx.addIssue({ code: "custom", path: ["teams"], message: "one team must be the coordinators' destination (coordinators: true)" });
  });
export type OrgFile = z.output<typeof orgFileSchema>;
