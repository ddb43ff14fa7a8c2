// The organisation: teams with their chat destinations, members with roles, one-time invites that bind a
// chat account to a member, and the import of a whole installation from a JSON/YAML file.
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { newId } from "../../core/ids";
import { UNIT_KINDS } from "../../core/campaigns/campaign-file";
import { LOCALES } from "../../core/report-input";
import { RECEIPT_ALPHABET } from "../../core/receipt";
import { FOCUS_AREAS, VIOLATION_TYPES } from "../../core/taxonomy";
import { getRegion } from "../../core/regions";
import { asBatch } from "../../db/client";
import { calendarDays, events, invites, members, teams, units, type MemberRow, type TeamRow } from "../../db/schema";
import { keyedHash } from "../../security/cipher";
import { randomBytes, utf8 } from "../../security/encoding";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { rewardRulesSchema } from "../../core/rewards/policy";
import { saveRewardRulesStatement } from "../rewards/rules";
import { bindingReleasedStatements, enrolmentAnnouncementStatements, isBound, memberBoundError } from "./enrolment-rules";

/** Staff roles (chat /addmember offers these); contacts of campaign units come only with the org file. */
export const MEMBER_ROLES = ["inspector", "team_lead", "coordinator", "finance"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
/** Roles an org file may give: staff, or `contact` of a campaign unit (never routed leads: no team). */
export const ORG_FILE_ROLES = [...MEMBER_ROLES, "contact"] as const;

export const CHAT_PLATFORMS = ["telegram", "slack", "console"] as const;

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
      statements.push(deps.db.update(members).set(released ? { ...values, telegramUserId: null, slackUserId: null } : values).where(eq(members.id, existing.id)));
      if (released) statements.push(...(await bindingReleasedStatements(deps, existing, now)));
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

/** The member an earlier run of the same keyed change (a redelivered chat command) recorded, if any. */
async function memberOfDedupedEvent(deps: ServiceDeps, dedupeKey: string, action: string): Promise<MemberRow | null> {
  const earlier = await deps.db.query.events.findFirst({ columns: { action: true, entityId: true }, where: eq(events.dedupeKey, dedupeKey) });
  if (!earlier || earlier.action !== action) return null;
  return (await deps.db.query.members.findFirst({ where: eq(members.id, earlier.entityId) })) ?? null;
}

/**
 * Adds a member (coordinators, from chat or CLI); the chat account is bound later with an invite. With a
 * `dedupeKey` (the chat update) a redelivered command returns the member the first delivery added.
 */
export async function addMember(deps: ServiceDeps, input: { displayName: string; role: MemberRole; teamId: string | null; locale?: string; actor: Actor; dedupeKey?: string }): Promise<MemberRow> {
  const name = input.displayName.trim();
  if (!name || name.length > 100) throw new AppError("validation_failed", "a member needs a name of at most 100 characters");
  if ((input.role === "inspector" || input.role === "team_lead") && !input.teamId) throw new AppError("validation_failed", `an ${input.role} needs a team`);
  const team = input.teamId ? await deps.db.query.teams.findFirst({ where: eq(teams.id, input.teamId) }) : undefined;
  if (input.teamId && !team) throw new AppError("not_found", `team ${input.teamId} not found`);
  const now = deps.now().getTime();
  const id = newId("mem");
  try {
    await deps.db.batch(
      asBatch([
        deps.db.insert(members).values({ id, displayName: name, role: input.role, teamId: input.teamId, locale: input.locale ?? team?.locale ?? "zh-CN", active: true, createdAt: now, updatedAt: now }),
        deps.db.insert(events).values(
          eventRow(input.actor, { occurredAt: now, entityType: "member", entityId: id, action: "member.added", data: JSON.stringify({ role: input.role, teamId: input.teamId }), dedupeKey: input.dedupeKey ?? null }),
        ),
      ]),
    );
  } catch (err) {
    const earlier = input.dedupeKey && isUniqueViolation(err) ? await memberOfDedupedEvent(deps, input.dedupeKey, "member.added") : null;
    if (earlier) return earlier;
    throw err;
  }
  return (await deps.db.query.members.findFirst({ where: eq(members.id, id) }))!;
}

/**
 * Offboarding (or a lost phone): the member's chat accounts stop working at once and are told so
 * privately; invites issued before stop working too, so only a new invite (which reactivates) brings the
 * member back. Their open leads stay for reassignment.
 */
export async function deactivateMember(deps: ServiceDeps, input: { memberId: string; actor: Actor; dedupeKey?: string }): Promise<MemberRow | null> {
  const member = await deps.db.query.members.findFirst({ where: eq(members.id, input.memberId) });
  if (!member) return null;
  const now = deps.now().getTime();
  try {
    await deps.db.batch(
      asBatch([
        deps.db.insert(events).values(eventRow(input.actor, { occurredAt: now, entityType: "member", entityId: member.id, action: "member.deactivated", dedupeKey: input.dedupeKey ?? null })),
        deps.db.update(members).set({ active: false, telegramUserId: null, slackUserId: null, updatedAt: now }).where(eq(members.id, member.id)),
        deps.db.update(invites).set({ expiresAt: now }).where(and(eq(invites.memberId, member.id), isNull(invites.redeemedAt), gt(invites.expiresAt, now))),
        ...(await bindingReleasedStatements(deps, member, now)),
      ]),
    );
  } catch (err) {
    // A redelivered command: the first delivery already deactivated the member.
    if (!(input.dedupeKey && isUniqueViolation(err))) throw err;
  }
  return { ...member, active: false, telegramUserId: null, slackUserId: null };
}

export const INVITE_TTL_MS = 7 * 24 * 3600_000;

/**
 * The code for a keyed invite, derived from the key with the installation's hash key: a redelivered
 * chat command computes the same code again (so it can be shown again) while only its HMAC is stored.
 */
async function derivedInviteCode(deps: ServiceDeps, dedupeKey: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", deps.keys.hashKey, utf8.encode(`invite-code\u0000${dedupeKey}`)));
  // 256 is a multiple of 32: every letter of the alphabet is equally likely.
  return Array.from(mac.slice(0, 10), (b) => RECEIPT_ALPHABET[b & 31]).join("");
}

/**
 * Issues a one-time enrolment code for a member (shown once; only its HMAC is stored). With a `dedupeKey`
 * (the chat command that asked for it) the same key always yields the same single invite.
 */
export async function createInvite(
  deps: ServiceDeps,
  input: {
    memberId: string;
    actor: Actor;
    ttlMs?: number;
    dedupeKey?: string;
    /** An operator's invite (system actor only) for the platform a bound member has no account on yet. */
    additionalAccount?: boolean;
  },
): Promise<{ code: string; expiresAt: Date }> {
  const member = await deps.db.query.members.findFirst({ where: eq(members.id, input.memberId) });
  if (!member) throw new AppError("not_found", `member ${input.memberId} not found`);
  // Redeeming it would move the binding (locking the real member out): deactivate first, then invite.
  const additional = Boolean(input.additionalAccount) && input.actor.type === "system" && isBound(member);
  if (isBound(member) && (!additional || (member.telegramUserId && member.slackUserId))) throw memberBoundError(member);
  const code = input.dedupeKey ? await derivedInviteCode(deps, input.dedupeKey) : Array.from(randomBytes(10), (b) => RECEIPT_ALPHABET[b & 31]).join("");
  const codeHash = await keyedHash(deps.keys, "invite", code);
  const now = deps.now().getTime();
  const expiresAt = now + (input.ttlMs ?? INVITE_TTL_MS);
  try {
    await deps.db.batch(
      asBatch([
        deps.db.insert(invites).values({ id: newId("inv"), codeHash, memberId: member.id, createdBy: input.actor.id ?? null, createdAt: now, expiresAt, additionalAccount: additional }),
        deps.db.insert(events).values(
          eventRow(input.actor, { occurredAt: now, entityType: "member", entityId: member.id, action: "member.invited", data: JSON.stringify({ role: member.role, expiresAt, ...(member.active ? {} : { reactivates: true }), ...(additional ? { additionalAccount: true } : {}) }), dedupeKey: input.dedupeKey ?? null }),
        ),
      ]),
    );
  } catch (err) {
    if (!(input.dedupeKey && isUniqueViolation(err))) throw err;
    const earlier = await deps.db.query.invites.findFirst({ columns: { expiresAt: true, memberId: true }, where: eq(invites.codeHash, codeHash) });
    if (!earlier || earlier.memberId !== member.id) throw err;
    return { code, expiresAt: new Date(earlier.expiresAt) };
  }
  return { code, expiresAt: new Date(expiresAt) };
}

/**
 * Binds a chat account to the invited member, reactivating a deactivated one (the re-invite after a lost
 * phone). Returns null for an unknown, used or expired code, and for a member already bound to a chat
 * account: a binding is never moved (the real member would be locked out and impersonated).
 */
export async function redeemInvite(
  deps: ServiceDeps,
  input: { platform: "telegram" | "slack"; platformUserId: string; code: string; platformRef?: string; dedupeKey?: string },
): Promise<MemberRow | null> {
  const code = input.code.trim().toUpperCase();
  const now = deps.now().getTime();
  // A redelivered /start: answer as the first delivery did, without a second enrolment or refusal.
  if (input.dedupeKey) {
    const earlier = await deps.db.query.events.findFirst({ columns: { action: true }, where: eq(events.dedupeKey, input.dedupeKey) });
    if (earlier) return earlier.action === "member.enrolled" ? memberOfDedupedEvent(deps, input.dedupeKey, "member.enrolled") : null;
  }
  const invite = await deps.db.query.invites.findFirst({
    where: and(eq(invites.codeHash, await keyedHash(deps.keys, "invite", code)), isNull(invites.redeemedAt), gt(invites.expiresAt, now)),
  });
  const logAttempt = (action: string, memberId: string | null, extra: Record<string, unknown> = {}, dedupeKey = input.dedupeKey ?? null) =>
    deps.db.insert(events).values({
      occurredAt: now,
      entityType: "member",
      entityId: memberId ?? `${input.platform}:${input.platformUserId}`,
      action,
      actorType: memberId && action !== "member.enrolment_refused" ? "member" : "public",
      actorId: memberId && action !== "member.enrolment_refused" ? memberId : null,
      platform: input.platform,
      platformRef: input.platformRef ?? null,
      data: JSON.stringify({ platformUserId: input.platformUserId, ...extra }),
      dedupeKey,
    });
  const refuse = async (memberId: string | null, extra?: Record<string, unknown>) => {
    try {
      await logAttempt("member.enrolment_refused", memberId, extra);
    } catch (err) {
      if (!(input.dedupeKey && isUniqueViolation(err))) throw err;
    }
    return null;
  };
  if (!invite) return refuse(null);
  const member = await deps.db.query.members.findFirst({ where: eq(members.id, invite.memberId) });
  if (!member) return refuse(null);
  const column = input.platform === "telegram" ? members.telegramUserId : members.slackUserId;
  const boundHere = input.platform === "telegram" ? member.telegramUserId : member.slackUserId;
  // Only an operator's additional-account invite adds the member's other platform; nothing replaces a binding.
  if (boundHere || (isBound(member) && !invite.additionalAccount)) return refuse(member.id, { reason: "member_bound" });
  const identity = input.platform === "telegram" ? { telegramUserId: input.platformUserId } : { slackUserId: input.platformUserId };
  const statements: unknown[] = [
    deps.db.update(invites).set({ redeemedAt: now, redeemedOn: input.platform }).where(and(eq(invites.id, invite.id), isNull(invites.redeemedAt))),
    // A chat account belongs to one member: unbind it from anyone else first.
    deps.db.update(members).set(input.platform === "telegram" ? { telegramUserId: null } : { slackUserId: null }).where(eq(column, input.platformUserId)),
    // Checked again here, where it counts: a concurrent redemption may have bound the member meanwhile.
    deps.db
      .update(members)
      .set({ ...identity, active: true, updatedAt: now })
      .where(and(eq(members.id, member.id), isNull(column), ...(invite.additionalAccount ? [] : [isNull(members.telegramUserId), isNull(members.slackUserId)]))),
    // The guard: unless the member is now bound to this very account, re-insert the invite's own id; the
    // primary key fails and the whole batch (enrolment, log, announcement) is undone.
    deps.db.run(
      sql`INSERT INTO invites (id, code_hash, member_id, created_at, expires_at) SELECT ${invite.id}, '', ${member.id}, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM members WHERE id = ${member.id} AND ${column} = ${input.platformUserId})`,
    ),
    logAttempt("member.enrolled", member.id),
    ...(member.active ? [] : [logAttempt("member.reactivated", member.id, { inviteId: invite.id }, null)]),
    ...(await enrolmentAnnouncementStatements(deps, member, { platform: input.platform, inviteId: invite.id })),
  ];
  try {
    await deps.db.batch(asBatch(statements));
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // The same update delivered twice at once: the other delivery enrolled the member.
    const earlier = input.dedupeKey ? await memberOfDedupedEvent(deps, input.dedupeKey, "member.enrolled") : null;
    if (earlier) return earlier;
    // Otherwise the guard fired: another account was bound to the member meanwhile.
    return refuse(member.id, { reason: "member_bound" });
  }
  deps.notifyOutbox?.();
  return (await deps.db.query.members.findFirst({ where: eq(members.id, member.id) })) ?? null;
}

export async function findMemberByChatUser(deps: ServiceDeps, platform: string, platformUserId: string): Promise<MemberRow | null> {
  const where = platform === "telegram" ? eq(members.telegramUserId, platformUserId) : platform === "slack" ? eq(members.slackUserId, platformUserId) : undefined;
  if (!where) return null;
  const member = await deps.db.query.members.findFirst({ where: and(where, eq(members.active, true)) });
  return member ?? null;
}

export async function listTeams(deps: ServiceDeps): Promise<TeamRow[]> {
  return deps.db.select().from(teams);
}

