// What chat presses and commands mean, independent of the platform. Telegram and Slack handlers turn
// their updates into these calls and show the returned reply (a toast, a private message, or a prompt
// asking for a reason, an amount or a question).
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { LeadCommand } from "../core/lead-lifecycle";
import { REPORT_OUTCOMES, type ReportOutcome } from "../core/report-status";
import type { Locale } from "../core/report-input";
import { asBatch } from "../db/client";
import { chatPrompts, events, members, teams, type LeadRow, type MemberRow } from "../db/schema";
import { shanghaiDateTime } from "../core/time";
import { isUniqueViolation, type Actor } from "./events";
import type { Platform } from "../chat/types";
import { isLocale, t } from "../i18n";
import { keyedHash } from "../security/cipher";
import { constantTimeEqual } from "../security/encoding";
import type { ServiceDeps } from "./deps";
import { asActor, getLead, listMyLeads, logRefusal, listOverdueLeads, logUnknownUser, mayHandleLead, reassignLead, runLeadCommand, eventRow, type CommandResult, type MemberActor } from "./leads/leads";
import { enqueueStatement, sealEnqueueInput } from "./delivery/outbox";
import { addMember, createInvite, deactivateMember, findMemberByChatUser, MEMBER_ROLES, redeemInvite, type MemberRole } from "./org/org";
import { logOperatorOnlyRefusal, OPERATOR_ONLY_ROLES } from "./org/enrolment-rules";
import { AppError } from "./errors";
import { postInvestigatorMessage } from "./intake/reports";
import { declineTip, listLeadTips, parseTipAddress, type LeadTip } from "./leads/tips";
import { acknowledgeBatch, BATCH_LINK_MINUTES, batchLinkForPress } from "./leads/batch-cards";
import { CAMPAIGN_COMMANDS, handleCampaignCommand } from "./campaigns/chat";
export { parseTipAddress } from "./leads/tips";

export type PromptPurpose = "decline_reason" | "conclude_amount" | "ask_tipster" | "reassign";

export interface ChatReply {
  /** Short answer shown to the person who pressed (Telegram callback answer, Slack ephemeral). */
  text: string;
  /** Ask for free text: the platform shows a force-reply prompt (Telegram) or a modal (Slack). */
  prompt?: {
    purpose: PromptPurpose;
    leadId: string;
    text: string;
    context?: Record<string, unknown>;
    /**
     * The tips of a clustered lead, when the answer must address one of them: Slack shows a select
     * (its value comes back as context.tipNo); on Telegram the answer starts with "#<no>".
     */
    tipChoices?: { tipNo: number; label: string }[];
  };
  /** The prompt stays open: its answer was not usable (e.g. a question that names no tip). */
  keepPromptOpen?: boolean;
  /** Sent only to the person (Telegram private chat, Slack ephemeral): e.g. the signed case link. */
  privateText?: string;
  /**
   * This press was seen before (a platform retry or a replayed request): its link was already given. The
   * outbox dedupes by the update (Telegram); a direct answer (Slack ephemeral) is not shown again.
   */
  replayed?: boolean;
}

export interface ChatUser {
  platform: Exclude<Platform, "console">;
  userId: string;
  chatId: string;
  /** Platform reference of the press or message (for the log). */
  platformRef?: string | null;
}

// Maps, not object literals: the action comes from the platform, and "constructor" or "__proto__" must
// not find Object.prototype members.
const SIMPLE_COMMANDS = new Map<string, LeadCommand>([
  ["ack", { type: "acknowledge" }],
  ["accept", { type: "accept" }],
  ["investigate", { type: "investigate" }],
  ["unsubstantiated", { type: "conclude", outcome: "unsubstantiated" }],
  ["referred_police", { type: "conclude", outcome: "referred_police" }],
  ["referred_discipline", { type: "conclude", outcome: "referred_discipline" }],
  ["referred_health_commission", { type: "conclude", outcome: "referred_health_commission" }],
]);
const PROMPT_ACTIONS = new Set(["decline", "substantiated", "partly_substantiated", "ask", "reassign"]);

/** True for the actions a lead card's buttons carry (see leadButtons in leads/lead-cards.ts). */
export function isCardAction(action: string): boolean {
  return SIMPLE_COMMANDS.has(action) || PROMPT_ACTIONS.has(action) || action === "open";
}

export const CASE_LINK_MINUTES = 15;

function localeOf(member: MemberRow | null, fallback: Locale): Locale {
  return member && isLocale(member.locale) ? member.locale : fallback;
}

