// Campaigns in chat, platform-neutral: the presses on reminder and submission cards (c-recv, c-subm,
// c-open, c-acc, c-ret), the answers to their prompts (a submission note, a return reason), and the
// coordinators' commands /campaigns, /board, /nudge, /move, /extend. Telegram and Slack handlers turn
// their updates into these calls and show the reply.
import { and, eq, inArray, sql } from "drizzle-orm";
import { dueSchema } from "../../core/campaigns/campaign-file";
import { dueInstant } from "../../core/campaigns/periods";
import type { Locale } from "../../core/report-input";
import { regionDisplayName } from "../../core/regions";
import { assignments, events, type MemberRow } from "../../db/schema";
import { isLocale, t } from "../../i18n";
import { createPrompt } from "../chat/prompts";
import type { ChatUser } from "../chat/types";
import type { ServiceDeps } from "../deps";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import { findMemberByChatUser } from "../org/org";
import {
  actorOf,
  extendDeadline,
  getAssignmentContext,
  isCoordinator,
  logPressRefused,
  mayActForUnit,
  moveDeadline,
  receiveAssignment,
  reviewSubmission,
  submitAssignment,
  type AssignmentResult,
  type MoveResult,
} from "./assignments";
import { campaignBoard } from "./board-data";
import { deliverablesOf, findDeliverables, listActiveCampaigns } from "./campaigns";
import { boardUrl, BOARD_LINK_HOURS, statisticsWorkbookUrl, unitPageUrl, UNIT_LINK_DAYS } from "./links";
import { statisticsOffer } from "../../core/statistics/deliverable-period";
import { deadlineText, deliverableTitle, type CampaignAction } from "./messages";
import { nudgeDeliverable } from "./nudges";
import { refusalText } from "../refusals/refusal-text";
import { readNotAcknowledgedText } from "../read-receipts/reader-text";

export { isCampaignAction } from "./messages";

export type CampaignPromptPurpose = "submission_note" | "return_reason";

export interface CampaignReply {
  /** Short answer to the person (Telegram callback answer / reply, Slack ephemeral). */
  text: string;
  /** Only to the person (a signed link): Telegram private chat, Slack ephemeral. */
  privateText?: string;
  /** Ask for free text (Telegram force-reply, Slack modal). */
  prompt?: { purpose: CampaignPromptPurpose; assignmentId: string; text: string };
  /** The answer was not usable: the prompt stays open. */
  keepPromptOpen?: boolean;
  /** A press seen before (retry or replay): its link was already given (see ChatReply.replayed). */
  replayed?: boolean;
}

const PROMPT_TTL_MS = 24 * 3_600_000;
/** Laggards listed by /board (the full list is on the board page). */
const BOARD_LAGGARDS = 15;
/** The word after `/nudge KEY` that nudges only those who read and did nothing. */
const READ_VARIANTS = new Set(["read", "已读"]);

function localeOf(member: MemberRow | null, fallback: Locale): Locale {
  return member && isLocale(member.locale) ? member.locale : fallback;
}

/** The reply to a campaign step: its done text, or the refusal in words (naming the unit's contacts or the coordinators). */
async function resultText(deps: ServiceDeps, result: AssignmentResult | MoveResult, locale: Locale, done: string, about: { actorId: string; unit?: { id: string; name: string } }): Promise<string> {
  if (result.status === "done") return done;
  if (result.status === "duplicate") return t(locale, "campaign.reply.duplicate");
  const code = result.reason === "not_permitted" && about.unit ? "not_contact" : result.reason;
  return refusalText(deps, locale, { scope: "campaign", code, actorId: about.actorId, unit: about.unit ?? null });
}

const publicActor = (user: ChatUser): Actor => ({ type: "public", id: `${user.platform}:${user.userId}`, role: null, platform: user.platform, platformRef: user.platformRef ?? null });

