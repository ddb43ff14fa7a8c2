// A screening batch as one thing in the chat: one card per team the batch reaches (counts by rule and
// top institutions, the feedback deadline, Acknowledge / Open triage page), one private message per
// assignee with their share, and the signed per-member link to the batch's triage page.
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Locale } from "../../core/report-input";
import { shanghaiDateTime } from "../../core/time";
import { asBatch } from "../../db/client";
import { retryBusy } from "../../db/retry";
import { batchCards, events, screeningBatches, teams, type MemberRow, type TeamRow } from "../../db/schema";
import type { ChatButton, OutgoingMessage, Platform } from "../../chat/types";
import { isLocale, t } from "../../i18n";
import { keyedHash } from "../../security/cipher";
import { constantTimeEqual } from "../../security/encoding";
import type { ServiceDeps } from "../deps";
import { enqueueManyStatement, enqueueManyStatements, sealEnqueueInput, type EnqueueInput } from "../delivery/outbox";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import { isBound, privateChatOf } from "../org/chat-accounts";
import { currentOrg } from "../org/org-cache";

/** How long a triage link stays valid; a fresh one is a press of "Open triage page" away. */
export const BATCH_LINK_MINUTES = 30;
/** Institutions named on a card and in a share. */
const TOP_INSTITUTIONS = 5;
/** Rules named on a card (a screening file rarely has more; the rest are summed up). */
const TOP_RULES = 8;

export const batchCardDedupeKey = (batchId: string, teamId: string) => `batch-card:${batchId}:${teamId}`;
const batchCardCoalesceKey = (batchId: string, teamId: string) => `batch-card:${batchId}:${teamId}:pending`;
const batchShareDedupeKey = (batchId: string, memberId: string) => `batch-share:${batchId}:${memberId}`;

// ---------------------------------------------------------------------------------------------
// Signed triage links (same mechanism as case links: member + expiry + MAC, scoped to the batch)
// ---------------------------------------------------------------------------------------------

export async function batchLinkToken(deps: ServiceDeps, batchId: string, memberId: string, expiresAt: number): Promise<string> {
  const mac = await keyedHash(deps.keys, "batch-link", `${batchId}\u0000${memberId}\u0000${expiresAt}`);
  return `${memberId}.${expiresAt}.${mac}`;
}

/** The member a triage token was issued to, or null when it is malformed, expired or for another batch. */
export async function verifyBatchLinkToken(deps: ServiceDeps, batchId: string, token: string): Promise<string | null> {
  const [memberId, exp, mac, extra] = token.split(".");
  if (!memberId || !exp || !mac || extra !== undefined || !/^\d{1,15}$/.test(exp)) return null;
  const expiresAt = Number(exp);
  if (expiresAt < deps.now().getTime()) return null;
  const expected = await keyedHash(deps.keys, "batch-link", `${batchId}\u0000${memberId}\u0000${expiresAt}`);
  return constantTimeEqual(expected, mac) ? memberId : null;
}

export async function batchLinkUrl(deps: ServiceDeps, batchId: string, memberId: string, expiresAt: number): Promise<string> {
  const base = deps.config.PUBLIC_BASE_URL ?? `http://localhost:${deps.config.PORT}`;
  return `${base.replace(/\/$/, "")}/batches/${encodeURIComponent(batchId)}?t=${encodeURIComponent(await batchLinkToken(deps, batchId, memberId, expiresAt))}`;
}

// ---------------------------------------------------------------------------------------------
// Counts
// ---------------------------------------------------------------------------------------------

interface Counted {
  label: string;
  count: number;
}

export interface BatchTeamSummary {
  leads: number;
  byRule: Counted[];
  topInstitutions: Counted[];
  /** Leads per assignee (null: unassigned). */
  byAssignee: Map<string | null, number>;
}

const localeOr = (value: string | undefined | null, fallback: Locale): Locale => (isLocale(value) ? value : fallback);

