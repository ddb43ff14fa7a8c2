// The full campaign board, for a coordinator through the signed link from /board: counts per
// deliverable first, then the units × deliverables matrix (a page of units at a time) with each cell's
// status and the documents of its latest submission (each download logged), filters by phase, region
// and status (GET parameters, so a filtered board is a link), and the CSV export of the same rows.
// The markup is board-markup.tsx (shared with the workspace's campaign page).
import { Hono } from "hono";
import type { Locale } from "../../core/report-input";
import { authoriseBoardCoordinator, type MemberRow } from "../../services/campaigns/page-access";
import { t } from "../../i18n";
import type { CampaignBoard } from "../../services/campaigns/board-data";
import { toCsv, type CsvCell } from "../../core/csv";
import { boardMatrix, byUnitName, campaignRegions, fileCountsForCampaign, latestFilesByAssignment } from "../../services/campaigns/board-view";
import { openSubmissionFile } from "../../services/campaigns/submission-files";
import { AppError } from "../../services/errors";
import type { AppContext, AppEnv } from "../context";
import { pageLocale, RefusalPage, sendPage, StaffLayout } from "./staff-layout";
import { submissionFileResponse } from "./unit-page";
import { CSV_DOWNLOAD, downloadHeaders } from "../download";
import { at, BoardBody, boardContacts, boardQuery, loadFilteredBoard, statusLabel, titleOf, type BoardPhase, type ParsedFilters } from "./board-markup";

interface Viewer {
  member: MemberRow;
  locale: Locale;
  token: string;
}

async function authoriseCoordinator(c: AppContext, campaignId: string): Promise<Viewer | null> {
  const { deps } = c.var;
  const token = c.req.query("t");
  const member = await authoriseBoardCoordinator(deps, campaignId, token);
  if (!member) return null;
  return { member, locale: pageLocale(c, member.locale), token: token! };
}

function refuse(c: AppContext) {
  // Nobody known: the language the browser asks for (or ?lang=).
  const locale = c.var.locale;
  // A post refused unread: close the connection rather than leave its body in it.
  if (c.req.raw.body && !c.req.raw.bodyUsed) c.header("Connection", "close");
  return sendPage(c, <RefusalPage c={c} locale={locale} title={t(locale, "board.invalid_link_title")} message={t(locale, "board.invalid_link")} />, 403);
}

export function createBoardRoutes() {
  const boards = new Hono<AppEnv>();
  boards.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });

  /** The viewer, the board with the filters applied, or the refusal (bad token, not a coordinator, no such campaign). */
  async function load(c: AppContext): Promise<{ viewer: Viewer; board: CampaignBoard; parsed: ParsedFilters; phases: BoardPhase[] } | null> {
    const campaignId = c.req.param("campaignId")!;
    const viewer = await authoriseCoordinator(c, campaignId);
    if (!viewer) return null;
    const loaded = await loadFilteredBoard(c, campaignId, viewer.locale);
    return loaded ? { viewer, ...loaded } : null;
  }

  boards.get("/:campaignId/board", async (c) => {
    const { deps } = c.var;
    const loaded = await load(c);
    if (!loaded) return refuse(c);
    const { viewer, board, parsed, phases } = loaded;
    const { locale, token } = viewer;
    const campaignId = board.campaign.id;
    const matrix = boardMatrix(board, parsed.page);
    const files = await latestFilesByAssignment(
      deps,
      matrix.units.flatMap((u) => u.cells.flat().map((r) => r.assignmentId)),
    );
    const regions = await campaignRegions(deps, campaignId);
    const tokenQ = `t=${encodeURIComponent(token)}`;
    const base = `/campaigns/${encodeURIComponent(campaignId)}/board`;
    const title = t(locale, "board.heading", { campaign: board.campaign.name });
    const hasErrors = Object.keys(parsed.errors).length > 0;
    return sendPage(
      c,
      <StaffLayout c={c} locale={locale} title={title} wide>
        <h1>{title}</h1>
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
            hidden: { t: token },
            csvHref: `${base}.csv?${boardQuery({ t: token }, parsed.filters)}`,
            pageHref: (page) => `?${boardQuery({ t: token }, parsed.filters, page)}`,
            fileHref: (id) => `${base}/files/${encodeURIComponent(id)}?${tokenQ}`,
          }}
        />
      </StaffLayout>,
      hasErrors ? 400 : 200,
    );
  });

  boards.get("/:campaignId/board.csv", async (c) => {
    const loaded = await load(c);
    if (!loaded) return refuse(c);
    const { viewer, board, parsed } = loaded;
    if (Object.keys(parsed.errors).length) throw new AppError("validation_failed", "bad board filter", { fields: parsed.errors, messageKey: "board.bad_filter" });
    return boardCsvResponse(c, viewer.locale, board);
  });

  boards.get("/:campaignId/board/files/:fileId", async (c) => {
    const campaignId = c.req.param("campaignId");
    const viewer = await authoriseCoordinator(c, campaignId);
    if (!viewer) return refuse(c);
    let opened: Awaited<ReturnType<typeof openSubmissionFile>>;
    try {
      opened = await openSubmissionFile(c.var.deps, { fileId: c.req.param("fileId"), reader: { member: viewer.member, platform: "web" }, via: "board", campaignId });
    } catch (err) {
      if (err instanceof AppError && (err.code === "forbidden" || err.code === "not_found")) return refuse(c);
      throw err;
    }
    return submissionFileResponse(c, opened, viewer.member);
  });

  return boards;
}

/** The board's rows as CSV (one row per unit, deliverable and period), as filtered. */
export async function boardCsvResponse(c: AppContext, locale: Locale, board: CampaignBoard) {
  const counts = await fileCountsForCampaign(c.var.deps, board.campaign.id);
  const header = ["campaign", "unit_id", "unit", "kind", "region", "deliverable", "period", "phase", "due", "status", "received_at", "submitted_at", "reviewed_at", "files"].map((k) => t(locale, `board.csv_${k}`));
  const rows: CsvCell[][] = [header];
  const order = new Map(board.deliverables.map((d, i) => [d.deliverable.id, i]));
  const lines = board.deliverables
    .flatMap((d) => d.rows.map((r) => ({ d: d.deliverable, r })))
    .sort((x, y) => byUnitName(x.r, y.r) || order.get(x.d.id)! - order.get(y.d.id)! || (x.r.period < y.r.period ? -1 : x.r.period > y.r.period ? 1 : 0));
  for (const { d, r } of lines)
    rows.push([
      board.campaign.id,
      r.unitId,
      r.unitName,
      r.unitKind,
      r.regionCode,
      titleOf(locale, d),
      r.period,
      d.phaseKey ?? "",
      at(r.dueAt),
      statusLabel(locale, r.status),
      r.acknowledged ? at(r.receivedAt) : "",
      at(r.submittedAt),
      at(r.reviewedAt),
      counts.get(r.assignmentId) ?? 0,
    ]);
  return c.body(toCsv(rows), 200, downloadHeaders({ stem: `${board.campaign.id}-board` }, CSV_DOWNLOAD));
}