function resultReply(result: CommandResult, locale: Locale, actionLabel: string): ChatReply {
  switch (result.status) {
    case "done":
      return { text: t(locale, "chat.done", { action: actionLabel }) };
    case "duplicate":
      return { text: t(locale, "chat.already") };
    case "unchanged":
      // A concurrent change won: nothing of this one was written; the card shows what happened.
      return { text: t(locale, result.changedMeanwhile ? "chat.changed_meanwhile" : "chat.already") };
    case "refused":
      if (result.reason === "invalid_transition")
        return { text: t(locale, "chat.invalid_transition", { state: result.lead ? t(locale, `chat.lead_state.${result.lead.state}`) : "?" }) };
      if (result.reason === "unknown_lead") return { text: t(locale, "chat.unknown_lead") };
      return { text: t(locale, "chat.not_permitted") };
  }
}

/** Signed, short-lived link to the case page for one member (see src/http/pages/case.tsx). */
export async function caseLinkToken(deps: ServiceDeps, leadId: string, memberId: string, expiresAt: number): Promise<string> {
  const mac = await keyedHash(deps.keys, "case-link", `${leadId}\u0000${memberId}\u0000${expiresAt}`);
  return `${memberId}.${expiresAt}.${mac}`;
}

export async function verifyCaseLinkToken(deps: ServiceDeps, leadId: string, token: string): Promise<string | null> {
  const [memberId, exp, mac] = token.split(".");
  if (!memberId || !exp || !mac) return null;
  const expiresAt = Number(exp);
  if (!Number.isFinite(expiresAt) || expiresAt < deps.now().getTime()) return null;
  const expected = await keyedHash(deps.keys, "case-link", `${leadId}\u0000${memberId}\u0000${expiresAt}`);
  return constantTimeEqual(expected, mac) ? memberId : null;
}

async function caseLink(deps: ServiceDeps, lead: LeadRow, member: MemberRow, expiresAt: number): Promise<string> {
  const base = deps.config.PUBLIC_BASE_URL ?? `http://localhost:${deps.config.PORT}`;
  return `${base.replace(/\/$/, "")}/cases/${encodeURIComponent(lead.id)}?t=${encodeURIComponent(await caseLinkToken(deps, lead.id, member.id, expiresAt))}`;
}

/**
 * Issues the case link for one press, once: the event (keyed by the press) records the link's expiry, so a
 * redelivered press rebuilds the very same link instead of minting a second one.
 */
