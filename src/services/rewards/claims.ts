// Reward claims after eligibility: the tipster's claim behind the receipt (identity and payout details
// encrypted, readable by finance only through an audited view), questions and answers, a coordinator's
// and then finance's approval by two different people, payment with a reference, rejection with one
// reconsideration, exclusion, and expiry at the deadline (tick). Every step is an event, a line on the
// tipster's timeline, and a card in the coordinators' chat.
import { and, asc, desc, eq, inArray, isNotNull, lte } from "drizzle-orm";
import { applyRewardCommand, claimDeadline, expiryWarningFrom, reconsiderationDeadline, type ExclusionReason, type RewardCommand, type RewardRefusal, type RewardStatus } from "../../core/rewards/claims";
import type { RewardClaimInput } from "../../core/rewards/claim-input";
import type { RewardComputation } from "../../core/rewards/compute";
import { newId } from "../../core/ids";
import { asBatch } from "../../db/client";
import { failedConstraint, retryBusy, retryBusyWrite } from "../../db/retry";
import { events, leadReports, leads, members, reports, reportTimeline, rewardClaimNotes, rewardClaims, type MemberRow, type ReportRow, type RewardClaimRow } from "../../db/schema";
import { listLeadTips } from "../leads/tips";
import { loadRewardRules } from "./rules";
import type { Platform } from "../../chat/types";
import { decryptText, encryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { enqueueStatement, sealEnqueueInput } from "../delivery/outbox";
import { AppError } from "../errors";
import { eventRow, type Actor } from "../events";
import { currentOrg } from "../org/org-cache";
import { renderRewardCard, rewardPolicyName } from "./reward-cards";
import { approvalAccounts } from "./approval-accounts";

export type ReviewAction = "approve" | "reject" | "ask" | "pay" | "exclude";
export type ClaimantAction = "claim" | "answer" | "reconsider";

/** What the tipster sees (status page and API). Amounts in fen; times ISO 8601. */
export interface RewardView {
  claimId: string;
  status: RewardStatus;
  amountFen: number;
  verifiedAmountFen: number;
  policy: { id: string; name: string };
  deadline: string;
  /** From 14 days before the deadline while unclaimed. */
  deadlineWarning: boolean;
  /** Until when a rejected claim may ask for reconsideration (null when it may not). */
  reconsiderationUntil: string | null;
  /** The open question to answer, if any. */
  question: string | null;
  /** Reasons and answers in order (reviewers' questions, rejection reason, …); no identity. */
  notes: { at: string; from: "reviewer" | "claimant"; kind: string; body: string }[];
  steps: RewardComputation["steps"];
}

export class RewardRefused extends AppError {
  constructor(readonly refusal: RewardRefusal) {
    super(refusal === "role_not_allowed" || refusal === "same_approver" || refusal === "same_chat_account" ? "forbidden" : "conflict", `reward claim: ${refusal}`, { messageKey: `errors.reward_${refusal}`, details: { reason: refusal } });
  }
}

/** The claim shown on a tip's status page: the first one (a tip has at most one per lead). */
export async function rewardClaimForReport(deps: ServiceDeps, reportId: string): Promise<RewardClaimRow | null> {
  return (await deps.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.reportId, reportId), orderBy: [asc(rewardClaims.createdAt)] })) ?? null;
}

export async function rewardViewForReport(deps: ServiceDeps, report: ReportRow): Promise<RewardView | null> {
  const claim = await rewardClaimForReport(deps, report.id);
  if (!claim) return null;
  const notes = await deps.db.query.rewardClaimNotes.findMany({ where: eq(rewardClaimNotes.claimId, claim.id), orderBy: [asc(rewardClaimNotes.createdAt), asc(rewardClaimNotes.id)] });
  const decrypted = await Promise.all(
    notes
      .filter((n) => n.kind !== "payment_ref")
      .map(async (n) => ({ at: new Date(n.createdAt).toISOString(), from: n.authorType as "reviewer" | "claimant", kind: n.kind, body: await decryptText(deps.keys, n.bodyEnc, `reward_note:${n.id}:body`) })),
  );
  const now = deps.now().getTime();
  const lastQuestion = claim.status === "question" ? [...decrypted].reverse().find((n) => n.kind === "question") : undefined;
  const mayReconsider = claim.status === "rejected" && !claim.reconsiderationUsed && claim.rejectedAt !== null && now <= reconsiderationDeadline(claim.rejectedAt);
  return {
    claimId: claim.id,
    status: claim.status as RewardStatus,
    amountFen: claim.amountFen,
    verifiedAmountFen: claim.verifiedAmountFen,
    policy: { id: claim.policyId, name: rewardPolicyName(claim.policyId, report.locale === "en" ? "en" : "zh-CN") },
    deadline: new Date(claim.claimDeadline).toISOString(),
    deadlineWarning: claim.status === "eligible" && now >= expiryWarningFrom(claim.claimDeadline) && now <= claim.claimDeadline,
    reconsiderationUntil: mayReconsider ? new Date(reconsiderationDeadline(claim.rejectedAt!)).toISOString() : null,
    question: lastQuestion?.body ?? null,
    notes: decrypted,
    steps: (JSON.parse(claim.computation) as RewardComputation).steps,
  };
}

