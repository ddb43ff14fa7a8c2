// JSON API under /api/v1: the same use cases as the web pages, for apps and integrations.
import { Hono } from "hono";
import type { z } from "zod";
import { receiptRequestSchema, reporterMessageSchema, type Locale } from "../../../core/report-input";
import { getRegion, listRegions } from "../../../core/regions";
import { VIOLATION_SUBJECTS, VIOLATION_TAXONOMY } from "../../../core/taxonomy";
import { shanghaiDate } from "../../../core/time";
import { t } from "../../../i18n";
import { localiseIssues } from "../../../i18n/validation";
import { canonicalJson, type ProofOfSubmission } from "../../../security/proof";
import { AppError } from "../../../services/errors";
import { validateEvidence, validateSubmission } from "../../../services/intake/validate-submission";
import { addReporterEvidence, addReporterMessage, authenticateReceipt, getStatusView, submitReport } from "../../../services/intake/reports";
import { parseJsonOrThrow, readForm, readJson, requireBodyKind } from "../../body";
import type { AppDeps, AppEnv } from "../../context";
import { buildOpenApiDocument } from "./openapi";
import { proofSchema } from "./schemas";
import { listPublishedSigningKeys } from "../../../services/intake/proof-keys";
import { checkProof } from "../../../services/intake/proof-check";
import { duplicateSubmissionError, findSubmission, idempotencyKey, isSubmissionKeyConflict, submissionKeyStatement, type SubmissionKey } from "../../../services/intake/submission-keys";
import { sha256Hex } from "../../../security/encoding";
import { rewardClaimSchema, rewardClaimTextSchema } from "../../../core/rewards/claim-input";
import { answerRewardQuestion, requestReconsideration, submitRewardClaim } from "../../../services/rewards/claims";

function parseOrThrow<S extends z.ZodType>(schema: S, raw: unknown, locale: Locale): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new AppError("validation_failed", "invalid input", { fields: localiseIssues(parsed.error.issues, locale) });
  return parsed.data;
}

/** What an Idempotency-Key is bound to: the parsed request and the hashes of its files. */
async function requestFingerprint(input: unknown, files: { bytes: Uint8Array }[]): Promise<string> {
  return canonicalJson({ input, files: await Promise.all(files.map((f) => sha256Hex(f.bytes))) });
}

/** A repeat of this client's earlier request (same Idempotency-Key) is answered 409 with the original report, a different request under its key 422; nothing is stored. */
async function refuseRepeat(deps: AppDeps, key: SubmissionKey | null): Promise<void> {
  if (!key) return;
  const earlier = await findSubmission(deps, key);
  if (earlier) throw duplicateSubmissionError(earlier, key);
}

/** Runs the creating call; if a copy of the same request won the race meanwhile, answers like a repeat. */
async function onceOrDuplicate<R>(deps: AppDeps, key: SubmissionKey | null, create: () => Promise<R>): Promise<R> {
  try {
    return await create();
  } catch (err) {
    if (key && isSubmissionKeyConflict(err)) {
      const earlier = await findSubmission(deps, key);
      if (earlier) throw duplicateSubmissionError(earlier, key);
    }
    throw err;
  }
}

