// The triage page of a screening batch, for one member through a short-lived signed link from chat
// ("Open triage page"): the batch's leads they may see, filtered and paged without JavaScript, bulk
// actions by form post (one-time token bound to batch and member; cross-site posts are refused
// app-wide), and the feedback file for coordinators and team leads. Every view and download is logged.
import { Hono } from "hono";
import type { Locale } from "../../core/report-input";
import { regionDisplayName } from "../../core/regions";
import { recordBatchTriageView, type MemberRow } from "../../services/leads/batch-triage-views";
import { t } from "../../i18n";
import { caseLinkToken, CASE_LINK_MINUTES } from "../../services/chat-actions";
import { AppError } from "../../services/errors";
import { batchFeedbackRows, feedbackCsv, feedbackXlsx } from "../../services/leads/batch-feedback";
import {
  assignableMembers,
  authoriseBatchTriage,
  batchRules,
  BULK_ACTIONS,
  BULK_MAX_LEADS,
  issueBulkFormToken,
  listBatchLeads,
  logFeedbackDownload,
  mayDownloadFeedback,
  parseTriageFilters,
  runBulkAction,
  teamLeadIdsOfBatch,
  verifyBulkFormToken,
  type BatchRow,
  type BulkAction,
  type BulkOutcome,
  type TriageFilters,
  type TriagePage,
} from "../../services/leads/batch-triage";
import { LEAD_STATES } from "../../core/lead-lifecycle";
import { orgSnapshot } from "../../services/org/org-cache";
import { CSV_DOWNLOAD, XLSX_DOWNLOAD, downloadHeaders } from "../download";
import type { AppContext, AppEnv } from "../context";
import { pageLocale, sendPage, StaffLayout } from "./staff-layout";

const batchName = (b: BatchRow) => [b.source, b.reference].filter(Boolean).join(" · ");

/** Who may open a lead's case page (mayHandleLead, on the columns the list has). */
const mayOpenCase = (m: MemberRow, lead: { assigneeId: string | null; teamId: string | null }) =>
  m.role === "coordinator" || lead.assigneeId === m.id || (m.role === "team_lead" && m.teamId !== null && m.teamId === lead.teamId);


function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  return q.toString();
}

interface ListProps {
  c: AppContext;
  locale: Locale;
  batch: BatchRow;
  member: MemberRow;
  token: string;
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

function TriageList(p: ListProps) {
  const { locale, batch, filters: f } = p;
  const base = `/batches/${encodeURIComponent(batch.id)}`;
  const keep = { t: p.token, lang: locale, rule: f.rule, institution: f.institution, region: f.region, state: f.state, assignee: f.assignee };
  const title = t(locale, "batch.card_title", { name: batchName(batch) });
  return (
    <StaffLayout c={p.c} locale={locale} title={title} script>
      <h1>{title}</h1>
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
          {t(locale, "batch.feedback_file")}: <a href={`${base}/feedback.csv?${query({ t: p.token })}`}>CSV</a> · <a href={`${base}/feedback.xlsx?${query({ t: p.token })}`}>XLSX</a>
        </p>
      ) : null}
      <form method="get" action={base} class="filters">
        <fieldset>
          <legend>{t(locale, "batch.filters")}</legend>
          <input type="hidden" name="t" value={p.token} />
          <input type="hidden" name="lang" value={locale} />
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
          <a href={`${base}?${query({ t: p.token, lang: locale })}`}>{t(locale, "batch.reset_filters")}</a>
        </fieldset>
      </form>
      <form method="post" action={`${base}/actions?${query({ t: p.token, lang: locale })}`}>
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
                  <td>{regionDisplayName(l.regionCode) || l.regionCode}</td>
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
    </StaffLayout>
  );
}

