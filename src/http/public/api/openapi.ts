// The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with (zod 4's
// JSON Schema output is draft 2020-12, which OpenAPI 3.1 uses). Every request body has an example
// that the API accepts, so a client can call each operation from the document alone.
import { z } from "zod";
import { receiptRequestSchema, reportInputSchema, reporterMessageSchema } from "../../../core/report-input";
import { rewardClaimSchema, rewardClaimTextSchema } from "../../../core/rewards/claim-input";
import {
  attachmentsCreatedSchema,
  errorResponseSchema,
  healthSchema,
  messageCreatedSchema,
  proofSchema,
  proofVerificationSchema,
  regionsSchema,
  reportCreatedSchema,
  statusViewSchema,
  rewardClaimCreatedSchema,
  taxonomySchema,
} from "./schemas";

type JsonSchema = Record<string, unknown>;

function toSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  return json;
}

export const EXAMPLE_REPORT = {
  subject: "medical_institution",
  violationType: "ghost_admission",
  region: { provinceCode: "110000", cityCode: "110100", districtCode: "110105" },
  targetName: "某某康复医院",
  targetAddress: "朝阳区某某路 1 号",
  occurredFrom: "2025-03-01",
  occurredTo: "2025-04-30",
  amountEstimate: 12000,
  description: "住院部长期有挂床病人，白天不在医院，仍每天记账理疗项目。",
  anonymous: true,
  insider: false,
  wantsReward: true,
} as const;

const EXAMPLE_RECEIPT = "7KQ2M-9ABCD-EFGH0-12345";

const EXAMPLE_PROOF = {
  type: "fundwatch.proof-of-submission",
  version: 3,
  reportId: "FW-20250501-7KQ2M9AB",
  submittedAt: "2025-05-01T02:03:04.000Z",
  contentHash: "0".repeat(64),
  attachments: [],
  keyId: "example",
  algorithm: "ES256",
  signature: "AAAA",
};

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const jsonResponse = (description: string, schema: z.ZodType) => ({ description, content: { "application/json": { schema: toSchema(schema, "output") } } });

const FILE_ARRAY = { type: "array", items: { type: "string", contentMediaType: "application/octet-stream" }, description: "Evidence files: JPEG, PNG, GIF, WebP, HEIC or PDF, recognised by content." };

