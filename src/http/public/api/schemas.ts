// Response shapes of the JSON API, in zod so the OpenAPI document and the tests share them.
import { z } from "zod";
import { REPORT_OUTCOMES, REPORT_STATUSES } from "../../../core/report-status";
import { REWARD_STATUSES } from "../../../core/rewards/claims";

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional(),
    requestId: z.string(),
  }),
});

const proofBase = {
  type: z.literal("fundwatch.proof-of-submission"),
  reportId: z.string(),
  submittedAt: z.string(),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/).describe("Version 3: keyed (HMAC) hash of the report's content; versions 1–2: plain SHA-256."),
  keyId: z.string(),
  algorithm: z.literal("ES256"),
  signature: z.string(),
};
export const proofSchema = z.discriminatedUnion("version", [
  z.object({
    ...proofBase,
    version: z.literal(3),
    attachments: z.array(z.object({ digest: z.string().describe("Keyed digest of the file (HMAC-SHA-256, server-held key): reveals nothing to whoever holds the same file."), sizeBytes: z.number().int(), mediaType: z.string() })),
  }),
  z.object({ ...proofBase, version: z.union([z.literal(1), z.literal(2)]).describe("Issued before version 3; still verified."), attachments: z.array(z.object({ sha256: z.string(), sizeBytes: z.number().int(), mediaType: z.string() })) }),
]);

export const reportCreatedSchema = z.object({
  reportId: z.string(),
  receipt: z.string().describe("Shown once; the only way back to the report. Never stored in readable form."),
  submittedAt: z.string(),
  proof: proofSchema,
});

export const rewardSummarySchema = z.object({
  claimId: z.string(),
  status: z.enum(REWARD_STATUSES),
  amountFen: z.number().int().describe("The reward in fen (1 yuan = 100 fen): provisional until paid."),
  deadline: z.string().describe("End of the claim period (ISO 8601); unclaimed rewards are forfeited after it."),
  policy: z.string().describe("The reward policy applied: national, sichuan, guangdong-draft …"),
  policyName: z.string(),
  deadlineWarning: z.boolean().describe("True from 14 days before the deadline while unclaimed."),
  question: z.string().nullable().describe("The reviewers' open question, to answer with /reports/reward-claim/answer."),
  reconsiderationUntil: z.string().nullable().describe("A rejected claim may ask for reconsideration once until then."),
});

export const rewardClaimCreatedSchema = z.object({ claimId: z.string(), status: z.enum(REWARD_STATUSES) });

export const statusViewSchema = z.object({
  report: z.object({
    id: z.string(),
    status: z.enum(REPORT_STATUSES),
    outcome: z.enum(REPORT_OUTCOMES).nullable(),
    submittedAt: z.string(),
    updatedAt: z.string(),
    subject: z.string(),
    violationType: z.string(),
    regionCode: z.string(),
    targetName: z.string(),
    anonymous: z.boolean(),
    attachmentCount: z.number().int(),
    open: z.boolean(),
  }),
  timeline: z.array(
    z.object({ at: z.string(), kind: z.string(), status: z.enum(REPORT_STATUSES).nullable(), outcome: z.enum(REPORT_OUTCOMES).nullable() }),
  ),
  messages: z.array(z.object({ id: z.string(), at: z.string(), from: z.enum(["reporter", "investigator"]), body: z.string(), inReplyTo: z.string().nullable() })),
  reward: rewardSummarySchema.optional().describe("Present once the report is eligible for a reward (举报奖励)."),
});

export const messageCreatedSchema = z.object({ messageId: z.string() });

export const attachmentsCreatedSchema = z.object({
  attachments: z.array(z.object({ id: z.string(), sha256: z.string(), sizeBytes: z.number().int(), mediaType: z.string() })),
});

export const taxonomySchema = z.object({
  subjects: z.array(
    z.object({
      code: z.string(),
      label: z.string(),
      types: z.array(z.object({ code: z.string(), label: z.string() })),
    }),
  ),
});

export const regionsSchema = z.object({
  regions: z.array(z.object({ code: z.string(), name: z.string(), level: z.enum(["province", "city", "district"]), parentCode: z.string().nullable() })),
});

export const proofVerificationSchema = z.object({
  signatureValid: z.boolean(),
  matchesRecord: z.boolean().describe("True when a report with this id, time and content hash is on record."),
});

export const healthSchema = z.object({ status: z.enum(["ok", "unavailable"]), database: z.boolean() });
