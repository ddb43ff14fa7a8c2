// The receipt's rate limits, shared by every route that looks a report up by its receipt: the code
// typed on the status page or sent to the API, and the sealed receipt cookie of the receipt page and
// its PDF. Two counts per client and window: every lookup (RECEIPT_LOOKUPS_PER_WINDOW), and failed
// codes (RECEIPT_FAILURES_PER_WINDOW, counted before the check and refunded on a hit). A client over
// either is refused on all of those routes.
import { AppError } from "../errors";
import type { ServiceDeps } from "../deps";
import { consumeRateLimits, refundRateLimit, type RateLimitRule } from "./rate-limit";

export const receiptFailureRule = (deps: ServiceDeps): RateLimitRule => ({
  bucket: "receipt-failures",
  limit: deps.config.RECEIPT_FAILURES_PER_WINDOW,
  windowMs: deps.config.RECEIPT_FAILURE_WINDOW_MINUTES * 60_000,
});

export const receiptLookupRule = (deps: ServiceDeps): RateLimitRule => ({
  bucket: "receipt-lookups",
  limit: deps.config.RECEIPT_LOOKUPS_PER_WINDOW,
  windowMs: deps.config.RECEIPT_FAILURE_WINDOW_MINUTES * 60_000,
});

/**
 * Counts one receipt lookup (one round trip) or throws rate_limited. A typed `code` is also counted
 * as a possible failure, to be refunded with `refundReceiptFailure` once it matched; a sealed
 * `cookie` cannot be a guess, so it only has to be within the failure limit.
 */
export async function countReceiptLookup(deps: ServiceDeps, clientAddress: string | undefined, kind: "code" | "cookie"): Promise<void> {
  const [lookups, failures] = await consumeRateLimits(
    deps,
    [
      { rule: receiptLookupRule(deps), add: 1 },
      { rule: receiptFailureRule(deps), add: kind === "code" ? 1 : 0 },
    ],
    clientAddress,
  );
  const refused = [lookups!, failures!].filter((s) => !s.allowed);
  if (refused.length)
    throw new AppError("rate_limited", "too many receipt lookups", { retryAfterSeconds: Math.max(...refused.map((s) => s.retryAfterSeconds)) });
}

export async function refundReceiptFailure(deps: ServiceDeps, clientAddress: string | undefined): Promise<void> {
  await refundRateLimit(deps, receiptFailureRule(deps), clientAddress);
}