interface StepInput {
  claim: RewardClaimRow;
  /** For the finance approval: the chat accounts of the coordinator's approval (see approvalAccounts). */
  firstApprovalAccounts?: readonly string[];
  command: RewardCommand;
  actor: Actor;
  /** Columns this step sets besides status / version. */
  set?: Partial<typeof rewardClaims.$inferInsert>;
  note?: { kind: string; body: string; authorType: "reviewer" | "claimant"; authorRef: string | null };
  data?: Record<string, unknown>;
  /** Who to tell in chat after the step. */
  notify: "coordinators" | "finance" | "none";
}

/**
 * One step of a claim in one batch: the event first, keyed `reward:<claim>:v<next version>` so of two
 * concurrent steps from the same version the second fails as a whole; then the claim row, the note,
 * the tipster's timeline line and the chat card.
 */
async function applyStep(deps: ServiceDeps, input: StepInput): Promise<RewardClaimRow> {
  const now = deps.now().getTime();
  const { claim } = input;
  const outcome = applyRewardCommand(
    {
      status: claim.status as RewardStatus,
      claimDeadline: claim.claimDeadline,
      coordinatorApprovedBy: claim.coordinatorApprovedBy,
      coordinatorApprovalAccounts: input.firstApprovalAccounts ?? [],
      rejectedAt: claim.rejectedAt,
      reconsiderationUsed: claim.reconsiderationUsed,
    },
    input.command,
    now,
  );
  if ("refused" in outcome) {
    await logRefusal(deps, input.actor, claim.id, input.command.type, outcome.refused);
    throw new RewardRefused(outcome.refused);
  }
  const status = outcome.status;
  const version = claim.version + 1;
  const db = deps.db;
  const statements: unknown[] = [
    db.insert(events).values(
      eventRow(input.actor, {
        occurredAt: now,
        entityType: "reward_claim",
        entityId: claim.id,
        action: `reward.${input.command.type}`,
        fromState: claim.status,
        toState: status,
        data: JSON.stringify({ leadId: claim.leadId, ...input.data }),
        dedupeKey: `reward:${claim.id}:v${version}`,
      }),
    ),
    db
      .update(rewardClaims)
      .set({ ...input.set, status, version, updatedAt: now, nextCheckAt: status === "eligible" ? claim.claimDeadline + 1 : null })
      .where(and(eq(rewardClaims.id, claim.id), eq(rewardClaims.version, claim.version)))
      .returning(),
    db.insert(reportTimeline).values({ id: newId("tl"), reportId: claim.reportId, createdAt: now, kind: `reward_${status}` }),
  ];
  if (input.note) {
    const noteId = newId("rwn");
    statements.push(
      db.insert(rewardClaimNotes).values({
        id: noteId,
        claimId: claim.id,
        createdAt: now,
        authorType: input.note.authorType,
        authorRef: input.note.authorRef,
        kind: input.note.kind,
        bodyEnc: await encryptText(deps.keys, input.note.body, `reward_note:${noteId}:body`),
      }),
    );
  }
  const updatedView = { ...claim, ...input.set, status, version, updatedAt: now } as RewardClaimRow;
  statements.push(...(await notifyStatements(deps, updatedView, input.notify)));
  try {
    const results = (await retryBusyWrite(db, () => db.batch(asBatch(statements)))) as unknown as unknown[];
    const updated = (results[1] as RewardClaimRow[])[0];
    if (!updated) throw new AppError("conflict", "the claim changed meanwhile");
    return updated;
  } catch (err) {
    const c = failedConstraint(err);
    if (c?.kind === "unique" && c.columns === "events.dedupe_key") throw new AppError("conflict", "the claim changed meanwhile", { messageKey: "errors.reward_changed_meanwhile" });
    throw err;
  }
}

async function logRefusal(deps: ServiceDeps, actor: Actor, claimId: string, attempted: string, reason: string) {
  await deps.db.insert(events).values(eventRow(actor, { occurredAt: deps.now().getTime(), entityType: "reward_claim", entityId: claimId, action: "reward.refused", data: JSON.stringify({ attempted, reason }) }));
}