/** A press on a campaign card. Presses by anyone but the unit's contacts (or coordinators, for reviews) are refused and logged. */
export async function handleCampaignAction(deps: ServiceDeps, input: { user: ChatUser; action: CampaignAction; assignmentId: string; updateKey: string }): Promise<CampaignReply> {
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member, deps.config.DEFAULT_LOCALE);
  if (!member) {
    await logPressRefused(deps, { assignmentId: input.assignmentId, actor: publicActor(input.user), attempted: input.action, reason: "not_enrolled", dedupeKey: input.updateKey });
    return { text: await refusalText(deps, locale, { scope: "chat", code: "not_enrolled" }) };
  }
  const ctx = await getAssignmentContext(deps, input.assignmentId);
  if (!ctx) return { text: t(locale, "campaign.reply.unknown_assignment") };
  const common = { assignmentId: ctx.assignment.id, actor: member, platform: input.user.platform, platformRef: input.user.platformRef ?? null, dedupeKey: input.updateKey };
  const title = deliverableTitle(ctx.deliverable, locale);
  const refuse = async (reason: string, text: string) => {
    await logPressRefused(deps, { assignmentId: ctx.assignment.id, actor: actorOf(member, input.user.platform, input.user.platformRef), attempted: input.action, reason, dedupeKey: input.updateKey });
    return { text };
  };
  switch (input.action) {
    case "c-recv": {
      const result = await receiveAssignment(deps, common);
      return { text: await resultText(deps, result, locale, t(locale, "campaign.reply.received", { deliverable: title }), { actorId: member.id, unit: ctx.unit }) };
    }
    case "c-subm": {
      if (!mayActForUnit(member, ctx.unit.id)) return refuse("not_permitted", await refusalText(deps, locale, { scope: "campaign", code: "not_contact", actorId: member.id, unit: ctx.unit }));
      if (ctx.assignment.state === "submitted" || ctx.assignment.state === "accepted") return { text: t(locale, `campaign.refusal.already_${ctx.assignment.state}`) };
      return { text: t(locale, "campaign.btn.c-subm"), prompt: { purpose: "submission_note", assignmentId: ctx.assignment.id, text: t(locale, "campaign.prompt.submission_note", { deliverable: title }) } };
    }
    case "c-open": {
      if (!mayActForUnit(member, ctx.unit.id)) return refuse("not_permitted", await refusalText(deps, locale, { scope: "campaign", code: "not_contact", actorId: member.id, unit: ctx.unit }));
      const url = await unitPageUrl(deps, { memberId: member.id, unitId: ctx.unit.id }, deps.now());
      const first = await logLinkIssued(deps, actorOf(member, input.user.platform, input.user.platformRef), { entityType: "unit", entityId: ctx.unit.id, action: "unit.link_issued", dedupeKey: input.updateKey });
      let privateText = t(locale, "campaign.open_link", { unit: ctx.unit.name, days: UNIT_LINK_DAYS, url });
      // A statistics table: the unit's pre-filled figures, one press away (the download itself is logged).
      const offer = statisticsOffer(ctx.deliverable, ctx.unit, ctx.assignment);
      if (offer) {
        const workbook = await statisticsWorkbookUrl(deps, { memberId: member.id, unitId: ctx.unit.id, assignmentId: ctx.assignment.id }, deps.now());
        privateText += `\n${t(locale, "statistics_deliverable.chat_link", { region: regionDisplayName(offer.regionCode, locale) || offer.regionCode, period: offer.reported.key, url: workbook })}`;
      }
      return { text: t(locale, "campaign.btn.c-open"), privateText, ...(first ? {} : { replayed: true }) };
    }
    case "c-acc": {
      const result = await reviewSubmission(deps, { ...common, decision: "accept" });
      return { text: await resultText(deps, result, locale, t(locale, "campaign.reply.accepted", { unit: ctx.unit.name, deliverable: title }), { actorId: member.id }) };
    }
    case "c-ret": {
      if (!isCoordinator(member)) return refuse("not_permitted", await refusalText(deps, locale, { scope: "campaign", code: "not_permitted", actorId: member.id }));
      if (ctx.assignment.state !== "submitted") return { text: t(locale, ctx.assignment.state === "accepted" ? "campaign.refusal.already_accepted" : "campaign.refusal.not_submitted") };
      return { text: t(locale, "campaign.btn.c-ret"), prompt: { purpose: "return_reason", assignmentId: ctx.assignment.id, text: t(locale, "campaign.prompt.return_reason", { unit: ctx.unit.name, deliverable: title }) } };
    }
  }
}

