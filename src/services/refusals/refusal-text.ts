// One way to say "no" to a person: a refusal (its code and what it was about) in words, in their
// language, naming who can do it instead (from the org cache). Used by chat replies, pages and the CLI.
import type { Locale } from "../../core/report-input";
import type { MemberRow } from "../../db/schema";
import { t } from "../../i18n";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { memberName, namesOf } from "../org/member-names";
import { currentOrg, type OrgSnapshot } from "../org/org-cache";
import type { Refusal } from "./refusal";

export type { Refusal, RefusalScope } from "./refusal";

const CLOSED_LEAD = new Set(["concluded", "not_accepted"]);
const CLOSED_CLAIM = new Set(["paid", "expired", "excluded"]);

type Keep = (m: MemberRow) => boolean;
const coordinators: Keep = (m) => m.role === "coordinator";
const finance: Keep = (m) => m.role === "finance";

/** Sentences one after the other: a space in English, none in Chinese. */
const joinSentences = (locale: Locale, ...sentences: string[]) => sentences.join(locale === "en" ? " " : "");

/** The sentence, then who to ask (or, when nobody holds that role, that an operator must enrol one). */
function withWho(org: OrgSnapshot, locale: Locale, sentence: string, keep: Keep, actorId: string | undefined): string {
  const who = namesOf(org, (m) => m.id !== actorId && keep(m), locale);
  return joinSentences(locale, sentence, who ? t(locale, "refusal.ask_one_of", { who }) : t(locale, "refusal.nobody_to_ask"));
}

function leadText(org: OrgSnapshot, locale: Locale, r: Refusal): string {
  const lead = r.lead;
  const id = lead?.id ?? r.leadId ?? "";
  const state = lead ? t(locale, `chat.lead_state.${lead.state}`) : "";
  switch (r.code) {
    case "not_permitted": {
      if (r.action === "reassign") {
        const keep: Keep = (m) => coordinators(m) || (m.role === "team_lead" && !!lead?.teamId && m.teamId === lead.teamId);
        return withWho(org, locale, t(locale, "refusal.lead.reassign_not_permitted", { id }), keep, r.actorId);
      }
      const keep: Keep = (m) => coordinators(m) || m.id === lead?.assigneeId || (m.role === "team_lead" && !!lead?.teamId && m.teamId === lead.teamId);
      return withWho(org, locale, t(locale, "refusal.lead.not_permitted", { id }), keep, r.actorId);
    }
    case "invalid_transition":
      if (lead && CLOSED_LEAD.has(lead.state)) return t(locale, "refusal.lead.closed", { id, state });
      if (r.action === "reassign") return t(locale, "refusal.lead.reassign_target");
      return t(locale, "refusal.lead.invalid_transition", { id, state });
    case "unknown_lead":
      return id ? t(locale, "refusal.lead.unknown_lead", { id }) : t(locale, "refusal.lead.unknown_lead_no_id");
    case "reason_required":
    case "amount_required":
    case "amount_invalid":
    case "figures_not_allowed":
    case "measures_invalid":
    case "no_tipster":
      return t(locale, `refusal.lead.${r.code}`, { id });
    default:
      return t(locale, "refusal.unknown", { code: r.code });
  }
}

/** Who may take a reward step, as the rule in core/rewards/claims.ts and services/rewards/review-actions.ts has it. */
function rewardRole(r: Refusal): { key: string; keep: Keep } {
  switch (r.action) {
    case "approve":
      return r.claim?.status === "coordinator_approved" ? { key: "approve_finance", keep: finance } : { key: "approve_coordinator", keep: coordinators };
    case "pay":
      return { key: "pay", keep: finance };
    case "view_claimant":
      return { key: "view_claimant", keep: finance };
    case "exclude":
      return { key: "exclude", keep: coordinators };
    case "add_tip":
      return { key: "add_tip", keep: coordinators };
    default:
      return { key: "review", keep: (m) => coordinators(m) || finance(m) };
  }
}

function rewardText(org: OrgSnapshot, locale: Locale, r: Refusal): string {
  const status = r.claim ? t(locale, `reward.status.${r.claim.status}`) : "";
  switch (r.code) {
    case "role_not_allowed": {
      const { key, keep } = rewardRole(r);
      return withWho(org, locale, t(locale, `refusal.reward.role.${key}`), keep, r.actorId);
    }
    case "same_approver":
    case "same_person": {
      const first = memberName(org, r.claim?.coordinatorApprovedBy, locale, { bare: true });
      return withWho(org, locale, t(locale, "refusal.reward.same_approver", { first }), finance, r.actorId);
    }
    case "same_chat_account":
      return withWho(org, locale, t(locale, "refusal.reward.same_chat_account"), finance, r.actorId);
    case "not_allowed_now":
      if (r.claim && CLOSED_CLAIM.has(r.claim.status)) return t(locale, "refusal.reward.closed", { status });
      return r.claim ? t(locale, "refusal.reward.not_allowed_now", { status }) : t(locale, "refusal.reward.not_allowed_now_plain");
    case "claim_deadline_passed":
    case "reconsideration_used":
    case "reconsideration_deadline_passed":
    case "changed_meanwhile":
    case "text_required":
    case "claim_unknown":
    case "none":
      return t(locale, `refusal.reward.${r.code}`);
    default:
      return t(locale, "refusal.unknown", { code: r.code });
  }
}

