// What a concluded lead records beyond its outcome (recovered, fine, measures) as labelled rows: one wording for card, page and CLI.
import { measuresText, parseStoredMeasures } from "../../core/measures";
import { formatMoney } from "../../core/money";
import type { Locale } from "../../core/report-input";
import type { LeadRow } from "../../db/schema";
import { t } from "../../i18n";

export type ConclusionField = { key: "recovered" | "fine" | "measures"; label: string; value: string };

/** The rows for what was recorded: amounts with formatMoney, measures in words; none before a conclusion recorded them. */
export function conclusionFields(lead: Pick<LeadRow, "recoveredFen" | "fineFen" | "measures">, locale: Locale): ConclusionField[] {
  const rows: ConclusionField[] = [];
  if (lead.recoveredFen !== null) rows.push({ key: "recovered", label: t(locale, "conclusion.recovered"), value: formatMoney(lead.recoveredFen, locale) });
  if (lead.fineFen !== null) rows.push({ key: "fine", label: t(locale, "conclusion.fine"), value: formatMoney(lead.fineFen, locale) });
  const measures = parseStoredMeasures(lead.measures);
  if (measures && measures.length > 0) rows.push({ key: "measures", label: t(locale, "conclusion.measures"), value: measuresText(measures, locale) });
  return rows;
}
