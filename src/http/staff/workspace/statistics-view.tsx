// The markup of the statistics page: the filter form (GET, works without JavaScript), the scope in
// words, the export links, the four charts and the tables of figures. Names, never ids; amounts through
// core/money, ratios as percentages; everything from the one StatisticsReport.
import type { Locale } from "../../../core/report-input";
import { formatMoney } from "../../../core/money";
import { getRegion, listRegions, regionName, regionPath } from "../../../core/regions";
import { REPORT_OUTCOMES } from "../../../core/report-status";
import { STATISTICS_SOURCES, toStatisticsRows, type StatisticsRow } from "../../../core/statistics/report-shape";
import { shanghaiDateTime } from "../../../core/time";
import { t } from "../../../i18n";
import type { StatisticsReport } from "../../../services/statistics/report";
import { Chart, percentText, shareBarsSvg, stackedColumnsSvg, stackedRowsSvg } from "./statistics-charts";
import { statisticsQueryString, type StatisticsQuery } from "./statistics-query";

export interface FilterChoices {
  /** Teams a coordinator may pick; null for a viewer held to their own team. */
  teams: { id: string; name: string }[] | null;
  /** The held team's name (team viewers). */
  ownTeamName: string | null;
  campaigns: { id: string; name: string }[];
}

const k = (key: string) => `workspace.statistics.${key}`;