/** The coordinators' card after a step (and, once a coordinator approved, a private card to finance). */
async function notifyStatements(deps: ServiceDeps, claim: RewardClaimRow, who: StepInput["notify"]): Promise<unknown[]> {
  if (who === "none") return [];
  const org = await currentOrg(deps);
  const statements: unknown[] = [];
  const lead = await deps.db.query.leads.findFirst({ where: eq(leads.id, claim.leadId) });
  const coordinators = org.coordinators;
  if (coordinators) {
    const card = renderRewardCard(claim, lead ?? null, coordinators.locale === "en" ? "en" : "zh-CN", await otherRewardTips(deps, claim.leadId));
    statements.push(
      enqueueStatement(
        deps,
        await sealEnqueueInput(deps, { dedupeKey: `reward-card:${claim.id}:v${claim.version}:${coordinators.id}`, platform: coordinators.platform as Platform, chatId: coordinators.chatId, kind: "text", payload: { message: { kind: "card", card } } }),
      ),
    );
  }
  if (who === "finance") {
    const finance = await deps.db.query.members.findMany({ where: and(eq(members.role, "finance"), eq(members.active, true)) });
    for (const m of finance) {
      const target = m.telegramUserId ? { platform: "telegram" as const, chatId: m.telegramUserId } : m.slackUserId ? { platform: "slack" as const, chatId: m.slackUserId } : null;
      if (!target) continue;
      const card = renderRewardCard(claim, lead ?? null, m.locale === "en" ? "en" : "zh-CN");
      statements.push(enqueueStatement(deps, await sealEnqueueInput(deps, { dedupeKey: `reward-card:${claim.id}:v${claim.version}:${m.id}`, ...target, kind: "text", payload: { message: { kind: "card", card } } })));
    }
  }
  return statements;
}

const claimant = (report: ReportRow, channel: "web" | "api"): Actor => ({ type: "public", id: null, role: "reporter", platform: channel, platformRef: report.id });

/** The claim: identity and payout details, encrypted, bound to the claim. Anonymous tipsters reveal identity here and only here. */
export async function submitRewardClaim(deps: ServiceDeps, report: ReportRow, input: Omit<RewardClaimInput, "receipt">, channel: "web" | "api"): Promise<RewardClaimRow> {
  const claim = await rewardClaimForReport(deps, report.id);
  if (!claim) throw new AppError("not_found", "no reward for this report", { messageKey: "errors.reward_none" });
  const identityEnc = await encryptText(deps.keys, JSON.stringify(input.identity), `reward:${claim.id}:identity`);
  const payoutEnc = await encryptText(deps.keys, JSON.stringify({ account: input.payout.account, bankName: input.payout.bankName ?? null }), `reward:${claim.id}:payout`);
  const updated = await applyStep(deps, {
    claim,
    command: { type: "claim" },
    actor: claimant(report, channel),
    set: { claimedAt: deps.now().getTime(), identityEnc, payoutMethod: input.payout.method, payoutEnc },
    data: { anonymousTip: report.isAnonymous, payoutMethod: input.payout.method },
    notify: "coordinators",
  });
  deps.notifyOutbox?.();
  return updated;
}

export async function answerRewardQuestion(deps: ServiceDeps, report: ReportRow, text: string, channel: "web" | "api"): Promise<RewardClaimRow> {
  const claim = await rewardClaimForReport(deps, report.id);
  if (!claim) throw new AppError("not_found", "no reward for this report", { messageKey: "errors.reward_none" });
  const updated = await applyStep(deps, { claim, command: { type: "answer" }, actor: claimant(report, channel), note: { kind: "answer", body: text, authorType: "claimant", authorRef: null }, notify: "coordinators" });
  deps.notifyOutbox?.();
  return updated;
}

