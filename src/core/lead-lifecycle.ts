// A lead's states and the commands that move it, with the tipster-facing status each state shows.
import { MEASURES, type Measure } from "./measures";
import { isValidAmountFen } from "./money";
import type { ReportOutcome, ReportStatus } from "./report-status";

export const LEAD_STATES = ["new", "acknowledged", "accepted", "investigating", "concluded", "not_accepted"] as const;
export type LeadState = (typeof LEAD_STATES)[number];

export type LeadCommand =
  | { type: "acknowledge" }
  | { type: "accept" }
  | { type: "decline"; reason: string }
  | { type: "investigate" }
  | {
      type: "conclude";
      outcome: ReportOutcome;
      amountFen?: number | null;
      /** Funds recovered (追回) and the fine (罚款), in fen: only with a substantiated or partly substantiated outcome. */
      recoveredFen?: number | null;
      fineFen?: number | null;
      /** Measures taken (src/core/measures.ts), any outcome; stored as given, deduplicated, in MEASURES order. */
      measures?: readonly Measure[] | null;
    };

/** What a conclusion records beyond the outcome and the verified amount (null on every other command). */
export type ConclusionFigures = { recoveredFen: number | null; fineFen: number | null; measures: Measure[] };

export type LeadCommandResult =
  | { ok: true; state: LeadState; reportStatus: ReportStatus; outcome: ReportOutcome | null; amountFen: number | null; figures: ConclusionFigures | null }
  | { ok: false; reason: LeadCommandRefusal };

export type LeadCommandRefusal = "invalid_transition" | "reason_required" | "amount_required" | "amount_invalid" | "figures_not_allowed" | "measures_invalid";

const REPORT_STATUS: Record<LeadState, ReportStatus> = {
  new: "received",
  acknowledged: "in_review",
  accepted: "accepted",
  investigating: "investigating",
  concluded: "concluded",
  not_accepted: "not_accepted",
};


export function isLeadOpen(state: LeadState): boolean {
  return state !== "concluded" && state !== "not_accepted";
}

const NEEDS_AMOUNT: readonly ReportOutcome[] = ["substantiated", "partly_substantiated"];

export function applyLeadCommand(state: LeadState, cmd: LeadCommand): LeadCommandResult {
  const ok = (to: LeadState, outcome: ReportOutcome | null = null, amountFen: number | null = null, figures: ConclusionFigures | null = null): LeadCommandResult => ({
    ok: true,
    state: to,
    reportStatus: REPORT_STATUS[to],
    outcome,
    amountFen,
    figures,
  });
  const invalid: LeadCommandResult = { ok: false, reason: "invalid_transition" };
  switch (cmd.type) {
    case "acknowledge":
      if (state === "new") return ok("acknowledged");
      // Pressing it again (or after moving on) changes nothing and is not an error.
      return isLeadOpen(state) ? ok(state) : invalid;
    case "accept":
      if (state === "new" || state === "acknowledged") return ok("accepted");
      return state === "accepted" ? ok(state) : invalid;
    case "decline":
      if (state === "not_accepted") return ok(state);
      if (state !== "new" && state !== "acknowledged") return invalid;
      if (!cmd.reason.trim()) return { ok: false, reason: "reason_required" };
      return ok("not_accepted");
    case "investigate":
      if (state === "accepted") return ok("investigating");
      return state === "investigating" ? ok(state) : invalid;
    case "conclude": {
      if (state !== "accepted" && state !== "investigating") return invalid;
      const amount = cmd.amountFen ?? null;
      // Bounded here too, whatever the edge: an amount past MAX_AMOUNT_FEN would make the reward computation fail later.
      if (amount !== null && !isValidAmountFen(amount)) return { ok: false, reason: "amount_invalid" };
      if (NEEDS_AMOUNT.includes(cmd.outcome) && (amount === null || amount <= 0)) return { ok: false, reason: "amount_required" };
      const recovered = cmd.recoveredFen ?? null;
      const fine = cmd.fineFen ?? null;
      if ((recovered !== null && !isValidAmountFen(recovered)) || (fine !== null && !isValidAmountFen(fine))) return { ok: false, reason: "amount_invalid" };
      // Nothing is recovered or fined on a lead that was not (even partly) substantiated: a referral's figures belong to the body it went to.
      if ((recovered !== null || fine !== null) && !NEEDS_AMOUNT.includes(cmd.outcome)) return { ok: false, reason: "figures_not_allowed" };
      const given = cmd.measures ?? [];
      if (!Array.isArray(given) || given.some((m) => !(MEASURES as readonly string[]).includes(m))) return { ok: false, reason: "measures_invalid" };
      const measures = MEASURES.filter((m) => given.includes(m));
      return ok("concluded", cmd.outcome, amount, { recoveredFen: recovered, fineFen: fine, measures });
    }
  }
}