function Select(props: { id: string; name: string; label: string; value: string | undefined; options: { value: string; label: string }[]; any: string; hint?: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.name} {...(props.hint ? { "aria-describedby": `${props.id}-hint` } : {})}>
        <option value="">{props.any}</option>
        {props.options.map((o) => (
          <option value={o.value} selected={props.value === o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
    </div>
  );
}

const regionOptions = (parent: string | null, locale: Locale) => listRegions(parent).map((r) => ({ value: r.code, label: regionName(r, locale) }));

/** The filters: period text or two dates, region by province → city → district (each level lists after the one above is applied), team, source, campaign. */
export function StatisticsFilters(props: { locale: Locale; q: Partial<StatisticsQuery>; choices: FilterChoices }) {
  const { locale, q, choices } = props;
  const any = t(locale, k("any"));
  const path = q.regionCode ? regionPath(q.regionCode) : [];
  const [province, city, district] = [path[0]?.code, path[1]?.code, path[2]?.code];
  return (
    <form method="get" action="/staff/statistics" class="filters" data-testid="statistics-filters">
      <fieldset>
        <legend>{t(locale, k("filters"))}</legend>
        <div class="field">
          <label for="s-period">{t(locale, k("period"))}</label>
          <input id="s-period" name="period" type="text" maxlength={40} value={q.period ?? ""} aria-describedby="s-period-hint" />
          <span class="hint" id="s-period-hint">
            {t(locale, k("period_hint"))}
          </span>
        </div>
        <div class="field">
          <label for="s-from">{t(locale, k("from"))}</label>
          <input id="s-from" name="from" type="date" value={q.from ?? ""} />
        </div>
        <div class="field">
          <label for="s-to">{t(locale, k("to"))}</label>
          <input id="s-to" name="to" type="date" value={q.to ?? ""} />
        </div>
        <Select id="s-province" name="province" label={t(locale, k("province"))} value={province} any={any} options={regionOptions(null, locale)} />
        {province ? <Select id="s-city" name="city" label={t(locale, k("city"))} value={city} any={any} options={regionOptions(province, locale)} /> : null}
        {city ? <Select id="s-district" name="district" label={t(locale, k("district"))} value={district} any={any} options={regionOptions(city, locale)} /> : null}
        {choices.teams ? <Select id="s-team" name="team" label={t(locale, k("team"))} value={q.teamId} any={any} options={choices.teams.map((x) => ({ value: x.id, label: x.name }))} /> : null}
        <Select id="s-source" name="source" label={t(locale, k("source"))} value={q.source} any={any} options={STATISTICS_SOURCES.map((s) => ({ value: s, label: t(locale, `chat.lead_source.${s}`) }))} />
        {choices.campaigns.length ? <Select id="s-campaign" name="campaign" label={t(locale, k("campaign"))} value={q.campaignId} any={any} options={choices.campaigns.map((x) => ({ value: x.id, label: x.name }))} /> : null}
        <button class="button" type="submit">
          {t(locale, k("apply"))}
        </button>{" "}
        <a href="/staff/statistics">{t(locale, k("reset"))}</a>
        <p class="hint">{t(locale, k("region_hint"))}</p>
      </fieldset>
    </form>
  );
}

/** The scope in words: period, region, team, source, campaign, and when "now" was taken. */
export function ScopeSummary(props: { locale: Locale; report: StatisticsReport; campaignName: string | null }) {
  const { locale, report } = props;
  const s = report.scope;
  const region = s.regionCode ? getRegion(s.regionCode) : undefined;
  const items: [string, string][] = [
    [t(locale, k("period")), `${report.period.from} – ${report.period.to}`],
    [t(locale, k("region")), region ? regionPath(region.code).map((r) => regionName(r, locale)).join(" ") : t(locale, k("all_regions"))],
    [t(locale, k("team")), s.teamName ?? t(locale, k("all_teams"))],
    [t(locale, k("source")), s.source ? t(locale, `chat.lead_source.${s.source}`) : t(locale, k("all_sources"))],
    ...(s.campaignId ? ([[t(locale, k("campaign")), props.campaignName ?? "—"]] as [string, string][]) : []),
    [t(locale, k("as_of")), shanghaiDateTime(new Date(report.asOf))],
  ];
  return (
    <dl class="summary" data-testid="statistics-scope">
      {items.map(([dt, dd]) => (
        <>
          <dt>{dt}</dt>
          <dd>{dd}</dd>
        </>
      ))}
    </dl>
  );
}

export function ExportLinks(props: { locale: Locale; q: StatisticsQuery }) {
  const qs = statisticsQueryString(props.q);
  const { locale } = props;
  return (
    <section aria-labelledby="exports-h" data-testid="statistics-exports">
      <h2 id="exports-h">{t(locale, k("exports"))}</h2>
      <ul>
        <li>
          <a href={`/staff/statistics.xlsx${qs}`} data-testid="export-xlsx">
            {t(locale, k("export_xlsx"))}
          </a>
        </li>
        <li>
          <a href={`/staff/statistics.csv${qs}`} data-testid="export-csv">
            {t(locale, k("export_csv"))}
          </a>
        </li>
        <li>
          <a href={`/staff/statistics/ledger.csv${qs}`} data-testid="export-ledger">
            {t(locale, k("export_ledger"))}
          </a>
        </li>
      </ul>
      <p class="hint">{t(locale, k("exports_hint"))}</p>
    </section>
  );
}

/** A figure's value as the page writes it: money through core/money, ratios as percentages. */
function valueText(row: StatisticsRow, locale: Locale): string {
  if (row.value === null) return t(locale, k("none_counted"));
  if (row.kind === "fen") return formatMoney(row.value as number, locale);
  if (row.kind === "ratio") return percentText(row.value as number);
  return String(row.value);
}

const oneDecimal = (n: number | null) => (n === null ? "—" : String(Math.round(n * 10) / 10));

function timelinessRows(locale: Locale, r: StatisticsReport) {
  const d = r.timelinessDetail;
  return [
    { label: t(locale, "statistics.figure.timeliness.acknowledgedInTime"), share: r.timeliness.acknowledgedInTime, detail: t(locale, k("median_p90_hours"), { median: oneDecimal(d.ackWorkingHours.median), p90: oneDecimal(d.ackWorkingHours.p90), count: d.counted.ack }) },
    { label: t(locale, "statistics.figure.timeliness.decidedInTime"), share: r.timeliness.decidedInTime, detail: t(locale, k("median_p90_days"), { median: oneDecimal(d.decideWorkingDays.median), p90: oneDecimal(d.decideWorkingDays.p90), count: d.counted.decide }) },
    { label: t(locale, "statistics.figure.timeliness.closedInTime"), share: r.timeliness.closedInTime, detail: t(locale, k("median_p90_days"), { median: oneDecimal(d.closeWorkingDays.median), p90: oneDecimal(d.closeWorkingDays.p90), count: d.counted.close }) },
  ];
}

/** The four charts, each an inline SVG built on the server. */
export function StatisticsCharts(props: { locale: Locale; report: StatisticsReport }) {
  const { locale, report: r } = props;
  const sources = STATISTICS_SOURCES.map((s) => ({ name: t(locale, `chat.lead_source.${s}`) }));
  // The deliverable first (the campaign's name is long and shared): "自查报告 · 2026年…专项检查" only when several campaigns show.
  const deliverables = r.campaigns.flatMap((c) => c.deliverables.map((d) => ({ label: r.campaigns.length > 1 ? `${d.name} · ${c.name}` : d.name, values: [d.onTime, d.late, d.missing] })));
  const title = (key: string) => t(locale, k(key));
  return (
    <section aria-labelledby="charts-h" data-testid="statistics-charts" class="charts">
      <h2 id="charts-h">{t(locale, k("charts"))}</h2>
      <Chart
        caption={title("chart_monthly")}
        svg={stackedColumnsSvg({
          id: "chart-monthly",
          title: title("chart_monthly"),
          emptyText: t(locale, k("chart_empty")),
          categories: r.monthly.map((m) => m.month),
          series: sources,
          values: r.monthly.map((m) => STATISTICS_SOURCES.map((s) => m.received[s])),
        })}
      />
      <Chart
        caption={title("chart_outcomes")}
        svg={stackedRowsSvg({
          id: "chart-outcomes",
          title: title("chart_outcomes"),
          emptyText: t(locale, k("chart_empty")),
          series: [{ name: t(locale, "statistics.figure.leads.concluded") }],
          rows: REPORT_OUTCOMES.map((o) => ({ label: t(locale, `report_outcome.${o}`), values: [r.leads.byOutcome[o]] })),
        })}
      />
      <Chart caption={title("chart_timeliness")} svg={shareBarsSvg({ id: "chart-timeliness", title: title("chart_timeliness"), emptyText: t(locale, k("chart_empty")), noneText: t(locale, k("none_counted")), rows: timelinessRows(locale, r) })} />
      <Chart
        caption={title("chart_compliance")}
        svg={stackedRowsSvg({
          id: "chart-compliance",
          title: title("chart_compliance"),
          emptyText: t(locale, k("chart_compliance_empty")),
          series: [{ name: t(locale, k("on_time")) }, { name: t(locale, k("late")) }, { name: t(locale, k("missing")) }],
          rows: deliverables,
        })}
      />
    </section>
  );
}

function CountTable(props: { id: string; caption: string; head: [string, string]; rows: [string, string | number][]; empty: string }) {
  if (!props.rows.length)
    return (
      <p data-testid={props.id}>
        {props.caption}: {props.empty}
      </p>
    );
  return (
    <div class="scroll">
      <table class="grid" data-testid={props.id}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{props.head[0]}</th>
            <th scope="col">{props.head[1]}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map(([label, value]) => (
            <tr>
              <th scope="row">{label}</th>
              <td class="num">{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const sortedEntries = (o: Record<string, number>) => Object.entries(o).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

function batchResultLabel(locale: Locale, key: string): string {
  if ((REPORT_OUTCOMES as readonly string[]).includes(key)) return t(locale, `report_outcome.${key}`);
  if (key === "open") return t(locale, k("batch_open"));
  return t(locale, `chat.lead_state.${key}`);
}

/** The table of figures (one row per figure, as every export has them) and the report's breakdowns. */
export function StatisticsTables(props: { locale: Locale; report: StatisticsReport }) {
  const { locale, report: r } = props;
  const head: [string, string] = [t(locale, "statistics.figure_header"), t(locale, "statistics.value_header")];
  const empty = t(locale, k("nothing"));
  const b = r.breakdown;
  const d = r.timelinessDetail;
  return (
    <section aria-labelledby="figures-h" data-testid="statistics-tables">
      <h2 id="figures-h">{t(locale, k("figures"))}</h2>
      <div class="scroll">
        <table class="grid" data-testid="statistics-figures">
          <caption>{t(locale, k("figures_caption"), { from: r.period.from, to: r.period.to })}</caption>
          <thead>
            <tr>
              <th scope="col">{head[0]}</th>
              <th scope="col">{head[1]}</th>
            </tr>
          </thead>
          <tbody>
            {toStatisticsRows(r, locale)
              .filter((row) => !row.key.startsWith("period."))
              .map((row) => (
                <tr data-figure={row.key}>
                  <th scope="row">{row.label}</th>
                  <td class="num">{valueText(row, locale)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <CountTable id="by-type" caption={t(locale, k("by_type"))} head={head} empty={empty} rows={sortedEntries(b.byViolationType).map(([key, n]) => [t(locale, `taxonomy.type.${key}`), n])} />
      <CountTable id="by-focus" caption={t(locale, k("by_focus"))} head={head} empty={empty} rows={sortedEntries(b.byFocusArea).map(([key, n]) => [t(locale, `taxonomy.focus.${key}`), n])} />
      <CountTable
        id="by-region"
        caption={t(locale, k("by_region"))}
        head={head}
        empty={empty}
        rows={sortedEntries(b.byRegion).map(([code, n]) => {
          const region = getRegion(code);
          return [region ? regionName(region, locale) : t(locale, k("unknown_region")), n];
        })}
      />
      <CountTable
        id="tips"
        caption={t(locale, k("tips"))}
        head={head}
        empty={empty}
        rows={[
          [t(locale, k("tips_received")), b.tips.received],
          [t(locale, k("tips_anonymous")), b.tips.anonymous],
          [t(locale, k("tips_real_name")), b.tips.realName],
          [t(locale, k("tips_insider")), b.tips.insider],
          [t(locale, k("corroborated")), b.corroborated],
        ]}
      />
      <CountTable
        id="referrals"
        caption={t(locale, k("referrals"))}
        head={head}
        empty={empty}
        rows={[
          [t(locale, "report_outcome.referred_police"), b.referrals.police],
          [t(locale, "report_outcome.referred_discipline"), b.referrals.discipline],
          [t(locale, "report_outcome.referred_health_commission"), b.referrals.health_commission],
        ]}
      />
      <CountTable
        id="timeliness-detail"
        caption={t(locale, k("timeliness_detail"))}
        head={head}
        empty={empty}
        rows={[
          [t(locale, k("ack_counted")), d.counted.ack],
          [t(locale, k("ack_median")), oneDecimal(d.ackWorkingHours.median)],
          [t(locale, k("ack_p90")), oneDecimal(d.ackWorkingHours.p90)],
          [t(locale, k("decide_counted")), d.counted.decide],
          [t(locale, k("decide_median")), oneDecimal(d.decideWorkingDays.median)],
          [t(locale, k("decide_p90")), oneDecimal(d.decideWorkingDays.p90)],
          [t(locale, k("close_counted")), d.counted.close],
          [t(locale, k("close_median")), oneDecimal(d.closeWorkingDays.median)],
          [t(locale, k("close_p90")), oneDecimal(d.closeWorkingDays.p90)],
        ]}
      />
      <CountTable
        id="batches"
        caption={t(locale, k("batches"))}
        head={head}
        empty={empty}
        rows={[
          [t(locale, k("batches_count")), r.batches.count],
          [t(locale, k("batches_rows")), r.batches.rows],
          [t(locale, k("batches_fed_back")), r.batches.fedBack],
          ...sortedEntries(r.batches.byOutcome).map(([key, n]): [string, number] => [batchResultLabel(locale, key), n]),
        ]}
      />
      <CampaignTable locale={locale} report={r} />
    </section>
  );
}

function CampaignTable(props: { locale: Locale; report: StatisticsReport }) {
  const { locale } = props;
  const campaigns = props.report.campaigns;
  if (!campaigns.length) return <p data-testid="campaign-figures">{t(locale, k("chart_compliance_empty"))}</p>;
  const cols = ["deliverable", "due", "units", "on_time", "late", "missing", "returned"];
  return (
    <div class="scroll">
      <table class="grid" data-testid="campaign-figures">
        <caption>{t(locale, k("campaigns_caption"))}</caption>
        <thead>
          <tr>
            {cols.map((c) => (
              <th scope="col">{t(locale, k(c))}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {campaigns.flatMap((c) => [
            <tr>
              <th scope="colgroup" colspan={cols.length}>
                {c.name} · {t(locale, k("reminders_line"), { sent: c.reminders.sent, acknowledged: c.reminders.acknowledged })}
              </th>
            </tr>,
            ...c.deliverables.map((d) => (
              <tr>
                <th scope="row">{d.name}</th>
                <td>{d.dueDate}</td>
                <td class="num">{d.units}</td>
                <td class="num">{d.onTime}</td>
                <td class="num">{d.late}</td>
                <td class="num">{d.missing}</td>
                <td class="num">{d.returned}</td>
              </tr>
            )),
          ])}
        </tbody>
      </table>
    </div>
  );
}
