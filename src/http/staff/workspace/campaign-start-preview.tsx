// The preview part of /staff/campaigns/new (campaign-start.tsx): what starting would create and send —
// past deadlines and units without an enrolled contact first, then deliverables, units and every
// reminder with its date — the form to move the dates, and the confirm form carrying exactly what was
// previewed plus its one-time `key`.
import type { Locale } from "../../../core/report-input";
import { regionDisplayName } from "../../../core/regions";
import { shanghaiDateTime } from "../../../core/time";
import type { CampaignPreview } from "../../../services/campaigns/campaign-preview";
import { t } from "../../../i18n";

const K = "workspace.campaign_start";

/** Field name prefix of a one-off deliverable's new deadline (`due_<key>`). */
export const DUE_PREFIX = "due_";

export interface FormValues {
  template: string;
  year: string;
  region: string;
  shift: string;
  /** New deadline per one-off deliverable key (as typed). */
  due: Record<string, string>;
}

export const at = (ms: number) => shanghaiDateTime(new Date(ms));
export const regionLabel = (code: string) => `${regionDisplayName(code) || code} (${code})`;
const titleOf = (locale: Locale, x: { title: string; titleEn: string | null }) => (locale === "en" && x.titleEn ? x.titleEn : x.title);

export function FieldError(props: { id: string; error: string | undefined }) {
  return props.error ? (
    <p class="error" id={`${props.id}-error`} role="alert" data-field-error={props.id}>
      {props.error}
    </p>
  ) : null;
}

/** The hidden fields that carry a previewed input to the next form. */
function Carried(props: { values: FormValues; withMoves: boolean }) {
  const { values } = props;
  return (
    <>
      <input type="hidden" name="template" value={values.template} />
      <input type="hidden" name="year" value={values.year} />
      <input type="hidden" name="region" value={values.region} />
      {props.withMoves ? (
        <>
          {values.shift ? <input type="hidden" name="shift" value={values.shift} /> : null}
          {Object.entries(values.due).map(([key, value]) => (
            <input type="hidden" name={`${DUE_PREFIX}${key}`} value={value} />
          ))}
        </>
      ) : null}
    </>
  );
}

function kindLabel(locale: Locale, r: CampaignPreview["reminders"][number]) {
  return r.kind === "before" ? t(locale, `${K}.kind_before`, { days: r.offsetDays ?? 0 }) : t(locale, `${K}.kind_${r.kind}`);
}