function ResultPage(props: { c: AppContext; locale: Locale; batch: BatchRow; token: string; action: BulkAction; outcomes: BulkOutcome[] }) {
  const { locale } = props;
  const base = `/batches/${encodeURIComponent(props.batch.id)}`;
  const counts = new Map<string, number>();
  for (const o of props.outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  const title = t(locale, "batch.result_title", { action: t(locale, `batch.action_${props.action}`) });
  return (
    <StaffLayout c={props.c} locale={locale} title={title} script nav={[{ href: `${base}?${query({ t: props.token, lang: locale })}`, label: t(locale, "batch.back") }]}>
      <h1>{title}</h1>
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
        <a href={`${base}?${query({ t: props.token, lang: locale })}`}>{t(locale, "batch.back")}</a>
      </p>
    </StaffLayout>
  );
}

export function createBatchTriageRoutes() {
  const batches = new Hono<AppEnv>();
  batches.use("*", async (c, next) => {
    await next();
    // Lists of leads behind a token in the URL: never cached, never sent on as a referrer (see PageShell).
    c.header("Cache-Control", "no-store");
  });

  async function renderList(c: AppContext, batchId: string, token: string, notice?: string, status: 200 | 400 = 200) {
    const { deps } = c.var;
    const { batch, member } = await authoriseBatchTriage(deps, batchId, token);
    const locale = pageLocale(c, member.locale);
    const q = c.req.query();
    const filters = parseTriageFilters(q);
    const cursor = (v: string | undefined) => (v && /^\d{1,9}$/.test(v) ? Number(v) : undefined);
    const before = cursor(q.before);
    const after = cursor(q.after);
    const [page, rules, people, org] = await Promise.all([
      listBatchLeads(deps, { batchId, member, filters, ...(before !== undefined ? { before } : after !== undefined ? { after } : {}) }),
      batchRules(deps, batchId),
      assignableMembers(deps, member),
      orgSnapshot(deps),
    ]);
    const expiresAt = deps.now().getTime() + CASE_LINK_MINUTES * 60_000;
    const caseLinks = new Map<string, string>();
    for (const l of page.leads)
      if (mayOpenCase(member, l)) caseLinks.set(l.leadId, `/cases/${encodeURIComponent(l.leadId)}?t=${encodeURIComponent(await caseLinkToken(deps, l.leadId, member.id, expiresAt))}`);
    await recordBatchTriageView(deps, { batchId, member, filters, after, before, leadIds: page.leads.map((l) => l.leadId) });
    const names = new Map([...org.memberById.values()].map((m) => [m.id, m.displayName]));
    return sendPage(
      c,
      <TriageList
        c={c}
        locale={locale}
        batch={batch}
        member={member}
        token={token}
        filters={filters}
        page={page}
        rules={rules}
        people={people}
        names={names}
        caseLinks={caseLinks}
        formToken={await issueBulkFormToken(deps, batchId, member.id)}
        canAssign={member.role === "coordinator" || member.role === "team_lead"}
        canDownload={mayDownloadFeedback(member)}
        {...(notice ? { notice } : {})}
      />,
      status,
    );
  }

  batches.get("/:batchId", (c) => renderList(c, c.req.param("batchId"), c.req.query("t") ?? ""));

  batches.post("/:batchId/actions", async (c) => {
    const { deps } = c.var;
    const batchId = c.req.param("batchId");
    const token = c.req.query("t") ?? "";
    const { batch, member } = await authoriseBatchTriage(deps, batchId, token);
    const locale = pageLocale(c, member.locale);
    let body: Record<string, string | File | (string | File)[]>;
    try {
      body = await c.req.parseBody({ all: true });
    } catch (cause) {
      throw new AppError("validation_failed", "malformed form body", { cause });
    }
    const strings = (name: string) => {
      const v = body[name];
      return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");
    };
    const one = (name: string) => strings(name)[0] ?? "";
    const formNonce = await verifyBulkFormToken(deps, batchId, member.id, one("_once"));
    if (!formNonce) return renderList(c, batchId, token, t(locale, "form.expired"), 400);
    const action = one("action") as BulkAction;
    if (!(BULK_ACTIONS as readonly string[]).includes(action)) return renderList(c, batchId, token, t(locale, "batch.choose_action"), 400);
    const leadIds = strings("lead").filter((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id));
    if (leadIds.length === 0) return renderList(c, batchId, token, t(locale, "batch.none_selected"), 400);
    if (leadIds.length > BULK_MAX_LEADS) return renderList(c, batchId, token, t(locale, "batch.too_many", { max: BULK_MAX_LEADS }), 400);
    const reason = one("reason").trim().slice(0, 500);
    if (action === "decline" && reason.length < 2) return renderList(c, batchId, token, t(locale, "batch.reason_needed"), 400);
    const toMemberId = one("assignee");
    if (action === "assign" && !toMemberId) return renderList(c, batchId, token, t(locale, "batch.choose_assignee"), 400);
    const outcomes = await runBulkAction(deps, { batchId, member, action, leadIds, formNonce, ...(reason ? { reason } : {}), ...(toMemberId ? { toMemberId } : {}) });
    return sendPage(c, <ResultPage c={c} locale={locale} batch={batch} token={token} action={action} outcomes={outcomes} />);
  });

  batches.get("/:batchId/feedback.:format{csv|xlsx}", async (c) => {
    const { deps } = c.var;
    const batchId = c.req.param("batchId");
    const format = c.req.param("format") === "xlsx" ? "xlsx" : "csv";
    const { member } = await authoriseBatchTriage(deps, batchId, c.req.query("t"));
    if (!mayDownloadFeedback(member)) throw new AppError("forbidden", "feedback file restricted", { messageKey: "batch.feedback_restricted" });
    let rows = await batchFeedbackRows(deps, batchId);
    const scope = member.role === "coordinator" ? "all" : "team";
    if (scope === "team") {
      const mine = await teamLeadIdsOfBatch(deps, batchId, member.teamId!);
      rows = rows.filter((r) => mine.has(r.leadId));
    }
    // Logged before the file is handed out.
    await logFeedbackDownload(deps, { batchId, member, format, rows: rows.length, scope });
    const name = { stem: `batch-${batchId}-feedback` };
    if (format === "xlsx") return c.body(feedbackXlsx(rows) as Uint8Array<ArrayBuffer>, 200, downloadHeaders(name, XLSX_DOWNLOAD));
    return c.body(feedbackCsv(rows), 200, downloadHeaders(name, CSV_DOWNLOAD));
  });

  return batches;
}
