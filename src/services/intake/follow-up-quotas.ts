// Per-report and per-client quotas on tipsters' follow-up messages and evidence, counted inside the
// write batch.
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { rateLimitGuard } from "./rate-limit";

/**
 * Quotas that protect the teams from one receipt or one client flooding their chat: follow-up
 * messages and evidence uploads, per report and per client. Counted inside the write batch (over the
 * limit, nothing is stored and the answer is 429 with Retry-After).
 */
const QUOTAS = {
  message: (deps: ServiceDeps) => ({
    perReport: { bucket: "report-messages", limit: deps.config.MESSAGES_PER_REPORT_PER_HOUR, windowMs: 3_600_000 },
    perClient: { bucket: "client-messages", limit: deps.config.MESSAGES_PER_CLIENT_PER_HOUR, windowMs: 3_600_000 },
  }),
  evidence: (deps: ServiceDeps) => ({
    perReport: { bucket: "report-evidence", limit: deps.config.EVIDENCE_UPLOADS_PER_REPORT_PER_DAY, windowMs: 86_400_000 },
    perClient: { bucket: "client-evidence", limit: deps.config.EVIDENCE_UPLOADS_PER_CLIENT_PER_HOUR, windowMs: 3_600_000 },
  }),
};

export async function quotaGuards(deps: ServiceDeps, kind: keyof typeof QUOTAS, reportId: string, clientAddress: string | undefined) {
  const rules = QUOTAS[kind](deps);
  const guards = [await rateLimitGuard(deps, rules.perReport, `report:${reportId}`), ...(clientAddress !== undefined ? [await rateLimitGuard(deps, rules.perClient, clientAddress)] : [])];
  return {
    statements: guards.flatMap((g) => g.statements),
    /** The refusal to answer when the batch failed on one of the quotas, else null. */
    refusal(err: unknown): AppError | null {
      const hit = guards.find((g) => g.isRefusal(err));
      return hit ? new AppError("rate_limited", `${kind} quota reached`, { retryAfterSeconds: hit.retryAfterSeconds, messageKey: `errors.quota_${kind}` }) : null;
    },
  };
}
