// The markup of a unit's page: each open task with its receive and submit forms (and, for a statistics
// table, the offer of its pre-filled figures), the unit's submissions (with how a handed-in table
// compares with the computed figures) and the history. No reads here; unit-page.tsx loads the view
// and answers the routes.
import { isReceived } from "../../core/campaigns/assignment-state";
import type { Locale } from "../../core/report-input";
import { shanghaiDateTime } from "../../core/time";
import type { SubmissionRow } from "../../services/campaigns/page-access";
import { CATALOGS, t } from "../../i18n";
import { randomBytes, toBase64Url } from "../../security/encoding";
import { SUBMISSION_TYPE_LABELS, type SubmissionMediaType } from "../../services/campaigns/document-type";
import type { SubmissionFileView } from "../../services/campaigns/submission-files";
import type { UnitAssignmentView, UnitPageView } from "../../services/campaigns/unit-view";
import { formatBytes } from "../../services/intake/evidence";
import { parseFigureCheck } from "../../core/statistics/compare-figures";
import { regionDisplayName } from "../../core/regions";
import { FigureDifferences, FigureFlag } from "./figure-check-markup";

export const NOTE_MAX_CHARS = 2000;

export const deliverableTitle = (locale: Locale, d: { title: string; titleEn: string | null }) => (locale === "en" && d.titleEn ? d.titleEn : d.title);
export const at = (ms: number) => shanghaiDateTime(new Date(ms));
export const stateLabel = (locale: Locale, state: string) => t(locale, `unit_page.state_${state}`);
export function fileLabel(locale: Locale, f: SubmissionFileView): string {
  return t(locale, "unit_page.file_label", { name: f.name, type: SUBMISSION_TYPE_LABELS[f.mediaType as SubmissionMediaType] ?? f.mediaType, size: formatBytes(f.sizeBytes) });
}

/**
 * The download of a unit's document (unit page and board): named "<unit>-<deliverable>.<detected
 * type>" in both filename and filename*, never by what the uploader called it.
 */
export interface FormErrors {
  assignmentId: string;
  fields: Record<string, string>;
  note: string;
}

interface TaskProps {
  locale: Locale;
  view: UnitAssignmentView;
  q: string;
  unitId: string;
  now: number;
  notes: Map<string, string | null>;
  reasons: Map<string, string | null>;
  names: Map<string, string>;
  errors: FormErrors | null;
  limits: { maxCount: number; maxBytes: number };
}

export function Task(props: TaskProps) {
  const { locale, view, q, unitId, errors } = props;
  const a = view.assignment;
  const id = a.id;
  const received = isReceived(a);
  const actionable = a.state === "open" || a.state === "returned";
  const overdue = actionable && props.now > a.dueAt;
  const lastReturned = [...view.submissions].reverse().find((s) => s.status === "returned");
  const myErrors = errors?.assignmentId === id ? errors.fields : {};
  const once = toBase64Url(randomBytes(16));
  const base = `/units/${encodeURIComponent(unitId)}/assignments/${encodeURIComponent(id)}`;
  return (
    <section class="task" id={id} data-assignment={id} data-state={a.state}>
      <h3>
        {deliverableTitle(locale, view.deliverable)}
        {a.period ? ` · ${a.period}` : ""}
      </h3>
      <dl>
        <dt>{t(locale, "unit_page.campaign")}</dt>
        <dd>{view.campaign.name}</dd>
        {a.period ? (
          <>
            <dt>{t(locale, "unit_page.period")}</dt>
            <dd>{a.period}</dd>
          </>
        ) : null}
        <dt>{t(locale, "unit_page.due")}</dt>
        <dd data-testid="due">
          {at(a.dueAt)}
          {overdue ? <strong class="st-late"> {t(locale, "unit_page.overdue")}</strong> : null}
        </dd>
        <dt>{t(locale, "unit_page.state")}</dt>
        <dd data-testid="state" class={`st-${a.state}`}>
          {stateLabel(locale, a.state)}
        </dd>
        {actionable ? (
          <>
            <dt>{t(locale, "unit_page.acknowledge")}</dt>
            <dd data-testid="acknowledged" data-received={received ? "yes" : "no"}>
              {received ? t(locale, "unit_page.acknowledged", { at: at(a.receivedAt!) }) 
                : // A moved or extended deadline clears the acknowledgement (it must be given for the new date).
                  a.dueVersion > 1
                  ? t(locale, "unit_page.deadline_moved") : t(locale, "unit_page.not_acknowledged")}
            </dd>
          </>
        ) : null}
      </dl>
      {view.statistics ? (
        <p class="notice" data-testid="statistics-offer" data-region={view.statistics.regionCode} data-period={view.statistics.reported.key}>
          {t(locale, "statistics_deliverable.offer", { region: regionDisplayName(view.statistics.regionCode, locale) || view.statistics.regionCode, period: view.statistics.reported.key })}{" "}
          <a href={`${base}/statistics.xlsx?${q}`} data-testid="statistics-download">
            {t(locale, "statistics_deliverable.download")}
          </a>
        </p>
      ) : null}
      {a.state === "returned" && lastReturned ? (
        <p class="alert" data-testid="returned-reason">
          {t(locale, "unit_page.returned_reason", { reason: props.reasons.get(lastReturned.id) ?? "—" })}
        </p>
      ) : null}
      {actionable && !received ? (
        <form method="post" action={`${base}/receive?${q}`} class="noprint">
          <input type="hidden" name="_once" value={once} />
          <button class="button" type="submit" data-testid="receive">
            {t(locale, "unit_page.acknowledge")}
          </button>
        </form>
      ) : null}
      {actionable ? (
        <form method="post" action={`${base}/submit?${q}`} enctype="multipart/form-data" class="noprint" novalidate>
          <fieldset>
            <legend>{t(locale, "unit_page.submit_heading")}</legend>
            <input type="hidden" name="_once" value={once} />
            {myErrors._ ? (
              <p class="error" role="alert">
                {myErrors._}
              </p>
            ) : null}
            <div class={myErrors.note ? "field has-error" : "field"}>
              <label for={`note-${id}`}>{t(locale, "unit_page.note")}</label>
              <p class="hint" id={`note-${id}-hint`}>
                {t(locale, "unit_page.note_hint")}
              </p>
              <textarea
                id={`note-${id}`}
                name="note"
                rows={3}
                maxlength={NOTE_MAX_CHARS}
                aria-describedby={myErrors.note ? `note-${id}-hint note-${id}-error` : `note-${id}-hint`}
                aria-invalid={myErrors.note ? "true" : undefined}
              >
                {errors?.assignmentId === id ? errors.note : ""}
              </textarea>
              {myErrors.note ? (
                <p class="error" id={`note-${id}-error`} role="alert" data-field-error="note">
                  {myErrors.note}
                </p>
              ) : null}
            </div>
            <div class={myErrors.files ? "field has-error" : "field"}>
              <label for={`files-${id}`}>{t(locale, "unit_page.files")}</label>
              <p class="hint" id={`files-${id}-hint`}>
                {t(locale, "unit_page.files_hint", { max: props.limits.maxCount, size: formatBytes(props.limits.maxBytes) })}
              </p>
              <input
                id={`files-${id}`}
                name="files"
                type="file"
                multiple
                accept=".pdf,.xlsx,.docx,.png,.jpg,.jpeg,application/pdf,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.openxmlformats-officedocument.wordprocessingml.document,image/png,image/jpeg"
                aria-describedby={myErrors.files ? `files-${id}-hint files-${id}-error` : `files-${id}-hint`}
                aria-invalid={myErrors.files ? "true" : undefined}
              />
              {myErrors.files ? (
                <p class="error" id={`files-${id}-error`} role="alert" data-field-error="files">
                  {myErrors.files}
                </p>
              ) : null}
            </div>
            <button class="button primary" type="submit" data-testid="submit">
              {t(locale, "unit_page.submit")}
            </button>
          </fieldset>
        </form>
      ) : null}
      {view.submissions.map((s) => (
        <Submission locale={locale} s={s} files={view.files.filter((f) => f.submissionId === s.id)} note={props.notes.get(s.id) ?? null} by={props.names.get(s.submittedBy) ?? t(locale, "names.unknown_member")} q={q} unitId={unitId} />
      ))}
    </section>
  );
}