export function buildOpenApiDocument(input: { today: string; serverUrl?: string | undefined; maxAttachments: number; maxAttachmentBytes: number }) {
  const reportSchema = toSchema(reportInputSchema(input.today), "input");
  const limits = `At most ${input.maxAttachments} files of ${input.maxAttachmentBytes} bytes each.`;
  return {
    openapi: "3.1.0",
    info: {
      title: "FundWatch API",
      version: "1.0.0",
      description:
        "Citizen reports of medical-insurance fund fraud. Receipts travel only in request bodies, never in URLs. Errors always have the shape { error: { code, message, fields?, requestId } }; messages follow Accept-Language (zh-CN or en) or ?lang=.",
    },
    ...(input.serverUrl ? { servers: [{ url: input.serverUrl }] } : {}),
    paths: {
      "/api/v1/reports": {
        post: {
          operationId: "createReport",
          parameters: [idempotencyKeyParam()],
          summary: "Submit a report",
          description: `JSON, or multipart/form-data with the report as a JSON field \`report\` and files in \`evidence\`. ${limits}`,
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: reportSchema, example: EXAMPLE_REPORT },
              "multipart/form-data": {
                schema: {
                  type: "object",
                  required: ["report"],
                  properties: { report: { type: "string", contentMediaType: "application/json", description: "The report as JSON (same schema as the JSON body)." }, evidence: FILE_ARRAY },
                },
                encoding: { report: { contentType: "application/json" } },
                example: { report: JSON.stringify(EXAMPLE_REPORT) },
              },
            },
          },
          responses: {
            "201": jsonResponse("Stored; the receipt is shown only in this response.", reportCreatedSchema),
            "400": errorResponse("Invalid fields (see error.fields)"),
            "403": errorResponse("Refused: a browser said the request came from another site (Sec-Fetch-Site or Origin); scripts that send neither are not affected"),
            "409": errorResponse("duplicate_submission: this client already sent this request with this Idempotency-Key; error.reportId names the original report, nothing was stored"),
            "413": errorResponse("Body too large"),
            "415": errorResponse("Wrong content type"),
            "422": errorResponse(REUSED_KEY),
            "429": errorResponse("Too many reports from this client, or too many uploads being received at once (see Retry-After)"),
          },
        },
      },
      "/api/v1/reports/status": {
        post: {
          operationId: "getReportStatus",
          summary: "Status, public timeline and messages of the report a receipt belongs to",
          requestBody: { required: true, content: { "application/json": { schema: toSchema(receiptRequestSchema, "input"), example: { receipt: EXAMPLE_RECEIPT } } } },
          responses: {
            "200": jsonResponse("The report as its tipster may see it", statusViewSchema),
            "400": errorResponse("Malformed receipt"),
            "403": errorResponse("Refused: a browser said the request came from another site (Sec-Fetch-Site or Origin); scripts that send neither are not affected"),
            "404": errorResponse("No report for this receipt (answered in the same time as a hit)"),
            "429": errorResponse("Too many failed attempts from this client"),
          },
        },
      },
      "/api/v1/reports/reward-claim": {
        post: {
          operationId: "claimReward",
          summary: "Claim the reward a substantiated report earned (real identity and payout details; anonymous tipsters reveal identity here and only here)",
          description:
            "Identity and payout details are encrypted at rest and readable only by the finance role through an audited view. A coordinator and then finance (two different people) approve before payment; the status endpoint shows each step.",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: toSchema(rewardClaimSchema(input.today, ["bank", "alipay", "wechat"]), "input"),
                example: { receipt: EXAMPLE_RECEIPT, identity: { name: "张三", idNumber: "11010519491231002X", phone: "13800138000" }, payout: { method: "bank", account: "6222020200112233445", bankName: "中国工商银行成都分行" } },
              },
            },
          },
          responses: {
            "201": jsonResponse("Claim received; status `claimed`", rewardClaimCreatedSchema),
            "400": errorResponse("Invalid fields (ID number check digit, phone, account), or a payout method this installation does not offer"),
            "403": errorResponse("Refused: a browser said the request came from another site"),
            "404": errorResponse("No report for this receipt, or no reward for this report (error.code not_found)"),
            "409": errorResponse("Not claimable now: already claimed, or the claim deadline has passed (error.details.reason claim_deadline_passed)"),
            "429": errorResponse("Too many failed attempts from this client"),
          },
        },
      },
      "/api/v1/reports/reward-claim/answer": {
        post: {
          operationId: "answerRewardQuestion",
          summary: "Answer the reviewers' question about a reward claim",
          requestBody: { required: true, content: { "application/json": { schema: toSchema(rewardClaimTextSchema, "input"), example: { receipt: EXAMPLE_RECEIPT, text: "开户行为工商银行成都春熙路支行。" } } } },
          responses: { "200": jsonResponse("Answer stored; the claim is back with the reviewers", rewardClaimCreatedSchema), "400": errorResponse("Invalid fields"), "404": errorResponse("No report or no reward"), "409": errorResponse("No open question") },
        },
      },
      "/api/v1/reports/reward-claim/reconsideration": {
        post: {
          operationId: "requestRewardReconsideration",
          summary: "Ask once, within 30 days of a rejection, for the claim to be reconsidered",
          requestBody: { required: true, content: { "application/json": { schema: toSchema(rewardClaimTextSchema, "input"), example: { receipt: EXAMPLE_RECEIPT, text: "我并非该机构工作人员，可提供劳动合同证明。" } } } },
          responses: { "200": jsonResponse("Reconsideration requested", rewardClaimCreatedSchema), "400": errorResponse("Invalid fields"), "404": errorResponse("No report or no reward"), "409": errorResponse("Not rejected, already asked once, or the 30 days have passed") },
        },
      },
      "/api/v1/reports/messages": {
        post: {
          operationId: "sendReporterMessage",
          parameters: [idempotencyKeyParam()],
          summary: "Reply to investigators or add information",
          requestBody: {
            required: true,
            content: { "application/json": { schema: toSchema(reporterMessageSchema, "input"), example: { receipt: EXAMPLE_RECEIPT, body: "补充：该医院每周三集中办理虚假住院。" } } },
          },
          responses: {
            "201": jsonResponse("Message stored", messageCreatedSchema),
            "400": errorResponse("Invalid fields"),
            "403": errorResponse("Refused: a browser said the request came from another site (Sec-Fetch-Site or Origin); scripts that send neither are not affected"),
            "404": errorResponse("No report for this receipt"),
            "409": errorResponse("The report is closed, or duplicate_submission (Idempotency-Key already used; error.reportId names the report, nothing was stored)"),
            "422": errorResponse(REUSED_KEY),
            "429": errorResponse("Too many failed attempts from this client"),
          },
        },
      },
      "/api/v1/reports/attachments": {
        post: {
          operationId: "addReportEvidence",
          parameters: [idempotencyKeyParam()],
          summary: "Add evidence files to a report",
          description: limits,
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: { type: "object", required: ["receipt", "evidence"], properties: { receipt: { type: "string" }, evidence: FILE_ARRAY } },
                example: { receipt: EXAMPLE_RECEIPT },
              },
            },
          },
          responses: {
            "201": jsonResponse("Files stored", attachmentsCreatedSchema),
            "400": errorResponse("Invalid or missing files"),
            "403": errorResponse("Refused: a browser said the request came from another site (Sec-Fetch-Site or Origin); scripts that send neither are not affected"),
            "404": errorResponse("No report for this receipt"),
            "409": errorResponse("The report is closed, or duplicate_submission (Idempotency-Key already used; error.reportId names the report, nothing was stored)"),
            "422": errorResponse(REUSED_KEY),
            "413": errorResponse("Body too large"),
            "415": errorResponse("Wrong content type"),
            "429": errorResponse("Too many failed attempts from this client, or too many uploads being received at once (see Retry-After)"),
          },
        },
      },
      "/api/v1/taxonomy": {
        get: { operationId: "getTaxonomy", summary: "Violation subjects and types with labels", parameters: [langParam()], responses: { "200": jsonResponse("Taxonomy", taxonomySchema) } },
      },
      "/api/v1/regions": {
        get: {
          operationId: "listRegions",
          summary: "Administrative divisions (GB/T 2260): provinces, or the children of `parent`",
          parameters: [{ name: "parent", in: "query", required: false, schema: { type: "string", pattern: "^\\d{6}$" }, example: "110000" }],
          responses: { "200": jsonResponse("Regions", regionsSchema), "404": errorResponse("Unknown parent code") },
        },
      },
      "/api/v1/proofs/public-key": {
        get: { operationId: "getProofPublicKey", summary: "The JWK that verifies proofs of submission", responses: { "200": { description: "ECDSA P-256 public key (JWK)", content: { "application/json": { schema: { type: "object" } } } } } },
      },
      "/api/v1/proofs/public-keys": {
        get: {
          operationId: "listProofPublicKeys",
          summary: "Every key that has signed proofs here, the active one first (JWKS): proofs from before a key rotation still verify",
          responses: { "200": { description: "JSON Web Key Set", content: { "application/json": { schema: { type: "object", properties: { keys: { type: "array", items: { type: "object" } } }, required: ["keys"] } } } } },
        },
      },
      "/api/v1/proofs/verify": {
        post: {
          operationId: "verifyProof",
          summary: "Check a proof of submission",
          requestBody: { required: true, content: { "application/json": { schema: toSchema(proofSchema, "input"), example: EXAMPLE_PROOF } } },
          responses: {
            "200": jsonResponse("Verification result", proofVerificationSchema),
            "400": errorResponse("Not a proof document"),
            "403": errorResponse("Refused: a browser said the request came from another site (Sec-Fetch-Site or Origin); scripts that send neither are not affected"),
          },
        },
      },
      "/healthz": {
        get: { operationId: "health", summary: "Liveness and database reachability", responses: { "200": jsonResponse("Healthy", healthSchema), "503": jsonResponse("Database unreachable", healthSchema) } },
      },
    },
    components: { schemas: { Error: toSchema(errorResponseSchema, "output") } },
  };
}

const REUSED_KEY = "idempotency_key_reused: this client used this Idempotency-Key for a different request; no report is named, nothing was stored";

function idempotencyKeyParam() {
  return {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    description:
      "Any unique string (e.g. a UUID) per intended submission, bound to the client (its address; IPv6 by /64): another client's identical key is a different key. A retry of the same request with the same key stores nothing and answers 409 duplicate_submission with the original report id; a different request with a key this client already used answers 422 idempotency_key_reused, naming no report.",
    schema: { type: "string", minLength: 1, maxLength: 255 },
    example: "5f0c7d1e-2b8a-4c53-9a64-0d3b8f6e2a11",
  };
}

function langParam() {
  return { name: "lang", in: "query", required: false, schema: { type: "string", enum: ["zh-CN", "en"] } };
}
