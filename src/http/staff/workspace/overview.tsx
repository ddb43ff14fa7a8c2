// The workspace's first page (/staff): who is signed in, then the member's work — my open leads and what
// is due; the team's (team leads) or all open and overdue leads (coordinators); batches awaiting
// feedback; campaign deliverables due this week and late units; claims waiting for me. The figures come
// from services/workspace/overview.ts, which decides what each role sees.
import { Hono } from "hono";
import type { Locale } from "../../../core/report-input";
import { t } from "../../../i18n";
import type { LeadFigures } from "../../../services/workspace/overview-leads";
import { loadOverview, type Overview } from "../../../services/workspace/overview";
import type { AppEnv } from "../../context";
import { whenText, yuanText } from "./reward-claim";
import { staffOf } from "./session";
import { roleLabel, WorkspaceLayout } from "./workspace-layout";

function LeadSection(props: { locale: Locale; o: Overview; figures: LeadFigures; id: string; title: string; showAssignee: boolean }) {
  const { locale, o, figures: f } = props;
  return (
    <section aria-labelledby={`${props.id}-h`} data-testid={`overview-${props.id}`}>
      <h2 id={`${props.id}-h`}>{props.title}</h2>
      <p>
        <span data-testid={`${props.id}-open`}>{t(locale, "workspace.overview.open_count", { count: f.open })}</span>
        {" · "}
        <span data-testid={`${props.id}-overdue`} class={f.overdue ? "st-late" : undefined}>
          {t(locale, "workspace.overview.overdue_count", { count: f.overdue })}
        </span>
      </p>
      {f.first.length ? (
        <div class="scroll">
          <table class="grid">
            <caption>{t(locale, "workspace.overview.first_caption", { count: f.first.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t(locale, "workspace.overview.col_lead")}</th>
                <th scope="col">{t(locale, "workspace.overview.col_target")}</th>
                <th scope="col">{t(locale, "workspace.overview.col_state")}</th>
                <th scope="col">{t(locale, "workspace.overview.col_due")}</th>
                {props.showAssignee ? <th scope="col">{t(locale, "workspace.overview.col_assignee")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {f.first.map((l) => (
                <tr data-lead={l.id}>
                  <th scope="row">
                    <a href={`/staff/leads/${l.id}`}>{l.id}</a>
                  </th>
                  <td>{l.targetName}</td>
                  <td>{t(locale, `chat.lead_state.${l.state}`)}</td>
                  <td class={l.overdue ? "st-late" : undefined}>
                    {t(locale, `workspace.overview.due_${l.dueKind}`)} {whenText(l.dueAt)}
                    {l.overdue ? ` · ${t(locale, "workspace.overview.overdue")}` : ""}
                  </td>
                  {props.showAssignee ? (
                    <td>
                      {l.assigneeId ? (o.memberNames.get(l.assigneeId) ?? "—") : t(locale, "workspace.overview.unassigned")}
                      {l.teamId ? ` · ${o.teamNames.get(l.teamId) ?? "—"}` : ""}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>{t(locale, "workspace.overview.no_open")}</p>
      )}
    </section>
  );
}

function BatchSection(props: { locale: Locale; b: NonNullable<Overview["batches"]> }) {
  const { locale, b } = props;
  return (
    <section aria-labelledby="batches-h" data-testid="overview-batches">
      <h2 id="batches-h">{t(locale, "workspace.overview.batches_title", { count: b.count })}</h2>
      {b.first.length ? (
        <ul>
          {b.first.map((x) => (
            <li data-batch={x.id}>
              <a href={`/staff/batches/${x.id}`}>{[x.source, x.reference].filter(Boolean).join(" · ")}</a>
              {" — "}
              {t(locale, "workspace.overview.batch_line", { open: x.openLeads, rows: x.rowCount, due: x.feedbackDueOn ?? t(locale, "workspace.overview.no_due") })}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t(locale, "workspace.overview.batches_none")}</p>
      )}
    </section>
  );
}

function CampaignSection(props: { locale: Locale; c: NonNullable<Overview["campaigns"]> }) {
  const { locale, c } = props;
  const title = (d: { title: string; titleEn: string | null }) => (locale === "en" && d.titleEn ? d.titleEn : d.title);
  return (
    <section aria-labelledby="campaigns-h" data-testid="overview-campaigns">
      <h2 id="campaigns-h">{t(locale, "workspace.overview.campaigns_title")}</h2>
      <h3>{t(locale, "workspace.overview.due_week_title", { end: whenText(c.weekEnd - 1) })}</h3>
      {c.dueThisWeek.length ? (
        <ul data-testid="due-this-week">
          {c.dueThisWeek.map((d) => (
            <li>
              <a href={`/staff/campaigns/${d.campaignId}`}>{d.campaignName}</a> · {title(d)} — {t(locale, "workspace.overview.due_line", { due: whenText(d.dueAt), units: d.units })}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t(locale, "workspace.overview.due_week_none")}</p>
      )}
      <h3>{t(locale, "workspace.overview.late_title", { count: c.lateCount })}</h3>
      {c.late.length ? (
        <ul data-testid="late-units">
          {c.late.map((u) => (
            <li>
              <a href={`/staff/campaigns/${u.campaignId}`}>{u.unitName}</a> · {title({ title: u.deliverableTitle, titleEn: u.deliverableTitleEn })} — {t(locale, "workspace.overview.late_line", { due: whenText(u.dueAt) })}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t(locale, "workspace.overview.late_none")}</p>
      )}
    </section>
  );
}

function ClaimSection(props: { locale: Locale; c: NonNullable<Overview["claims"]> }) {
  const { locale, c } = props;
  return (
    <section aria-labelledby="claims-h" data-testid="overview-claims">
      <h2 id="claims-h">{t(locale, "workspace.overview.claims_title", { count: c.count >= 1000 ? "1000+" : c.count })}</h2>
      {c.first.length ? (
        <ul>
          {c.first.map((x) => (
            <li>
              <a href={`/staff/rewards/${x.id}`}>{x.id}</a> · {t(locale, `reward.status.${x.status}`)} · {yuanText(x.amountFen, locale)}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t(locale, "workspace.overview.claims_none")}</p>
      )}
      <p>
        <a href="/staff/rewards">{t(locale, "workspace.overview.claims_all")}</a>
      </p>
    </section>
  );
}

export function createOverviewRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/", async (c) => {
    const { member, locale, placeName } = staffOf(c);
    const o = await loadOverview(c.var.deps, member);
    const title = t(locale, "workspace.overview.title");
    return c.html(
      <WorkspaceLayout c={c} title={title} active="overview" wide>
        <h1>{title}</h1>
        <dl class="summary" data-testid="signed-in-member">
          <dt>{t(locale, "workspace.overview.name")}</dt>
          <dd>{member.displayName}</dd>
          <dt>{t(locale, "workspace.overview.role")}</dt>
          <dd>{roleLabel(locale, member.role)}</dd>
          <dt>{t(locale, "workspace.overview.place")}</dt>
          <dd>{placeName ?? "—"}</dd>
        </dl>
        {o.mine ? <LeadSection locale={locale} o={o} figures={o.mine} id="mine" title={t(locale, "workspace.overview.mine_title")} showAssignee={false} /> : null}
        {o.team ? <LeadSection locale={locale} o={o} figures={o.team} id="team" title={t(locale, "workspace.overview.team_title", { team: o.team.teamName })} showAssignee /> : null}
        {o.all ? <LeadSection locale={locale} o={o} figures={o.all} id="all" title={t(locale, "workspace.overview.all_title")} showAssignee /> : null}
        {o.claims ? <ClaimSection locale={locale} c={o.claims} /> : null}
        {o.batches ? <BatchSection locale={locale} b={o.batches} /> : null}
        {o.campaigns ? <CampaignSection locale={locale} c={o.campaigns} /> : null}
        <p class="hint">{t(locale, "workspace.overview.session_limits")}</p>
      </WorkspaceLayout>,
    );
  });
  return routes;
}
