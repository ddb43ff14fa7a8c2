// Lead reads: one lead, a member's open leads (`/mine`), overdue leads (`/overdue`), the decrypted
// summary and where a lead's card sits in a chat.
import { and, asc, eq, inArray, lt, or } from "drizzle-orm";
import { chatCards, leads, type LeadRow } from "../../db/schema";
import { decryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { OPEN_LEAD_STATES } from "./lead-model";

export async function getLead(deps: ServiceDeps, leadId: string): Promise<LeadRow | null> {
  return (await deps.db.query.leads.findFirst({ where: eq(leads.id, leadId) })) ?? null;
}

/** Leads assigned to a member that are still open, oldest first. */
export async function listMyLeads(deps: ServiceDeps, memberId: string): Promise<LeadRow[]> {
  return deps.db
    .select()
    .from(leads)
    .where(and(eq(leads.assigneeId, memberId), inArray(leads.state, OPEN_LEAD_STATES)))
    .orderBy(asc(leads.receivedAt));
}

/** Open leads past any of their deadlines at `now`. */
export async function listOverdueLeads(deps: ServiceDeps, now: Date): Promise<LeadRow[]> {
  const t = now.getTime();
  return deps.db
    .select()
    .from(leads)
    .where(
      and(
        inArray(leads.state, OPEN_LEAD_STATES),
        or(and(eq(leads.state, "new"), lt(leads.ackBy, t)), and(inArray(leads.state, ["new", "acknowledged"]), lt(leads.acceptBy, t)), lt(leads.finishBy, t)),
      ),
    )
    .orderBy(asc(leads.ackBy));
}

export async function decryptLeadSummary(deps: ServiceDeps, lead: LeadRow): Promise<string> {
  return decryptText(deps.keys, lead.summaryEnc, `lead:${lead.id}:summary`);
}

export async function cardMessageFor(deps: ServiceDeps, leadId: string, platform: string, chatId: string): Promise<string | null> {
  const row = await deps.db.query.chatCards.findFirst({ where: and(eq(chatCards.leadId, leadId), eq(chatCards.platform, platform), eq(chatCards.chatId, chatId)) });
  return row?.messageId ?? null;
}
