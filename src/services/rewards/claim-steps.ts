// One step of a reward claim: the rule check, the claim row, its event, the tipster's timeline line and
// the coordinators' card, in one batch; a refused step is logged and thrown as RewardRefused.
import { and, eq } from "drizzle-orm";
import { applyRewardCommand, type RewardCommand, type RewardRefusal, type RewardStatus } from "../../core/rewards/claims";
import { newId } from "../../core/ids";
import { asBatch } from "../../db/client";
import { failedConstraint, retryBusyWrite } from "../../db/retry";
import { events, leads, members, reportTimeline, rewardClaimNotes, rewardClaims, type RewardClaimRow } from "../../db/schema";
import type { Platform } from "../../chat/types";
import { encryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { enqueueStatement, sealEnqueueInput } from "../delivery/outbox";
import { AppError } from "../errors";
import { eventRow, type Actor } from "../events";
import { privateChatOf } from "../org/chat-accounts";
import { currentOrg } from "../org/org-cache";
import { renderRewardCard } from "./reward-cards";
import { otherRewardTips } from "./claim-reads";

export type ReviewAction = "approve" | "reject" | "ask" | "pay" | "exclude";
export type ClaimantAction = "claim" | "answer" | "reconsider";

/** What a refused step was and on which claim, for words that name who can take it (refusals/refusal-text.ts). */
export interface RewardRefusalContext {
  action: string;
  actorId?: string;
  claim?: Pick<RewardClaimRow, "status" | "coordinatorApprovedBy"> | null;
}

export class RewardRefused extends AppError {
  constructor(
    readonly refusal: RewardRefusal,
    context?: RewardRefusalContext,
  ) {
    super(refusal === "role_not_allowed" || refusal === "same_approver" || refusal === "same_chat_account" ? "forbidden" : "conflict", `reward claim: ${refusal}`, {
      messageKey: `errors.reward_${refusal}`,
      details: { reason: refusal },
      ...(context
        ? { refusal: { scope: "reward" as const, code: refusal, action: context.action, ...(context.actorId ? { actorId: context.actorId } : {}), claim: context.claim ? { status: context.claim.status, coordinatorApprovedBy: context.claim.coordinatorApprovedBy } : null } }
        : {}),
    });
  }
}

export interface StepInput {
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
export async function applyStep(deps: ServiceDeps, input: StepInput): Promise<RewardClaimRow> {
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
    throw new RewardRefused(outcome.refused, { action: input.command.type, actorId: input.actor.id ?? undefined, claim });
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

export async function logRefusal(deps: ServiceDeps, actor: Actor, claimId: string, attempted: string, reason: string) {
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
    const card = renderRewardCard(claim, lead ?? null, coordinators.locale === "en" ? "en" : "zh-CN", org, await otherRewardTips(deps, claim.leadId));
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
      const target = privateChatOf(m);
      if (!target) continue;
      const card = renderRewardCard(claim, lead ?? null, m.locale === "en" ? "en" : "zh-CN", org);
      statements.push(enqueueStatement(deps, await sealEnqueueInput(deps, { dedupeKey: `reward-card:${claim.id}:v${claim.version}:${m.id}`, ...target, kind: "text", payload: { message: { kind: "card", card } } })));
    }
  }
  return statements;
}