/** The answer to a campaign prompt: the submission note (or link), or the reason for returning a submission. */
export async function answerCampaignPrompt(deps: ServiceDeps, input: { user: ChatUser; purpose: CampaignPromptPurpose; assignmentId: string; text: string; updateKey: string }): Promise<CampaignReply> {
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member, deps.config.DEFAULT_LOCALE);
  if (!member) return { text: await refusalText(deps, locale, { scope: "chat", code: "not_enrolled" }) };
  const text = input.text.trim();
  if (!text) return { text: t(locale, input.purpose === "submission_note" ? "campaign.prompt.note_required" : "campaign.refusal.reason_required"), keepPromptOpen: true };
  const ctx = await getAssignmentContext(deps, input.assignmentId);
  if (!ctx) return { text: t(locale, "campaign.reply.unknown_assignment") };
  const title = deliverableTitle(ctx.deliverable, locale);
  const common = { assignmentId: ctx.assignment.id, actor: member, platform: input.user.platform, platformRef: input.user.platformRef ?? null, dedupeKey: input.updateKey };
  if (input.purpose === "submission_note") {
    const result = await submitAssignment(deps, { ...common, note: text });
    return { text: await resultText(deps, result, locale, t(locale, "campaign.reply.submitted", { deliverable: title }), { actorId: member.id, unit: ctx.unit }) };
  }
  const result = await reviewSubmission(deps, { ...common, decision: "return", reason: text });
  return { text: await resultText(deps, result, locale, t(locale, "campaign.reply.returned", { unit: ctx.unit.name, deliverable: title }), { actorId: member.id }) };
}

/** Registers a campaign prompt before it is sent (Telegram replies are matched to it), with its outbox row, in one batch. */
export function createCampaignPrompt(
  deps: ServiceDeps,
  input: { user: ChatUser; memberId: string; purpose: CampaignPromptPurpose; assignmentId: string; text: string; replyToMessageId?: string | null; dedupeKey: string },
): Promise<string> {
  return createPrompt(deps, { ...input, leadId: null, ttlMs: PROMPT_TTL_MS });
}

/** Logs a link issued for one press; false when that press was logged before (a retry or replay). */
async function logLinkIssued(deps: ServiceDeps, actor: Actor, e: { entityType: string; entityId: string; action: string; dedupeKey: string; data?: Record<string, unknown> }): Promise<boolean> {
  try {
    await deps.db.insert(events).values(eventRow(actor, { occurredAt: deps.now().getTime(), entityType: e.entityType, entityId: e.entityId, action: e.action, data: e.data ? JSON.stringify(e.data) : null, dedupeKey: `${e.dedupeKey}:link` }));
    return true;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return false;
  }
}

export const CAMPAIGN_COMMANDS = new Set(["campaigns", "board", "nudge", "move", "extend"]);

/** One deliverable named by key or id; the reply text when it cannot be resolved. */
async function resolveDeliverable(deps: ServiceDeps, ref: string | undefined, locale: Locale, usage: string) {
  if (!ref) return { error: t(locale, usage) };
  const found = await findDeliverables(deps, ref);
  if (found.length === 0) return { error: t(locale, "campaign.refusal.unknown_deliverable") };
  if (found.length > 1) return { error: t(locale, "campaign.ambiguous_deliverable", { ids: found.map((f) => `${f.deliverable.id} (${f.campaign.name})`).join(", ") }) };
  return { found: found[0]! };
}

/** Parses a command's date: YYYY-MM-DD (end of that day, Shanghai) or YYYY-MM-DDTHH:MM. */
function parseDue(text: string | undefined): number | null {
  if (!text || !dueSchema.safeParse(text).success) return null;
  return dueInstant(text);
}

