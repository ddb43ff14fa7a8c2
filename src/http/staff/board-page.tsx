// The full campaign board, for a coordinator through the signed link from /board: counts per
// deliverable first, then the units × deliverables matrix (a page of units at a time) with each cell's
// status and the documents of its latest submission (each download logged), filters by phase, region
// and status (GET parameters, so a filtered board is a link), and the CSV export of the same rows.
import { Hono } from "hono";
import { z } from "zod";
import type { Locale } from "../../core/report-input";
import { regionDisplayName } from "../../core/regions";
import { shanghaiDateTime } from "../../core/time";
import { authoriseBoardCoordinator, type MemberRow } from "../../services/campaigns/page-access";
import { t } from "../../i18n";
import { BOARD_STATUSES, campaignBoard, type BoardFilters, type BoardRow, type BoardStatus, type CampaignBoard } from "../../services/campaigns/board-data";
import { toCsv, type CsvCell } from "../../core/csv";
import { boardMatrix, byUnitName, campaignRegions, fileCountsForCampaign, latestFilesByAssignment, type CellFile } from "../../services/campaigns/board-view";
import { SUBMISSION_TYPE_LABELS, type SubmissionMediaType } from "../../services/campaigns/document-type";
import { openSubmissionFile } from "../../services/campaigns/submission-files";
import { contactStateByUnit, lacksEnrolledContact } from "../../services/campaigns/unit-contacts";
import { AppError } from "../../services/errors";
import { formatBytes } from "../../services/intake/evidence";
import type { AppContext, AppEnv } from "../context";
import { pageLocale, RefusalPage, sendPage, StaffLayout } from "./staff-layout";
import { submissionFileResponse } from "./unit-page";
import { CSV_DOWNLOAD, downloadHeaders } from "../download";

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

const empty = (v: unknown) => (v === "" ? undefined : v);
const filterSchema = z.object({
  phase: z.preprocess(empty, z.string().max(64).optional()),
  region: z.preprocess(empty, z.string().regex(/^\d{6}$/).optional()),
  status: z.preprocess(empty, z.enum(BOARD_STATUSES).optional()),
  page: z.preprocess(empty, z.coerce.number().int().min(1).max(100_000).optional()),
});

interface ParsedFilters {
  filters: BoardFilters;
  page: number;
  /** The raw values, to show back in the form. */
  values: Record<"phase" | "region" | "status", string>;
  errors: Record<string, string>;
}

function phasesOf(board: CampaignBoard): { key: string; name: string; nameEn?: string }[] {
  try {
    const v = JSON.parse(board.campaign.phases) as unknown;
    return Array.isArray(v) ? v.filter((p): p is { key: string; name: string; nameEn?: string } => typeof p?.key === "string" && typeof p?.name === "string") : [];
  } catch {
    return [];
  }
}

/** The GET parameters as filters; a value that is not valid is reported on its field and not applied. */
/** `phaseKeys` null: any phase value is taken as given (checked against the campaign afterwards). */
function parseFilters(c: AppContext, locale: Locale, phaseKeys: string[] | null): ParsedFilters {
  const raw = { phase: c.req.query("phase") ?? "", region: c.req.query("region") ?? "", status: c.req.query("status") ?? "", page: c.req.query("page") ?? "" };
  const filters: BoardFilters = {};
  const errors: Record<string, string> = {};
  let page = 1;
  for (const key of ["phase", "region", "status", "page"] as const) {
    const one = filterSchema.shape[key].safeParse(raw[key]);
    if (!one.success || (key === "phase" && phaseKeys && one.data && !phaseKeys.includes(one.data as string))) {
      errors[key] = t(locale, "board.bad_filter");
      continue;
    }
    if (one.data === undefined) continue;
    if (key === "page") page = one.data as number;
    else if (key === "status") filters.status = one.data as BoardStatus;
    else filters[key] = one.data as string;
  }
  return { filters, page, values: { phase: raw.phase, region: raw.region, status: raw.status }, errors };
}

const at = (ms: number | null) => (ms === null ? "" : shanghaiDateTime(new Date(ms)));
const titleOf = (locale: Locale, d: { title: string; titleEn: string | null }) => (locale === "en" && d.titleEn ? d.titleEn : d.title);
const statusLabel = (locale: Locale, s: BoardStatus) => t(locale, `board.status_${s}`);

/** The query string of the board with these filters (and the token), for links and the CSV. */
function boardQuery(token: string, filters: BoardFilters, page?: number): string {
  const p = new URLSearchParams({ t: token });
  if (filters.phase) p.set("phase", filters.phase);
  if (filters.region) p.set("region", filters.region);
  if (filters.status) p.set("status", filters.status);
  if (page && page > 1) p.set("page", String(page));
  return p.toString();
}