/** Leads of the batch now with `teamId`, by rule, institution and assignee (one read batch over the batch's rows). */
async function teamSummary(deps: ServiceDeps, batchId: string, teamId: string): Promise<BatchTeamSummary> {
  const db = deps.db;
  const [rules, institutions, assignees] = await retryBusy(db, () =>
    db.batch([
      db.all<{ label: string; n: number }>(sql`SELECT br.rule AS label, count(DISTINCT br.lead_id) AS n FROM batch_rows br JOIN leads l ON l.id = br.lead_id
        WHERE br.batch_id = ${batchId} AND l.team_id = ${teamId} GROUP BY br.rule ORDER BY n DESC, label`),
      db.all<{ label: string; n: number }>(sql`SELECT l.target_name AS label, count(DISTINCT l.id) AS n FROM batch_rows br JOIN leads l ON l.id = br.lead_id
        WHERE br.batch_id = ${batchId} AND l.team_id = ${teamId} GROUP BY l.target_name ORDER BY n DESC, label LIMIT ${TOP_INSTITUTIONS}`),
      db.all<{ assignee: string | null; n: number }>(sql`SELECT l.assignee_id AS assignee, count(DISTINCT l.id) AS n FROM batch_rows br JOIN leads l ON l.id = br.lead_id
        WHERE br.batch_id = ${batchId} AND l.team_id = ${teamId} GROUP BY l.assignee_id`),
    ]),
  );
  const byAssignee = new Map(assignees.map((a) => [a.assignee, Number(a.n)]));
  return {
    leads: [...byAssignee.values()].reduce((s, n) => s + n, 0),
    byRule: rules.map((r) => ({ label: r.label, count: Number(r.n) })),
    topInstitutions: institutions.map((r) => ({ label: r.label, count: Number(r.n) })),
    byAssignee,
  };
}

const countedList = (items: Counted[], locale: Locale, max: number) => {
  const shown = items.slice(0, max).map((i) => `${i.label} ${i.count}`);
  const rest = items.slice(max).reduce((s, i) => s + i.count, 0);
  if (rest) shown.push(t(locale, "batch.others", { count: rest }));
  return shown.join(locale === "en" ? "; " : "；") || "—";
};


// ---------------------------------------------------------------------------------------------
// Announcing an imported batch
// ---------------------------------------------------------------------------------------------

/**
 * The writes that announce batch `batchId` once its rows are in: a batch_cards row and one card per
 * team its leads went to, and one private message per assignee with a chat account. All keyed by
 * batch (and team / member), so running it again (a re-import, a resumed import) adds nothing.
 */
