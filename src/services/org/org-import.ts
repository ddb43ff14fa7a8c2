// Importing the organisation file: teams, units, members, calendar corrections and reward rules, loaded
// or updated by name, in one batch with its event.
import { eq } from "drizzle-orm";
import { newId } from "../../core/ids";
import { asBatch } from "../../db/client";
import { calendarDays, events, members, teams, units } from "../../db/schema";
import { eventRow, type Actor } from "../events";
import type { ServiceDeps } from "../deps";
import { saveRewardRulesStatement } from "../rewards/rules";
import { NO_ACCOUNTS } from "./chat-accounts";
import { bindingReleasedStatements, isBound } from "./enrolment-rules";
import type { OrgFile } from "./org-file";
import { endMemberSessionsStatements } from "../workspace/sessions";

export interface ImportSummary {
  teams: { created: number; updated: number };
  units: { created: number; updated: number };
  members: { created: number; updated: number };
  calendarDays: number;
}

/** Loads or updates teams and members by name; running it again with the same file changes nothing. */
export async function importOrganisation(deps: ServiceDeps, file: OrgFile, actor: Actor): Promise<ImportSummary> {
  const now = deps.now().getTime();
  const summary: ImportSummary = { teams: { created: 0, updated: 0 }, units: { created: 0, updated: 0 }, members: { created: 0, updated: 0 }, calendarDays: 0 };
  const statements: unknown[] = [];
  const teamIds = new Map<string, string>();
  const existingTeams = await deps.db.select().from(teams);
  for (const t of file.teams) {
    const values = {
      name: t.name,
      regionCode: t.regionCode,
      focusAreas: JSON.stringify(t.focusAreas),
      violationTypes: JSON.stringify(t.violationTypes),
      isCoordinators: t.coordinators,
      platform: t.platform,
      chatId: t.chatId,
      locale: t.locale,
      active: t.active,
      updatedAt: now,
    };
    const existing = existingTeams.find((e) => e.name === t.name);
    if (existing) {
      teamIds.set(t.name, existing.id);
      statements.push(deps.db.update(teams).set(values).where(eq(teams.id, existing.id)));
      summary.teams.updated++;
    } else {
      const id = newId("team");
      teamIds.set(t.name, id);
      statements.push(deps.db.insert(teams).values({ id, ...values, createdAt: now }));
      summary.teams.created++;
    }
  }
  // Units by their stable id; a supervisor named later in the file is fine (no foreign key).
  const existingUnitIds = new Set((await deps.db.select({ id: units.id }).from(units)).map((u) => u.id));
  for (const u of file.units) {
    const values = {
      name: u.name,
      kind: u.kind,
      regionCode: u.regionCode,
      supervisorUnitId: u.supervisor ?? null,
      platform: u.platform,
      chatId: u.chatId,
      locale: u.locale,
      active: u.active,
      updatedAt: now,
    };
    if (existingUnitIds.has(u.id)) {
      statements.push(deps.db.update(units).set(values).where(eq(units.id, u.id)));
      summary.units.updated++;
    } else {
      statements.push(deps.db.insert(units).values({ id: u.id, ...values, createdAt: now }));
      summary.units.created++;
    }
  }
  const existingMembers = await deps.db.select().from(members);
  for (const m of file.members) {
    const teamId = m.team ? teamIds.get(m.team)! : null;
    const unitId = m.role === "contact" ? m.unit! : null;
    const existing = existingMembers.find((e) => e.displayName === m.name && e.teamId === teamId && e.unitId === unitId);
    const values = { displayName: m.name, role: m.role, teamId, unitId, locale: m.locale, active: m.active, updatedAt: now };
    if (existing) {
      // Deactivated by the file: its chat accounts stop acting, as with deactivateMember (and are told so).
      const released = !m.active && isBound(existing);
      statements.push(deps.db.update(members).set(released ? { ...values, ...NO_ACCOUNTS } : values).where(eq(members.id, existing.id)));
      if (released) statements.push(...(await bindingReleasedStatements(deps, existing, now)));
      // …and its workspace sessions end (a session never outlives the member's active state).
      if (!m.active && existing.active) statements.push(...endMemberSessionsStatements(deps, existing.id, now, "member_deactivated"));
      summary.members.updated++;
    } else {
      statements.push(deps.db.insert(members).values({ id: newId("mem"), ...values, createdAt: now }));
      summary.members.created++;
    }
  }
  for (const date of file.calendar?.holidays ?? []) {
    statements.push(deps.db.insert(calendarDays).values({ date, kind: "holiday" }).onConflictDoUpdate({ target: calendarDays.date, set: { kind: "holiday" } }));
    summary.calendarDays++;
  }
  for (const date of file.calendar?.workdays ?? []) {
    statements.push(deps.db.insert(calendarDays).values({ date, kind: "workday" }).onConflictDoUpdate({ target: calendarDays.date, set: { kind: "workday" } }));
    summary.calendarDays++;
  }
  if (file.rewards) statements.push(saveRewardRulesStatement(deps.db, file.rewards, now));
  statements.push(
    deps.db.insert(events).values(eventRow(actor, { occurredAt: now, entityType: "organisation", entityId: file.jurisdiction?.regionCode ?? "installation", action: "org.imported", data: JSON.stringify(summary) })),
  );
  await deps.db.batch(asBatch(statements));
  return summary;
}