async function caseLinkForPress(deps: ServiceDeps, actor: MemberActor, lead: LeadRow, updateKey: string): Promise<{ url: string; expiresAt: number; replayed?: true }> {
  const expiresAt = deps.now().getTime() + CASE_LINK_MINUTES * 60_000;
  try {
    await deps.db.insert(events).values(
      eventRow(asActor(actor), { occurredAt: deps.now().getTime(), entityType: "lead", entityId: lead.id, action: "lead.case_link_issued", data: JSON.stringify({ expiresAt }), dedupeKey: updateKey }),
    );
    return { url: await caseLink(deps, lead, actor.member, expiresAt), expiresAt };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  const earlier = await deps.db.query.events.findFirst({ columns: { action: true, entityId: true, actorId: true, data: true }, where: eq(events.dedupeKey, updateKey) });
  const recorded = earlier?.action === "lead.case_link_issued" && earlier.entityId === lead.id && earlier.actorId === actor.member.id ? Number((JSON.parse(earlier.data ?? "{}") as { expiresAt?: unknown }).expiresAt) : NaN;
  const sameExpiry = Number.isSafeInteger(recorded) ? recorded : expiresAt;
  return { url: await caseLink(deps, lead, actor.member, sameExpiry), expiresAt: sameExpiry, replayed: true };
}

/**
 * A button pressed on a lead card. `updateKey` identifies the delivery (update_id, action_ts). Unknown
 * actions are answered with an empty reply and change nothing.
 */
export async function handleCardAction(deps: ServiceDeps, input: { user: ChatUser; action: string; leadId: string; updateKey: string }): Promise<ChatReply> {
  if (input.action === "b-ack" || input.action === "b-open") return handleBatchAction(deps, { ...input, batchId: input.leadId });
  if (!isCardAction(input.action)) return { text: "" };
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member, await chatLocale(deps, input.user));
  if (!member) {
    await logUnknownUser(deps, { platform: input.user.platform, platformUserId: input.user.userId, attempted: input.action, leadId: input.leadId, dedupeKey: input.updateKey });
    return { text: t(locale, "chat.not_enrolled") };
  }
  const actor: MemberActor = { member, platform: input.user.platform, platformRef: input.user.platformRef ?? null };
  const lead = await getLead(deps, input.leadId);
  if (!lead) return { text: t(locale, "chat.unknown_lead") };
  const label = t(locale, `chat.btn.${input.action}`);
  const simple = SIMPLE_COMMANDS.get(input.action);
  if (simple) {
    const result = await runLeadCommand(deps, { leadId: lead.id, command: simple, actor, dedupeKey: input.updateKey });
    if (result.status === "done") deps.notifyOutbox?.();
    return resultReply(result, locale, label);
  }
  if (!mayHandleLead(member, lead)) {
    await logRefusal(deps, asActor(actor), lead.id, input.action, "not_permitted", input.updateKey);
    return { text: t(locale, "chat.not_permitted") };
  }
  switch (input.action) {
    case "decline": {
      const tips = await listLeadTips(deps, lead.id);
      // A clustered lead: the reason reaches every tipster on their own page, or "#n reason" declines one tip only.
      const text = tips.length > 1 ? t(locale, "chat.prompt_decline_clustered", { id: lead.id, count: tips.length, tips: tips.map((tip) => tipLabel(tip, locale)).join("\n") }) : t(locale, "chat.prompt_decline", { id: lead.id });
      return { text: label, prompt: { purpose: "decline_reason", leadId: lead.id, text } };
    }
    case "substantiated":
    case "partly_substantiated":
      return { text: label, prompt: { purpose: "conclude_amount", leadId: lead.id, text: t(locale, "chat.prompt_amount", { id: lead.id }), context: { outcome: input.action } } };
    case "ask": {
      // Each tip of a clustered lead is its own conversation: the question goes to one tipster, chosen here.
      const tips = await listLeadTips(deps, lead.id);
      if (tips.length === 0) return { text: t(locale, "chat.no_tipster") };
      if (tips.length === 1) return { text: label, prompt: { purpose: "ask_tipster", leadId: lead.id, text: t(locale, "chat.prompt_ask", { id: lead.id }), context: { tipNo: 1 } } };
      const tipChoices = tips.map((tip) => ({ tipNo: tip.tipNo, label: tipLabel(tip, locale) }));
      return {
        text: label,
        prompt: {
          purpose: "ask_tipster",
          leadId: lead.id,
          text: t(locale, "chat.prompt_ask_one_of", { id: lead.id, count: tips.length, tips: tipChoices.map((c) => c.label).join("\n") }),
          tipChoices,
        },
      };
    }
    case "reassign":
      return { text: label, prompt: { purpose: "reassign", leadId: lead.id, text: t(locale, "chat.prompt_reassign", { id: lead.id }) } };
    case "open": {
      const { url, replayed } = await caseLinkForPress(deps, actor, lead, input.updateKey);
      return { text: label, privateText: t(locale, "chat.open_link", { id: lead.id, minutes: CASE_LINK_MINUTES, url }), ...(replayed ? { replayed } : {}) };
    }
    default:
      return { text: t(locale, "chat.invalid_transition", { state: t(locale, `chat.lead_state.${lead.state}`) }) };
  }
}

/** A press on a batch card or a batch share: acknowledge the batch for the team, or open its triage page. */
async function handleBatchAction(deps: ServiceDeps, input: { user: ChatUser; action: string; batchId: string; updateKey: string }): Promise<ChatReply> {
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member, await chatLocale(deps, input.user));
  if (!member) {
    await logUnknownUser(deps, { platform: input.user.platform, platformUserId: input.user.userId, attempted: input.action, leadId: input.batchId, dedupeKey: input.updateKey });
    return { text: t(locale, "chat.not_enrolled") };
  }
  const actor: Actor = { type: "member", id: member.id, role: member.role, platform: input.user.platform, platformRef: input.user.platformRef ?? null };
  if (!member.active || member.role === "finance") return { text: t(locale, "chat.not_permitted") };
  if (input.action === "b-open") {
    const link = await batchLinkForPress(deps, { batchId: input.batchId, member, actor, updateKey: input.updateKey });
    if (!link) return { text: t(locale, "batch.unknown") };
    return { text: t(locale, "batch.btn_open"), privateText: t(locale, "batch.open_link", { id: input.batchId, minutes: BATCH_LINK_MINUTES, url: link.url }), ...(link.replayed ? { replayed: true } : {}) };
  }
  const acked = await acknowledgeBatch(deps, { batchId: input.batchId, member, platform: input.user.platform, chatId: input.user.chatId, actor, updateKey: input.updateKey });
  if (acked.status === "done") return { text: t(locale, "batch.acked", { team: acked.team.name }) };
  if (acked.status === "already") return { text: t(locale, "batch.already_acked", { name: acked.by ?? "—" }) };
  if (acked.status === "not_permitted") await logRefusal(deps, actor, input.batchId, input.action, "not_permitted", input.updateKey);
  return { text: t(locale, acked.status === "unknown" ? "batch.unknown" : "chat.not_permitted") };
}

