// The campaign board's markup, shared by the signed-link board (board-page.tsx) and the workspace's
// campaign page: the counts per deliverable, the filter form, and the units × deliverables matrix with
// each cell's status and documents (and a statistics table's "differs from computed figures" flag, and
// "read, not acknowledged" with the readers' names where the platform reports who read a reminder).
// Where its links and forms point is the page's to say (`BoardLinks`).
import type { Child } from "hono/jsx";
import { z } from "zod";
import type { Locale } from "../../core/report-input";
import { contactStateByUnit, lacksEnrolledContact, type UnitContactState } from "../../services/campaigns/unit-contacts";
import { regionDisplayName } from "../../core/regions";
import { shanghaiDateTime } from "../../core/time";
import { t } from "../../i18n";
import { BOARD_STATUSES, campaignBoard, type BoardDeliverable, type BoardFilters, type BoardRow, type BoardStatus, type CampaignBoard } from "../../services/campaigns/board-data";
import type { BoardMatrix, CellFile } from "../../services/campaigns/board-view";
import { FigureFlag, submissionCheck } from "./figure-check-markup";
import { SUBMISSION_TYPE_LABELS, type SubmissionMediaType } from "../../services/campaigns/document-type";
import { formatBytes } from "../../services/intake/evidence";
import { readNotAcknowledgedText } from "../../services/read-receipts/reader-text";
import type { AppContext } from "../context";

const empty = (v: unknown) => (v === "" ? undefined : v);
const filterSchema = z.object({
  phase: z.preprocess(empty, z.string().max(64).optional()),
  region: z.preprocess(empty, z.string().regex(/^\d{6}$/).optional()),
  status: z.preprocess(empty, z.enum(BOARD_STATUSES).optional()),
  page: z.preprocess(empty, z.coerce.number().int().min(1).max(100_000).optional()),
});

export interface ParsedFilters {
  filters: BoardFilters;
  page: number;
  /** The raw values, to show back in the form. */
  values: Record<"phase" | "region" | "status", string>;
  errors: Record<string, string>;
}

export type BoardPhase = { key: string; name: string; nameEn?: string };

export function phasesOf(board: CampaignBoard): BoardPhase[] {
  try {
    const v = JSON.parse(board.campaign.phases) as unknown;
    return Array.isArray(v) ? v.filter((p): p is BoardPhase => typeof p?.key === "string" && typeof p?.name === "string") : [];
  } catch {
    return [];
  }
}

