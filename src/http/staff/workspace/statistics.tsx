// Statistics in the workspace (/staff/statistics): the figures of any period and scope with the filters in
// the URL (shareable), four server-rendered SVG charts and the tables; and the exports that keep the
// filters (/staff/statistics.xlsx, /staff/statistics.csv, /staff/statistics/ledger.csv), each logged
// before its bytes go out. Coordinators see any scope; other staff their own team's only (the team
// filter is forced and the page says so); members with neither are refused. Every view is logged by the
// session middleware as every page open is.
import { Hono } from "hono";
import { t } from "../../../i18n";
import { listCampaignsFor } from "../../../services/campaigns/campaign-list";
import { AppError } from "../../../services/errors";
import { namesOf } from "../../../services/org/member-names";
import { orgSnapshot } from "../../../services/org/org-cache";
import { computeStatistics } from "../../../services/statistics/compute";
import { logStatisticsExport, type StatisticsExportFormat } from "../../../services/statistics/export-log";
import { ledgerCsv, statisticsCsv, statisticsFileNameParts, statisticsXlsx } from "../../../services/statistics/exports";
import { leadLedger } from "../../../services/statistics/ledger";
import type { StatisticsScope } from "../../../services/statistics/report";
import { resolveStatisticsScope } from "../../../services/statistics/scope";
import { filtersForViewer, statisticsViewerOf, type StatisticsViewer } from "../../../services/statistics/viewer";
import type { AppContext, AppEnv } from "../../context";
import { CSV_DOWNLOAD, downloadHeaders, XLSX_DOWNLOAD } from "../../download";
import { sendPage } from "../staff-layout";
import { refuseInWorkspace } from "./campaign-actions";
import { staffOf } from "./session";
import { readStatisticsQuery, type StatisticsQuery, type StatisticsQueryProblem } from "./statistics-query";
import { ExportLinks, ScopeSummary, StatisticsCharts, StatisticsFilters, StatisticsTables, type FilterChoices } from "./statistics-view";
import { WorkspaceLayout } from "./workspace-layout";

type Viewer = Exclude<StatisticsViewer, { kind: "refused" }>;
type Prepared = { viewer: Viewer; query: StatisticsQuery; scope: StatisticsScope; choices: FilterChoices };

const k = (key: string) => `workspace.statistics.${key}`;

/** Teams and campaigns the form offers this viewer (a team viewer picks neither a team nor a campaign: theirs is fixed). */
async function choicesFor(c: AppContext, viewer: Viewer): Promise<FilterChoices> {
  const { deps } = c.var;
  const org = await orgSnapshot(deps);
  if (viewer.kind === "team") return { teams: null, ownTeamName: org.teamById.get(viewer.teamId)?.name ?? null, campaigns: [] };
  const list = await listCampaignsFor(deps, staffOf(c).member);
  return {
    teams: org.teams.filter((x) => x.active).map((x) => ({ id: x.id, name: x.name })),
    ownTeamName: null,
    campaigns: [...list.active, ...list.finished].map((x) => ({ id: x.campaign.id, name: x.campaign.name })),
  };
}

function problemText(c: AppContext, p: StatisticsQueryProblem): string {
  const { locale } = staffOf(c);
  const field = t(locale, k(`field.${p.field}`));
  if (p.periodCode === "both_dates") return t(locale, k("both_dates"));
  if (p.periodCode) return t(locale, k("field_problem"), { field, problem: t(locale, `statistics.period_error.${p.periodCode}`) });
  return t(locale, k("invalid_field"), { field });
}

/** The form again with what could not be read, in words: 400, nothing computed. */
async function invalidPage(c: AppContext, viewer: Viewer, messages: string[]) {
  const { locale } = staffOf(c);
  const title = t(locale, k("title"));
  const choices = await choicesFor(c, viewer);
  return sendPage(
    c,
    <WorkspaceLayout c={c} title={title} active="statistics" wide>
      <h1>{title}</h1>
      <div class="alert" role="alert" data-testid="filter-invalid">
        <p>{t(locale, k("invalid_intro"))}</p>
        <ul>
          {messages.map((m) => (
            <li>{m}</li>
          ))}
        </ul>
      </div>
      {/* The typed period texts come back to be corrected (escaped, bounded); the selects start over. */}
      <StatisticsFilters locale={locale} q={Object.fromEntries((["period", "from", "to"] as const).flatMap((f) => { const v = c.req.query(f); return v ? [[f, v.slice(0, 40)]] : []; }))} choices={choices} />
    </WorkspaceLayout>,
    400,
  );
}

