// A lead step from the workspace (POST /staff/leads/<lead-id>/actions): the form is read with zod and
// handed to the use case chat calls for the same step — runLeadCommand (acknowledge, accept,
// investigate, decline, conclude, refer), reassignLead, askTipster, declineOneTip — with the actor
// {member, platform "web", the session} and the form's `key` as dedupe key; the same checks, the same
// events, the same card refresh. The answer is a 303 back to the lead with what came of it in words.
import { Hono } from "hono";
import { z } from "zod";
import { MEASURES } from "../../../core/measures";
import { parseYuanText } from "../../../core/money";
import type { LeadCommand } from "../../../core/lead-lifecycle";
import { authoriseLeadForMember } from "../../../services/cases/lead-view";
import { runLeadCommand, type CommandResult } from "../../../services/leads/commands";
import type { MemberActor } from "../../../services/leads/lead-model";
import { reassignLead } from "../../../services/leads/reassign";
import { askTipster, declineOneTip, type TipActionResult } from "../../../services/leads/tip-actions";
import { readForm } from "../../body";
import type { AppContext, AppEnv } from "../../context";
import { orRefusal } from "./lead-page";
import type { NoticeCode } from "./lead-notices";
import { staffOf } from "./session";

const key = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
const text = z.string().max(2000).default("");
const tipNo = z
  .string()
  .regex(/^\d{0,4}$/)
  .optional()
  .transform((s) => (s ? Number(s) : null));

const actionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("acknowledge"), key }),
  z.object({ action: z.literal("accept"), key }),
  z.object({ action: z.literal("investigate"), key }),
  z.object({ action: z.literal("decline"), key, reason: text, tip: tipNo }),
  z.object({
    action: z.literal("conclude"),
    key,
    outcome: z.enum(["substantiated", "partly_substantiated", "unsubstantiated"]),
    amount: z.string().max(40).default(""),
    recovered: z.string().max(40).default(""),
    fine: z.string().max(40).default(""),
    // One checkbox per measure (`measure_<code>`): a form field holds one value.
    ...Object.fromEntries(MEASURES.map((m) => [`measure_${m}`, z.literal("on").optional()])),
  }),
  z.object({ action: z.literal("refer"), key, to: z.enum(["referred_police", "referred_discipline", "referred_health_commission"]) }),
  z.object({ action: z.literal("ask"), key, question: text, tip: tipNo }),
  z.object({ action: z.literal("reassign"), key, to: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
]);
type LeadAction = z.infer<typeof actionSchema>;

type Outcome = { notice: NoticeCode; n?: number; done?: boolean };

function commandOutcome(result: CommandResult, action: LeadAction["action"]): Outcome {
  switch (result.status) {
    case "done":
      return { notice: `done_${action}` as NoticeCode, done: true };
    case "duplicate":
      return { notice: "duplicate" };
    case "unchanged":
      return { notice: result.changedMeanwhile ? "changed_meanwhile" : "unchanged" };
    case "refused":
      if (result.reason === "not_permitted") return { notice: action === "reassign" ? "not_permitted_reassign" : "not_permitted" };
      // planReassign answers a target that is not an active member of a team this way.
      if (result.reason === "invalid_transition") return { notice: action === "reassign" ? "reassign_target" : "invalid_transition" };
      if (result.reason === "unknown_lead") return { notice: "invalid_form" };
      return { notice: result.reason };
  }
}

function tipOutcome(result: TipActionResult, done: NoticeCode, empty: NoticeCode): Outcome {
  switch (result.status) {
    case "done":
      return { notice: done, n: result.tipNo, done: true };
    case "closed":
      return { notice: "tip_closed", n: result.tipNo };
    case "empty":
      return { notice: empty };
    case "unknown_lead":
      return { notice: "invalid_form" };
    default:
      return { notice: result.status };
  }
}