function campaignText(org: OrgSnapshot, locale: Locale, r: Refusal): string {
  switch (r.code) {
    case "not_permitted":
      return withWho(org, locale, t(locale, "refusal.campaign.not_permitted"), coordinators, r.actorId);
    case "not_contact": {
      const unit = r.unit;
      if (!unit) return t(locale, "refusal.campaign.not_contact_plain");
      const who = namesOf(org, (m) => m.role === "contact" && m.unitId === unit.id && m.id !== r.actorId, locale);
      return joinSentences(locale, t(locale, "refusal.campaign.not_contact", { unit: unit.name }), who ? t(locale, "refusal.ask_one_of", { who }) : t(locale, "refusal.campaign.no_contact", { unit: unit.name }));
    }
    case "already_received":
    case "already_submitted":
    case "already_accepted":
    case "not_submitted":
    case "reason_required":
    case "invalid_deadline":
    case "deadline_in_past":
    case "same_deadline":
    case "not_later":
    case "nothing_to_move":
    case "unknown_deliverable":
    case "unknown_assignment":
    case "changed_meanwhile":
      return t(locale, `refusal.campaign.${r.code}`);
    default:
      return t(locale, "refusal.unknown", { code: r.code });
  }
}

function otherText(org: OrgSnapshot, locale: Locale, r: Refusal): string {
  // Lists are for the actor's own team lead (or a coordinator) to pull, not any team's.
  const actorTeam = r.actorId ? (org.memberById.get(r.actorId)?.teamId ?? null) : null;
  const ownLeadOrCoordinator: Keep = (m) => coordinators(m) || (m.role === "team_lead" && actorTeam !== null && m.teamId === actorTeam);
  switch (`${r.scope}.${r.code}`) {
    case "chat.not_enrolled":
      return withWho(org, locale, t(locale, "refusal.chat.not_enrolled"), coordinators, r.actorId);
    case "chat.coordinator_only":
      return withWho(org, locale, t(locale, "refusal.chat.coordinator_only"), coordinators, r.actorId);
    case "chat.member_lists":
      return withWho(org, locale, t(locale, "refusal.chat.member_lists"), ownLeadOrCoordinator, r.actorId);
    case "chat.statistics":
      return withWho(org, locale, t(locale, "refusal.chat.statistics"), coordinators, r.actorId);
    case "chat.lead_lists":
      return withWho(org, locale, t(locale, "refusal.chat.lead_lists"), ownLeadOrCoordinator, r.actorId);
    case "batch.not_permitted":
      return t(locale, "refusal.batch.not_permitted");
    case "batch.ack_not_permitted":
      return withWho(org, locale, t(locale, "refusal.batch.ack_not_permitted"), coordinators, r.actorId);
    case "batch.not_in_batch":
      return t(locale, "refusal.batch.not_in_batch");
    case "org.member_bound":
    case "org.operator_only_role":
    case "org.member_inactive":
      return t(locale, `refusal.org.${r.code}`);
    default:
      return t(locale, "refusal.unknown", { code: r.code });
  }
}

/** The refusal in words, given the organisation (pages that already hold a snapshot call this). */
export function describeRefusal(org: OrgSnapshot, locale: Locale, refusal: Refusal): string {
  switch (refusal.scope) {
    case "lead":
      return leadText(org, locale, refusal);
    case "reward":
      return rewardText(org, locale, refusal);
    case "campaign":
      return campaignText(org, locale, refusal);
    default:
      return otherText(org, locale, refusal);
  }
}

/**
 * The refusal in words, naming who can do it instead: the one function chat, pages and the CLI use.
 * @example await refusalText(deps, "en", { scope: "reward", code: "role_not_allowed", action: "approve", claim })
 *   // "Only a coordinator can give a reward claim its first approval. Ask one of: Wang Fang (coordinator)."
 */
export async function refusalText(deps: ServiceDeps, locale: Locale, refusal: Refusal): Promise<string> {
  return describeRefusal(await currentOrg(deps), locale, refusal);
}

/** The refusal an error carries (RewardRefused and the like set options.refusal), or null. */
export function refusalOf(err: unknown): Refusal | null {
  return err instanceof AppError ? (err.options.refusal ?? null) : null;
}

/**
 * Words for an error from a use case: its refusal when it carries one, else its own message key
 * (errors.<code> or the more specific one it names). Anything that is not an AppError is rethrown.
 */
export async function errorText(deps: ServiceDeps, locale: Locale, err: unknown): Promise<string> {
  const refusal = refusalOf(err);
  if (refusal) return refusalText(deps, locale, refusal);
  if (err instanceof AppError) return t(locale, err.options.messageKey ?? `errors.${err.code}`, err.options.params);
  throw err;
}