/** The coordinators' campaign commands (the member is enrolled; permission is checked here). */
export async function handleCampaignCommand(
  deps: ServiceDeps,
  input: { user: ChatUser; member: MemberRow; command: string; args: string[]; updateKey: string },
): Promise<CampaignReply> {
  const { member } = input;
  const locale = localeOf(member, deps.config.DEFAULT_LOCALE);
  const platform = input.user.platform;
  const actor = actorOf(member, platform, input.user.platformRef);
  if (!isCoordinator(member)) {
    await logPressRefused(deps, { assignmentId: "-", actor, attempted: `/${input.command}`, reason: "not_permitted", dedupeKey: input.updateKey });
    return { text: await refusalText(deps, locale, { scope: "campaign", code: "not_permitted", actorId: member.id }) };
  }
  switch (input.command) {
    case "campaigns": {
      const active = await listActiveCampaigns(deps);
      if (active.length === 0) return { text: t(locale, "campaign.campaigns_empty") };
      const list = await deliverablesOf(deps, active.map((c) => c.id));
      const counts = await deps.db
        .select({ deliverableId: assignments.deliverableId, units: sql<number>`count(*)`, submitted: sql<number>`sum(CASE WHEN ${assignments.state} IN ('submitted', 'accepted') THEN 1 ELSE 0 END)`, dueAt: sql<number>`min(${assignments.dueAt})` })
        .from(assignments)
        .where(inArray(assignments.campaignId, active.map((c) => c.id)))
        .groupBy(assignments.deliverableId);
      const byId = new Map(counts.map((c) => [c.deliverableId, c]));
      const lines = [t(locale, "campaign.campaigns_title", { count: active.length })];
      for (const c of active) {
        lines.push(t(locale, "campaign.campaign_line", { id: c.id, name: c.name, year: c.year, region: regionDisplayName(c.regionCode, locale) || c.regionCode }));
        for (const d of list.filter((x) => x.campaignId === c.id)) {
          const n = byId.get(d.id);
          lines.push(t(locale, "campaign.deliverable_line", { key: d.key, title: deliverableTitle(d, locale), deadline: n ? deadlineText(Number(n.dueAt), locale) : "—", submitted: Number(n?.submitted ?? 0), units: Number(n?.units ?? 0) }));
        }
      }
      return { text: lines.join("\n") };
    }
    case "board": {
      const r = await resolveDeliverable(deps, input.args[0], locale, "campaign.board_usage");
      if (!r.found) return { text: r.error };
      const board = await campaignBoard(deps, r.found.campaign.id, { deliverable: r.found.deliverable.id });
      const entry = board?.deliverables[0];
      if (!entry) return { text: t(locale, "campaign.refusal.unknown_deliverable") };
      const c = entry.counts;
      const lines = [t(locale, "campaign.board_title", { deliverable: deliverableTitle(entry.deliverable, locale), ...c })];
      const laggards = entry.rows.filter((row) => row.state === "open" || row.state === "returned").sort((a, b) => Number(b.late) - Number(a.late) || Number(a.acknowledged) - Number(b.acknowledged) || a.unitName.localeCompare(b.unitName));
      if (c.readNotAcknowledged) lines.push(t(locale, "reads.board_count", { count: c.readNotAcknowledged }));
      if (laggards.length === 0) lines.push(t(locale, "campaign.board_all_done"));
      else {
        lines.push(t(locale, "campaign.board_laggards"));
        for (const row of laggards.slice(0, BOARD_LAGGARDS)) {
          const line = t(locale, row.late ? "campaign.board_laggard_late" : row.acknowledged ? "campaign.board_laggard_ack" : "campaign.board_laggard_open", { unit: row.period ? `${row.unitName} ${row.period}` : row.unitName });
          // Read receipts (Feishu, DingTalk): who read the reminder and has not pressed Received.
          lines.push(row.readNotAcknowledged.length ? `${line} · ${readNotAcknowledgedText(locale, row.readNotAcknowledged, 3)}` : line);
        }
        if (laggards.length > BOARD_LAGGARDS) lines.push(t(locale, "campaign.board_more", { count: laggards.length - BOARD_LAGGARDS }));
      }
      const url = await boardUrl(deps, { memberId: member.id, campaignId: r.found.campaign.id }, deps.now());
      await logLinkIssued(deps, actor, { entityType: "campaign", entityId: r.found.campaign.id, action: "campaign.board_viewed", dedupeKey: input.updateKey, data: { deliverableId: entry.deliverable.id, hours: BOARD_LINK_HOURS } });
      return { text: lines.join("\n"), privateText: t(locale, "campaign.board_link", { url }) };
    }
    case "nudge": {
      if (!input.args[0]) return { text: `${t(locale, "campaign.nudge_usage")}\n${t(locale, "reads.nudge_usage")}` };
      const r = await resolveDeliverable(deps, input.args[0], locale, "campaign.nudge_usage");
      if (!r.found) return { text: r.error };
      // `/nudge KEY read`: only the units whose contacts read the reminder and did not press Received.
      const variant = input.args[1];
      const readersOnly = variant !== undefined && READ_VARIANTS.has(variant.toLowerCase());
      const result = await nudgeDeliverable(deps, { deliverableId: r.found.deliverable.id, actor: member, platform, platformRef: input.user.platformRef ?? null, dedupeKey: input.updateKey, ...(readersOnly ? { only: "read_not_acknowledged" as const } : {}) });
      if (result.status === "duplicate") return { text: t(locale, "campaign.reply.duplicate") };
      if (result.status === "refused") return { text: await refusalText(deps, locale, { scope: "campaign", code: result.reason, actorId: member.id }) };
      const units = result.nudged.map((u) => u.name).join("、");
      const lines = [
        result.nudged.length
          ? t(locale, readersOnly ? "reads.nudge_done" : "campaign.nudge_done", { count: result.nudged.length, units })
          : t(locale, readersOnly ? "reads.nudge_none" : "campaign.nudge_none"),
      ];
      if (result.coolingDown.length) lines.push(t(locale, "campaign.nudge_cooldown", { count: result.coolingDown.length, hours: deps.config.CAMPAIGN_NUDGE_COOLDOWN_HOURS ?? 4 }));
      return { text: lines.join("\n") };
    }
    case "move": {
      const [ref, date, ...reasonWords] = input.args;
      const dueAt = parseDue(date);
      if (!ref || dueAt === null || reasonWords.length === 0) return { text: t(locale, "campaign.move_usage") };
      const r = await resolveDeliverable(deps, ref, locale, "campaign.move_usage");
      if (!r.found) return { text: r.error };
      const result = await moveDeadline(deps, { deliverableId: r.found.deliverable.id, dueAt, reason: reasonWords.join(" "), actor: member, platform, platformRef: input.user.platformRef ?? null, dedupeKey: input.updateKey });
      return { text: await resultText(deps, result, locale, t(locale, "campaign.moved_done", { deliverable: deliverableTitle(r.found.deliverable, locale), deadline: deadlineText(dueAt, locale), count: result.status === "done" ? result.moved : 0 }), { actorId: member.id }) };
    }
    case "extend": {
      const [ref, unitId, date, ...reasonWords] = input.args;
      const dueAt = parseDue(date);
      if (!ref || !unitId || dueAt === null || reasonWords.length === 0) return { text: t(locale, "campaign.extend_usage") };
      const r = await resolveDeliverable(deps, ref, locale, "campaign.extend_usage");
      if (!r.found) return { text: r.error };
      const mine = await deps.db.select().from(assignments).where(and(eq(assignments.deliverableId, r.found.deliverable.id), eq(assignments.unitId, unitId)));
      const target = mine.filter((a) => a.state !== "accepted").sort((a, b) => a.dueAt - b.dueAt)[0] ?? mine[0];
      if (!target) return { text: t(locale, "campaign.unknown_unit") };
      const result = await extendDeadline(deps, { assignmentId: target.id, dueAt, reason: reasonWords.join(" "), actor: member, platform, platformRef: input.user.platformRef ?? null, dedupeKey: input.updateKey });
      const ctx = await getAssignmentContext(deps, target.id);
      return { text: await resultText(deps, result, locale, t(locale, "campaign.extended_done", { unit: ctx?.unit.name ?? unitId, deliverable: deliverableTitle(r.found.deliverable, locale), deadline: deadlineText(dueAt, locale) }), { actorId: member.id }) };
    }
    default:
      return { text: t(locale, "chat.help") };
  }
}