export async function requestReconsideration(deps: ServiceDeps, report: ReportRow, reason: string, channel: "web" | "api"): Promise<RewardClaimRow> {
  const claim = await rewardClaimForReport(deps, report.id);
  if (!claim) throw new AppError("not_found", "no reward for this report", { messageKey: "errors.reward_none" });
  const updated = await applyStep(deps, {
    claim,
    command: { type: "reconsider" },
    actor: claimant(report, channel),
    set: { reconsiderationUsed: true },
    note: { kind: "reconsideration", body: reason, authorType: "claimant", authorRef: null },
    notify: "coordinators",
  });
  deps.notifyOutbox?.();
  return updated;
}

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
    text?: string;
    exclusionReason?: ExclusionReason;
  },
): Promise<RewardClaimRow> {
  const claim = await deps.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, input.claimId) });
  if (!claim) throw new AppError("not_found", "no such reward claim", { messageKey: "errors.reward_claim_unknown" });
  const actor: Actor = { type: "member", id: input.member.id, role: input.member.role, platform: input.platform };
  const role = input.member.active ? reviewerRole(input.member) : null;
  if (!role) {
    await logRefusal(deps, actor, claim.id, input.action, "role_not_allowed");
    throw new RewardRefused("role_not_allowed");
  }
  const now = deps.now().getTime();
  const text = input.text?.trim() ?? "";
  const needsText = input.action === "reject" || input.action === "ask" || input.action === "pay" || input.action === "exclude";
  if (needsText && !text) throw new AppError("validation_failed", "a reason, question or payment reference is required", { messageKey: "errors.reward_text_required" });
  const memberId = input.member.id;
  const reviewer = { authorType: "reviewer" as const, authorRef: memberId };
  let updated: RewardClaimRow;
  switch (input.action) {
    case "approve": {
      const financeStep = claim.status === "coordinator_approved";
      const accounts = await approvalAccounts(deps, { member: input.member, platform: input.platform, platformUserId: input.platformUserId, firstApproval: claim, financeStep });
      updated = await applyStep(deps, {
        claim,
        command: { type: "approve", role, memberId, accounts: accounts.approver },
        firstApprovalAccounts: accounts.first,
        actor,
        set: financeStep ? { financeApprovedBy: memberId, financeApprovedAt: now } : { coordinatorApprovedBy: memberId, coordinatorApprovedAt: now, coordinatorApprovedVia: accounts.via },
        data: { via: accounts.via },
        notify: financeStep ? "coordinators" : "finance",
      });
      break;
    }
    case "reject":
      updated = await applyStep(deps, { claim, command: { type: "reject", role, memberId }, actor, set: { rejectedAt: now }, note: { kind: "reject_reason", body: text, ...reviewer }, notify: "coordinators" });
      break;
    case "ask":
      updated = await applyStep(deps, { claim, command: { type: "ask", role, memberId }, actor, note: { kind: "question", body: text, ...reviewer }, notify: "coordinators" });
      break;
    case "pay":
      updated = await applyStep(deps, { claim, command: { type: "pay", role, memberId }, actor, set: { paidBy: memberId, paidAt: now }, note: { kind: "payment_ref", body: text, ...reviewer }, notify: "coordinators" });
      break;
    case "exclude":
      if (!input.exclusionReason) throw new AppError("validation_failed", "an exclusion reason is required", { messageKey: "errors.reward_text_required" });
      updated = await applyStep(deps, {
        claim,
        command: { type: "exclude", role, memberId },
        actor,
        set: { exclusionReason: input.exclusionReason },
        note: { kind: "exclusion", body: text, ...reviewer },
        data: { reason: input.exclusionReason },
        notify: "coordinators",
      });
      break;
  }
  deps.notifyOutbox?.();
  return updated;
}

/** Finance's audited view of the claimant's identity and payout details (the event is written first). */
export async function viewRewardClaimant(deps: ServiceDeps, input: { claimId: string; member: MemberRow; platform: "web" | "cli"; reason: string }) {
  const claim = await deps.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, input.claimId) });
  if (!claim) throw new AppError("not_found", "no such reward claim", { messageKey: "errors.reward_claim_unknown" });
  const actor: Actor = { type: "member", id: input.member.id, role: input.member.role, platform: input.platform };
  if (input.member.role !== "finance" || !input.member.active) {
    await logRefusal(deps, actor, claim.id, "view_claimant", "role_not_allowed");
    throw new RewardRefused("role_not_allowed");
  }
  await deps.db.insert(events).values(eventRow(actor, { occurredAt: deps.now().getTime(), entityType: "reward_claim", entityId: claim.id, action: "reward.claimant_viewed", data: JSON.stringify({ reason: input.reason }) }));
  if (!claim.identityEnc || !claim.payoutEnc) return null;
  return {
    identity: JSON.parse(await decryptText(deps.keys, claim.identityEnc, `reward:${claim.id}:identity`)) as { name: string; idNumber: string; phone: string },
    payout: { method: claim.payoutMethod, ...(JSON.parse(await decryptText(deps.keys, claim.payoutEnc, `reward:${claim.id}:payout`)) as { account: string; bankName: string | null }) },
  };
}

