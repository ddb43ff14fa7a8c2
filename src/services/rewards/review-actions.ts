// The staff side of a reward: coordinator and finance review (two different people), finance's audited
// view of the claimant, and a coordinator making a later tip eligible.
import { and, asc, eq } from "drizzle-orm";
import { claimDeadline, type ExclusionReason } from "../../core/rewards/claims";
import { newId } from "../../core/ids";
import { asBatch } from "../../db/client";
import { retryBusyWrite } from "../../db/retry";
import { events, reportTimeline, rewardClaimNotes, rewardClaims, type MemberRow, type RewardClaimRow } from "../../db/schema";
import { listLeadTips } from "../leads/tips";
import { loadRewardRules } from "./rules";
import type { Platform } from "../../chat/types";
import { decryptText, encryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import { approvalAccounts } from "./approval-accounts";
import { applyStep, logRefusal, RewardRefused, type ReviewAction } from "./claim-steps";

const reviewerRole = (m: MemberRow): "coordinator" | "finance" | null => (m.role === "coordinator" ? "coordinator" : m.role === "finance" ? "finance" : null);

/**
 * A reviewer's step. Inspectors and team leads are refused (and the attempt logged); approval needs a
 * coordinator and then a different finance member; payment by finance with a reference.
 */
export async function reviewRewardClaim(
  deps: ServiceDeps,
  input: {
    claimId: string;
    action: ReviewAction;
    member: MemberRow;
    platform: Platform | "web" | "cli";
    /** The chat account pressing (Telegram / Slack user id); web and CLI steps are recorded by member. */
    platformUserId?: string;
    /** Where the step came from beyond the platform (the workspace session). */
    platformRef?: string | null;
    text?: string;
    exclusionReason?: ExclusionReason;
    /**
     * A page's form: the claim version it was rendered at and its one-time key. A form sent twice takes
     * effect once (the second answers `replayed`); a form older than the claim answers "changed meanwhile".
     */
    form?: { version: number; key: string };
    /**
     * A chat press's delivery key: the platform redelivers a press it thinks was lost, and that second
     * delivery must answer as the first did, not be refused (and logged) as a second approval by the same person.
     */
    pressKey?: string;
  },
): Promise<RewardClaimRow & { replayed?: true }> {
  const claim = await deps.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, input.claimId) });
  if (!claim) throw new AppError("not_found", "no such reward claim", { messageKey: "errors.reward_claim_unknown" });
  const actor: Actor = { type: "member", id: input.member.id, role: input.member.role, platform: input.platform, platformRef: input.platformRef ?? null };
  const formData = input.form ? { formKey: input.form.key } : input.pressKey ? { pressKey: input.pressKey } : {};
  const role = input.member.active ? reviewerRole(input.member) : null;
  if (!role) {
    await logRefusal(deps, actor, claim.id, input.action, "role_not_allowed");
    throw new RewardRefused("role_not_allowed", { action: input.action, actorId: input.member.id, claim });
  }
  if (input.pressKey && (await isPressStep(deps, claim.id, input.pressKey, input.member.id))) return { ...claim, replayed: true };
  if (input.form && input.form.version !== claim.version) {
    if (await isFormStep(deps, claim.id, input.form, input.member.id)) return { ...claim, replayed: true };
    throw new AppError("conflict", "the claim changed meanwhile", { messageKey: "errors.reward_changed_meanwhile" });
  }
  const now = deps.now().getTime();
  const text = input.text?.trim() ?? "";
  const needsText = input.action === "reject" || input.action === "ask" || input.action === "pay" || input.action === "exclude";
  if (needsText && !text) throw new AppError("validation_failed", "a reason, question or payment reference is required", { messageKey: "errors.reward_text_required" });
  const memberId = input.member.id;
  const reviewer = { authorType: "reviewer" as const, authorRef: memberId };
  const step = { claim, role, memberId, actor, text, now, formData, reviewer };
  let updated: RewardClaimRow;
  try {
    updated = await takeStep(deps, input, step);
  } catch (err) {
    // The same form sent twice at once: the first took the step, the second lost the version race.
    if (input.form && err instanceof AppError && err.code === "conflict" && (await isFormStep(deps, claim.id, input.form, memberId))) return { ...claim, replayed: true };
    // The same press delivered twice at once: the first took the step.
    if (input.pressKey && (await isPressStep(deps, claim.id, input.pressKey, memberId))) return { ...(await currentClaim(deps, claim)), replayed: true };
    throw err;
  }
  deps.notifyOutbox?.();
  return updated;
}

type ReviewInput = Parameters<typeof reviewRewardClaim>[1];
interface StepContext {
  claim: RewardClaimRow;
  role: "coordinator" | "finance";
  memberId: string;
  actor: Actor;
  text: string;
  now: number;
  formData: Record<string, unknown>;
  reviewer: { authorType: "reviewer"; authorRef: string };
}