/** Parses "12000", "12,000.50", "1.2万" into fen. */
export function parseAmountFen(text: string): number | null {
  const s = text.trim().replace(/[,，\s]/g, "").replace(/(元|¥|￥|rmb|cny)$/i, "").replace(/^[¥￥]/, "");
  const wan = /^(\d+(?:\.\d+)?)万$/.exec(s);
  const value = wan ? Number(wan[1]) * 10_000 : /^\d+(\.\d{1,2})?$/.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(value) || value < 0) return null;
  return Math.round(value * 100);
}

/** The free-text answer to a prompt: a decline reason, a verified amount, a question for the tipster, or a member to reassign to. */
export async function answerPrompt(
  deps: ServiceDeps,
  input: { user: ChatUser; purpose: PromptPurpose; leadId: string; text: string; context?: Record<string, unknown>; updateKey: string },
): Promise<ChatReply> {
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member, await chatLocale(deps, input.user));
  if (!member) {
    await logUnknownUser(deps, { platform: input.user.platform, platformUserId: input.user.userId, attempted: input.purpose, leadId: input.leadId, dedupeKey: input.updateKey });
    return { text: t(locale, "chat.not_enrolled") };
  }
  const actor: MemberActor = { member, platform: input.user.platform, platformRef: input.user.platformRef ?? null };
  let result: CommandResult;
  switch (input.purpose) {
    case "decline_reason": {
      const addressed = parseTipAddress(input.text);
      if (addressed.tipNo !== null) return declineOneTip(deps, { leadId: input.leadId, tipNo: addressed.tipNo, reason: addressed.body, actor, updateKey: input.updateKey, locale });
      result = await runLeadCommand(deps, { leadId: input.leadId, command: { type: "decline", reason: input.text }, actor, dedupeKey: input.updateKey });
      break;
    }
    case "conclude_amount": {
      const amountFen = parseAmountFen(input.text);
      if (amountFen === null) return { text: t(locale, "chat.amount_invalid") };
      const outcome = (REPORT_OUTCOMES as readonly string[]).includes(String(input.context?.outcome)) ? (input.context!.outcome as ReportOutcome) : "substantiated";
      result = await runLeadCommand(deps, { leadId: input.leadId, command: { type: "conclude", outcome, amountFen }, actor, dedupeKey: input.updateKey });
      break;
    }
    case "ask_tipster":
      return askTipster(deps, { leadId: input.leadId, text: input.text, chosenTip: input.context?.tipNo, actor, updateKey: input.updateKey, locale });
    case "reassign":
      result = await reassignLead(deps, { leadId: input.leadId, toMemberId: input.text.trim(), actor, dedupeKey: input.updateKey });
      break;
  }
  if (result.status === "done") deps.notifyOutbox?.();
  return resultReply(result, locale, t(locale, `chat.btn.${input.purpose === "decline_reason" ? "decline" : input.purpose === "reassign" ? "reassign" : String(input.context?.outcome ?? "substantiated")}`));
}

function tipLabel(tip: Pick<LeadTip, "tipNo" | "addedAt" | "channel">, locale: Locale): string {
  return t(locale, "chat.tip_label", { no: tip.tipNo, time: shanghaiDateTime(new Date(tip.addedAt)), channel: t(locale, `chat.tip_channel.${tip.channel === "api" ? "api" : "web"}`) });
}

/**
 * The question appears on the status page of one tip only: in a clustered lead the asker names the
 * tip (Slack select or "#<no>" on Telegram), and nothing written for one tipster reaches another.
 */
