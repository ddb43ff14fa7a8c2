// A campaign's board in the workspace (/staff/campaigns/:id), for coordinators: the board's markup shared
// with the signed-link board (counts, filters, matrix, CSV, documents), each cell linking to the unit's
// task and a late one with its own nudge button, and per deliverable "nudge every unit waiting" and
// "move the deadline" — the chat's /nudge and /move use cases, platform web, the form's key as dedupe key —
// and, where reminders were read without Received (read receipts), "nudge those who read".
import { Hono } from "hono";
import type { Locale } from "../../../core/report-input";
import { t } from "../../../i18n";
import { moveDeadline } from "../../../services/campaigns/assignments";
import type { BoardDeliverable, BoardRow } from "../../../services/campaigns/board-data";
import { boardMatrix, campaignRegions, latestFilesByAssignment } from "../../../services/campaigns/board-view";
import { deliverablesOf } from "../../../services/campaigns/campaigns";
import { nudgeDeliverable } from "../../../services/campaigns/nudges";
import { openSubmissionFile } from "../../../services/campaigns/submission-files";
import { AppError } from "../../../services/errors";
import { readForm } from "../../body";
import type { AppContext, AppEnv } from "../../context";
import { at, BoardBody, boardContacts, boardQuery, loadFilteredBoard, titleOf } from "../board-markup";
import { boardCsvResponse } from "../board-page";
import { sendPage } from "../staff-layout";
import { submissionFileResponse } from "../unit-page";
import { ActionForm, assignmentPath, CAMPAIGN_ID, campaignPath, DueAndReason, FlashNotice, refuseInWorkspace, refuseNonCoordinator } from "./campaign-actions";
import { dedupeKeyOf, dueFieldSchema, flashQuery, formKeySchema, moveFlash, nudgeFlash, reasonSchema, type Flash } from "./campaign-forms";
import { staffOf } from "./session";
import { WorkspaceLayout } from "./workspace-layout";

/** In a cell: the unit's task page, and a nudge for a late unit. */
function cellActions(locale: Locale, campaignId: string) {
  return (row: BoardRow, deliverable: { title: string; titleEn: string | null }) => (
    <>
      {" "}
      <a href={assignmentPath(campaignId, row.assignmentId)} data-testid="cell-open" aria-label={t(locale, "workspace.campaigns.open_task", { unit: row.unitName, deliverable: titleOf(locale, deliverable) })}>
        {t(locale, "workspace.campaigns.open")}
      </a>
      {row.late ? (
        <ActionForm action={`${assignmentPath(campaignId, row.assignmentId)}/nudge`} label={t(locale, "workspace.campaigns.nudge")} testid="cell-nudge" inline>
          <input type="hidden" name="back" value="board" />
        </ActionForm>
      ) : null}
    </>
  );
}

/** Per deliverable: nudge every unit still waiting, and move the deadline for every unit. */
function DeliverableActions(props: { locale: Locale; campaignId: string; entries: BoardDeliverable[] }) {
  const { locale } = props;
  return (
    <>
      <h2>{t(locale, "workspace.campaigns.deliverable_actions")}</h2>
      {props.entries.map((d) => {
        const base = `${campaignPath(props.campaignId)}/deliverables/${encodeURIComponent(d.deliverable.id)}`;
        const title = titleOf(locale, d.deliverable);
        return (
          <section data-deliverable-actions={d.deliverable.key} aria-label={title}>
            <h3>{title}</h3>
            <p class="hint">{t(locale, "workspace.campaigns.deliverable_summary", { late: d.counts.late, open: d.counts.open, units: d.counts.units, due: d.rows[0] && !d.rows[0].period ? at(d.rows[0].dueAt) : "—" })}</p>
            {d.counts.open ? <ActionForm action={`${base}/nudge`} label={t(locale, "workspace.campaigns.nudge_all")} testid="nudge-all" /> : null}
            {d.counts.readNotAcknowledged ? (
              <ActionForm action={`${base}/nudge-read`} label={t(locale, "reads.nudge_button", { n: d.counts.readNotAcknowledged })} testid="nudge-read" />
            ) : null}
            <ActionForm action={`${base}/move`} label={t(locale, "workspace.campaigns.move")} testid="move-form">
              <DueAndReason locale={locale} id={`move-${d.deliverable.key}`} />
            </ActionForm>
          </section>
        );
      })}
    </>
  );
}

