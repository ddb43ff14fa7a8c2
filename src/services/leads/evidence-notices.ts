// When a tipster adds evidence, the lead's thread hears of it as it hears of replies: one notice queued
// in the submission's own batch (so a repeated submission queues none), coalesced while it waits, and
// rendered at delivery as a count — never a file name, never who the tipster is.
import { and, count, eq, gte, isNull } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import type { Locale } from "../../core/report-input";
import type { OutgoingMessage, Platform } from "../../chat/types";
import { leadReports, reportAttachments } from "../../db/schema";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { enqueueStatement } from "../delivery/outbox";
import { currentOrg } from "../org/org-cache";
import { getLead } from "./reads";
import { tipNumberOf } from "./tips";

/** One pending evidence notice per report and chat: uploads that arrive while it waits are counted in it. */
export const evidenceNoticeKey = (reportId: string, platform: string, chatId: string) => `tipster-evidence:${reportId}:${platform}:${chatId}`;

/**
 * The notice for the caller's batch (empty when the tip is on no routed lead). `submissionKey` names
 * this submission (its first attachment id), so a redelivered row is dropped on its dedupe key; `since`
 * is the submission's time: the notice counts the evidence added from then until it is sent.
 */
export async function evidenceNoticeStatements(deps: ServiceDeps, input: { reportId: string; submissionKey: string; since: number }): Promise<unknown[]> {
  const link = await deps.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, input.reportId) });
  const lead = link ? await getLead(deps, link.leadId) : null;
  const team = lead?.teamId ? (await currentOrg(deps)).teamById.get(lead.teamId) : undefined;
  if (!lead || !team) return [];
  return [
    enqueueStatement(deps, {
      dedupeKey: `tipster-evidence:${input.submissionKey}`,
      coalesceKey: evidenceNoticeKey(input.reportId, team.platform, team.chatId),
      platform: team.platform as Platform,
      chatId: team.chatId,
      kind: "digest",
      leadId: lead.id,
      // No file names, no count even: both are read at delivery, so later uploads join this notice.
      payload: { digest: { reportId: input.reportId, leadId: lead.id, evidenceSince: input.since } },
    }),
  ];
}

/**
 * "Tip #2 on lead …: the tipster added 3 files", in the thread of the lead's card. Counts the files the
 * tipster added on their own (not with a reply: the reply digest carries those) since the notice was
 * queued. Null when there is nothing to tell.
 */
export async function renderEvidenceNotice(
  deps: ServiceDeps,
  digest: { reportId: string; leadId: string; evidenceSince: number },
  locale: Locale,
  cardMessageId: string | null,
): Promise<{ message: OutgoingMessage; relayed: string[] } | null> {
  const [[row], tip] = await Promise.all([
    deps.db
      .select({ n: count() })
      .from(reportAttachments)
      .where(
        and(
          eq(reportAttachments.reportId, digest.reportId),
          eq(reportAttachments.uploadedBy, "reporter"),
          isNull(reportAttachments.messageId),
          gte(reportAttachments.createdAt, digest.evidenceSince),
        ),
      ),
    tipNumberOf(deps, digest.leadId, digest.reportId),
  ]);
  const files = row?.n ?? 0;
  if (files === 0) return null;
  const text = t(locale, files === 1 ? "evidence_notice.one" : "evidence_notice.many", { id: digest.leadId, tip, count: files });
  return { message: { kind: "text", text, ...(cardMessageId ? { replyToMessageId: cardMessageId } : {}) }, relayed: [] };
}

/** How many files came with these replies (the reply digest says so, without names). */
export async function countReplyFiles(deps: ServiceDeps, reportId: string, messageIds: string[]): Promise<number> {
  if (messageIds.length === 0) return 0;
  const [row] = await deps.db
    .select({ n: count() })
    .from(reportAttachments)
    .where(and(eq(reportAttachments.reportId, reportId), inJsonArray(reportAttachments.messageId, messageIds)));
  return row?.n ?? 0;
}
