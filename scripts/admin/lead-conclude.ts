// `npm run admin -- lead conclude <lead-id> --outcome O [--amount Y] [--recovered Y] [--fine Y] [--measures a,b]`:
// the flags read into the conclude command, every bad value refused in words before anything is written.
import type { LeadCommand } from "../../src/core/lead-lifecycle";
import { measureSchema, MEASURES, type Measure } from "../../src/core/measures";
import { formatYuan, MAX_AMOUNT_FEN, parseYuanText } from "../../src/core/money";
import { REPORT_OUTCOMES, type ReportOutcome } from "../../src/core/report-status";

type Flag = (name: string) => string | undefined;

/** The conclude command the flags ask for, or the refusal in words (the caller prints it and exits 2). */
export function concludeCommandFromFlags(flag: Flag): { ok: true; command: LeadCommand } | { ok: false; message: string } {
  const outcome = flag("outcome");
  if (outcome === undefined) return { ok: false, message: `--outcome ${REPORT_OUTCOMES.join("|")} is required` };
  if (!(REPORT_OUTCOMES as readonly string[]).includes(outcome)) return { ok: false, message: `unknown outcome ${outcome} (one of ${REPORT_OUTCOMES.join(", ")})` };
  const amounts: Partial<Record<"amount" | "recovered" | "fine", number>> = {};
  for (const name of ["amount", "recovered", "fine"] as const) {
    const text = flag(name);
    if (text === undefined) continue;
    const r = parseYuanText(text);
    if (!r.ok)
      return {
        ok: false,
        message: r.reason === "amount_too_large" ? `--${name} ${text}: too large (at most ${formatYuan(MAX_AMOUNT_FEN)} yuan)` : `--${name} ${text}: not an amount in yuan (digits, at most two decimals, e.g. 12000.50)`,
      };
    amounts[name] = r.fen;
  }
  const measures: Measure[] = [];
  const list = flag("measures");
  if (list !== undefined) {
    for (const word of list.split(",").map((w) => w.trim()).filter(Boolean)) {
      const m = measureSchema.safeParse(word);
      if (!m.success) return { ok: false, message: `--measures: unknown measure ${word} (any of ${MEASURES.join(", ")}, comma-separated)` };
      measures.push(m.data);
    }
  }
  return {
    ok: true,
    command: {
      type: "conclude",
      outcome: outcome as ReportOutcome,
      amountFen: amounts.amount ?? null,
      recoveredFen: amounts.recovered ?? null,
      fineFen: amounts.fine ?? null,
      measures,
    },
  };
}
