// Screening batches in the workspace (/staff/batches): the list — coordinators every batch, a team's
// members those that reached their team, with rows, feedback date and acknowledgement — and each batch's
// triage page (filters, bulk actions, feedback file) served by the same routes as the signed triage
// link, under the workspace session: its layout, no token in any link, the session in the events.
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import type { Locale } from "../../../core/report-input";
import { shanghaiDateTime } from "../../../core/time";
import { t } from "../../../i18n";
import { batchForMember, listBatchesFor, type BatchListItem } from "../../../services/leads/batch-list";
import { orgSnapshot } from "../../../services/org/org-cache";
import type { AppContext, AppEnv } from "../../context";
import { createTriageRoutes, type TriageSite } from "../batch-triage";
import { batchName } from "../batch-triage-markup";
import { sendPage } from "../staff-layout";
import { staffOf } from "./session";
import { WorkspaceLayout } from "./workspace-layout";

const batchPath = (batchId: string) => `/staff/batches/${encodeURIComponent(batchId)}`;

function refuse(c: AppContext, status: 403 | 404) {
  const { locale } = staffOf(c);
  const title = t(locale, status === 403 ? "workspace.batches.forbidden_title" : "workspace.batches.not_found_title");
  if (c.req.raw.body && !c.req.raw.bodyUsed) c.header("Connection", "close");
  return sendPage(
    c,
    <WorkspaceLayout c={c} title={title} active="batches">
      <h1>{title}</h1>
      <p class="alert" role="alert" data-testid="refusal">
        {t(locale, status === 403 ? "workspace.batches.forbidden" : "workspace.batches.unknown_batch")}
      </p>
      <p>
        <a href="/staff/batches">{t(locale, "workspace.batches.back_to_list")}</a>
      </p>
    </WorkspaceLayout>,
    status,
  );
}

/** The triage routes' room: the workspace member, its layout, links without a token. */
const workspaceSite: TriageSite = {
  authorise: async (c, batchId) => {
    const found = await batchForMember(c.var.deps, batchId, staffOf(c).member);
    if (found === "forbidden") return refuse(c, 403);
    return found ?? refuse(c, 404);
  },
  locale: (c) => staffOf(c).locale,
  base: batchPath,
  auth: () => ({}),
  keepLang: false,
  platformRef: (c) => staffOf(c).sessionId,
  frame: ({ c, title, back, children }) => (
    <WorkspaceLayout c={c} title={title} active="batches" wide>
      <p>
        <a href={back ?? "/staff/batches"}>{t(staffOf(c).locale, back ? "batch.back" : "workspace.batches.back_to_list")}</a>
      </p>
      {children}
    </WorkspaceLayout>
  ),
  // The case page by its signed link, as from the signed triage page.
  // Inside the workspace a lead opens on its workspace page (the session decides who may see it).
  leadLink: async (_deps, leadId) => `/staff/leads/${encodeURIComponent(leadId)}`,
};

function BatchTable(props: { locale: Locale; items: BatchListItem[]; names: Map<string, string>; team: boolean }): Child {
  const { locale } = props;
  return (
    <div class="scroll">
      <table class="grid" data-testid="batches">
        <caption>{t(locale, "workspace.batches.caption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t(locale, "workspace.batches.col_batch")}</th>
            <th scope="col">{t(locale, "workspace.batches.col_imported")}</th>
            <th scope="col">{t(locale, "batch.rows")}</th>
            <th scope="col">{t(locale, "batch.feedback_due")}</th>
            <th scope="col">{t(locale, props.team ? "workspace.batches.col_my_team" : "workspace.batches.col_teams")}</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((i) => (
            <tr data-batch={i.batch.id}>
              <th scope="row">
                <a href={batchPath(i.batch.id)}>{batchName(i.batch)}</a>
              </th>
              <td>{shanghaiDateTime(new Date(i.batch.importedAt))}</td>
              <td>{i.batch.rowCount}</td>
              <td>{i.batch.feedbackDueOn ?? t(locale, "batch.no_due")}</td>
              <td data-testid="ack">
                {props.team && i.mine
                  ? i.mine.acknowledgedAt !== null
                    ? t(locale, "workspace.batches.acknowledged_by", { leads: i.mine.leadCount, name: props.names.get(i.mine.acknowledgedBy ?? "") ?? "—" })
                    : t(locale, "workspace.batches.not_acknowledged", { leads: i.mine.leadCount })
                  : t(locale, "workspace.batches.teams_acknowledged", { acknowledged: i.acknowledged, teams: i.teams })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function createBatchesRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/", async (c) => {
    const { member, locale } = staffOf(c);
    const after = c.req.query("after");
    const [list, org] = await Promise.all([listBatchesFor(c.var.deps, member, { after }), orgSnapshot(c.var.deps)]);
    const names = new Map([...org.memberById.values()].map((m) => [m.id, m.displayName]));
    const title = t(locale, "workspace.batches.title");
    return sendPage(
      c,
      <WorkspaceLayout c={c} title={title} active="batches" wide>
        <h1>{title}</h1>
        {list.scope === "none" ? (
          <p data-testid="no-batches-role">{t(locale, "workspace.batches.none_for_role")}</p>
        ) : (
          <>
            <p class="hint">{t(locale, list.scope === "all" ? "workspace.batches.intro_all" : "workspace.batches.intro_team")}</p>
            {list.items.length ? <BatchTable locale={locale} items={list.items} names={names} team={list.scope === "team"} /> : <p data-testid="no-batches">{t(locale, "workspace.batches.none")}</p>}
            {list.next ? (
              <nav aria-label={t(locale, "workspace.batches.pages")}>
                <a href={`/staff/batches?after=${encodeURIComponent(list.next)}`} rel="next">
                  {t(locale, "workspace.batches.older")}
                </a>
              </nav>
            ) : null}
          </>
        )}
      </WorkspaceLayout>,
    );
  });

  routes.route("/", createTriageRoutes(workspaceSite));
  return routes;
}