export async function batchAnnouncementStatements(deps: ServiceDeps, batchId: string): Promise<unknown[]> {
  const db = deps.db;
  const [batchRowsFound, teamCounts, shareCounts] = await retryBusy(db, () =>
    db.batch([
      db.select().from(screeningBatches).where(eq(screeningBatches.id, batchId)),
      db.all<{ team: string; assignee: string | null; n: number }>(sql`SELECT l.team_id AS team, l.assignee_id AS assignee, count(DISTINCT l.id) AS n
        FROM batch_rows br JOIN leads l ON l.id = br.lead_id WHERE br.batch_id = ${batchId} AND l.team_id IS NOT NULL GROUP BY l.team_id, l.assignee_id`),
      db.all<{ assignee: string; rule: string; n: number }>(sql`SELECT l.assignee_id AS assignee, br.rule AS rule, count(DISTINCT l.id) AS n
        FROM batch_rows br JOIN leads l ON l.id = br.lead_id WHERE br.batch_id = ${batchId} AND l.assignee_id IS NOT NULL GROUP BY l.assignee_id, br.rule ORDER BY n DESC, rule`),
    ]),
  );
  const batch = batchRowsFound[0];
  if (!batch) return [];
  const org = await currentOrg(deps);
  const now = deps.now().getTime();
  const perTeam = new Map<string, number>();
  const perAssignee = new Map<string, number>();
  for (const r of teamCounts) {
    perTeam.set(r.team, (perTeam.get(r.team) ?? 0) + Number(r.n));
    if (r.assignee) perAssignee.set(r.assignee, (perAssignee.get(r.assignee) ?? 0) + Number(r.n));
  }
  const statements: unknown[] = [];
  const outgoing: EnqueueInput[] = [];
  for (const [teamId, count] of perTeam) {
    const team = org.teamById.get(teamId);
    if (!team) continue;
    statements.push(
      db
        .insert(batchCards)
        .values({ batchId, teamId, platform: team.platform, chatId: team.chatId, leadCount: count, createdAt: now, updatedAt: now })
        .onConflictDoNothing(),
    );
    outgoing.push({
      dedupeKey: batchCardDedupeKey(batchId, teamId),
      coalesceKey: batchCardCoalesceKey(batchId, teamId),
      platform: team.platform as Platform,
      chatId: team.chatId,
      kind: "batch_card",
      payload: { batchCard: { batchId, teamId } },
    });
  }
  const rulesOf = new Map<string, Counted[]>();
  for (const r of shareCounts) {
    const list = rulesOf.get(r.assignee) ?? [];
    list.push({ label: r.rule, count: Number(r.n) });
    rulesOf.set(r.assignee, list);
  }
  for (const [memberId, count] of perAssignee) {
    const member = org.memberById.get(memberId);
    if (!member || !member.active) continue;
    const team = member.teamId ? org.teamById.get(member.teamId) : undefined;
    const to = privateChatOf(member, team?.platform ?? "telegram");
    // No chat account bound yet: nothing can reach them; the team card names them instead.
    if (!to) continue;
    const locale = localeOr(member.locale, deps.config.DEFAULT_LOCALE);
    outgoing.push(
      await sealEnqueueInput(deps, {
        dedupeKey: batchShareDedupeKey(batchId, memberId),
        platform: to.platform,
        chatId: to.chatId,
        kind: "text",
        payload: { message: shareMessage(batch, count, rulesOf.get(memberId) ?? [], locale) },
      }),
    );
  }
  // One multi-row insert: every team chat and private chat gets its single message in one statement.
  if (outgoing.length) statements.push(...enqueueManyStatements(deps, outgoing));
  return statements;
}

type BatchMetaRow = typeof screeningBatches.$inferSelect;

const dueText = (batch: BatchMetaRow, locale: Locale) => batch.feedbackDueOn ?? t(locale, "batch.no_due");
const batchName = (batch: BatchMetaRow) => [batch.source, batch.reference].filter(Boolean).join(" · ");