/** An optional amount field: null when empty, fen, or why it is not an amount. */
function optionalAmount(raw: string): number | null | NoticeCode {
  if (!raw.trim()) return null;
  const parsed = parseYuanText(raw);
  if (!parsed.ok) return parsed.reason === "amount_too_large" ? "amount_too_large" : "amount_invalid";
  return parsed.fen;
}

/** The conclusion a form asks for, or why it cannot be one (an amount that is not one). */
function conclusion(form: Extract<LeadAction, { action: "conclude" }>): LeadCommand | NoticeCode {
  const ticked = form as Record<string, unknown>;
  const measures = MEASURES.filter((m) => ticked[`measure_${m}`] === "on");
  // An unsubstantiated outcome ignores a verified amount typed anyway (as before), but not recovered or fine: the use case refuses those in words.
  const amountFen = form.outcome === "unsubstantiated" ? null : optionalAmount(form.amount);
  const recoveredFen = optionalAmount(form.recovered);
  const fineFen = optionalAmount(form.fine);
  for (const v of [amountFen, recoveredFen, fineFen]) if (typeof v === "string") return v;
  return { type: "conclude", outcome: form.outcome, amountFen: amountFen as number | null, recoveredFen: recoveredFen as number | null, fineFen: fineFen as number | null, measures };
}

async function runAction(c: AppContext, leadId: string, form: LeadAction, actor: MemberActor): Promise<Outcome> {
  const deps = c.var.deps;
  const dedupeKey = `web:${actor.platformRef}:${form.key}`;
  const command = (cmd: LeadCommand) => runLeadCommand(deps, { leadId, command: cmd, actor, dedupeKey });
  switch (form.action) {
    case "acknowledge":
      return commandOutcome(await command({ type: "acknowledge" }), form.action);
    case "accept":
      return commandOutcome(await command({ type: "accept" }), form.action);
    case "investigate":
      return commandOutcome(await command({ type: "investigate" }), form.action);
    case "decline":
      // A tip named: only that tipster's report is not accepted (chat's "#n reason").
      if (form.tip !== null) return tipOutcome(await declineOneTip(deps, { leadId, tipNo: form.tip, reason: form.reason, actor, dedupeKey }), "done_decline_tip", "reason_required");
      return commandOutcome(await command({ type: "decline", reason: form.reason }), form.action);
    case "conclude": {
      const cmd = conclusion(form);
      return typeof cmd === "string" ? { notice: cmd } : commandOutcome(await command(cmd), form.action);
    }
    case "refer":
      return commandOutcome(await command({ type: "conclude", outcome: form.to, amountFen: null }), form.action);
    case "ask":
      return tipOutcome(await askTipster(deps, { leadId, tipNo: form.tip, question: form.question, actor, dedupeKey }), "done_ask", "question_required");
    case "reassign":
      return commandOutcome(await reassignLead(deps, { leadId, toMemberId: form.to, actor, dedupeKey }), form.action);
  }
}

export function createLeadActionRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.post("/:leadId/actions", (c) =>
    orRefusal(c, async () => {
      const { member, sessionId } = staffOf(c);
      // Need to know first: a lead the member may not handle is not found, whatever the form says.
      const { lead } = await authoriseLeadForMember(c.var.deps, { member, leadId: c.req.param("leadId"), sessionId, attempted: "web_action" });
      const parsed = actionSchema.safeParse({ ...(await readForm(c)).fields });
      const outcome = parsed.success ? await runAction(c, lead.id, parsed.data, { member, platform: "web", platformRef: sessionId }) : { notice: "invalid_form" as const };
      // The card refresh is in the outbox with the change: wake the delivery loop, as chat does.
      if (outcome.done) c.var.deps.notifyOutbox?.();
      const q = new URLSearchParams({ notice: outcome.notice, ...(outcome.n !== undefined ? { n: String(outcome.n) } : {}) });
      return c.redirect(`/staff/leads/${encodeURIComponent(lead.id)}?${q}`, 303);
    }),
  );
  return routes;
}