async function askTipster(
  deps: ServiceDeps,
  input: { leadId: string; text: string; chosenTip: unknown; actor: MemberActor; updateKey: string; locale: Locale },
): Promise<ChatReply> {
  const lead = await getLead(deps, input.leadId);
  if (!lead) return { text: t(input.locale, "chat.unknown_lead") };
  if (!mayHandleLead(input.actor.member, lead)) return { text: t(input.locale, "chat.not_permitted") };
  const tips = await listLeadTips(deps, lead.id);
  if (tips.length === 0) return { text: t(input.locale, "chat.no_tipster") };
  const addressed = parseTipAddress(input.text);
  const chosen = typeof input.chosenTip === "number" ? input.chosenTip : typeof input.chosenTip === "string" && /^\d+$/.test(input.chosenTip) ? Number(input.chosenTip) : null;
  const tipNo = addressed.tipNo ?? chosen ?? (tips.length === 1 ? 1 : null);
  const tip = tips.find((x) => x.tipNo === tipNo);
  if (!tip) return { text: t(input.locale, "chat.ask_choose_tip", { count: tips.length }), keepPromptOpen: true };
  const question = addressed.body;
  if (!question) return { text: t(input.locale, "validation.required"), keepPromptOpen: true };
  // The dedupe row first: a redelivered update finds it and asks nothing twice.
  try {
    await deps.db.insert(events).values(
      eventRow(asActor(input.actor), {
        occurredAt: deps.now().getTime(),
        entityType: "lead",
        entityId: lead.id,
        action: "lead.tipster_asked",
        data: JSON.stringify({ reportId: tip.reportId, tipNo: tip.tipNo }),
        dedupeKey: input.updateKey,
      }),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return { text: t(input.locale, "chat.already") };
  }
  await postInvestigatorMessage(deps, { reportId: tip.reportId, body: question, actor: asActor(input.actor) });
  return { text: tips.length > 1 ? t(input.locale, "chat.question_sent_to", { no: tip.tipNo }) : t(input.locale, "chat.question_sent") };
}

/** "#n reason" on a clustered lead: only that tip is not accepted; the lead goes on with the others. */
async function declineOneTip(deps: ServiceDeps, input: { leadId: string; tipNo: number; reason: string; actor: MemberActor; updateKey: string; locale: Locale }): Promise<ChatReply> {
  const lead = await getLead(deps, input.leadId);
  if (!lead) return { text: t(input.locale, "chat.unknown_lead") };
  if (!mayHandleLead(input.actor.member, lead)) {
    await logRefusal(deps, asActor(input.actor), lead.id, "decline_tip", "not_permitted", input.updateKey);
    return { text: t(input.locale, "chat.not_permitted") };
  }
  const tips = await listLeadTips(deps, lead.id);
  const tip = tips.find((x) => x.tipNo === input.tipNo);
  if (!tip) return { text: t(input.locale, "chat.ask_choose_tip", { count: tips.length }), keepPromptOpen: true };
  if (!input.reason) return { text: t(input.locale, "validation.required"), keepPromptOpen: true };
  const result = await declineTip(deps, { leadId: lead.id, tip, reason: input.reason, actor: asActor(input.actor), dedupeKey: input.updateKey });
  if (result.status === "duplicate") return { text: t(input.locale, "chat.already") };
  if (result.status === "closed") return { text: t(input.locale, "chat.tip_closed", { no: tip.tipNo }) };
  return { text: t(input.locale, "chat.tip_declined", { no: tip.tipNo, id: lead.id }) };
}

/** Registers a prompt before it is sent, so the reply can be matched to it (Telegram force-reply). */
/**
 * Asks a member for free text (Telegram force-reply; the answer finds the prompt by the message it
 * replies to). A prompt is about a lead, a campaign assignment, or what its context names (a reward
 * claim); campaign and reward prompts use this too.
 */
export async function createPrompt(
  deps: ServiceDeps,
  input: {
    user: ChatUser;
    memberId: string;
    purpose: string;
    leadId?: string | null;
    assignmentId?: string | null;
    text: string;
    context?: Record<string, unknown>;
    replyToMessageId?: string | null;
    dedupeKey: string;
    /** How long the prompt takes an answer (default a day). */
    ttlMs?: number;
  },
): Promise<string> {
  // Derived from the update: a redelivered press finds its prompt instead of adding an orphan one.
  const id = `prm_${(await keyedHash(deps.keys, "prompt-id", input.dedupeKey)).slice(0, 22)}`;
  const now = deps.now().getTime();
  await deps.db.batch(
    asBatch([
      deps.db.insert(chatPrompts).values({
        id,
        platform: input.user.platform,
        chatId: input.user.chatId,
        memberId: input.memberId,
        leadId: input.leadId ?? null,
        assignmentId: input.assignmentId ?? null,
        purpose: input.purpose,
        context: JSON.stringify(input.context ?? {}),
        createdAt: now,
        expiresAt: now + (input.ttlMs ?? 24 * 3600_000),
      }).onConflictDoNothing(),
      enqueueStatement(
        deps,
        await sealEnqueueInput(deps, {
          dedupeKey: `prompt:${input.dedupeKey}`,
          platform: input.user.platform,
          chatId: input.user.chatId,
          kind: "prompt",
          leadId: input.leadId ?? null,
          payload: { promptId: id, message: { kind: "prompt", text: input.text, ...(input.replyToMessageId ? { replyToMessageId: input.replyToMessageId } : {}) } },
        }),
      ),
    ]),
  );
  deps.notifyOutbox?.();
  return id;
}

/** The open prompt a reply answers (same chat, replying to the prompt's message, by the member it asked). */
export async function findPromptForReply(deps: ServiceDeps, input: { platform: string; chatId: string; replyToMessageId: string }) {
  return (
    (await deps.db.query.chatPrompts.findFirst({
      where: and(
        eq(chatPrompts.platform, input.platform),
        eq(chatPrompts.chatId, input.chatId),
        eq(chatPrompts.messageId, input.replyToMessageId),
        isNull(chatPrompts.answeredAt),
        gt(chatPrompts.expiresAt, deps.now().getTime()),
      ),
      orderBy: desc(chatPrompts.createdAt),
    })) ?? null
  );
}

export async function markPromptAnswered(deps: ServiceDeps, promptId: string) {
  await deps.db.update(chatPrompts).set({ answeredAt: deps.now().getTime() }).where(eq(chatPrompts.id, promptId));
}

async function chatLocale(deps: ServiceDeps, user: ChatUser): Promise<Locale> {
  const team = await deps.db.query.teams.findFirst({ columns: { locale: true }, where: and(eq(teams.platform, user.platform), eq(teams.chatId, user.chatId)) });
  return team && isLocale(team.locale) ? team.locale : deps.config.DEFAULT_LOCALE;
}

function leadLine(lead: LeadRow, locale: Locale) {
  return t(locale, "chat.lead_line", { id: lead.id, type: t(locale, `taxonomy.type.${lead.violationType}`), target: lead.targetName, state: t(locale, `chat.lead_state.${lead.state}`) });
}

/**
 * Who may look at a lead from chat: coordinators any; team leads and inspectors those of their own
 * team (whose cards they already see) or assigned to them; finance none (rewards have their own view).
 */
export function mayViewLead(member: MemberRow, lead: LeadRow): boolean {
  if (!member.active) return false;
  if (member.role === "coordinator") return true;
  if (member.role === "finance") return false;
  return lead.assigneeId === member.id || (member.teamId !== null && member.teamId === lead.teamId);
}

/** A member's read of leads or members, logged like a change (once per delivery of the command). */
async function logRead(deps: ServiceDeps, actor: Actor, e: { entityType: string; entityId: string; action: string; data: Record<string, unknown>; dedupeKey: string }) {
  try {
    await deps.db.insert(events).values(eventRow(actor, { occurredAt: deps.now().getTime(), entityType: e.entityType, entityId: e.entityId, action: e.action, data: JSON.stringify(e.data), dedupeKey: `${e.dedupeKey}:read` }));
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

/** Text commands: /start CODE, /mine, /overdue, /lead ID, /help (Slack: /fundwatch join CODE, …). */
export async function handleCommand(deps: ServiceDeps, input: { user: ChatUser; command: string; args: string[]; updateKey: string; isPrivateChat: boolean }): Promise<ChatReply> {
  const command = input.command.toLowerCase();
  const fallback = await chatLocale(deps, input.user);
  if (command === "start" || command === "join") {
    const code = input.args[0];
    if (!code) return { text: t(fallback, "chat.help") };
    const member = await redeemInvite(deps, { platform: input.user.platform, platformUserId: input.user.userId, code, platformRef: input.user.platformRef ?? undefined, dedupeKey: input.updateKey });
    if (!member) return { text: t(fallback, "chat.invite_invalid") };
    const locale = localeOf(member, fallback);
    return { text: t(locale, "chat.enrolled", { name: member.displayName, role: t(locale, member.role === "contact" ? "campaign.role_contact" : `chat.role.${member.role}`) }) };
  }
  const member = await findMemberByChatUser(deps, input.user.platform, input.user.userId);
  const locale = localeOf(member, fallback);
  if (!member) {
    await logUnknownUser(deps, { platform: input.user.platform, platformUserId: input.user.userId, attempted: `/${command}`, dedupeKey: input.updateKey });
    return { text: t(locale, "chat.not_enrolled") };
  }
  const actor: Actor = { type: "member", id: member.id, role: member.role, platform: input.user.platform, platformRef: input.user.platformRef ?? null };
  // Campaign commands (/campaigns, /board, /nudge, /move, /extend): see services/campaigns/chat.ts.
  if (CAMPAIGN_COMMANDS.has(command)) {
    const reply = await handleCampaignCommand(deps, { user: input.user, member, command, args: input.args, updateKey: input.updateKey });
    return { text: reply.text, ...(reply.privateText ? { privateText: reply.privateText } : {}) };
  }
  switch (command) {
    case "mine": {
      const mine = await listMyLeads(deps, member.id);
      await logRead(deps, actor, { entityType: "member", entityId: member.id, action: "leads.listed", data: { command: "mine", leadIds: mine.map((l) => l.id) }, dedupeKey: input.updateKey });
      return { text: mine.length ? [t(locale, "chat.mine_title", { count: mine.length }), ...mine.map((l) => leadLine(l, locale))].join("\n") : t(locale, "chat.mine_empty") };
    }
    case "overdue": {
      if (member.role !== "coordinator" && member.role !== "team_lead") return { text: t(locale, "chat.not_permitted") };
      let overdue = await listOverdueLeads(deps, deps.now());
      if (member.role === "team_lead") overdue = overdue.filter((l) => l.teamId === member.teamId);
      await logRead(deps, actor, { entityType: "member", entityId: member.id, action: "leads.listed", data: { command: "overdue", leadIds: overdue.map((l) => l.id) }, dedupeKey: input.updateKey });
      return { text: overdue.length ? [t(locale, "chat.overdue_title", { count: overdue.length }), ...overdue.map((l) => leadLine(l, locale))].join("\n") : t(locale, "chat.overdue_empty") };
    }
    case "teams": {
      if (member.role !== "coordinator") return { text: t(locale, "chat.not_permitted") };
      const rows = await deps.db.select().from(teams);
      return { text: rows.map((r) => `${r.name} · ${r.regionCode} · ${r.platform}${r.isCoordinators ? " · ★" : ""}${r.active ? "" : " · (inactive)"}`).join("\n") || "—" };
    }
    case "members": {
      if (member.role !== "coordinator" && member.role !== "team_lead") return { text: t(locale, "chat.not_permitted") };
      let rows = await deps.db.select().from(members);
      if (member.role === "team_lead") rows = rows.filter((m) => m.teamId === member.teamId);
      await logRead(deps, actor, { entityType: "member", entityId: member.id, action: "members.listed", data: { memberIds: rows.map((m) => m.id) }, dedupeKey: input.updateKey });
      return { text: rows.map((m) => `${m.id} · ${m.displayName} · ${t(locale, `chat.role.${m.role}`)}${m.telegramUserId || m.slackUserId ? "" : " · ✉"}`).join("\n") || "—" };
    }
    case "invite": {
      if (member.role !== "coordinator") return { text: t(locale, "chat.not_permitted") };
      const target = input.args[0] ? await deps.db.query.members.findFirst({ where: eq(members.id, input.args[0]) }) : undefined;
      if (!target) return { text: t(locale, "chat.unknown_member") };
      // Finance and coordinators are enrolled by an operator only: otherwise one coordinator holds both reward approvals.
      if (OPERATOR_ONLY_ROLES.has(target.role)) {
        await logOperatorOnlyRefusal(deps, actor, { command: "invite", role: target.role, memberId: target.id, dedupeKey: input.updateKey });
        return { text: t(locale, "chat.operator_only_role") };
      }
      // Keyed by the command: a redelivered /invite yields the same code, not a second one.
      const invited = await createInvite(deps, { memberId: target.id, actor, dedupeKey: input.updateKey }).catch((err: unknown) => {
        if (err instanceof AppError && err.options.details?.reason === "member_bound") return null;
        throw err;
      });
      if (!invited) return { text: t(locale, "chat.invite_member_bound", { name: target.displayName, id: target.id }) };
      const { code, expiresAt } = invited;
      // The code is a credential: it goes to the coordinator privately, never into a group.
      return {
        text: t(locale, "chat.invite_sent_privately"),
        privateText: t(locale, "chat.invite_code", { name: target.displayName, code, expires: expiresAt.toISOString().slice(0, 10) }),
      };
    }
    case "addmember": {
      // /addmember <role> <team-id or -> <name…>
      if (member.role !== "coordinator") return { text: t(locale, "chat.not_permitted") };
      const [role, teamArg, ...nameParts] = input.args;
      if (!role || !(MEMBER_ROLES as readonly string[]).includes(role) || !teamArg || nameParts.length === 0) return { text: t(locale, "chat.addmember_usage") };
      const actor = { type: "member" as const, id: member.id, role: member.role, platform: input.user.platform, platformRef: input.user.platformRef ?? null };
      if (OPERATOR_ONLY_ROLES.has(role)) {
        await logOperatorOnlyRefusal(deps, actor, { command: "addmember", role, dedupeKey: input.updateKey });
        return { text: t(locale, "chat.operator_only_role") };
      }
      const added = await addMember(deps, { displayName: nameParts.join(" "), role: role as MemberRole, teamId: teamArg === "-" ? null : teamArg, actor, dedupeKey: input.updateKey });
      const { code, expiresAt } = await createInvite(deps, { memberId: added.id, actor, dedupeKey: `${input.updateKey}:invite` });
      return {
        text: t(locale, "chat.member_added", { name: added.displayName, id: added.id }),
        privateText: t(locale, "chat.invite_code", { name: added.displayName, code, expires: expiresAt.toISOString().slice(0, 10) }),
      };
    }
    case "deactivate": {
      if (member.role !== "coordinator") return { text: t(locale, "chat.not_permitted") };
      const target = input.args[0]
        ? await deactivateMember(deps, { memberId: input.args[0], actor: { type: "member", id: member.id, role: member.role, platform: input.user.platform, platformRef: input.user.platformRef ?? null }, dedupeKey: input.updateKey })
        : null;
      return { text: target ? t(locale, "chat.member_deactivated", { name: target.displayName }) : t(locale, "chat.unknown_member") };
    }
    case "reassign": {
      const [leadId, toMemberId] = input.args;
      if (!leadId || !toMemberId) return { text: t(locale, "chat.help") };
      const result = await reassignLead(deps, { leadId, toMemberId, actor: { member, platform: input.user.platform, platformRef: input.user.platformRef ?? null }, dedupeKey: input.updateKey });
      if (result.status === "done") deps.notifyOutbox?.();
      return resultReply(result, locale, t(locale, "chat.btn.reassign"));
    }
    case "lead": {
      const lead = input.args[0] ? await getLead(deps, input.args[0]) : null;
      if (!lead) return { text: t(locale, "chat.unknown_lead") };
      // Need to know: a member sees only leads their role allows, and every look is logged.
      if (!mayViewLead(member, lead)) {
        await logRefusal(deps, actor, lead.id, "/lead", "not_permitted", input.updateKey);
        return { text: t(locale, "chat.unknown_lead") };
      }
      await logRead(deps, actor, { entityType: "lead", entityId: lead.id, action: "lead.viewed", data: { command: "lead" }, dedupeKey: input.updateKey });
      return { text: leadLine(lead, locale) };
    }
    default:
      return { text: t(locale, "chat.help") };
  }
}

/**
 * The chat a private message to this person goes to: the private chat with the bot on Telegram (its id is
 * the user id), the app's direct messages on Slack (chat.postMessage accepts a user id as channel).
 */
export function privateChatId(user: ChatUser): string {
  return user.userId;
}

/**
 * Queues the answer to one update through the durable outbox, keyed by the update: a redelivered update
 * queues nothing new, and the answer still arrives after a platform outage. `publicText` goes to the chat the
 * update came from (as a reply to `replyToMessageId`); `reply.privateText` to the person only.
 */
export async function queueReplies(
  deps: ServiceDeps,
  input: { user: ChatUser; updateKey: string; publicText?: string; replyToMessageId?: string | null; privateText?: string },
): Promise<void> {
  const statements: unknown[] = [];
  if (input.publicText)
    statements.push(
      enqueueStatement(
        deps,
        await sealEnqueueInput(deps, {
          dedupeKey: `reply:${input.updateKey}`,
          platform: input.user.platform,
          chatId: input.user.chatId,
          kind: "text",
          payload: { message: { kind: "text", text: input.publicText, ...(input.replyToMessageId ? { replyToMessageId: input.replyToMessageId } : {}) } },
        }),
      ),
    );
  if (input.privateText)
    statements.push(
      // Invite codes and case links are credentials: sealed at rest like every payload.
      enqueueStatement(
        deps,
        await sealEnqueueInput(deps, {
          dedupeKey: `private:${input.updateKey}`,
          platform: input.user.platform,
          chatId: privateChatId(input.user),
          kind: "text",
          payload: { message: { kind: "text", text: input.privateText } },
        }),
      ),
    );
  if (statements.length === 0) return;
  await deps.db.batch(asBatch(statements));
  deps.notifyOutbox?.();
}