export function createApiRoutes() {
  const api = new Hono<AppEnv>();

  api.get("/openapi.json", (c) => {
    const { config, now } = c.var.deps;
    return c.json(
      buildOpenApiDocument({
        today: shanghaiDate(now()),
        serverUrl: config.PUBLIC_BASE_URL,
        maxAttachments: config.MAX_ATTACHMENTS,
        maxAttachmentBytes: config.MAX_ATTACHMENT_BYTES,
      }),
    );
  });

  api.post("/reports", async (c) => {
    const { deps, locale } = c.var;
    const kind = requireBodyKind(c, ["json", "multipart"]);
    let raw: unknown;
    let files: { name: string; bytes: Uint8Array }[] = [];
    if (kind === "json") {
      raw = await readJson(c, locale);
    } else {
      const form = await readForm(c);
      files = form.files;
      if (form.fields.report === undefined) throw new AppError("validation_failed", "missing report part", { fields: { report: t(locale, "validation.report_part") } });
      raw = parseJsonOrThrow(form.fields.report, locale, "report");
    }
    const key = await idempotencyKey(deps, "api-report", c.req.header("idempotency-key"), await requestFingerprint(raw, files), { address: deps.clientAddress(c) });
    await refuseRepeat(deps, key);
    const valid = await validateSubmission(deps, raw, files, locale);
    // Counted in submitReport's own write batch (no round trip of its own).
    const submitted = await onceOrDuplicate(deps, key, () =>
      submitReport(deps, {
        report: valid.report,
        files: valid.files,
        channel: "api",
        locale,
        throttle: true,
        clientAddress: deps.clientAddress(c),
        logFields: c.var.logFields,
        ...(key ? { once: (r) => submissionKeyStatement(deps, key, { reportId: r.reportId }) } : {}),
      }),
    );
    c.header("Cache-Control", "no-store");
    return c.json(submitted, 201);
  });

  api.post("/reports/status", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["json"]);
    const { receipt } = parseOrThrow(receiptRequestSchema, await readJson(c, locale), locale);
    const report = await authenticateReceipt(deps, receipt, deps.clientAddress(c));
    c.header("Cache-Control", "no-store");
    return c.json(await getStatusView(deps, report));
  });

  api.post("/reports/reward-claim", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["json"]);
    const input = parseOrThrow(rewardClaimSchema(shanghaiDate(deps.now()), deps.config.REWARD_PAYOUT_METHODS), await readJson(c, locale), locale);
    const report = await authenticateReceipt(deps, input.receipt, deps.clientAddress(c));
    const claim = await submitRewardClaim(deps, report, { identity: input.identity, payout: input.payout }, "api");
    c.header("Cache-Control", "no-store");
    return c.json({ claimId: claim.id, status: claim.status }, 201);
  });

  api.post("/reports/reward-claim/answer", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["json"]);
    const input = parseOrThrow(rewardClaimTextSchema, await readJson(c, locale), locale);
    const report = await authenticateReceipt(deps, input.receipt, deps.clientAddress(c));
    const claim = await answerRewardQuestion(deps, report, input.text, "api");
    c.header("Cache-Control", "no-store");
    return c.json({ claimId: claim.id, status: claim.status }, 200);
  });

  api.post("/reports/reward-claim/reconsideration", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["json"]);
    const input = parseOrThrow(rewardClaimTextSchema, await readJson(c, locale), locale);
    const report = await authenticateReceipt(deps, input.receipt, deps.clientAddress(c));
    const claim = await requestReconsideration(deps, report, input.text, "api");
    c.header("Cache-Control", "no-store");
    return c.json({ claimId: claim.id, status: claim.status }, 200);
  });

  api.post("/reports/messages", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["json"]);
    const input = parseOrThrow(reporterMessageSchema, await readJson(c, locale), locale);
    const report = await authenticateReceipt(deps, input.receipt, deps.clientAddress(c));
    const key = await idempotencyKey(deps, "api-message", c.req.header("idempotency-key"), await requestFingerprint({ body: input.body, inReplyTo: input.inReplyTo ?? null }, []), { address: deps.clientAddress(c), bindTo: report.id });
    await refuseRepeat(deps, key);
    const result = await onceOrDuplicate(deps, key, () =>
      addReporterMessage(deps, report, { body: input.body, inReplyTo: input.inReplyTo, channel: "api", clientAddress: deps.clientAddress(c), ...(key ? { once: (r) => submissionKeyStatement(deps, key, { reportId: report.id, resultRef: r.messageId }) } : {}) }),
    );
    return c.json(result, 201);
  });

  api.post("/reports/attachments", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["multipart"]);
    const form = await readForm(c);
    const { receipt } = parseOrThrow(receiptRequestSchema, { receipt: form.fields.receipt }, locale);
    const report = await authenticateReceipt(deps, receipt, deps.clientAddress(c));
    if (form.files.length === 0) throw new AppError("validation_failed", "no files", { fields: { evidence: t(locale, "validation.required") } });
    const key = await idempotencyKey(deps, "api-attachments", c.req.header("idempotency-key"), await requestFingerprint(null, form.files), { address: deps.clientAddress(c), bindTo: report.id });
    await refuseRepeat(deps, key);
    const files = await validateEvidence(deps, form.files, locale);
    const result = await onceOrDuplicate(deps, key, () =>
      addReporterEvidence(deps, report, {
        files,
        channel: "api",
        clientAddress: deps.clientAddress(c),
        ...(key ? { once: (r) => submissionKeyStatement(deps, key, { reportId: report.id, resultRef: r.attachments.map((a) => a.id).join(",") }) } : {}),
      }),
    );
    return c.json(result, 201);
  });

  api.get("/taxonomy", (c) => {
    const { locale } = c.var;
    return c.json({
      subjects: VIOLATION_SUBJECTS.map((s) => ({
        code: s,
        label: t(locale, `taxonomy.subject.${s}`),
        types: VIOLATION_TAXONOMY[s].map((type) => ({ code: type, label: t(locale, `taxonomy.type.${type}`) })),
      })),
    });
  });

  api.get("/regions", (c) => {
    const parent = c.req.query("parent") || null;
    if (parent !== null && !getRegion(parent)) throw new AppError("not_found", `unknown region ${parent}`);
    c.header("Cache-Control", "public, max-age=86400");
    return c.json({ regions: listRegions(parent) });
  });

  api.get("/proofs/public-key", (c) => c.json(c.var.deps.keys.signingPublicJwk));

  // Every key that ever signed a proof here (JWKS), so proofs from before a key rotation can be checked offline.
  api.get("/proofs/public-keys", async (c) => c.json({ keys: await listPublishedSigningKeys(c.var.deps) }));

  api.post("/proofs/verify", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["json"]);
    const proof = parseOrThrow(proofSchema, await readJson(c, locale), locale) as ProofOfSubmission;
    const { signatureValid, matchesRecord } = await checkProof(deps, proof);
    return c.json({ signatureValid, matchesRecord });
  });

  return api;
}
