// One lead in the workspace (/staff/leads/<lead-id>): what the case page shows, on the same need-to-know
// (scrubbed text, neutral file labels, identity only by the logged reveal), plus the outcome and
// amounts, the tips by number with their messages, the history, and a form for each step the member's
// role may take now. Each form carries its own random `key` (the dedupe key: a form sent twice takes
// effect once). A lead the member may not handle answers 404, as an unknown one does.
import { Hono } from "hono";
import { amountBand } from "../../../core/amount-band";
import type { Locale } from "../../../core/report-input";
import { regionDisplayName } from "../../../core/regions";
import { formatYuan } from "../../../core/rewards/compute";
import { shanghaiDateTime } from "../../../core/time";
import { t } from "../../../i18n";
import { openLeadView, type LeadView } from "../../../services/cases/lead-view";
import { conclusionFields } from "../../../services/leads/conclusion-fields";
import { AppError } from "../../../services/errors";
import type { AppContext, AppEnv } from "../../context";
import { evidenceLabel } from "../case";
import { LeadActionForms } from "./lead-action-forms";
import { noticeOf } from "./lead-notices";
import { readNotAcknowledgedText } from "../../../services/read-receipts/reader-text";
import { staffOf } from "./session";
import { roleLabel, WorkspaceLayout } from "./workspace-layout";

const when = (ms: number) => shanghaiDateTime(new Date(ms));
export const yuanText = (locale: Locale, fen: number) => t(locale, "workspace.leads.yuan", { amount: formatYuan(fen) });

/** A workspace page saying why not (403, 404) in the workspace's own frame. */
export function refusalPage(c: AppContext, status: 403 | 404, message: string) {
  const { locale } = staffOf(c);
  const title = t(locale, status === 404 ? "workspace.leads.not_found_title" : "workspace.leads.forbidden_title");
  return c.html(
    <WorkspaceLayout c={c} title={title} active="leads">
      <h1>{title}</h1>
      <p class="alert" role="alert" data-testid="refusal">
        {message}
      </p>
      <p>
        <a href="/staff/leads">{t(locale, "workspace.leads.back_to_list")}</a>
      </p>
    </WorkspaceLayout>,
    status,
  );
}

/** Runs a lead route, answering a use case's not_found or forbidden with the workspace's refusal page. */
export async function orRefusal(c: AppContext, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AppError && (err.code === "not_found" || err.code === "forbidden"))
      return refusalPage(c, err.code === "not_found" ? 404 : 403, t(staffOf(c).locale, err.options.messageKey ?? `errors.${err.code}`));
    throw err;
  }
}

function Facts(props: { locale: Locale; v: LeadView }) {
  const { locale, v } = props;
  const { lead } = v;
  const open = lead.state !== "concluded" && lead.state !== "not_accepted";
  return (
    <dl class="summary" data-testid="lead-facts">
      <dt>{t(locale, "chat.state")}</dt>
      <dd data-testid="lead-state">{t(locale, `chat.lead_state.${lead.state}`)}</dd>
      {v.readNotAcknowledged.length ? (
        <>
          <dt>{t(locale, "reads.column")}</dt>
          <dd data-testid="lead-read-not-acknowledged">{readNotAcknowledgedText(locale, v.readNotAcknowledged, 20)}</dd>
        </>
      ) : null}
      {lead.outcome ? (
        <>
          <dt>{t(locale, "workspace.leads.outcome")}</dt>
          <dd data-testid="lead-outcome">{t(locale, `report_outcome.${lead.outcome}`)}</dd>
        </>
      ) : null}
      {lead.substantiatedAmountFen !== null ? (
        <>
          <dt>{t(locale, "chat.amount_substantiated")}</dt>
          <dd data-testid="lead-amount">{yuanText(locale, lead.substantiatedAmountFen)}</dd>
        </>
      ) : null}
      {conclusionFields(lead, locale).map((row) => (
        <>
          <dt>{row.label}</dt>
          <dd data-testid={`lead-${row.key}`}>{row.value}</dd>
        </>
      ))}
      <dt>{t(locale, "chat.amount_band")}</dt>
      <dd>{t(locale, `chat.amount_band_value.${amountBand(lead.amountEstimateFen)}`)}</dd>
      {v.declineReason ? (
        <>
          <dt>{t(locale, "workspace.leads.decline_reason")}</dt>
          <dd style="white-space:pre-wrap">{v.declineReason}</dd>
        </>
      ) : null}
      <dt>{t(locale, "chat.source")}</dt>
      <dd>{t(locale, `chat.lead_source.${lead.source}`)}</dd>
      <dt>{t(locale, "chat.region")}</dt>
      <dd>{regionDisplayName(lead.regionCode, locale) || lead.regionCode}</dd>
      <dt>{t(locale, "chat.target")}</dt>
      <dd>{lead.targetName}</dd>
      <dt>{t(locale, "workspace.leads.col_team")}</dt>
      <dd>{v.teamName ?? "—"}</dd>
      <dt>{t(locale, "chat.assignee")}</dt>
      <dd data-testid="lead-assignee">{v.assigneeName ?? t(locale, "chat.unassigned")}</dd>
      <dt>{t(locale, "workspace.leads.col_received")}</dt>
      <dd>{when(lead.receivedAt)}</dd>
      <dt>{t(locale, "chat.corroboration")}</dt>
      <dd>{t(locale, "chat.corroboration_value", { count: lead.corroborationCount })}</dd>
      {lead.state === "new" ? (
        <>
          <dt>{t(locale, "chat.ack_by")}</dt>
          <dd>{when(lead.ackBy)}</dd>
        </>
      ) : null}
      {lead.state === "new" || lead.state === "acknowledged" ? (
        <>
          <dt>{t(locale, "chat.accept_by")}</dt>
          <dd>{when(lead.acceptBy)}</dd>
        </>
      ) : null}
      {open ? (
        <>
          <dt>{t(locale, "chat.finish_by")}</dt>
          <dd>{when(lead.finishBy)}</dd>
        </>
      ) : null}
    </dl>
  );
}

