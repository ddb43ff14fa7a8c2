// How a handed-in statistics table compares with the computed figures, in words: the board's flag per
// submission and the unit page's list of the figures that differ. Pure markup; the check is stored.
import type { FigureCheck, FigureDifference, FigureUnit } from "../../core/statistics/compare-figures";
import { regionDisplayName } from "../../core/regions";
import type { Locale } from "../../core/report-input";
import { CATALOGS, t } from "../../i18n";

const has = (key: string) => CATALOGS.en.has(key);

/** The figure's name as the statistics table calls it ("Leads received by region: 徐汇区"); the key when unknown. */
export function figureLabel(locale: Locale, key: string): string {
  if (has(`statistics.figure.${key}`)) return t(locale, `statistics.figure.${key}`);
  const dot = key.lastIndexOf(".");
  const group = key.slice(0, dot);
  const code = key.slice(dot + 1);
  if (dot > 0 && has(`statistics.figure.${group}`)) {
    const name = group === "breakdown.byRegion" ? regionDisplayName(code, locale) || code : code;
    return t(locale, `statistics.figure.${group}`, { name });
  }
  return key;
}

/** A compared number as the workbook shows it: counts, yuan with two decimals, a percentage, one decimal. */
export function figureText(unit: FigureUnit | undefined, value: number | null): string {
  if (value === null) return "—";
  switch (unit) {
    case "fen":
      return `${value < 0 ? "-" : ""}${Math.trunc(Math.abs(value) / 100)}.${String(Math.abs(value) % 100).padStart(2, "0")}`;
    case "permille":
      return `${(value / 10).toFixed(1)}%`;
    case "deci":
      return (value / 10).toFixed(1);
    default:
      return String(value);
  }
}

/** The one check that speaks for a submission's files: the first that could be compared, else the first. */
export function submissionCheck(checks: readonly (FigureCheck | null)[]): FigureCheck | null {
  const present = checks.filter((c): c is FigureCheck => c !== null);
  return present.find((c) => c.status !== "not_comparable") ?? present[0] ?? null;
}

/** The short flag: "differs from computed figures: 3 figures", "same as computed figures", "could not be compared". */
export function FigureFlag(props: { locale: Locale; check: FigureCheck | null }) {
  const { locale, check } = props;
  if (!check) return null;
  if (check.status === "differs")
    return (
      <span class="st-late" data-figures="differs" data-differing={String(check.differences.length)} title={check.differences.map((d) => figureLabel(locale, d.key)).join("\n")}>
        {t(locale, "statistics_deliverable.flag_differs", { n: check.differences.length })}
      </span>
    );
  if (check.status === "same")
    return (
      <span class="st-accepted" data-figures="same">
        {t(locale, "statistics_deliverable.flag_same")}
      </span>
    );
  return (
    <span class="hint" data-figures="not_comparable" data-reason={check.reason}>
      {t(locale, "statistics_deliverable.flag_not_comparable", { reason: t(locale, `statistics_deliverable.reason.${check.reason}`) })}
    </span>
  );
}

/** The figures that differ, one row each: the computed value and the handed-in one. */
export function FigureDifferences(props: { locale: Locale; differences: readonly FigureDifference[] }) {
  const { locale } = props;
  return (
    <table class="grid" data-testid="figure-differences">
      <thead>
        <tr>
          <th scope="col">{t(locale, "statistics_deliverable.col_figure")}</th>
          <th scope="col">{t(locale, "statistics_deliverable.col_computed")}</th>
          <th scope="col">{t(locale, "statistics_deliverable.col_submitted")}</th>
        </tr>
      </thead>
      <tbody>
        {props.differences.map((d) => (
          <tr data-figure={d.key}>
            <td>{figureLabel(locale, d.key)}</td>
            <td>{figureText(d.unit, d.computed)}</td>
            <td>{figureText(d.unit, d.submitted)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