function Submission(props: { locale: Locale; s: SubmissionRow; files: SubmissionFileView[]; note: string | null; by: string; q: string; unitId: string }) {
  const { locale, s } = props;
  return (
    <div class="submission" data-submission={s.id}>
      <p class="hint">
        #{s.attempt} · {t(locale, "unit_page.submitted_on", { at: at(s.submittedAt), by: props.by })} · {t(locale, `board.status_${s.status}`)}
      </p>
      {props.note ? <p class="body">{props.note}</p> : null}
      {props.files.length ? (
        <ul class="files" aria-label={t(locale, "unit_page.submission_files", { attempt: s.attempt })}>
          {props.files.map((f) => {
            const check = parseFigureCheck(f.figureCheck);
            return (
              <li data-file={f.id}>
                <a href={`/units/${encodeURIComponent(props.unitId)}/files/${encodeURIComponent(f.id)}?${props.q}`}>{fileLabel(locale, f)}</a>
                {check ? (
                  <>
                    {" · "}
                    <FigureFlag locale={locale} check={check} />
                    {check.status === "differs" ? <FigureDifferences locale={locale} differences={check.differences} /> : null}
                  </>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}

function historyText(locale: Locale, action: string): string {
  const key = `unit_page.event.${action}`;
  return CATALOGS[locale].has(key) || CATALOGS.en.has(key) ? t(locale, key) : t(locale, "unit_page.event.other", { action });
}

export function History(props: { locale: Locale; view: UnitPageView }) {
  const { locale, view } = props;
  // What each event is about: the deliverable of the assignment, submission or deliverable it names.
  const about = new Map<string, string>();
  for (const v of view.assignments) {
    const title = deliverableTitle(locale, v.deliverable) + (v.assignment.period ? ` · ${v.assignment.period}` : "");
    about.set(`assignment:${v.assignment.id}`, title);
    about.set(`deliverable:${v.deliverable.id}`, deliverableTitle(locale, v.deliverable));
    for (const s of v.submissions) about.set(`submission:${s.id}`, `${title} #${s.attempt}`);
  }
  if (!view.history.length) return <p class="hint">{t(locale, "unit_page.history_empty")}</p>;
  return (
    <div class="scroll">
      <table class="grid" data-testid="history">
        <thead>
          <tr>
            <th scope="col">{t(locale, "unit_page.history_when")}</th>
            <th scope="col">{t(locale, "unit_page.history_what")}</th>
            <th scope="col">{t(locale, "unit_page.history_who")}</th>
          </tr>
        </thead>
        <tbody>
          {view.history.map((e) => (
            <tr data-action={e.action}>
              <td>{at(e.occurredAt)}</td>
              <td>
                {historyText(locale, e.action)}
                {about.get(`${e.entityType}:${e.entityId}`) ? ` — ${about.get(`${e.entityType}:${e.entityId}`)}` : ""}
              </td>
              <td>{e.actorId ? (view.names.get(e.actorId) ?? t(locale, "names.unknown_member")) : t(locale, "unit_page.system")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