function Cell(props: { locale: Locale; rows: BoardRow[]; files: Map<string, CellFile[]>; fileHref: (id: string) => string }) {
  const { locale } = props;
  if (!props.rows.length) return <td class="hint">{t(locale, "board.not_assigned")}</td>;
  return (
    <td>
      {props.rows.map((r) => (
        <div data-cell={r.assignmentId} data-status={r.status}>
          {r.period ? `${r.period} ` : ""}
          <span class={`st-${r.status}`}>{statusLabel(locale, r.status)}</span>
          {(props.files.get(r.assignmentId) ?? []).map((f, i) => (
            <>
              {" "}
              <a href={props.fileHref(f.id)} data-file={f.id} title={formatBytes(f.sizeBytes)}>
                {t(locale, "board.file_link", { type: SUBMISSION_TYPE_LABELS[f.mediaType as SubmissionMediaType] ?? f.mediaType, n: i + 1 })}
              </a>
            </>
          ))}
        </div>
      ))}
    </td>
  );
}

/** A unit nobody can answer for: no contact, or contacts without a chat account. */
const UnenrolledFlag = (p: { locale: Locale; unitId: string; hasContact: boolean }) => (
  <>
    {" "}
    <span class="st-late" data-unenrolled={p.unitId}>{t(p.locale, p.hasContact ? "board.contact_not_enrolled" : "board.no_contact")}</span>
  </>
);

