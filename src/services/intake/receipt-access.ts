// Finding a report by its receipt: keyed hash, a lookup whose timing tells a guesser nothing, and
// per-client throttling of misses.
import { eq } from "drizzle-orm";
import { normaliseReceipt } from "../../core/receipt";
import { reports, type ReportRow } from "../../db/schema";
import { keyedHash } from "../../security/cipher";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { countReceiptLookup, refundReceiptFailure } from "./receipt-lookups";

export function receiptHash(deps: ServiceDeps, normalisedReceipt: string): Promise<string> {
  return keyedHash(deps.keys, "receipt", normalisedReceipt);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Finds the report a receipt belongs to. The answer takes at least RECEIPT_LOOKUP_MIN_MS whether or
 * not the receipt is known, so response time tells a guesser nothing.
 */
export async function findReportByReceipt(deps: ServiceDeps, receipt: string): Promise<ReportRow | null> {
  const started = Date.now();
  const normalised = normaliseReceipt(receipt);
  const hash = await receiptHash(deps, normalised ?? `invalid:${receipt}`);
  const row = (await deps.db.query.reports.findFirst({ where: eq(reports.receiptHash, hash) })) ?? null;
  const remaining = deps.config.RECEIPT_LOOKUP_MIN_MS - (Date.now() - started);
  if (remaining > 0) await sleep(remaining);
  return row;
}

/**
 * Resolves a receipt typed by a tipster, throttling failures per client: after
 * RECEIPT_FAILURES_PER_WINDOW misses in the window, even a right receipt is refused until it ends;
 * every lookup also counts against RECEIPT_LOOKUPS_PER_WINDOW (see receipt-lookups.ts).
 */
export async function authenticateReceipt(deps: ServiceDeps, receipt: string, clientAddress: string | undefined): Promise<ReportRow> {
  // Counted as a failure before the lookup, in one atomic statement, and refunded on a hit: parallel
  // guesses cannot all pass a check made before any of them is counted.
  await countReceiptLookup(deps, clientAddress, "code");
  const report = await findReportByReceipt(deps, receipt);
  if (!report) throw new AppError("not_found", "no report for this receipt");
  await refundReceiptFailure(deps, clientAddress);
  return report;
}
