// Leads in the workspace (/staff/leads): the list a member may see — an inspector their own, a team
// lead their team's, a coordinator all — filtered by a GET form (works without JavaScript), newest
// first, 100 a page with a "next page" link carrying the keyset cursor; and each lead's page, its
// actions and files (lead-page.tsx, lead-actions.ts, lead-files.tsx).
import { Hono } from "hono";
import { LEAD_STATES } from "../../../core/lead-lifecycle";
import type { Locale } from "../../../core/report-input";
import { regionDisplayName } from "../../../core/regions";
import { VIOLATION_TYPES } from "../../../core/taxonomy";
import { shanghaiDateTime } from "../../../core/time";
import { t } from "../../../i18n";
import { LEAD_LIST_SOURCES, leadListFiltersSchema, listLeadsForMember, offeredFilters, type LeadListFilters, type LeadListPage } from "../../../services/leads/lead-list";
import type { AppContext, AppEnv } from "../../context";
import { createLeadActionRoutes } from "./lead-actions";
import { createLeadFileRoutes } from "./lead-files";
import { createLeadPageRoutes } from "./lead-page";
import { staffOf } from "./session";
import { WorkspaceLayout } from "./workspace-layout";

const FILTER_KEYS = ["state", "team", "assignee", "source", "region", "type", "overdue", "from", "to"] as const;

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

