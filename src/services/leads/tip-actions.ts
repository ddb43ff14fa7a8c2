// Acting on one tip of a lead — asking its tipster a question, declining it alone — with the access
// check and the event, for chat prompts and workspace pages alike. In a clustered lead each tip is its
// own conversation: nothing written for one tipster reaches another.
import { events } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { eventRow, isUniqueViolation } from "../events";
import { postInvestigatorMessage } from "../intake/investigator-actions";
import { asActor, mayHandleLead, type MemberActor } from "./lead-model";
import { getLead } from "./reads";
import { logRefusal } from "./refusals";
import { declineTip, listLeadTips } from "./tips";

/** Why a tip action was not taken, or that it was (tipNo: the tip it went to; tipCount: the lead's tips). */
export type TipActionResult =
  | { status: "done"; tipNo: number; tipCount: number }
  | { status: "duplicate" }
  | { status: "unknown_lead" }
  | { status: "not_permitted" }
  | { status: "no_tipster" }
  /** No tip by that number (or none named on a clustered lead): the asker must pick one of `count`. */
  | { status: "choose_tip"; count: number }
  /** The question or reason is empty. */
  | { status: "empty" }
  /** The tip is closed already (declining it changes nothing). */
  | { status: "closed"; tipNo: number };

/**
 * Puts a question on the status page of one tip (`tipNo`; null picks the only tip of a single-tip
 * lead). `dedupeKey` makes a redelivered update or a resubmitted form ask once.
 */
export async function askTipster(
  deps: ServiceDeps,
  input: { leadId: string; tipNo: number | null; question: string; actor: MemberActor; dedupeKey: string },
): Promise<TipActionResult> {
  const lead = await getLead(deps, input.leadId);
  if (!lead) return { status: "unknown_lead" };
  if (!mayHandleLead(input.actor.member, lead)) return { status: "not_permitted" };
  const tips = await listLeadTips(deps, lead.id);
  if (tips.length === 0) return { status: "no_tipster" };
  const tipNo = input.tipNo ?? (tips.length === 1 ? 1 : null);
  const tip = tips.find((x) => x.tipNo === tipNo);
  if (!tip) return { status: "choose_tip", count: tips.length };
  const question = input.question.trim();
  if (!question) return { status: "empty" };
  // The dedupe row first: a redelivered update finds it and asks nothing twice.
  try {
    await deps.db.insert(events).values(
      eventRow(asActor(input.actor), {
        occurredAt: deps.now().getTime(),
        entityType: "lead",
        entityId: lead.id,
        action: "lead.tipster_asked",
        data: JSON.stringify({ reportId: tip.reportId, tipNo: tip.tipNo }),
        dedupeKey: input.dedupeKey,
      }),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return { status: "duplicate" };
  }
  await postInvestigatorMessage(deps, { reportId: tip.reportId, body: question, actor: asActor(input.actor) });
  return { status: "done", tipNo: tip.tipNo, tipCount: tips.length };
}

/** Declines one tip of a lead with its own reason: that tip is not accepted; the lead goes on with the others. */
export async function declineOneTip(
  deps: ServiceDeps,
  input: { leadId: string; tipNo: number; reason: string; actor: MemberActor; dedupeKey: string },
): Promise<TipActionResult> {
  const lead = await getLead(deps, input.leadId);
  if (!lead) return { status: "unknown_lead" };
  if (!mayHandleLead(input.actor.member, lead)) {
    await logRefusal(deps, asActor(input.actor), lead.id, "decline_tip", "not_permitted", input.dedupeKey);
    return { status: "not_permitted" };
  }
  const tips = await listLeadTips(deps, lead.id);
  const tip = tips.find((x) => x.tipNo === input.tipNo);
  if (!tip) return { status: "choose_tip", count: tips.length };
  const reason = input.reason.trim();
  if (!reason) return { status: "empty" };
  const result = await declineTip(deps, { leadId: lead.id, tip, reason, actor: asActor(input.actor), dedupeKey: input.dedupeKey });
  if (result.status === "duplicate") return { status: "duplicate" };
  if (result.status === "closed") return { status: "closed", tipNo: tip.tipNo };
  return { status: "done", tipNo: tip.tipNo, tipCount: tips.length };
}
