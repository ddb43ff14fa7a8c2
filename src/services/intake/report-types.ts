// Shapes the report use cases share: the channel a tip came by, the submit-once statement, the answer
// to a submission.
import type { ProofOfSubmission } from "../../security/proof";
import type { Actor } from "../events";

export type ReportChannel = "web" | "api";

/**
 * A statement the caller adds to the creating batch once the result is known: the submit-once key
 * (src/services/intake/submission-keys.ts), so a repeat of the same request creates nothing. Wrapped
 * in an object because drizzle statements are thenables (awaiting one bare would run it).
 */
export type OnceStatement<R> = (result: R) => Promise<{ statement: unknown }>;

export const PUBLIC_ACTOR = (platform: ReportChannel): Actor => ({ type: "public", platform });

export interface SubmittedReport {
  reportId: string;
  receipt: string;
  submittedAt: string;
  proof: ProofOfSubmission;
}