/** Newest first, optionally by status; bounded. */
export async function listRewardClaims(deps: ServiceDeps, input: { statuses?: RewardStatus[]; limit?: number } = {}) {
  const where = input.statuses?.length ? inArray(rewardClaims.status, input.statuses) : undefined;
  return deps.db.select().from(rewardClaims).where(where).orderBy(desc(rewardClaims.updatedAt)).limit(Math.min(input.limit ?? 100, 1000));
}

const EXPIRY_BATCH = 200;

/** Tick job: eligible rewards not claimed by their deadline are forfeited (recorded, shown on the status page). */
export async function expireUnclaimedRewards(deps: ServiceDeps): Promise<{ expired: number }> {
  const now = deps.now().getTime();
  const due = await retryBusy(deps.db, () =>
    deps.db.select().from(rewardClaims).where(and(isNotNull(rewardClaims.nextCheckAt), lte(rewardClaims.nextCheckAt, now))).orderBy(asc(rewardClaims.nextCheckAt)).limit(EXPIRY_BATCH),
  );
  let expired = 0;
  for (const claim of due) {
    if (claim.status !== "eligible") {
      await deps.db.update(rewardClaims).set({ nextCheckAt: null }).where(and(eq(rewardClaims.id, claim.id), eq(rewardClaims.version, claim.version)));
      continue;
    }
    try {
      await applyStep(deps, { claim, command: { type: "expire" }, actor: { type: "system", platform: "scheduler" }, data: { claimDeadline: claim.claimDeadline }, notify: "none" });
      expired++;
    } catch (err) {
      // A claim made at the last moment wins over the expiry; anything else is logged and retried next tick.
      if (!(err instanceof AppError)) throw err;
    }
  }
  return { expired };
}

/**
 * A later tip on the same facts made eligible by a coordinator, with a reason (e.g. the first reporter
 * was excluded, or both gave decisive evidence): same policy and computation as the lead's first claim.
 */
export async function addRewardTip(deps: ServiceDeps, input: { leadId: string; tipNo: number; reason: string; member: MemberRow; platform: Platform | "web" | "cli" }): Promise<RewardClaimRow> {
  const actor: Actor = { type: "member", id: input.member.id, role: input.member.role, platform: input.platform };
  if (input.member.role !== "coordinator" || !input.member.active) {
    await logRefusal(deps, actor, input.leadId, "add_tip", "role_not_allowed");
    throw new RewardRefused("role_not_allowed");
  }
  const reason = input.reason.trim();
  if (!reason) throw new AppError("validation_failed", "a reason is required", { messageKey: "errors.reward_text_required" });
  const [claims, tips] = await Promise.all([deps.db.select().from(rewardClaims).where(eq(rewardClaims.leadId, input.leadId)).orderBy(asc(rewardClaims.createdAt)), listLeadTips(deps, input.leadId)]);
  const first = claims[0];
  if (!first) throw new AppError("not_found", "this lead has no reward", { messageKey: "errors.reward_none" });
  const tip = tips.find((t) => t.tipNo === input.tipNo);
  if (!tip) throw new AppError("not_found", "no such tip on this lead", { messageKey: "errors.reward_none" });
  if (claims.some((c) => c.reportId === tip.reportId)) throw new RewardRefused("not_allowed_now");
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
    deps.db.insert(events).values(eventRow(actor, { occurredAt: now, entityType: "reward_claim", entityId: id, action: "reward.tip_added", toState: "eligible", data: JSON.stringify({ leadId: input.leadId, tipNo: tip.tipNo, firstClaim: first.id }) })),
    deps.db.insert(reportTimeline).values({ id: newId("tl"), reportId: tip.reportId, createdAt: now, kind: "reward_eligible" }),
  ];
  await retryBusyWrite(deps.db, () => deps.db.batch(asBatch(statements)));
  return (await deps.db.query.rewardClaims.findFirst({ where: eq(rewardClaims.id, id) }))!;
}

/** The lead's other tips whose tipsters asked for a reward and have no claim: what a reviewer may add. */
export async function otherRewardTips(deps: ServiceDeps, leadId: string): Promise<number[]> {
  const [tips, claims, wanting] = await Promise.all([
    listLeadTips(deps, leadId),
    deps.db.select({ reportId: rewardClaims.reportId }).from(rewardClaims).where(eq(rewardClaims.leadId, leadId)),
    deps.db.select({ id: reports.id }).from(leadReports).innerJoin(reports, eq(reports.id, leadReports.reportId)).where(and(eq(leadReports.leadId, leadId), eq(reports.wantsReward, true))),
  ]);
  const claimed = new Set(claims.map((c) => c.reportId));
  const asked = new Set(wanting.map((w) => w.id));
  return tips.filter((t) => asked.has(t.reportId) && !claimed.has(t.reportId)).map((t) => t.tipNo);
}
