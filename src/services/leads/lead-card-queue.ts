// What a lead change queues for the team's chat: the card refresh (coalesced per card and chat) and
// the digest of a tipster's replies.
import { eq } from "drizzle-orm";
import type { Platform } from "../../chat/types";
import { leadReports, type TeamRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { cardCoalesceKey, enqueueStatement } from "../delivery/outbox";
import { currentOrg } from "../org/org-cache";
import { getLead } from "./reads";

/**
 * The card refresh for a lead change. At most one card row per card and chat is pending: later
 * changes coalesce into it (the card is rendered from current state when it goes), so a burst of
 * corroborations costs one edit, and a first post that has not gone yet stays a single post.
 */
export function cardEnqueue(deps: ServiceDeps, lead: { id: string; version: number }, team: TeamRow | undefined) {
  if (!team) return [];
  return [
    enqueueStatement(deps, {
      dedupeKey: `card:${lead.id}:${team.platform}:${team.chatId}:v${lead.version}`,
      coalesceKey: cardCoalesceKey(lead.id, team.platform, team.chatId),
      platform: team.platform as Platform,
      chatId: team.chatId,
      kind: "card",
      leadId: lead.id,
      payload: { leadId: lead.id },
    }),
  ];
}

/**
 * When a tipster writes (typically answering "Ask the tipster"), the team sees it in the lead's thread,
 * scrubbed of identity and contact, labelled with the tip's number. Replies that arrive while one is
 * waiting to go join it as one digest (one pending row per report and chat, rendered at delivery from
 * the replies not relayed yet; see lead-cards.ts), so a burst from one receipt is one post, not forty.
 */
export async function tipsterReplyStatements(deps: ServiceDeps, input: { reportId: string; messageId: string }): Promise<unknown[]> {
  const link = await deps.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, input.reportId) });
  const lead = link ? await getLead(deps, link.leadId) : null;
  const team = lead?.teamId ? (await currentOrg(deps)).teamById.get(lead.teamId) : undefined;
  if (!lead || !team) return [];
  return [
    enqueueStatement(deps, {
      dedupeKey: `tipster-reply:${input.messageId}`,
      coalesceKey: `tipster-digest:${input.reportId}:${team.platform}:${team.chatId}`, // tipsterDigestKey (lead-cards.ts)
      platform: team.platform as Platform,
      chatId: team.chatId,
      kind: "digest",
      leadId: lead.id,
      // No text here: the digest is rendered (and scrubbed) from the encrypted messages when it goes.
      payload: { digest: { reportId: input.reportId, leadId: lead.id } },
    }),
  ];
}