async function takeStep(deps: ServiceDeps, input: ReviewInput, s: StepContext): Promise<RewardClaimRow> {
  const { claim, role, memberId, actor, text, now, formData, reviewer } = s;
  switch (input.action) {
    case "approve": {
      const financeStep = claim.status === "coordinator_approved";
      const accounts = await approvalAccounts(deps, { member: input.member, platform: input.platform, platformUserId: input.platformUserId, firstApproval: claim, financeStep });
      return applyStep(deps, {
        claim,
        command: { type: "approve", role, memberId, accounts: accounts.approver },
        firstApprovalAccounts: accounts.first,
        actor,
        set: financeStep ? { financeApprovedBy: memberId, financeApprovedAt: now } : { coordinatorApprovedBy: memberId, coordinatorApprovedAt: now, coordinatorApprovedVia: accounts.via },
        data: { via: accounts.via, ...formData },
        notify: financeStep ? "coordinators" : "finance",
      });
    }
    case "reject":
      return applyStep(deps, { claim, command: { type: "reject", role, memberId }, actor, set: { rejectedAt: now }, note: { kind: "reject_reason", body: text, ...reviewer }, data: formData, notify: "coordinators" });
    case "ask":
      return applyStep(deps, { claim, command: { type: "ask", role, memberId }, actor, note: { kind: "question", body: text, ...reviewer }, data: formData, notify: "coordinators" });
    case "pay":
      return applyStep(deps, { claim, command: { type: "pay", role, memberId }, actor, set: { paidBy: memberId, paidAt: now }, note: { kind: "payment_ref", body: text, ...reviewer }, data: formData, notify: "coordinators" });
    case "exclude":
      if (!input.exclusionReason) throw new AppError("validation_failed", "an exclusion reason is required", { messageKey: "errors.reward_text_required" });
      return applyStep(deps, {
        claim,
        command: { type: "exclude", role, memberId },
        actor,
        set: { exclusionReason: input.exclusionReason },
        note: { kind: "exclusion", body: text, ...reviewer },
        data: { reason: input.exclusionReason, ...formData },
        notify: "coordinators",
      });
  }
}

/** Whether the claim's step after `form.version` was this form's, sent by this member (its event is keyed by version). */
async function isFormStep(deps: ServiceDeps, claimId: string, form: { version: number; key: string }, memberId: string): Promise<boolean> {
  const step = await deps.db.query.events.findFirst({ columns: { data: true }, where: and(eq(events.dedupeKey, `reward:${claimId}:v${form.version + 1}`), eq(events.actorId, memberId)) });
  if (!step?.data) return false;
  try {
    return (JSON.parse(step.data) as { formKey?: unknown }).formKey === form.key;
  } catch {
    return false;
  }
}

/**
 * Whether this member already took a step on the claim from this press (its event carries the key). A claim
 * has a handful of events, read through events_entity_idx.
 */
async function isPressStep(deps: ServiceDeps, claimId: string, pressKey: string, memberId: string): Promise<boolean> {
  const steps = await deps.db
    .select({ data: events.data })
    .from(events)
    .where(and(eq(events.entityType, "reward_claim"), eq(events.entityId, claimId), eq(events.actorId, memberId)));
  return steps.some((e) => {
    try {
      return e.data !== null && (JSON.parse(e.data) as { pressKey?: unknown }).pressKey === pressKey;
    } catch {
      return false;
    }
  });
}

const currentClaim = async (deps: ServiceDeps, claim: RewardClaimRow) => (await deps.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, claim.id) })) ?? claim;

/** Finance's audited view of the claimant's identity and payout details (the event is written first). */
export async function viewRewardClaimant(deps: ServiceDeps, input: { claimId: string; member: MemberRow; platform: "web" | "cli"; platformRef?: string | null; reason: string }) {
  const claim = await deps.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, input.claimId) });
  if (!claim) throw new AppError("not_found", "no such reward claim", { messageKey: "errors.reward_claim_unknown" });
  const actor: Actor = { type: "member", id: input.member.id, role: input.member.role, platform: input.platform, platformRef: input.platformRef ?? null };
  if (input.member.role !== "finance" || !input.member.active) {
    await logRefusal(deps, actor, claim.id, "view_claimant", "role_not_allowed");
    throw new RewardRefused("role_not_allowed", { action: "view_claimant", actorId: input.member.id, claim });
  }
  await deps.db.insert(events).values(eventRow(actor, { occurredAt: deps.now().getTime(), entityType: "reward_claim", entityId: claim.id, action: "reward.claimant_viewed", data: JSON.stringify({ reason: input.reason }) }));
  if (!claim.identityEnc || !claim.payoutEnc) return null;
  return {
    identity: JSON.parse(await decryptText(deps.keys, claim.identityEnc, `reward:${claim.id}:identity`)) as { name: string; idNumber: string; phone: string },
    payout: { method: claim.payoutMethod, ...(JSON.parse(await decryptText(deps.keys, claim.payoutEnc, `reward:${claim.id}:payout`)) as { account: string; bankName: string | null }) },
  };
}

