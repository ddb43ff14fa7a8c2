// The workspace's first page (/staff): who is signed in. A placeholder the overview (my open leads,
// what is due, the team's or all overdue leads …) replaces.
import { Hono } from "hono";
import { t } from "../../../i18n";
import type { AppEnv } from "../../context";
import { staffOf } from "./session";
import { roleLabel, WorkspaceLayout } from "./workspace-layout";

export function createOverviewRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/", (c) => {
    const { member, locale, placeName } = staffOf(c);
    const title = t(locale, "workspace.overview.title");
    return c.html(
      <WorkspaceLayout c={c} title={title} active="overview">
        <h1>{title}</h1>
        <dl class="summary" data-testid="signed-in-member">
          <dt>{t(locale, "workspace.overview.name")}</dt>
          <dd>{member.displayName}</dd>
          <dt>{t(locale, "workspace.overview.role")}</dt>
          <dd>{roleLabel(locale, member.role)}</dd>
          <dt>{t(locale, "workspace.overview.place")}</dt>
          <dd>{placeName ?? "—"}</dd>
        </dl>
        <p class="hint">{t(locale, "workspace.overview.session_limits")}</p>
      </WorkspaceLayout>,
    );
  });
  return routes;
}
