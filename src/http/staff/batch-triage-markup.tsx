// The triage page's markup, shared by the signed-link page (batch-triage.tsx) and the workspace's
// batches section: the batch summary, the feedback file's links, the filters, the leads with the bulk
// form and the pages, and a bulk action's outcome per lead. Where links point is the caller's to say.
import { regionDisplayName } from "../../core/regions";
import type { Locale } from "../../core/report-input";
import { LEAD_STATES } from "../../core/lead-lifecycle";
import { t } from "../../i18n";
import type { MemberRow } from "../../services/leads/batch-triage-views";
import { BULK_ACTIONS, BULK_MAX_LEADS, type BatchRow, type BulkAction, type BulkOutcome, type TriageFilters, type TriagePage } from "../../services/leads/batch-triage";

export const batchName = (b: BatchRow) => [b.source, b.reference].filter(Boolean).join(" · ");

/** Who may open a lead's case page (mayHandleLead, on the columns the list has). */
export const mayOpenCase = (m: MemberRow, lead: { assigneeId: string | null; teamId: string | null }) =>
  m.role === "coordinator" || lead.assigneeId === m.id || (m.role === "team_lead" && m.teamId !== null && m.teamId === lead.teamId);


/** `?` and the query, or nothing for no parameters. */
const withQuery = (params: Record<string, string>) => (Object.keys(params).length ? `?${query(params)}` : "");

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  return q.toString();
}

export interface ListProps {
  locale: Locale;
  /** The page's own path (`/batches/:id` or `/staff/batches/:id`). */
  base: string;
  /** What every link and form must carry to stay authorised: the signed link's `t`, or nothing in the workspace. */
  auth: Record<string, string>;
  /** The language kept in links (the signed page keeps it; the workspace has the member's). */
  lang: string | null;
  batch: BatchRow;
  member: MemberRow;
  filters: TriageFilters;
  page: TriagePage;
  rules: string[];
  people: MemberRow[];
  names: Map<string, string>;
  caseLinks: Map<string, string>;
  formToken: string;
  canAssign: boolean;
  canDownload: boolean;
  notice?: string;
}

/** The batch's title (its source and reference). */
export const triageTitle = (locale: Locale, batch: BatchRow) => t(locale, "batch.card_title", { name: batchName(batch) });