/** The GET parameters as filters; a value that is not valid is reported on its field and not applied. */
/** `phaseKeys` null: any phase value is taken as given (checked against the campaign afterwards). */
export function parseFilters(c: AppContext, locale: Locale, phaseKeys: string[] | null): ParsedFilters {
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

/** The board with the page's filters applied (null: no such campaign). Phase keys are known only with the campaign: parse, read, and read again without an unknown phase. */
export async function loadFilteredBoard(c: AppContext, campaignId: string, locale: Locale): Promise<{ board: CampaignBoard; parsed: ParsedFilters; phases: BoardPhase[] } | null> {
  let parsed = parseFilters(c, locale, null);
  let board = await campaignBoard(c.var.deps, campaignId, parsed.filters);
  if (!board) return null;
  const phases = phasesOf(board);
  if (parsed.filters.phase && !phases.some((p) => p.key === parsed.filters.phase)) {
    parsed = parseFilters(
      c,
      locale,
      phases.map((p) => p.key),
    );
    board = (await campaignBoard(c.var.deps, campaignId, parsed.filters))!;
  }
  return { board, parsed, phases };
}

export const at = (ms: number | null) => (ms === null ? "" : shanghaiDateTime(new Date(ms)));
export const titleOf = (locale: Locale, d: { title: string; titleEn: string | null }) => (locale === "en" && d.titleEn ? d.titleEn : d.title);
export const statusLabel = (locale: Locale, s: BoardStatus) => t(locale, `board.status_${s}`);

/** The query string of the board with these filters (after the page's own parameters: the token), for links and the CSV. */
export function boardQuery(base: Record<string, string>, filters: BoardFilters, page?: number): string {
  const p = new URLSearchParams(base);
  if (filters.phase) p.set("phase", filters.phase);
  if (filters.region) p.set("region", filters.region);
  if (filters.status) p.set("status", filters.status);
  if (page && page > 1) p.set("page", String(page));
  return p.toString();
}

function Cell(props: { locale: Locale; rows: BoardRow[]; files: Map<string, CellFile[]>; fileHref: (id: string) => string; extra?: ((row: BoardRow) => Child) | undefined }) {
  const { locale } = props;
  if (!props.rows.length) return <td class="hint">{t(locale, "board.not_assigned")}</td>;
  return (
    <td>
      {props.rows.map((r) => (
        <div data-cell={r.assignmentId} data-status={r.status}>
          {r.period ? `${r.period} ` : ""}
          <span class={`st-${r.status}`}>{statusLabel(locale, r.status)}</span>
          {r.readNotAcknowledged.length ? (
            <>
              {" "}
              <span class="hint" data-read-not-acknowledged={r.assignmentId}>
                {readNotAcknowledgedText(locale, r.readNotAcknowledged)}
              </span>
            </>
          ) : null}
          {(props.files.get(r.assignmentId) ?? []).map((f, i) => (
            <>
              {" "}
              <a href={props.fileHref(f.id)} data-file={f.id} title={formatBytes(f.sizeBytes)}>
                {t(locale, "board.file_link", { type: SUBMISSION_TYPE_LABELS[f.mediaType as SubmissionMediaType] ?? f.mediaType, n: i + 1 })}
              </a>
            </>
          ))}
          {(() => {
            // A statistics table: one flag for the latest submission (its first file that could be compared).
            const check = submissionCheck((props.files.get(r.assignmentId) ?? []).map((f) => f.figureCheck));
            return check ? (
              <>
                {" "}
                <FigureFlag locale={locale} check={check} />
              </>
            ) : null;
          })()}
          {props.extra ? props.extra(r) : null}
        </div>
      ))}
    </td>
  );
}

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

/** Where the board's links and forms go: the signed-link page keeps its token in each, the workspace needs none. */
export interface BoardLinks {
  /** The filter form's action (GET) and its hidden fields. */
  filterAction: string;
  hidden: Record<string, string>;
  csvHref: string;
  pageHref: (page: number) => string;
  fileHref: (fileId: string) => string;
}

export interface BoardBodyProps {
  locale: Locale;
  board: CampaignBoard;
  parsed: ParsedFilters;
  phases: BoardPhase[];
  regions: string[];
  matrix: BoardMatrix;
  files: Map<string, CellFile[]>;
  links: BoardLinks;
  /** More in a cell, after a row's status and documents (the workspace's link to the unit's actions). */
  cellExtra?: (row: BoardRow, deliverable: BoardDeliverable["deliverable"]) => Child;
  /** Each unit's contacts on this page: a unit nobody can answer for is flagged (its reminders can never be acknowledged). */
  contacts: Map<string, UnitContactState>;
}

/** A unit nobody can answer for: no contact, or contacts without a chat account. */
const UnenrolledFlag = (p: { locale: Locale; unitId: string; hasContact: boolean }) => (
  <>
    {" "}
    <span class="st-late" data-unenrolled={p.unitId}>
      {t(p.locale, p.hasContact ? "board.contact_not_enrolled" : "board.no_contact")}
    </span>
  </>
);

/** Everything under the page's heading: as-of time, counts, filters, matrix and its pages. */
export function BoardBody(props: BoardBodyProps) {
  const { locale, board, parsed, phases, regions, matrix, files, links, contacts } = props;
  const unenrolledOnPage = matrix.units.filter((u) => lacksEnrolledContact(contacts.get(u.unitId))).length;
  return (
    <>
      <p class="hint">{t(locale, "board.as_of", { at: at(board.generatedAt) })}</p>
      <h2>{t(locale, "board.counts_heading")}</h2>
      <div class="scroll" tabindex={0} role="region" aria-label={t(locale, "board.counts_heading")}>
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
              <th scope="col">{t(locale, "reads.column")}</th>
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
                <td data-count="read_not_acknowledged">{d.counts.readNotAcknowledged}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form method="get" action={links.filterAction} class="noprint">
        <fieldset>
          <legend>{t(locale, "board.filters")}</legend>
          {Object.entries(links.hidden).map(([name, value]) => (
            <input type="hidden" name={name} value={value} />
          ))}
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
            options={regions.map((code) => ({ value: code, label: `${regionDisplayName(code, locale) || code} (${code})` }))}
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
          <a class="button link" href={links.csvHref} data-testid="csv">
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
          <div class="scroll" tabindex={0} role="region" aria-label={t(locale, "board.matrix_heading")}>
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
                    <td>{regionDisplayName(u.regionCode, locale) || u.regionCode}</td>
                    {u.cells.map((rows, i) => (
                      <Cell locale={locale} rows={rows} files={files} fileHref={links.fileHref} extra={props.cellExtra ? (row) => props.cellExtra!(row, board.deliverables[i]!.deliverable) : undefined} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {matrix.pages > 1 ? (
            <nav class="noprint" aria-label={t(locale, "board.matrix_heading")}>
              {matrix.page > 1 ? (
                <a href={links.pageHref(matrix.page - 1)} rel="prev">
                  {t(locale, "board.previous")}
                </a>
              ) : null}{" "}
              {matrix.page < matrix.pages ? (
                <a href={links.pageHref(matrix.page + 1)} rel="next">
                  {t(locale, "board.next")}
                </a>
              ) : null}
            </nav>
          ) : null}
        </>
      ) : (
        <p data-testid="no-units">{t(locale, "board.no_units")}</p>
      )}
    </>
  );
}

/** The contacts of the units on this page of the matrix (one read), for BoardBody's flags. */
export function boardContacts(c: AppContext, matrix: BoardMatrix): Promise<Map<string, UnitContactState>> {
  return contactStateByUnit(c.var.deps, matrix.units.map((u) => u.unitId));
}
