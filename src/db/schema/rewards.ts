// Whistleblower reward tables (举报奖励, issue 9): claims and the encrypted notes around them.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * A reward owed to a tipster for a substantiated lead: from eligibility (the notice on the status page)
 * through the claim (identity and payout details, encrypted, readable by finance only through an audited
 * view), a coordinator's and then finance's approval (two different people), to payment — or expiry,
 * rejection (one reconsideration), exclusion. One row per (lead, tip); usually one per lead.
 */
export const rewardClaims = sqliteTable(
  "reward_claims",
  {
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull(),
    reportId: text("report_id").notNull(),
    /** see src/core/rewards/claims.ts REWARD_STATUSES */
    status: text("status").notNull(),
    policyId: text("policy_id").notNull(),
    verifiedAmountFen: integer("verified_amount_fen").notNull(),
    amountFen: integer("amount_fen").notNull(),
    /** JSON RewardComputation (steps), as shown to reviewers. */
    computation: text("computation").notNull(),
    /** The tip's level for by-level policies (1–3). */
    level: integer("level").notNull().default(3),
    insider: integer("insider", { mode: "boolean" }).notNull().default(false),
    noticeAt: integer("notice_at").notNull(),
    claimDeadline: integer("claim_deadline").notNull(),
    claimedAt: integer("claimed_at"),
    /** JSON { name, idNumber, phone } encrypted (context `reward:<id>:identity`). */
    identityEnc: text("identity_enc"),
    /** bank | alipay | wechat | cash … (the configured methods) */
    payoutMethod: text("payout_method"),
    /** JSON { account, bankName? } encrypted (context `reward:<id>:payout`). */
    payoutEnc: text("payout_enc"),
    coordinatorApprovedBy: text("coordinator_approved_by"),
    coordinatorApprovedAt: integer("coordinator_approved_at"),
    /** The chat account of the first approval (`telegram:<user id>`, `slack:<user id>`, `cli:member:<id>`): the second must differ. */
    coordinatorApprovedVia: text("coordinator_approved_via"),
    financeApprovedBy: text("finance_approved_by"),
    financeApprovedAt: integer("finance_approved_at"),
    paidBy: text("paid_by"),
    paidAt: integer("paid_at"),
    rejectedAt: integer("rejected_at"),
    reconsiderationUsed: integer("reconsideration_used", { mode: "boolean" }).notNull().default(false),
    /** department_staff | own_case | facts_already_known | no_fund_loss */
    exclusionReason: text("exclusion_reason"),
    /** The reviewer who added this (later) tip, when it is not the first to ask. */
    addedBy: text("added_by"),
    /** When the tick must next look at it (expiry at the claim deadline); null when nothing is due. */
    nextCheckAt: integer("next_check_at"),
    version: integer("version").notNull().default(1),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("reward_claims_lead_report_uq").on(t.leadId, t.reportId),
    index("reward_claims_report_idx").on(t.reportId),
    index("reward_claims_status_idx").on(t.status, t.updatedAt),
    index("reward_claims_next_check_idx").on(t.nextCheckAt).where(sql`next_check_at IS NOT NULL`),
  ],
);

/** Texts around a claim — questions and answers, reasons, payment references — encrypted, in order. */
export const rewardClaimNotes = sqliteTable(
  "reward_claim_notes",
  {
    id: text("id").primaryKey(),
    claimId: text("claim_id").notNull(),
    createdAt: integer("created_at").notNull(),
    /** reviewer | claimant */
    authorType: text("author_type").notNull(),
    authorRef: text("author_ref"),
    /** question | answer | reject_reason | reconsideration | exclusion | addition | payment_ref */
    kind: text("kind").notNull(),
    /** Encrypted (context `reward_note:<id>:body`). */
    bodyEnc: text("body_enc").notNull(),
  },
  (t) => [index("reward_claim_notes_claim_idx").on(t.claimId, t.createdAt)],
);

export type RewardClaimRow = typeof rewardClaims.$inferSelect;
