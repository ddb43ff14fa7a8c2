// The lead card as posted to a team's chat, rendered from the lead's current state in the team's
// language. It never carries the tipster's identity or contact: only a scrubbed excerpt.
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import { amountBand } from "../../core/amount-band";
import { formatMoney } from "../../core/money";
import type { LeadState } from "../../core/lead-lifecycle";
import type { Locale } from "../../core/report-input";
import { regionDisplayName } from "../../core/regions";
import { shanghaiDateTime } from "../../core/time";
import { chatCards, chatPrompts, reportMessages, reports, teams, type LeadRow } from "../../db/schema";
import type { ReporterIdentity } from "../../core/report-input";
import { excerpt, knownIdentityOf, scrubText } from "../../core/scrub";
import { decryptText } from "../../security/cipher";
import type { ChatButton, ChatCard, OutgoingMessage, Platform } from "../../chat/types";
import { isLocale, t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { parseJsonList } from "../events";
import { currentOrg } from "../org/org-cache";
import { conclusionFields } from "./conclusion-fields";
import { cardMessageFor, decryptLeadSummary, getLead } from "./reads";
import { tipNumberOf } from "./tips";
import { enqueueStatement, type OutboxRenderer } from "../delivery/outbox";
import { batchCardRenderer } from "./batch-cards";
import { countReplyFiles, renderEvidenceNotice } from "./evidence-notices";

/** Buttons offered in each state; the card always shows only what can be done next. */
export function leadButtons(lead: Pick<LeadRow, "id" | "state">, locale: Locale): ChatButton[][] {
  const b = (action: string, style?: "primary" | "danger"): ChatButton => ({ action, leadId: lead.id, label: t(locale, `chat.btn.${action}`), ...(style ? { style } : {}) });
  const state = lead.state as LeadState;
  const rows: ChatButton[][] = [];
  if (state === "new") rows.push([b("ack", "primary"), b("accept"), b("decline", "danger")]);
  if (state === "acknowledged") rows.push([b("accept", "primary"), b("decline", "danger")]);
  if (state === "accepted") rows.push([b("investigate", "primary")]);
  if (state === "accepted" || state === "investigating") {
    rows.push([b("substantiated"), b("partly_substantiated"), b("unsubstantiated")]);
    rows.push([b("referred_police"), b("referred_discipline"), b("referred_health_commission")]);
  }
  if (state !== "concluded" && state !== "not_accepted") rows.push([b("ask"), b("open"), b("reassign")]);
  else rows.push([b("open")]);
  return rows;
}

export async function renderLeadCard(deps: ServiceDeps, lead: LeadRow, locale: Locale): Promise<ChatCard> {
  const assignee = lead.assigneeId ? (await currentOrg(deps)).memberById.get(lead.assigneeId) : undefined;
  const when = (ms: number) => `${shanghaiDateTime(new Date(ms))}`;
  const fields: ChatCard["fields"] = [
    { label: t(locale, "chat.state"), value: t(locale, `chat.lead_state.${lead.state}`) + (lead.outcome ? ` · ${t(locale, `report_outcome.${lead.outcome}`)}` : "") },
    { label: t(locale, "chat.source"), value: t(locale, `chat.lead_source.${lead.source}`) },
    { label: t(locale, "chat.region"), value: regionDisplayName(lead.regionCode, locale) || lead.regionCode },
    { label: t(locale, "chat.target"), value: lead.targetName },
    { label: t(locale, "chat.period"), value: [lead.occurredFrom, lead.occurredTo].filter(Boolean).join(" – ") || "—" },
    { label: t(locale, "chat.amount_band"), value: t(locale, `chat.amount_band_value.${amountBand(lead.amountEstimateFen)}`) },
    { label: t(locale, "chat.corroboration"), value: t(locale, "chat.corroboration_value", { count: lead.corroborationCount }) },
    { label: t(locale, "chat.assignee"), value: assignee?.displayName ?? t(locale, "chat.unassigned") },
  ];
  const focus = parseJsonList(lead.focusAreas);
  if (focus.length) fields.push({ label: t(locale, "chat.focus"), value: focus.map((f) => t(locale, `taxonomy.focus.${f}`)).join(locale === "en" ? ", " : "、") });
  const items = parseJsonList(lead.focusItems);
  if (items.length) fields.push({ label: t(locale, "chat.focus_items"), value: items.join("、") });
  if (lead.substantiatedAmountFen !== null) fields.push({ label: t(locale, "chat.amount_substantiated"), value: formatMoney(lead.substantiatedAmountFen, locale) });
  for (const row of conclusionFields(lead, locale)) fields.push({ label: row.label, value: row.value });
  if (lead.state === "new") fields.push({ label: t(locale, "chat.ack_by"), value: when(lead.ackBy) });
  if (lead.state === "new" || lead.state === "acknowledged") fields.push({ label: t(locale, "chat.accept_by"), value: when(lead.acceptBy) });
  if (lead.state !== "concluded" && lead.state !== "not_accepted") fields.push({ label: t(locale, "chat.finish_by"), value: when(lead.finishBy) });
  return {
    title: t(locale, "chat.card_title", { id: lead.id, type: t(locale, `taxonomy.type.${lead.violationType}`) }),
    fields,
    body: await decryptLeadSummary(deps, lead),
    buttons: leadButtons(lead, locale),
    footer: t(locale, "chat.footer"),
  };
}

export async function teamLocaleForChat(deps: ServiceDeps, platform: string, chatId: string): Promise<Locale> {
  const team = await deps.db.query.teams.findFirst({ columns: { locale: true }, where: and(eq(teams.platform, platform), eq(teams.chatId, chatId)) });
  return team && isLocale(team.locale) ? team.locale : deps.config.DEFAULT_LOCALE;
}

/** How the outbox renders cards and records where they went. */
export function createOutboxRenderer(deps: ServiceDeps): OutboxRenderer {
  return {
    async card(leadId, platform, chatId): Promise<OutgoingMessage | null> {
      const lead = await getLead(deps, leadId);
      if (!lead) return null;
      return { kind: "card", card: await renderLeadCard(deps, lead, await teamLocaleForChat(deps, platform, chatId)) };
    },
    async cardMessageId(leadId, platform, chatId) {
      const row = await deps.db.query.chatCards.findFirst({ where: and(eq(chatCards.leadId, leadId), eq(chatCards.platform, platform), eq(chatCards.chatId, chatId)) });
      return row?.messageId ?? null;
    },
    async cardSent(leadId, platform: Platform, chatId, messageId) {
      const now = deps.now().getTime();
      const lead = await getLead(deps, leadId);
      await deps.db
        .insert(chatCards)
        .values({ leadId, platform, chatId, messageId, version: lead?.version ?? 1, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: [chatCards.leadId, chatCards.platform, chatCards.chatId], set: { messageId, updatedAt: now } });
    },
    async promptSent(promptId, messageId) {
      await deps.db.update(chatPrompts).set({ messageId }).where(eq(chatPrompts.id, promptId));
    },
    async digest(digest, platform, chatId) {
      const { evidenceSince } = digest;
      if (evidenceSince === undefined) return renderTipsterDigest(deps, digest, platform, chatId);
      const [locale, card] = await Promise.all([teamLocaleForChat(deps, platform, chatId), cardMessageFor(deps, digest.leadId, platform, chatId)]);
      return renderEvidenceNotice(deps, { ...digest, evidenceSince }, locale, card);
    },
    ...batchCardRenderer(deps),
    async digestSent(digest, relayed, platform, chatId) {
      const [more] = await deps.db.batch([
        deps.db.update(reportMessages).set({ relayedAt: deps.now().getTime() }).where(inJsonArray(reportMessages.id, relayed)),
        deps.db
          .select({ id: reportMessages.id })
          .from(reportMessages)
          .where(and(eq(reportMessages.reportId, digest.reportId), eq(reportMessages.authorType, "reporter"), isNull(reportMessages.relayedAt)))
          .limit(1),
      ]).then(([, rest]) => rest);
      // A digest carries at most DIGEST_MAX_REPLIES: the rest go in the next one, right behind it.
      if (more)
        await deps.db.batch([
          enqueueStatement(deps, {
            dedupeKey: `tipster-digest-more:${relayed.at(-1)}`,
            coalesceKey: tipsterDigestKey(digest.reportId, platform, chatId),
            platform,
            chatId,
            kind: "digest",
            leadId: digest.leadId,
            payload: { digest },
          }),
        ]);
    },
  };
}

/** One pending digest per report and chat: replies that arrive while it waits join it. */
export const tipsterDigestKey = (reportId: string, platform: string, chatId: string) => `tipster-digest:${reportId}:${platform}:${chatId}`;

/** At most this many replies in one digest (quotas keep a receipt far below it). */
const DIGEST_MAX_REPLIES = 20;
/** Telegram allows 4096 characters a message: the replies share this budget. */
const DIGEST_TEXT_BUDGET = 3300;

/**
 * A tipster's replies not relayed yet, as one message to the lead's thread: scrubbed with the known
 * identity and patterns, labelled with the tip's number. Null when a digest before it took them all.
 */
export async function renderTipsterDigest(
  deps: ServiceDeps,
  digest: { reportId: string; leadId: string },
  platform: Platform,
  chatId: string,
): Promise<{ message: OutgoingMessage; relayed: string[] } | null> {
  const pending = await deps.db
    .select({ id: reportMessages.id, bodyEnc: reportMessages.bodyEnc })
    .from(reportMessages)
    .where(and(eq(reportMessages.reportId, digest.reportId), eq(reportMessages.authorType, "reporter"), isNull(reportMessages.relayedAt)))
    .orderBy(asc(reportMessages.createdAt), asc(sql`rowid`))
    .limit(DIGEST_MAX_REPLIES);
  if (pending.length === 0) return null;
  const report = await deps.db.query.reports.findFirst({ columns: { reporterEnc: true }, where: eq(reports.id, digest.reportId) });
  const identity = report?.reporterEnc ? (JSON.parse(await decryptText(deps.keys, report.reporterEnc, `report:${digest.reportId}:reporter`)) as ReporterIdentity) : null;
  const known = knownIdentityOf(identity);
  const each = pending.length === 1 ? 1000 : Math.max(80, Math.floor(DIGEST_TEXT_BUDGET / pending.length));
  const texts = await Promise.all(pending.map(async (m) => excerpt(scrubText(await decryptText(deps.keys, m.bodyEnc, `message:${m.id}:body`), known), each)));
  const [locale, tip, card] = await Promise.all([teamLocaleForChat(deps, platform, chatId), tipNumberOf(deps, digest.leadId, digest.reportId), cardMessageFor(deps, digest.leadId, platform, chatId)]);
  // Files sent with the replies are counted, never named (leads/evidence-notices.ts tells of files sent on their own).
  const files = await countReplyFiles(deps, digest.reportId, pending.map((m) => m.id));
  const text =
    (texts.length === 1
      ? t(locale, "chat.tipster_replied", { id: digest.leadId, tip, text: texts[0]! })
      : t(locale, "chat.tipster_replied_digest", { id: digest.leadId, tip, count: texts.length, text: texts.map((x) => `• ${x}`).join("\n") })) +
    (files ? `\n${t(locale, files === 1 ? "evidence_notice.with_reply_one" : "evidence_notice.with_reply_many", { count: files })}` : "");
  return { message: { kind: "text", text, ...(card ? { replyToMessageId: card } : {}) }, relayed: pending.map((m) => m.id) };
}