export function PreviewView(props: { locale: Locale; preview: CampaignPreview; values: FormValues; errors: Record<string, string>; formKey: string }) {
  const { locale, preview: p, values, errors } = props;
  const overdueStart = p.reminders.find((r) => r.kind === "overdue");
  return (
    <>
      <section aria-labelledby="summary-h" data-testid="preview">
        <h2 id="summary-h">{locale === "en" && p.nameEn ? p.nameEn : p.name}</h2>
        <dl class="summary">
          <dt>{t(locale, `${K}.issuer`)}</dt>
          <dd>{p.issuer}</dd>
          <dt>{t(locale, `${K}.year`)}</dt>
          <dd>{p.year}</dd>
          <dt>{t(locale, `${K}.region`)}</dt>
          <dd>{regionLabel(p.regionCode)}</dd>
          <dt>{t(locale, `${K}.creates`)}</dt>
          <dd data-testid="counts">{t(locale, `${K}.counts`, { deliverables: p.deliverables.length, assignments: p.assignments, units: p.units.length })}</dd>
        </dl>
      </section>
      {p.pastDeadlines.length ? (
        <section class="alert" role="alert" aria-labelledby="past-h" data-testid="past-warning">
          <h2 id="past-h">{t(locale, `${K}.past_heading`, { n: p.pastDeadlines.length })}</h2>
          <ul>
            {p.pastDeadlines.map((w) => (
              <li data-past={`${w.deliverableKey}${w.period ? `:${w.period}` : ""}`}>
                {titleOf(locale, w)}
                {w.period ? ` (${w.period})` : ""}: {t(locale, `${K}.due_at`, { at: at(w.dueAt) })}
              </li>
            ))}
          </ul>
          <p>{overdueStart ? t(locale, `${K}.past_explain`, { from: at(overdueStart.sendAt) }) : t(locale, `${K}.past_explain_no_overdue`)}</p>
        </section>
      ) : (
        <p class="notice" role="status" data-testid="no-past">
          {t(locale, `${K}.no_past`)}
        </p>
      )}
      {p.unenrolled.length ? (
        <section class="alert" aria-labelledby="unenrolled-h" data-testid="unenrolled-warning">
          <h2 id="unenrolled-h">{t(locale, `${K}.unenrolled_heading`, { n: p.unenrolled.length })}</h2>
          <p>{t(locale, `${K}.unenrolled_explain`)}</p>
          <ul>
            {p.unenrolled.map((u) => (
              <li data-unenrolled={u.id}>
                {u.name}: {t(locale, u.contacts ? `${K}.contact_not_enrolled` : `${K}.no_contact`)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <h2>{t(locale, `${K}.deliverables_heading`)}</h2>
      <div class="scroll" tabindex={0} role="region" aria-label={t(locale, `${K}.deliverables_heading`)}>
        <table class="grid" data-testid="deliverables">
          <thead>
            <tr>
              <th scope="col">{t(locale, `${K}.deliverable`)}</th>
              <th scope="col">{t(locale, `${K}.units`)}</th>
              <th scope="col">{t(locale, `${K}.deadlines`)}</th>
            </tr>
          </thead>
          <tbody>
            {p.deliverables.map((d) => (
              <tr data-deliverable={d.key}>
                <th scope="row">{titleOf(locale, d)}</th>
                <td>{d.units}</td>
                <td>
                  {d.deadlines.map((dl) => (
                    <div>
                      {dl.period ? `${dl.period}: ` : ""}
                      {at(dl.dueAt)}
                      {dl.past ? (
                        <strong class="st-late" data-past-mark>
                          {" "}
                          {t(locale, `${K}.already_past`)}
                        </strong>
                      ) : null}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t(locale, `${K}.units_heading`)}</h2>
      <div class="scroll" tabindex={0} role="region" aria-label={t(locale, `${K}.units_heading`)}>
        <table class="grid" data-testid="units">
          <thead>
            <tr>
              <th scope="col">{t(locale, `${K}.unit`)}</th>
              <th scope="col">{t(locale, `${K}.region`)}</th>
              <th scope="col">{t(locale, `${K}.tasks`)}</th>
              <th scope="col">{t(locale, `${K}.contact`)}</th>
            </tr>
          </thead>
          <tbody>
            {p.units.map((u) => (
              <tr data-unit={u.id}>
                <th scope="row">{u.name}</th>
                <td>{regionLabel(u.regionCode)}</td>
                <td>{u.tasks}</td>
                <td>{u.unenrolled ? <strong class="st-late">{t(locale, u.contacts ? `${K}.contact_not_enrolled` : `${K}.no_contact`)}</strong> : t(locale, `${K}.enrolled`, { n: u.enrolledContacts })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t(locale, `${K}.reminders_heading`)}</h2>
      <div class="scroll" tabindex={0} role="region" aria-label={t(locale, `${K}.reminders_heading`)}>
        <table class="grid" data-testid="reminders">
          <thead>
            <tr>
              <th scope="col">{t(locale, `${K}.when`)}</th>
              <th scope="col">{t(locale, `${K}.deliverable`)}</th>
              <th scope="col">{t(locale, `${K}.reminder`)}</th>
              <th scope="col">{t(locale, `${K}.recipients`)}</th>
            </tr>
          </thead>
          <tbody>
            {p.startMessages ? (
              <tr data-reminder="start">
                <td>{at(p.startMessages.at)}</td>
                <td>{t(locale, `${K}.all_tasks`)}</td>
                <td>{t(locale, `${K}.start_message`)}</td>
                <td>{t(locale, `${K}.start_recipients`, { n: p.startMessages.units })}</td>
              </tr>
            ) : null}
            {p.reminders.map((r) => (
              <tr data-reminder={r.kind}>
                <td>{at(r.sendAt)}</td>
                <td>
                  {titleOf(locale, r)}
                  {r.period ? ` (${r.period})` : ""}
                </td>
                <td>{kindLabel(locale, r)}</td>
                <td>{r.kind === "escalation" ? t(locale, `${K}.escalation_recipients`) : t(locale, `${K}.unit_count`, { n: r.units })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {p.deliverables.some((d) => d.overdueDaily) ? <p class="hint">{t(locale, `${K}.overdue_daily`)}</p> : null}
      <form method="post" action="/staff/campaigns/new" data-testid="move-form">
        <fieldset>
          <legend>{t(locale, `${K}.move_legend`)}</legend>
          <Carried values={values} withMoves={false} />
          <div class={errors.shift ? "field has-error" : "field"}>
            <label for="shift">{t(locale, `${K}.shift`)}</label>
            <input class="text" type="number" id="shift" name="shift" min="-366" max="366" value={values.shift} inputmode="numeric" />
            <FieldError id="shift" error={errors.shift} />
          </div>
          {p.deliverables
            .filter((d) => !d.recurring)
            .map((d) => {
              const id = `${DUE_PREFIX}${d.key}`;
              return (
                <div class={errors[id] ? "field has-error" : "field"}>
                  <label for={id}>{t(locale, `${K}.new_deadline`, { deliverable: titleOf(locale, d) })}</label>
                  <input class="text" type="date" id={id} name={id} value={values.due[d.key] ?? ""} />
                  <FieldError id={id} error={errors[id]} />
                </div>
              );
            })}
          <p class="hint">{t(locale, `${K}.move_hint`)}</p>
          <button class="button" type="submit">
            {t(locale, `${K}.preview_again`)}
          </button>
        </fieldset>
      </form>
      <form method="post" action="/staff/campaigns/new/start" data-testid="start-form">
        <Carried values={values} withMoves={true} />
        <input type="hidden" name="key" value={props.formKey} />
        <button class="button primary" type="submit">
          {t(locale, `${K}.start_button`)}
        </button>
      </form>
    </>
  );
}