function Select(props: { id: string; name: string; label: string; value: string | undefined; options: { value: string; label: string }[]; any: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.name}>
        <option value="">{props.any}</option>
        {props.options.map((o) => (
          <option value={o.value} selected={props.value === o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function Filters(props: { locale: Locale; f: LeadListFilters; page: LeadListPage }) {
  const { locale, f, page } = props;
  const offered = offeredFilters(page.scope);
  const any = t(locale, "workspace.leads.any");
  return (
    <form method="get" action="/staff/leads" class="filters" data-testid="lead-filters">
      <fieldset>
        <legend>{t(locale, "workspace.leads.filters")}</legend>
        <Select
          id="f-state"
          name="state"
          label={t(locale, "workspace.leads.col_state")}
          value={f.state}
          any={any}
          options={[{ value: "open", label: t(locale, "workspace.leads.state_open") }, ...LEAD_STATES.map((s) => ({ value: s, label: t(locale, `chat.lead_state.${s}`) }))]}
        />
        {offered.team ? <Select id="f-team" name="team" label={t(locale, "workspace.leads.col_team")} value={f.team} any={any} options={page.teams.map((x) => ({ value: x.id, label: x.name }))} /> : null}
        {offered.assignee ? (
          <Select id="f-assignee" name="assignee" label={t(locale, "workspace.leads.col_assignee")} value={f.assignee} any={any} options={page.people.map((x) => ({ value: x.id, label: x.name }))} />
        ) : null}
        <Select id="f-source" name="source" label={t(locale, "workspace.leads.col_source")} value={f.source} any={any} options={LEAD_LIST_SOURCES.map((s) => ({ value: s, label: t(locale, `chat.lead_source.${s}`) }))} />
        <Select id="f-type" name="type" label={t(locale, "workspace.leads.col_type")} value={f.type} any={any} options={VIOLATION_TYPES.map((s) => ({ value: s, label: t(locale, `taxonomy.type.${s}`) }))} />
        <div class="field">
          <label for="f-region">{t(locale, "workspace.leads.col_region")}</label>
          <input id="f-region" name="region" type="text" inputmode="numeric" pattern="\d{6}" maxlength={6} value={f.region ?? ""} aria-describedby="f-region-hint" />
          <span class="hint" id="f-region-hint">
            {t(locale, "workspace.leads.region_hint")}
          </span>
        </div>
        <div class="field">
          <label for="f-from">{t(locale, "workspace.leads.received_from")}</label>
          <input id="f-from" name="from" type="date" value={f.from ?? ""} />
        </div>
        <div class="field">
          <label for="f-to">{t(locale, "workspace.leads.received_to")}</label>
          <input id="f-to" name="to" type="date" value={f.to ?? ""} />
        </div>
        <div class="field check">
          <input id="f-overdue" name="overdue" type="checkbox" value="1" checked={f.overdue === "1"} />
          <label for="f-overdue">{t(locale, "workspace.leads.overdue_only")}</label>
        </div>
        <button class="button" type="submit">
          {t(locale, "workspace.leads.apply")}
        </button>{" "}
        <a href="/staff/leads">{t(locale, "workspace.leads.reset")}</a>
      </fieldset>
    </form>
  );
}

function LeadTable(props: { locale: Locale; page: LeadListPage }) {
  const { locale, page } = props;
  if (!page.leads.length) return <p data-testid="leads-empty">{t(locale, "workspace.leads.empty")}</p>;
  return (
    <div class="table-scroll">
      <table class="leads" data-testid="leads-table">
        <caption>{t(locale, "workspace.leads.caption", { count: page.leads.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t(locale, "workspace.leads.col_lead")}</th>
            <th scope="col">{t(locale, "workspace.leads.col_received")}</th>
            <th scope="col">{t(locale, "workspace.leads.col_type")}</th>
            <th scope="col">{t(locale, "workspace.leads.col_target")}</th>
            <th scope="col">{t(locale, "workspace.leads.col_region")}</th>
            <th scope="col">{t(locale, "workspace.leads.col_state")}</th>
            <th scope="col">{t(locale, "workspace.leads.col_team")}</th>
            <th scope="col">{t(locale, "workspace.leads.col_assignee")}</th>
          </tr>
        </thead>
        <tbody>
          {page.leads.map((l) => (
            <tr data-lead={l.id}>
              <th scope="row">
                <a href={`/staff/leads/${encodeURIComponent(l.id)}`}>{l.id}</a>
              </th>
              <td>{shanghaiDateTime(new Date(l.receivedAt))}</td>
              <td>
                {t(locale, `taxonomy.type.${l.violationType}`)}
                <br />
                <span class="hint">{t(locale, `chat.lead_source.${l.source}`)}</span>
              </td>
              <td>{l.targetName}</td>
              <td>{regionDisplayName(l.regionCode, locale) || l.regionCode}</td>
              <td>
                {t(locale, `chat.lead_state.${l.state}`)}
                {l.outcome ? ` · ${t(locale, `report_outcome.${l.outcome}`)}` : ""}
                {l.overdue ? (
                  <>
                    {" "}
                    <strong class="overdue" data-testid="overdue">
                      {t(locale, "workspace.leads.overdue")}
                    </strong>
                  </>
                ) : null}
              </td>
              <td>{l.teamName ?? "—"}</td>
              <td>{l.assigneeName ?? t(locale, "chat.unassigned")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The list, or a 400 page naming the filter that could not be read (nothing is read with it). */
async function listPage(c: AppContext) {
  const { member, locale } = staffOf(c);
  const title = t(locale, "workspace.leads.title");
  const raw = Object.fromEntries([...FILTER_KEYS, "after"].map((k) => [k, c.req.query(k)]));
  const parsed = leadListFiltersSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
    return c.html(
      <WorkspaceLayout c={c} title={title} active="leads">
        <h1>{title}</h1>
        <p class="alert" role="alert" data-testid="filter-invalid">
          {t(locale, "workspace.leads.filter_invalid", { fields: fields.map((f) => t(locale, `workspace.leads.filter_name.${f}`)).join(locale === "en" ? ", " : "、") })}
        </p>
        <p>
          <a href="/staff/leads">{t(locale, "workspace.leads.reset")}</a>
        </p>
      </WorkspaceLayout>,
      400,
    );
  }
  const f = parsed.data;
  const page = await listLeadsForMember(c.var.deps, member, f);
  const keep = Object.fromEntries(FILTER_KEYS.map((k) => [k, f[k]]));
  return c.html(
    <WorkspaceLayout c={c} title={title} active="leads" wide>
      <h1>{title}</h1>
      <p class="hint" data-testid="lead-scope">
        {t(locale, `workspace.leads.scope_${page.scope.kind}`)}
      </p>
      <Filters locale={locale} f={f} page={page} />
      <LeadTable locale={locale} page={page} />
      <nav class="pages" aria-label={t(locale, "workspace.leads.pages")}>
        {f.after ? <a href={`/staff/leads${query(keep)}`}>{t(locale, "workspace.leads.first_page")}</a> : null}{" "}
        {page.next ? (
          <a href={`/staff/leads${query({ ...keep, after: page.next })}`} rel="next" data-testid="next-page">
            {t(locale, "workspace.leads.next_page")}
          </a>
        ) : null}
      </nav>
    </WorkspaceLayout>,
  );
}

export function createLeadsRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/", listPage);
  routes.route("/", createLeadFileRoutes());
  routes.route("/", createLeadActionRoutes());
  routes.route("/", createLeadPageRoutes());
  return routes;
}