async function renderBoard(c: AppContext, campaignId: string, error?: string) {
  const { deps } = c.var;
  const { locale } = staffOf(c);
  const loaded = await loadFilteredBoard(c, campaignId, locale);
  if (!loaded) return refuseInWorkspace(c, 404, t(locale, "workspace.campaigns.unknown_campaign"));
  const { board, parsed, phases } = loaded;
  const matrix = boardMatrix(board, parsed.page);
  const files = await latestFilesByAssignment(
    deps,
    matrix.units.flatMap((u) => u.cells.flat().map((r) => r.assignmentId)),
  );
  const regions = await campaignRegions(deps, campaignId);
  const base = campaignPath(campaignId);
  const title = t(locale, "board.heading", { campaign: board.campaign.name });
  const hasErrors = Object.keys(parsed.errors).length > 0 || error !== undefined;
  return sendPage(
    c,
    <WorkspaceLayout c={c} title={title} active="campaigns" wide>
      <p>
        <a href="/staff/campaigns">{t(locale, "workspace.campaigns.back_to_list")}</a>
      </p>
      <h1>{title}</h1>
      <FlashNotice c={c} error={error} />
      <BoardBody
        locale={locale}
        board={board}
        parsed={parsed}
        phases={phases}
        regions={regions}
        matrix={matrix}
        files={files}
        contacts={await boardContacts(c, matrix)}
        links={{
          filterAction: base,
          hidden: {},
          csvHref: `${base}/board.csv?${boardQuery({}, parsed.filters)}`,
          pageHref: (page) => `?${boardQuery({}, parsed.filters, page)}`,
          fileHref: (id) => `${base}/files/${encodeURIComponent(id)}`,
        }}
        cellExtra={cellActions(locale, campaignId)}
      />
      {board.campaign.status === "active" ? <DeliverableActions locale={locale} campaignId={campaignId} entries={board.deliverables} /> : null}
    </WorkspaceLayout>,
    hasErrors ? 400 : 200,
  );
}

export function createCampaignBoardRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get(`/${CAMPAIGN_ID}`, (c) => refuseNonCoordinator(c) ?? renderBoard(c, c.req.param("campaignId")));

  routes.get(`/${CAMPAIGN_ID}/board.csv`, async (c) => {
    const refused = refuseNonCoordinator(c);
    if (refused) return refused;
    const { locale } = staffOf(c);
    const loaded = await loadFilteredBoard(c, c.req.param("campaignId"), locale);
    if (!loaded) return refuseInWorkspace(c, 404, t(locale, "workspace.campaigns.unknown_campaign"));
    if (Object.keys(loaded.parsed.errors).length) throw new AppError("validation_failed", "bad board filter", { fields: loaded.parsed.errors, messageKey: "board.bad_filter" });
    return boardCsvResponse(c, locale, loaded.board);
  });

  routes.get(`/${CAMPAIGN_ID}/files/:fileId`, async (c) => {
    const refused = refuseNonCoordinator(c);
    if (refused) return refused;
    const { member, locale } = staffOf(c);
    let opened: Awaited<ReturnType<typeof openSubmissionFile>>;
    try {
      // Checked (the file is this campaign's) and logged by the use case, as from the signed board.
      opened = await openSubmissionFile(c.var.deps, { fileId: c.req.param("fileId"), reader: { member, platform: "web" }, via: "board", campaignId: c.req.param("campaignId") });
    } catch (err) {
      if (err instanceof AppError && (err.code === "forbidden" || err.code === "not_found")) return refuseInWorkspace(c, 404, t(locale, "workspace.campaigns.unknown_file"));
      throw err;
    }
    return submissionFileResponse(c, opened, member);
  });

  routes.post(`/${CAMPAIGN_ID}/deliverables/:deliverableId/:action{nudge-read|nudge|move}`, async (c) => {
    const refused = refuseNonCoordinator(c);
    if (refused) return refused;
    const { deps } = c.var;
    const { member, sessionId, locale } = staffOf(c);
    const campaignId = c.req.param("campaignId");
    const deliverableId = c.req.param("deliverableId");
    // Only a deliverable of this campaign.
    if (!(await deliverablesOf(deps, [campaignId])).some((d) => d.id === deliverableId)) return refuseInWorkspace(c, 404, t(locale, "campaign.refusal.unknown_deliverable"));
    const { fields } = await readForm(c);
    const key = formKeySchema.safeParse(fields.key);
    if (!key.success) return renderBoard(c, campaignId, t(locale, "workspace.campaigns.form_expired"));
    const action = c.req.param("action") as "nudge" | "nudge-read" | "move";
    const common = { deliverableId, actor: member, platform: "web" as const, platformRef: sessionId, dedupeKey: dedupeKeyOf(action, key.data) };
    const back = (f: Flash) => c.redirect(`${campaignPath(campaignId)}?${flashQuery(f)}`, 303);
    if (action === "nudge") return back(nudgeFlash(await nudgeDeliverable(deps, common)));
    if (action === "nudge-read") return back(nudgeFlash(await nudgeDeliverable(deps, { ...common, only: "read_not_acknowledged" }), true));
    const due = dueFieldSchema.safeParse(fields.due ?? "");
    if (!due.success) return renderBoard(c, campaignId, t(locale, "campaign.refusal.invalid_deadline"));
    const reason = reasonSchema.safeParse(fields.reason ?? "");
    if (!reason.success) return renderBoard(c, campaignId, t(locale, "campaign.refusal.reason_required"));
    return back(moveFlash(await moveDeadline(deps, { ...common, dueAt: due.data, reason: reason.data })));
  });

  return routes;
}
