// Response shapes of the JSON API, in zod so the OpenAPI document and the tests share them.
import { z } from "zod";
import { REPORT_OUTCOMES, REPORT_STATUSES } from "../../core/report-status";

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional(),
    requestId: z.string(),
  }),
});

export const proofSchema = z.object({
  type: z.literal("fundwatch.proof-of-submission"),
  version: z.union([z.literal(1), z.literal(2)]),
  reportId: z.string(),
  submittedAt: z.string(),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  attachments: z.array(z.object({ sha256: z.string(), sizeBytes: z.number().int(), mediaType: z.string() })),
  keyId: z.string(),
  algorithm: z.literal("ES256"),
  signature: z.string(),
});

export const reportCreatedSchema = z.object({
  reportId: z.string(),
  receipt: z.string().describe("Shown once; the only way back to the report. Never stored in readable form."),
  submittedAt: z.string(),
  proof: proofSchema,
});

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