function FilterField(props: { id: string; label: string; error?: string | undefined; value: string; options: { value: string; label: string }[]; allLabel: string }) {
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id} aria-invalid={props.error ? "true" : undefined} aria-describedby={props.error ? `${props.id}-error` : undefined}>
        <option value="">{props.allLabel}</option>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.error ? (
        <p class="error" id={`${props.id}-error`} role="alert" data-field-error={props.id}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export function createBoardRoutes() {
  const boards = new Hono<AppEnv>();
  boards.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });

  /** The viewer, the board with the filters applied, or the refusal (bad token, not a coordinator, no such campaign). */
  async function load(c: AppContext): Promise<{ viewer: Viewer; board: CampaignBoard; parsed: ParsedFilters; phases: ReturnType<typeof phasesOf> } | null> {
    const campaignId = c.req.param("campaignId")!;
    const viewer = await authoriseCoordinator(c, campaignId);
    if (!viewer) return null;
    // Phase keys are known only with the campaign: parse, read, and read again without an unknown phase.
    let parsed = parseFilters(c, viewer.locale, null);
    let board = await campaignBoard(c.var.deps, campaignId, parsed.filters);
    if (!board) return null;
    const phases = phasesOf(board);
    if (parsed.filters.phase && !phases.some((p) => p.key === parsed.filters.phase)) {
      parsed = parseFilters(
        c,
        viewer.locale,
        phases.map((p) => p.key),
      );
      board = (await campaignBoard(c.var.deps, campaignId, parsed.filters))!;
    }
    return { viewer, board, parsed, phases };
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
    // Units nobody can answer for (no active contact with a chat account) are flagged in the matrix.
    const contacts = await contactStateByUnit(deps, matrix.units.map((u) => u.unitId));
    const unenrolledOnPage = matrix.units.filter((u) => lacksEnrolledContact(contacts.get(u.unitId))).length;
    const tokenQ = `t=${encodeURIComponent(token)}`;
    const fileHref = (id: string) => `/campaigns/${encodeURIComponent(campaignId)}/board/files/${encodeURIComponent(id)}?${tokenQ}`;
    const title = t(locale, "board.heading", { campaign: board.campaign.name });
    const hasErrors = Object.keys(parsed.errors).length > 0;
    return sendPage(
      c,
      <StaffLayout c={c} locale={locale} title={title} wide>
        <h1>{title}</h1>
        <p class="hint">{t(locale, "board.as_of", { at: at(board.generatedAt) })}</p>
        <h2>{t(locale, "board.counts_heading")}</h2>
        <div class="scroll">
          <table class="grid" data-testid="counts">
            <thead>
              <tr>
                <th scope="col">{t(locale, "board.deliverable")}</th>
                <th scope="col">{t(locale, "board.units")}</th>
                <th scope="col">{statusLabel(locale, "acknowledged")}</th>
                <th scope="col">{statusLabel(locale, "submitted")}</th>
                <th scope="col">{statusLabel(locale, "accepted")}</th>
                <th scope="col">{statusLabel(locale, "late")}</th>
                <th scope="col">{statusLabel(locale, "open")}</th>
              </tr>
            </thead>
            <tbody>
              {board.deliverables.map((d) => (
                <tr data-deliverable={d.deliverable.key}>
                  <th scope="row">{titleOf(locale, d.deliverable)}</th>
                  <td data-count="units">{d.counts.units}</td>
                  <td data-count="acknowledged">{d.counts.acknowledged}</td>
                  <td data-count="submitted">{d.counts.submitted}</td>
                  <td data-count="accepted">{d.counts.accepted}</td>
                  <td data-count="late">{d.counts.late}</td>
                  <td data-count="open">{d.counts.open}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form method="get" action={`/campaigns/${encodeURIComponent(campaignId)}/board`} class="noprint">
          <fieldset>
            <legend>{t(locale, "board.filters")}</legend>
            <input type="hidden" name="t" value={token} />
            <FilterField
              id="phase"
              label={t(locale, "board.phase")}
              allLabel={t(locale, "board.all")}
              value={parsed.values.phase}
              error={parsed.errors.phase}
              options={phases.map((p) => ({ value: p.key, label: locale === "en" && p.nameEn ? p.nameEn : p.name }))}
            />
            <FilterField
              id="region"
              label={t(locale, "board.region")}
              allLabel={t(locale, "board.all")}
              value={parsed.values.region}
              error={parsed.errors.region}
              options={regions.map((code) => ({ value: code, label: `${regionDisplayName(code) || code} (${code})` }))}
            />
            <FilterField
              id="status"
              label={t(locale, "board.status")}
              allLabel={t(locale, "board.all")}
              value={parsed.values.status}
              error={parsed.errors.status}
              options={BOARD_STATUSES.map((s) => ({ value: s, label: statusLabel(locale, s) }))}
            />
            {parsed.errors.page ? (
              <p class="error" role="alert" data-field-error="page">
                {parsed.errors.page}
              </p>
            ) : null}
            <button class="button" type="submit">
              {t(locale, "board.apply")}
            </button>{" "}
            <a class="button link" href={`/campaigns/${encodeURIComponent(campaignId)}/board.csv?${boardQuery(token, parsed.filters)}`} data-testid="csv">
              {t(locale, "board.csv")}
            </a>
          </fieldset>
        </form>
        <h2>{t(locale, "board.matrix_heading")}</h2>
        {matrix.total ? (
          <>
            <p class="hint" data-testid="showing">
              {t(locale, "board.showing", { from: matrix.from, to: matrix.to, total: matrix.total })}
            </p>
            {unenrolledOnPage ? (
              <p class="hint" data-testid="unenrolled-note">
                {t(locale, "board.unenrolled_note", { n: unenrolledOnPage })}
              </p>
            ) : null}
            <div class="scroll">
              <table class="grid" data-testid="matrix">
                <thead>
                  <tr>
                    <th scope="col">{t(locale, "board.unit")}</th>
                    <th scope="col">{t(locale, "board.region")}</th>
                    {board.deliverables.map((d) => (
                      <th scope="col">
                        {titleOf(locale, d.deliverable)}
                        {d.rows[0] && !d.rows[0].period ? (
                          <>
                            <br />
                            <span class="hint">{at(d.rows[0].dueAt)}</span>
                          </>
                        ) : null}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {matrix.units.map((u) => (
                    <tr data-unit={u.unitId}>
                      <th scope="row">
                        {u.unitName}
                        {lacksEnrolledContact(contacts.get(u.unitId)) ? <UnenrolledFlag locale={locale} unitId={u.unitId} hasContact={contacts.has(u.unitId)} /> : null}
                      </th>
                      <td>{regionDisplayName(u.regionCode) || u.regionCode}</td>
                      {u.cells.map((rows) => (
                        <Cell locale={locale} rows={rows} files={files} fileHref={fileHref} />
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {matrix.pages > 1 ? (
              <nav class="noprint" aria-label={t(locale, "board.matrix_heading")}>
                {matrix.page > 1 ? (
                  <a href={`?${boardQuery(token, parsed.filters, matrix.page - 1)}`} rel="prev">
                    {t(locale, "board.previous")}
                  </a>
                ) : null}{" "}
                {matrix.page < matrix.pages ? (
                  <a href={`?${boardQuery(token, parsed.filters, matrix.page + 1)}`} rel="next">
                    {t(locale, "board.next")}
                  </a>
                ) : null}
              </nav>
            ) : null}
          </>
        ) : (
          <p data-testid="no-units">{t(locale, "board.no_units")}</p>
        )}
      </StaffLayout>,
      hasErrors ? 400 : 200,
    );
  });

  boards.get("/:campaignId/board.csv", async (c) => {
    const loaded = await load(c);
    if (!loaded) return refuse(c);
    const { viewer, board, parsed } = loaded;
    if (Object.keys(parsed.errors).length) throw new AppError("validation_failed", "bad board filter", { fields: parsed.errors, messageKey: "board.bad_filter" });
    const { locale } = viewer;
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