/** The triage page under its heading: summary, feedback file, filters, the leads with the bulk form, pages. */
export function TriageBody(p: ListProps) {
  const { locale, batch, filters: f, base } = p;
  const withLang = { ...p.auth, ...(p.lang ? { lang: p.lang } : {}) };
  const keep = { ...withLang, rule: f.rule, institution: f.institution, region: f.region, state: f.state, assignee: f.assignee };
  return (
    <>
      <dl class="summary">
        <dt>{t(locale, "batch.reference")}</dt>
        <dd>{batch.reference ?? "—"}</dd>
        <dt>{t(locale, "batch.rows")}</dt>
        <dd>{batch.rowCount}</dd>
        <dt>{t(locale, "batch.feedback_due")}</dt>
        <dd>{batch.feedbackDueOn ?? t(locale, "batch.no_due")}</dd>
      </dl>
      <p class="hint">{t(locale, "batch.need_to_know")}</p>
      {p.notice ? (
        <p class="notice" role="alert">
          {p.notice}
        </p>
      ) : null}
      {p.canDownload ? (
        <p>
          {t(locale, "batch.feedback_file")}: <a href={`${base}/feedback.csv${withQuery(p.auth)}`}>CSV</a> · <a href={`${base}/feedback.xlsx${withQuery(p.auth)}`}>XLSX</a>
        </p>
      ) : null}
      <form method="get" action={base} class="filters">
        <fieldset>
          <legend>{t(locale, "batch.filters")}</legend>
          {Object.entries(withLang).map(([name, value]) => (
            <input type="hidden" name={name} value={value} />
          ))}
          <label for="f-rule">{t(locale, "batch.col_rule")}</label>
          <select id="f-rule" name="rule">
            <option value="">{t(locale, "batch.any")}</option>
            {p.rules.map((r) => (
              <option value={r} selected={f.rule === r}>
                {r}
              </option>
            ))}
          </select>
          <label for="f-institution">{t(locale, "batch.col_institution")}</label>
          <input id="f-institution" name="institution" type="text" maxlength={200} value={f.institution ?? ""} />
          <label for="f-region">{t(locale, "batch.col_region")}</label>
          <input id="f-region" name="region" type="text" inputmode="numeric" pattern="\d{6}" maxlength={6} value={f.region ?? ""} aria-describedby="f-region-hint" />
          <span class="hint" id="f-region-hint">
            {t(locale, "batch.region_hint")}
          </span>
          <label for="f-state">{t(locale, "batch.col_state")}</label>
          <select id="f-state" name="state">
            <option value="">{t(locale, "batch.any")}</option>
            {LEAD_STATES.map((s) => (
              <option value={s} selected={f.state === s}>
                {t(locale, `chat.lead_state.${s}`)}
              </option>
            ))}
          </select>
          <label for="f-assignee">{t(locale, "batch.col_assignee")}</label>
          <select id="f-assignee" name="assignee">
            <option value="">{t(locale, "batch.any")}</option>
            <option value="-" selected={f.assignee === "-"}>
              {t(locale, "batch.unassigned")}
            </option>
            {p.people.map((m) => (
              <option value={m.id} selected={f.assignee === m.id}>
                {m.displayName}
              </option>
            ))}
          </select>
          <button class="button" type="submit">
            {t(locale, "batch.apply_filters")}
          </button>{" "}
          <a href={`${base}?${query(withLang)}`}>{t(locale, "batch.reset_filters")}</a>
        </fieldset>
      </form>
      <form method="post" action={`${base}/actions${withQuery(withLang)}`}>
        <input type="hidden" name="_once" value={p.formToken} />
        {p.page.leads.length ? (
          <table class="leads" data-testid="triage-leads">
            <caption>{t(locale, "batch.leads_caption", { count: p.page.leads.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t(locale, "batch.col_select")}</th>
                <th scope="col">{t(locale, "batch.col_row")}</th>
                <th scope="col">{t(locale, "batch.col_ref")}</th>
                <th scope="col">{t(locale, "batch.col_rule")}</th>
                <th scope="col">{t(locale, "batch.col_institution")}</th>
                <th scope="col">{t(locale, "batch.col_region")}</th>
                <th scope="col">{t(locale, "batch.col_lead")}</th>
                <th scope="col">{t(locale, "batch.col_state")}</th>
                <th scope="col">{t(locale, "batch.col_assignee")}</th>
              </tr>
            </thead>
            <tbody>
              {p.page.leads.map((l) => (
                <tr data-lead={l.leadId}>
                  <td>
                    <input type="checkbox" name="lead" value={l.leadId} id={`sel-${l.leadId}`} aria-label={t(locale, "batch.select_lead", { id: l.leadId })} />
                  </td>
                  <td>{l.rowNo}</td>
                  <td>{l.ref || "—"}</td>
                  <td>{l.rule}</td>
                  <td>{l.institution}</td>
                  <td>{regionDisplayName(l.regionCode, locale) || l.regionCode}</td>
                  <th scope="row">{p.caseLinks.has(l.leadId) ? <a href={p.caseLinks.get(l.leadId)}>{l.leadId}</a> : l.leadId}</th>
                  <td>{t(locale, `chat.lead_state.${l.state}`)}</td>
                  <td>{l.assigneeId ? (p.names.get(l.assigneeId) ?? t(locale, "names.unknown_member")) : t(locale, "batch.unassigned")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p data-testid="triage-empty">{t(locale, "batch.empty")}</p>
        )}
        <nav class="pages" aria-label={t(locale, "batch.pages")}>
          {p.page.prevBefore !== null ? <a href={`${base}?${query({ ...keep, before: p.page.prevBefore })}`} rel="prev">{t(locale, "batch.prev_page")}</a> : null}{" "}
          {p.page.nextAfter !== null ? <a href={`${base}?${query({ ...keep, after: p.page.nextAfter })}`} rel="next">{t(locale, "batch.next_page")}</a> : null}
        </nav>
        {p.page.leads.length ? (
          <fieldset>
            <legend>{t(locale, "batch.bulk_legend", { max: BULK_MAX_LEADS })}</legend>
            <label for="b-action">{t(locale, "batch.bulk_action")}</label>
            <select id="b-action" name="action" required>
              {BULK_ACTIONS.filter((a) => a !== "assign" || p.canAssign).map((a) => (
                <option value={a}>{t(locale, `batch.action_${a}`)}</option>
              ))}
            </select>
            <label for="b-reason">{t(locale, "batch.decline_reason")}</label>
            <input id="b-reason" name="reason" type="text" maxlength={500} aria-describedby="b-reason-hint" />
            <span class="hint" id="b-reason-hint">
              {t(locale, "batch.decline_reason_hint")}
            </span>
            {p.canAssign ? (
              <>
                <label for="b-assignee">{t(locale, "batch.assign_to")}</label>
                <select id="b-assignee" name="assignee">
                  <option value="">—</option>
                  {p.people.map((m) => (
                    <option value={m.id}>{m.displayName}</option>
                  ))}
                </select>
              </>
            ) : null}
            <button class="button" type="submit">
              {t(locale, "batch.apply_bulk")}
            </button>
          </fieldset>
        ) : null}
      </form>
    </>
  );
}

export const resultTitle = (locale: Locale, action: BulkAction) => t(locale, "batch.result_title", { action: t(locale, `batch.action_${action}`) });

/** A bulk action's outcome per lead, under its heading; `back` is the triage page's address. */
export function ResultBody(props: { locale: Locale; back: string; outcomes: BulkOutcome[] }) {
  const { locale } = props;
  const counts = new Map<string, number>();
  for (const o of props.outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  return (
    <>
      <p data-testid="bulk-summary">
        {["done", "already", "unchanged", "changed_meanwhile", "refused"]
          .filter((s) => counts.get(s))
          .map((s) => `${t(locale, `batch.outcome_${s}`)}: ${counts.get(s)}`)
          .join(" · ")}
      </p>
      <table class="leads" data-testid="bulk-outcomes">
        <caption>{t(locale, "batch.result_caption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t(locale, "batch.col_lead")}</th>
            <th scope="col">{t(locale, "batch.col_outcome")}</th>
          </tr>
        </thead>
        <tbody>
          {props.outcomes.map((o) => (
            <tr data-lead={o.leadId} data-outcome={o.status}>
              <th scope="row">{o.leadId}</th>
              <td>
                {t(locale, `batch.outcome_${o.status}`)}
                {o.status === "refused" ? ` (${t(locale, `batch.reason_${o.reason}`)}${o.state ? ` · ${t(locale, `chat.lead_state.${o.state}`)}` : ""})` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href={props.back}>{t(locale, "batch.back")}</a>
      </p>
    </>
  );
}

