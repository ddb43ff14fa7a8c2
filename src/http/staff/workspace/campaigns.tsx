// Campaigns in the workspace (/staff/campaigns): the list — active and finished, each with its template,
// region, current phase, next deadline and how many units are late and how much is done — for
// coordinators every campaign (each opening its board), for a unit's contact the campaigns their unit
// has work in (and the way to their unit page); the board and its actions are mounted here too.
import { Hono } from "hono";
import type { Locale } from "../../../core/report-input";
import { regionDisplayName } from "../../../core/regions";
import { t } from "../../../i18n";
import { listCampaignsFor, unitPageLinkFromWorkspace, type CampaignListItem } from "../../../services/campaigns/campaign-list";
import type { AppEnv } from "../../context";
import { sendPage } from "../staff-layout";
import { at } from "../board-markup";
import { campaignPath, createAssignmentRoutes, refuseInWorkspace } from "./campaign-actions";
import { createCampaignBoardRoutes } from "./campaign-board";
import { staffOf } from "./session";
import { WorkspaceLayout } from "./workspace-layout";

function CampaignTable(props: { locale: Locale; items: CampaignListItem[]; caption: string; linked: boolean; testid: string }) {
  const { locale } = props;
  return (
    <div class="scroll">
      <table class="grid" data-testid={props.testid}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t(locale, "workspace.campaigns.col_name")}</th>
            <th scope="col">{t(locale, "workspace.campaigns.col_template")}</th>
            <th scope="col">{t(locale, "workspace.campaigns.col_region")}</th>
            <th scope="col">{t(locale, "workspace.campaigns.col_phase")}</th>
            <th scope="col">{t(locale, "workspace.campaigns.col_next_deadline")}</th>
            <th scope="col">{t(locale, "workspace.campaigns.col_late")}</th>
            <th scope="col">{t(locale, "workspace.campaigns.col_done")}</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((i) => (
            <tr data-campaign={i.campaign.id}>
              <th scope="row">{props.linked ? <a href={campaignPath(i.campaign.id)}>{i.campaign.name}</a> : i.campaign.name}</th>
              <td>{i.campaign.templateId ?? t(locale, "workspace.campaigns.imported")}</td>
              <td>{regionDisplayName(i.campaign.regionCode, locale) || i.campaign.regionCode}</td>
              <td>{i.phase ? (locale === "en" && i.phase.nameEn ? i.phase.nameEn : i.phase.name) : "—"}</td>
              <td>{i.nextDeadline === null ? "—" : at(i.nextDeadline)}</td>
              <td data-count="late">{t(locale, "workspace.campaigns.late_units", { late: i.lateUnits, units: i.units })}</td>
              <td data-count="done">{t(locale, "workspace.campaigns.done_count", { done: i.done, total: i.assignments })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function createCampaignsRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/", async (c) => {
    const { member, locale } = staffOf(c);
    const list = await listCampaignsFor(c.var.deps, member);
    const title = t(locale, "workspace.campaigns.title");
    const linked = list.scope === "all";
    return sendPage(
      c,
      <WorkspaceLayout c={c} title={title} active="campaigns" wide>
        <h1>{title}</h1>
        {list.scope === "all" ? (
          <p>
            <a class="button" href="/staff/campaigns/new" data-testid="start-campaign">
              {t(locale, "workspace.campaigns.start")}
            </a>
          </p>
        ) : list.scope === "unit" ? (
          <p>
            {t(locale, "workspace.campaigns.unit_intro")}{" "}
            <a href="/staff/campaigns/my-unit" data-testid="my-unit">
              {t(locale, "workspace.campaigns.open_unit_page")}
            </a>
          </p>
        ) : (
          <p data-testid="no-campaigns-role">{t(locale, "workspace.campaigns.none_for_role")}</p>
        )}
        {list.scope !== "none" ? (
          <>
            <h2>{t(locale, "workspace.campaigns.active")}</h2>
            {list.active.length ? (
              <CampaignTable locale={locale} items={list.active} caption={t(locale, "workspace.campaigns.active")} linked={linked} testid="active-campaigns" />
            ) : (
              <p data-testid="no-active">{t(locale, "workspace.campaigns.none_active")}</p>
            )}
            <h2>{t(locale, "workspace.campaigns.finished")}</h2>
            {list.finished.length ? (
              <CampaignTable locale={locale} items={list.finished} caption={t(locale, "workspace.campaigns.finished")} linked={linked} testid="finished-campaigns" />
            ) : (
              <p data-testid="no-finished">{t(locale, "workspace.campaigns.none_finished")}</p>
            )}
          </>
        ) : null}
      </WorkspaceLayout>,
    );
  });

  // A contact's way to their unit page: the same signed link a reminder carries, issued (and logged) on click.
  routes.get("/my-unit", async (c) => {
    const { member, sessionId, locale } = staffOf(c);
    const link = await unitPageLinkFromWorkspace(c.var.deps, { member, sessionId });
    if (!link) return refuseInWorkspace(c, 403, t(locale, "workspace.campaigns.contacts_only"));
    return c.redirect(link, 303);
  });

  routes.route("/", createCampaignBoardRoutes());
  routes.route("/", createAssignmentRoutes());
  return routes;
}