/**
 * A later tip on the same facts made eligible by a coordinator, with a reason (e.g. the first reporter
 * was excluded, or both gave decisive evidence): same policy and computation as the lead's first claim.
 */
export async function addRewardTip(
  deps: ServiceDeps,
  input: { leadId: string; tipNo: number; reason: string; member: MemberRow; platform: Platform | "web" | "cli"; platformRef?: string | null; /** A page form's one-time key: sent twice, the tip is added once. */ dedupeKey?: string },
): Promise<RewardClaimRow> {
  const actor: Actor = { type: "member", id: input.member.id, role: input.member.role, platform: input.platform, platformRef: input.platformRef ?? null };
  const earlier = input.dedupeKey ? await tipAddedBy(deps, input.dedupeKey) : null;
  if (earlier) return earlier;
  if (input.member.role !== "coordinator" || !input.member.active) {
    await logRefusal(deps, actor, input.leadId, "add_tip", "role_not_allowed");
    throw new RewardRefused("role_not_allowed", { action: "add_tip", actorId: input.member.id });
  }
  const reason = input.reason.trim();
  if (!reason) throw new AppError("validation_failed", "a reason is required", { messageKey: "errors.reward_text_required" });
  const [claims, tips] = await Promise.all([deps.db.select().from(rewardClaims).where(eq(rewardClaims.leadId, input.leadId)).orderBy(asc(rewardClaims.createdAt)), listLeadTips(deps, input.leadId)]);
  const first = claims[0];
  if (!first) throw new AppError("not_found", "this lead has no reward", { messageKey: "errors.reward_none" });
  const tip = tips.find((t) => t.tipNo === input.tipNo);
  if (!tip) throw new AppError("not_found", "no such tip on this lead", { messageKey: "errors.reward_none" });
  if (claims.some((c) => c.reportId === tip.reportId)) throw new RewardRefused("not_allowed_now", { action: "add_tip", actorId: input.member.id });
  const now = deps.now().getTime();
  const id = newId("rwd");
  const noteId = newId("rwn");
  const rules = await loadRewardRules(deps.db);
  const deadline = claimDeadline(now, rules.claimMonths);
  const statements: unknown[] = [
    deps.db.insert(rewardClaims).values({
      id,
      leadId: input.leadId,
      reportId: tip.reportId,
      status: "eligible",
      policyId: first.policyId,
      verifiedAmountFen: first.verifiedAmountFen,
      amountFen: first.amountFen,
      computation: first.computation,
      noticeAt: now,
      claimDeadline: deadline,
      nextCheckAt: deadline + 1,
      addedBy: input.member.id,
      createdAt: now,
      updatedAt: now,
    }),
    deps.db.insert(rewardClaimNotes).values({ id: noteId, claimId: id, createdAt: now, authorType: "reviewer", authorRef: input.member.id, kind: "addition", bodyEnc: await encryptText(deps.keys, reason, `reward_note:${noteId}:body`) }),
    deps.db.insert(events).values(eventRow(actor, { occurredAt: now, entityType: "reward_claim", entityId: id, action: "reward.tip_added", toState: "eligible", data: JSON.stringify({ leadId: input.leadId, tipNo: tip.tipNo, firstClaim: first.id }), dedupeKey: input.dedupeKey ?? null })),
    deps.db.insert(reportTimeline).values({ id: newId("tl"), reportId: tip.reportId, createdAt: now, kind: "reward_eligible" }),
  ];
  try {
    await retryBusyWrite(deps.db, () => deps.db.batch(asBatch(statements)));
  } catch (err) {
    // The same form sent twice at once: the first added the tip.
    const earlier = input.dedupeKey && isUniqueViolation(err) ? await tipAddedBy(deps, input.dedupeKey) : null;
    if (earlier) return earlier;
    throw err;
  }
  return (await deps.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, id) }))!;
}

/** The claim a tip addition with this dedupe key created, if it happened. */
async function tipAddedBy(deps: ServiceDeps, dedupeKey: string): Promise<RewardClaimRow | null> {
  const added = await deps.db.query.events.findFirst({ columns: { entityId: true }, where: and(eq(events.dedupeKey, dedupeKey), eq(events.action, "reward.tip_added")) });
  return (added && (await deps.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, added.entityId) }))) ?? null;
}