function Tips(props: { locale: Locale; v: LeadView; base: string }) {
  const { locale, v, base } = props;
  return (
    <>
      {v.reports.map((d) => {
        const tip = d.tipNo ?? 0;
        return (
          <section class="report" data-report={d.report.id} data-tip={tip}>
            <h3>{t(locale, "workspace.leads.tip_heading", { no: tip, id: d.report.id })}</h3>
            <p class="hint">{when(d.report.createdAt)}</p>
            <p class="body" style="white-space:pre-wrap">
              {d.description}
            </p>
            {d.attachments.length ? (
              <ul class="evidence">
                {d.attachments.map((a, i) => (
                  <li data-attachment={a.id}>
                    {a.strippedChunkCount !== null ? (
                      <a href={`${base}/attachments/${encodeURIComponent(a.id)}`}>{evidenceLabel(locale, i + 1, a)}</a>
                    ) : (
                      <>
                        {evidenceLabel(locale, i + 1, a)} <span class="hint">{t(locale, "case.original_only")}</span>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            ) : null}
            {d.messages.length ? (
              <ul class="messages" data-testid={`messages-${tip}`}>
                {d.messages.map((m) => (
                  <li class={`message from-${m.from}`}>
                    <p class="meta">
                      {m.from === "investigator" ? t(locale, "workspace.leads.from_investigator", { no: tip }) : t(locale, "workspace.leads.from_tipster", { no: tip })} ·{" "}
                      {when(Date.parse(m.at))}
                    </p>
                    <p class="body" style="white-space:pre-wrap">
                      {m.body}
                    </p>
                  </li>
                ))}
              </ul>
            ) : null}
            {v.canReveal ? (
              <form method="post" action={`${base}/identity/${encodeURIComponent(d.report.id)}`}>
                <label for={`reason-${d.report.id}`}>{t(locale, "case.reveal_reason")}</label>
                <input id={`reason-${d.report.id}`} name="reason" type="text" required minlength={4} maxlength={500} />
                <button class="button" type="submit">
                  {t(locale, d.report.isAnonymous ? "case.reveal_originals" : "case.reveal")}
                </button>
              </form>
            ) : null}
          </section>
        );
      })}
      {v.reports.length && !v.canReveal ? <p class="hint">{t(locale, "case.identity_restricted")}</p> : null}
    </>
  );
}

function Timeline(props: { locale: Locale; v: LeadView }) {
  const { locale } = props;
  return (
    <ol class="timeline" data-testid="lead-timeline">
      {props.v.timeline.map((e) => {
        const who =
          e.actor.kind === "member"
            ? `${e.actor.name}${e.actor.role ? ` · ${roleLabel(locale, e.actor.role)}` : ""}`
            : e.actor.kind === "tipster"
              ? t(locale, "workspace.leads.actor_tipster", { no: e.actor.tipNo ?? "?" })
              : t(locale, "workspace.leads.actor_system");
        const what = t(locale, `workspace.leads.event.${e.action.replace(/\./g, "_")}`);
        return (
          <li data-action={e.action} data-platform={e.platform}>
            <span class="hint">{when(e.at)}</span> {who}: {what.startsWith("workspace.") ? e.action : what}
            {e.tipNo !== null && e.actor.kind !== "tipster" ? ` (#${e.tipNo})` : ""} <span class="hint">{t(locale, "workspace.leads.via", { platform: t(locale, `workspace.leads.platform.${e.platform}`) })}</span>
          </li>
        );
      })}
    </ol>
  );
}

export function createLeadPageRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/:leadId", (c) =>
    orRefusal(c, async () => {
      const { member, sessionId, locale } = staffOf(c);
      const leadId = c.req.param("leadId");
      const v = await openLeadView(c.var.deps, { member, leadId, sessionId });
      const base = `/staff/leads/${encodeURIComponent(v.lead.id)}`;
      const title = t(locale, "chat.card_title", { id: v.lead.id, type: t(locale, `taxonomy.type.${v.lead.violationType}`) });
      const notice = noticeOf(locale, c.req.query("notice"), c.req.query("n"));
      return c.html(
        <WorkspaceLayout c={c} title={title} active="leads">
          <p>
            <a href="/staff/leads">{t(locale, "workspace.leads.back_to_list")}</a>
          </p>
          <h1>{title}</h1>
          {notice ? (
            <p class={notice.ok ? "notice" : "alert"} role={notice.ok ? "status" : "alert"} data-testid="lead-notice">
              {notice.text}
            </p>
          ) : null}
          <Facts locale={locale} v={v} />
          <p class="hint">{t(locale, "case.need_to_know")}</p>
          <h2>{t(locale, "workspace.leads.summary")}</h2>
          <p class="body" style="white-space:pre-wrap" data-testid="lead-summary">
            {v.summary}
          </p>
          <h2>{t(locale, "workspace.leads.actions")}</h2>
          <LeadActionForms locale={locale} v={v} base={base} />
          <h2>{t(locale, "workspace.leads.tips", { count: v.tips.length })}</h2>
          {v.reports.length ? <Tips locale={locale} v={v} base={base} /> : <p>{t(locale, "workspace.leads.no_tips")}</p>}
          <h2>{t(locale, "workspace.leads.timeline")}</h2>
          <Timeline locale={locale} v={v} />
        </WorkspaceLayout>,
      );
    }),
  );
  return routes;
}