/** The viewer, the filters read and the scope resolved; or the answer (refusal, 400) when not. */
async function prepare(c: AppContext): Promise<Prepared | Response> {
  const { member, locale } = staffOf(c);
  const { deps } = c.var;
  const viewer = statisticsViewerOf(member);
  if (viewer.kind === "refused") {
    const who = namesOf(await orgSnapshot(deps), (m) => m.role === "coordinator", locale);
    const message = `${t(locale, k("refused"))}${who ? (locale === "en" ? " " : "") + t(locale, "refusal.ask_one_of", { who }) : ""}`;
    return refuseInWorkspace(c, 403, message, { active: "statistics", back: { href: "/staff", label: t(locale, k("back_to_overview")) } });
  }
  const now = deps.now();
  const read = readStatisticsQuery(c.req.query(), now);
  if (!read.ok) return invalidPage(c, viewer, read.problems.map((p) => problemText(c, p)));
  // A team that does not exist is named like any other unreadable filter (before anything is computed).
  if (viewer.kind === "all" && read.query.teamId && !(await orgSnapshot(deps)).teamById.has(read.query.teamId)) return invalidPage(c, viewer, [problemText(c, { field: "team" })]);
  const query = { ...read.query, ...(viewer.kind === "team" ? { teamId: viewer.teamId } : {}) };
  const filters = filtersForViewer(viewer, { regionCode: query.regionCode, teamId: query.teamId, source: query.source, campaignId: query.campaignId });
  try {
    const scope = await resolveStatisticsScope(
      deps,
      {
        ...(query.from !== undefined ? { from: query.from, to: query.to } : query.period !== undefined ? { period: query.period } : {}),
        ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)),
      },
      now,
    );
    return { viewer, query, scope, choices: await choicesFor(c, viewer) };
  } catch (e) {
    // unknown_team, unknown_region, invalid_period: the use case's words for what is wrong.
    if (!(e instanceof AppError) || e.code !== "validation_failed") throw e;
    const reason = e.options.details?.["reason"];
    const field = reason === "unknown_region" ? "region" : reason === "unknown_team" ? "team" : reason === "invalid_period" ? "period" : null;
    return invalidPage(c, viewer, [field ? problemText(c, { field }) : t(locale, k("invalid_intro"))]);
  }
}

async function statisticsPage(c: AppContext) {
  const prepared = await prepare(c);
  if (prepared instanceof Response) return prepared;
  const { locale } = staffOf(c);
  const { viewer, query, scope, choices } = prepared;
  const report = await computeStatistics(c.var.deps, scope, c.var.deps.now());
  const title = t(locale, k("title"));
  const campaignName = scope.campaignId ? (choices.campaigns.find((x) => x.id === scope.campaignId)?.name ?? null) : null;
  return sendPage(
    c,
    <WorkspaceLayout c={c} title={title} active="statistics" wide>
      <h1>{title}</h1>
      {viewer.kind === "team" ? (
        <p class="notice" data-testid="team-only">
          {t(locale, k("team_only"), { team: report.scope.teamName ?? choices.ownTeamName ?? "—" })}
        </p>
      ) : null}
      <StatisticsFilters locale={locale} q={query} choices={choices} />
      <ScopeSummary locale={locale} report={report} campaignName={campaignName} />
      <ExportLinks locale={locale} q={query} />
      <StatisticsCharts locale={locale} report={report} />
      <StatisticsTables locale={locale} report={report} />
    </WorkspaceLayout>,
  );
}

/** One export: figures (and ledger) of the scope, logged, then the bytes under the name we choose. */
async function exportFile(c: AppContext, format: StatisticsExportFormat) {
  const prepared = await prepare(c);
  if (prepared instanceof Response) return prepared;
  const { member, locale, sessionId } = staffOf(c);
  const { deps } = c.var;
  const { viewer, scope } = prepared;
  const now = deps.now();
  const log = (rows: number, truncated = false) => logStatisticsExport(deps, { member, viewer, scope, format, rows, truncated, platform: "web", platformRef: sessionId });
  const name = (f: "csv" | "xlsx" | "ledger-csv") => {
    const parts = statisticsFileNameParts(scope, f, locale);
    return { stem: parts.stem, asciiStem: parts.asciiStem };
  };
  const limit = deps.config.STATISTICS_EXPORT_MAX_ROWS;
  // A file that silently lacks leads would be reported upward as complete: refuse it in words instead.
  const tooLarge = () =>
    refuseInWorkspace(c, 422, t(locale, "workspace.statistics.export_too_large", { limit: limit.toLocaleString(locale) }), {
      active: "statistics",
      back: { href: `/staff/statistics${new URL(c.req.url).search}`, label: t(locale, "workspace.statistics.back_to_statistics") },
    });
  if (format === "ledger_csv") {
    const ledger = await leadLedger(deps, scope, { limit });
    if (ledger.truncated) return tooLarge();
    await log(ledger.rows.length, ledger.truncated);
    return c.body(ledgerCsv(ledger.rows, locale), 200, downloadHeaders(name("ledger-csv"), CSV_DOWNLOAD));
  }
  const report = await computeStatistics(deps, scope, now);
  if (format === "csv") {
    const csv = statisticsCsv(report, locale);
    // Rows of figures: the lines after the header (the file ends with a line break).
    await log(csv.split("\r\n").filter(Boolean).length - 1);
    return c.body(csv, 200, downloadHeaders(name("csv"), CSV_DOWNLOAD));
  }
  const ledger = await leadLedger(deps, scope, { limit });
  if (ledger.truncated) return tooLarge();
  const bytes = await statisticsXlsx(report, ledger.rows, locale);
  await log(ledger.rows.length, ledger.truncated);
  return c.body(bytes as Uint8Array<ArrayBuffer>, 200, downloadHeaders(name("xlsx"), XLSX_DOWNLOAD));
}

export function createStatisticsRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/statistics", statisticsPage);
  // Whole literal segments: this router does not match a parameter after a literal inside one segment.
  routes.get("/statistics.xlsx", (c) => exportFile(c, "xlsx"));
  routes.get("/statistics.csv", (c) => exportFile(c, "csv"));
  routes.get("/statistics/ledger.csv", (c) => exportFile(c, "ledger_csv"));
  return routes;
}
