// What a tipster sends to claim a reward: real identity (name, ID number with its check digit, phone)
// and where to pay. Messages are i18n keys (see src/i18n/validation.ts), like the report form's.
import { z } from "zod";
import { receiptSchema, reporterIdentitySchema } from "../report-input";

export const PAYOUT_METHODS = ["bank", "alipay", "wechat"] as const;
export type PayoutMethod = (typeof PAYOUT_METHODS)[number];

const text = (max: number) => z.string({ error: "validation.required" }).trim().min(1, { error: "validation.required" }).max(max, { error: "validation.too_long" });

/** The claim itself (identity and payout): the status page form sends this, the API adds the receipt. */
export function rewardClaimBodySchema(today: string, methods: readonly PayoutMethod[]) {
  return claimShape(today, methods).superRefine(payoutRules);
}

/** `today` (Asia/Shanghai) bounds the birth date in the ID number; `methods` are the installation's. */
export function rewardClaimSchema(today: string, methods: readonly PayoutMethod[]) {
  return claimShape(today, methods).extend({ receipt: receiptSchema }).superRefine(payoutRules);
}

function claimShape(today: string, methods: readonly PayoutMethod[]) {
  return z.object({
    identity: reporterIdentitySchema(today).omit({ email: true }),
    payout: z.object({
      method: z.enum(methods as [PayoutMethod, ...PayoutMethod[]], { error: "validation.invalid_choice" }),
      account: text(64).transform((v) => v.replace(/[\s-]/g, "")),
      bankName: text(100).optional(),
    }),
  });
}

function payoutRules(v: { payout: { method: PayoutMethod; account: string; bankName?: string | undefined } }, ctx: z.RefinementCtx) {
  const p = v.payout as Partial<typeof v.payout> | undefined;
  if (!p || typeof p.account !== "string") return;
  if (p.method === "bank") {
    // Mainland bank card and account numbers: 12–30 digits.
    if (!/^\d{12,30}$/.test(p.account)) ctx.addIssue({ code: "custom", path: ["payout", "account"], message: "validation.bank_account_invalid" });
    if (!p.bankName) ctx.addIssue({ code: "custom", path: ["payout", "bankName"], message: "validation.required" });
  } else if (p.account.length < 4) ctx.addIssue({ code: "custom", path: ["payout", "account"], message: "validation.too_short" });
}
export type RewardClaimInput = z.output<ReturnType<typeof rewardClaimSchema>>;

/** The reviewers' and the claimant's short texts (question, answer, reason, payment reference). */
export const rewardNoteSchema = text(2000);

/** The claimant's answer to a question, or the reason for asking reconsideration. */
export const rewardClaimTextSchema = z.object({ receipt: receiptSchema, text: rewardNoteSchema });