function shareMessage(batch: BatchMetaRow, count: number, byRule: Counted[], locale: Locale): OutgoingMessage {
  return {
    kind: "card",
    card: {
      title: t(locale, "batch.share_title", { name: batchName(batch) }),
      fields: [
        { label: t(locale, "batch.your_leads"), value: String(count) },
        { label: t(locale, "batch.by_rule"), value: countedList(byRule, locale, TOP_RULES) },
        { label: t(locale, "batch.feedback_due"), value: dueText(batch, locale) },
      ],
      buttons: [[{ action: "b-open", leadId: batch.id, label: t(locale, "batch.btn_open"), style: "primary" }]],
      footer: t(locale, "batch.share_footer"),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The team card, rendered at delivery from current state
// ---------------------------------------------------------------------------------------------

export async function renderBatchCard(deps: ServiceDeps, ref: { batchId: string; teamId: string }): Promise<{ message: OutgoingMessage | null; editOf: string | null }> {
  const db = deps.db;
  const [batchFound, cardFound, teamFound] = await retryBusy(db, () =>
    db.batch([
      db.select().from(screeningBatches).where(eq(screeningBatches.id, ref.batchId)),
      db.select().from(batchCards).where(and(eq(batchCards.batchId, ref.batchId), eq(batchCards.teamId, ref.teamId))),
      db.select().from(teams).where(eq(teams.id, ref.teamId)),
    ]),
  );
  const [batch, card, team] = [batchFound[0], cardFound[0], teamFound[0]];
  if (!batch || !card || !team) return { message: null, editOf: null };
  const locale = localeOr(team.locale, deps.config.DEFAULT_LOCALE);
  const summary = await teamSummary(deps, ref.batchId, ref.teamId);
  const org = await currentOrg(deps);
  const unbound: string[] = [];
  for (const [memberId, n] of summary.byAssignee) {
    const m = memberId ? org.memberById.get(memberId) : undefined;
    if (m && !isBound(m)) unbound.push(`${m.displayName} ${n}`);
  }
  const unassigned = summary.byAssignee.get(null) ?? 0;
  const fields = [
    { label: t(locale, "batch.source"), value: batch.source },
    { label: t(locale, "batch.reference"), value: batch.reference ?? "—" },
    { label: t(locale, "batch.team_leads"), value: String(summary.leads) },
    { label: t(locale, "batch.by_rule"), value: countedList(summary.byRule, locale, TOP_RULES) },
    { label: t(locale, "batch.top_institutions"), value: countedList(summary.topInstitutions, locale, TOP_INSTITUTIONS) },
    { label: t(locale, "batch.feedback_due"), value: dueText(batch, locale) },
  ];
  if (unassigned) fields.push({ label: t(locale, "batch.unassigned"), value: String(unassigned) });
  // Their share could not be sent to them privately: the team lead hands it over.
  if (unbound.length) fields.push({ label: t(locale, "batch.not_told"), value: unbound.join(locale === "en" ? ", " : "、") });
  const acknowledgedBy = card.acknowledgedBy ? org.memberById.get(card.acknowledgedBy)?.displayName ?? card.acknowledgedBy : null;
  fields.push({
    label: t(locale, "batch.acknowledged"),
    value: acknowledgedBy && card.acknowledgedAt ? t(locale, "batch.acknowledged_by", { name: acknowledgedBy, time: shanghaiDateTime(new Date(card.acknowledgedAt)) }) : t(locale, "batch.not_acknowledged"),
  });
  const buttons: ChatButton[] = [];
  if (!card.acknowledgedAt) buttons.push({ action: "b-ack", leadId: batch.id, label: t(locale, "batch.btn_ack"), style: "primary" });
  buttons.push({ action: "b-open", leadId: batch.id, label: t(locale, "batch.btn_open") });
  return {
    message: { kind: "card", card: { title: t(locale, "batch.card_title", { name: batchName(batch) }), fields, buttons: [buttons], footer: t(locale, "batch.card_footer") } },
    editOf: card.messageId,
  };
}

export async function recordBatchCardSent(deps: ServiceDeps, ref: { batchId: string; teamId: string }, messageId: string): Promise<void> {
  await deps.db
    .update(batchCards)
    .set({ messageId, updatedAt: deps.now().getTime() })
    .where(and(eq(batchCards.batchId, ref.batchId), eq(batchCards.teamId, ref.teamId)));
}

/** The outbox renderer's part for batch cards (see createOutboxRenderer in lead-cards.ts). */
export const batchCardRenderer = (deps: ServiceDeps) => ({
  batchCard: (ref: { batchId: string; teamId: string }) => renderBatchCard(deps, ref),
  batchCardSent: (ref: { batchId: string; teamId: string }, messageId: string) => recordBatchCardSent(deps, ref, messageId),
});

// ---------------------------------------------------------------------------------------------
// Presses on a batch card
// ---------------------------------------------------------------------------------------------

export type BatchAckResult = { status: "done"; team: TeamRow } | { status: "already"; by: string | null } | { status: "not_permitted" } | { status: "unknown" };

/**
 * Acknowledges the batch for the team whose chat the card sits in: once (the first press wins; a
 * redelivered press finds it done), with an event, and the card edited in place (one edit row).
 */
export async function acknowledgeBatch(deps: ServiceDeps, input: { batchId: string; member: MemberRow; platform: Platform; chatId: string; actor: Actor; updateKey: string }): Promise<BatchAckResult> {
  const db = deps.db;
  const [card] = await db.select().from(batchCards).where(and(eq(batchCards.batchId, input.batchId), eq(batchCards.platform, input.platform), eq(batchCards.chatId, input.chatId))).orderBy(desc(batchCards.createdAt)).limit(1);
  if (!card) return { status: "unknown" };
  const org = await currentOrg(deps);
  const team = org.teamById.get(card.teamId);
  const m = input.member;
  if (!team || !m.active || !(m.role === "coordinator" || ((m.role === "team_lead" || m.role === "inspector") && m.teamId === card.teamId))) return { status: "not_permitted" };
  if (card.acknowledgedAt) return { status: "already", by: card.acknowledgedBy ? (org.memberById.get(card.acknowledgedBy)?.displayName ?? null) : null };
  const now = deps.now().getTime();
  const e = eventRow(input.actor, { occurredAt: now, entityType: "batch", entityId: input.batchId, action: "batch.acknowledged" });
  const [updated] = (await db.batch(
    asBatch([
      db
        .update(batchCards)
        .set({ acknowledgedBy: m.id, acknowledgedAt: now, version: sql`${batchCards.version} + 1`, updatedAt: now })
        .where(and(eq(batchCards.batchId, card.batchId), eq(batchCards.teamId, card.teamId), isNull(batchCards.acknowledgedAt)))
        .returning(),
      // Only when the update above won (a concurrent press by someone else leaves no second event).
      db.run(sql`INSERT INTO events (occurred_at, entity_type, entity_id, action, actor_type, actor_id, actor_role, platform, platform_ref, data, dedupe_key)
        SELECT ${now}, 'batch', ${input.batchId}, 'batch.acknowledged', ${e.actorType}, ${e.actorId ?? null}, ${e.actorRole ?? null}, ${e.platform}, ${e.platformRef ?? null},
          json_object('teamId', team_id, 'leadCount', lead_count), ${input.updateKey}
        FROM batch_cards WHERE batch_id = ${card.batchId} AND team_id = ${card.teamId} AND acknowledged_by = ${m.id} AND acknowledged_at = ${now}`),
      enqueueManyStatement(deps, [
        {
          dedupeKey: `${batchCardDedupeKey(card.batchId, card.teamId)}:ack`,
          coalesceKey: batchCardCoalesceKey(card.batchId, card.teamId),
          platform: card.platform as Platform,
          chatId: card.chatId,
          kind: "batch_card",
          payload: { batchCard: { batchId: card.batchId, teamId: card.teamId } },
        },
      ]),
    ]),
  )) as unknown as [{ batchId: string }[]];
  if (!updated.length) {
    const [now2] = await db.select().from(batchCards).where(and(eq(batchCards.batchId, card.batchId), eq(batchCards.teamId, card.teamId)));
    return { status: "already", by: now2?.acknowledgedBy ? (org.memberById.get(now2.acknowledgedBy)?.displayName ?? null) : null };
  }
  deps.notifyOutbox?.();
  return { status: "done", team };
}

/**
 * The triage link for one press, once: the event keyed by the press records the expiry, so a
 * redelivered press rebuilds the same link instead of minting another.
 */
export async function batchLinkForPress(deps: ServiceDeps, input: { batchId: string; member: MemberRow; actor: Actor; updateKey: string }): Promise<{ url: string; expiresAt: number; replayed?: true } | null> {
  const [batch] = await deps.db.select({ id: screeningBatches.id }).from(screeningBatches).where(eq(screeningBatches.id, input.batchId));
  if (!batch) return null;
  let expiresAt = deps.now().getTime() + BATCH_LINK_MINUTES * 60_000;
  let replayed = false;
  try {
    await deps.db.insert(events).values(
      eventRow(input.actor, { occurredAt: deps.now().getTime(), entityType: "batch", entityId: input.batchId, action: "batch.triage_link_issued", data: JSON.stringify({ expiresAt }), dedupeKey: input.updateKey }),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    replayed = true;
    const earlier = await deps.db.query.events.findFirst({ columns: { action: true, entityId: true, actorId: true, data: true }, where: eq(events.dedupeKey, input.updateKey) });
    const recorded = earlier?.action === "batch.triage_link_issued" && earlier.entityId === input.batchId && earlier.actorId === input.member.id ? Number((JSON.parse(earlier.data ?? "{}") as { expiresAt?: unknown }).expiresAt) : NaN;
    if (Number.isSafeInteger(recorded)) expiresAt = recorded;
  }
  return { url: await batchLinkUrl(deps, input.batchId, input.member.id, expiresAt), expiresAt, ...(replayed ? { replayed: true as const } : {}) };
}
