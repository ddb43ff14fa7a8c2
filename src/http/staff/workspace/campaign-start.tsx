// Starting a campaign from a template (/staff/campaigns/new), coordinators only: choose template, year
// and region; the POST shows the preview (units, deliverables, every reminder with its date, deadlines
// already past, units without an enrolled contact) with a form to move the dates; confirming starts
// exactly what was previewed (hidden `key`: a double submit starts one campaign) and redirects (303) to
// the campaign's board. Everything goes through the campaign use cases (preview and start).
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { z } from "zod";
import type { Locale } from "../../../core/report-input";
import { getRegion, regionDisplayName } from "../../../core/regions";
import { shanghaiDateTime } from "../../../core/time";
import { actorOf } from "../../../services/campaigns/assignment-context";
import { previewCampaignStart, type CampaignPreview } from "../../../services/campaigns/campaign-preview";
import { listTemplates, startCampaign, templateFile, TEMPLATE_IDS } from "../../../services/campaigns/campaigns";
import type { CampaignStartInput, DateMove } from "../../../services/campaigns/start-plan";
import { AppError } from "../../../services/errors";
import { currentOrg } from "../../../services/org/org-cache";
import { newId } from "../../../core/ids";
import { t } from "../../../i18n";
import { readForm } from "../../body";
import type { AppContext, AppEnv } from "../../context";
import { staffOf } from "./session";
import { WorkspaceLayout } from "./workspace-layout";

const K = "workspace.campaign_start";
const empty = (v: unknown) => (v === "" ? undefined : v);

const baseSchema = z.object({
  template: z.string().refine((id) => TEMPLATE_IDS.includes(id)),
  year: z.coerce.number().int().min(2000).max(2100),
  region: z.string().regex(/^\d{6}$/).refine((code) => code === "000000" || getRegion(code) !== undefined),
  shift: z.preprocess(empty, z.coerce.number().int().min(-366).max(366).optional()),
});
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d));
const keySchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

interface FormValues {
  template: string;
  year: string;
  region: string;
  shift: string;
  /** New deadline per one-off deliverable key (as typed). */
  due: Record<string, string>;
}

type Parsed = { ok: true; input: CampaignStartInput; values: FormValues } | { ok: false; errors: Record<string, string>; values: FormValues };

const DUE_PREFIX = "due_";

/** The form's fields as a start input, each bad field named (nothing is read or written for a bad form). */
function parseForm(fields: Record<string, string>, locale: Locale): Parsed {
  const due: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) if (name.startsWith(DUE_PREFIX) && value) due[name.slice(DUE_PREFIX.length)] = value;
  const values: FormValues = { template: fields.template ?? "", year: fields.year ?? "", region: (fields.region ?? "").trim(), shift: fields.shift ?? "", due };
  const errors: Record<string, string> = {};
  const base = baseSchema.safeParse(values);
  if (!base.success) for (const issue of base.error.issues) errors[String(issue.path[0])] = t(locale, `${K}.error_${String(issue.path[0])}`);
  const oneOff = base.success ? new Set(templateFile(base.data.template).deliverables.filter((d) => d.due !== undefined).map((d) => d.key)) : new Set<string>();
  for (const [key, value] of Object.entries(due)) if (!oneOff.has(key) || !dateSchema.safeParse(value).success) errors[`${DUE_PREFIX}${key}`] = t(locale, `${K}.error_due`);
  if (!base.success || Object.keys(errors).length) return { ok: false, errors, values };
  const move: DateMove = {};
  if (base.data.shift) move.shiftDays = base.data.shift;
  if (Object.keys(due).length) move.deadlines = due;
  return {
    ok: true,
    values,
    input: { templateId: base.data.template, year: base.data.year, regionCode: base.data.region, ...(move.shiftDays || move.deadlines ? { move } : {}) },
  };
}

const at = (ms: number) => shanghaiDateTime(new Date(ms));
const regionLabel = (code: string) => `${regionDisplayName(code) || code} (${code})`;
const titleOf = (locale: Locale, x: { title: string; titleEn: string | null }) => (locale === "en" && x.titleEn ? x.titleEn : x.title);

function Forbidden(props: { c: AppContext }) {
  const { locale } = staffOf(props.c);
  return (
    <WorkspaceLayout c={props.c} title={t(locale, `${K}.forbidden_title`)} active="campaigns">
      <h1>{t(locale, `${K}.forbidden_title`)}</h1>
      <p class="alert" role="alert" data-testid="refusal">
        {t(locale, `${K}.forbidden`)}
      </p>
    </WorkspaceLayout>
  );
}

function FieldError(props: { id: string; error: string | undefined }) {
  return props.error ? (
    <p class="error" id={`${props.id}-error`} role="alert" data-field-error={props.id}>
      {props.error}
    </p>
  ) : null;
}

function ChooseForm(props: { locale: Locale; values: FormValues; errors: Record<string, string> }) {
  const { locale, values, errors } = props;
  const field = (id: string) => (errors[id] ? "field has-error" : "field");
  const described = (id: string) => (errors[id] ? { "aria-invalid": "true", "aria-describedby": `${id}-error` } : {});
  return (
    <form method="post" action="/staff/campaigns/new" data-testid="choose-form">
      <fieldset>
        <legend>{t(locale, `${K}.choose_legend`)}</legend>
        <div class={field("template")}>
          <label for="template">{t(locale, `${K}.template`)}</label>
          <select id="template" name="template" {...described("template")}>
            {listTemplates().map((tp) => (
              <option value={tp.id} selected={tp.id === values.template}>
                {tp.name} ({tp.id})
              </option>
            ))}
          </select>
          <FieldError id="template" error={errors.template} />
        </div>
        <div class={field("year")}>
          <label for="year">{t(locale, `${K}.year`)}</label>
          <input class="text" type="number" id="year" name="year" min="2000" max="2100" required value={values.year} inputmode="numeric" {...described("year")} />
          <FieldError id="year" error={errors.year} />
        </div>
        <div class={field("region")}>
          <label for="region">{t(locale, `${K}.region`)}</label>
          <input class="text" type="text" id="region" name="region" required pattern="\d{6}" inputmode="numeric" value={values.region} {...described("region")} />
          <p class="hint">{t(locale, `${K}.region_hint`)}</p>
          <FieldError id="region" error={errors.region} />
        </div>
        <button class="button" type="submit">
          {t(locale, `${K}.preview_button`)}
        </button>
      </fieldset>
    </form>
  );
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

function PreviewView(props: { locale: Locale; preview: CampaignPreview; values: FormValues; errors: Record<string, string>; formKey: string }) {
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
      <div class="scroll">
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
      <div class="scroll">
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
      <div class="scroll">
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

export function createCampaignStartRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  // Coordinators only: anyone else gets 403 (a refused post is not read).
  routes.use("*", async (c, next) => {
    if (staffOf(c).member.role !== "coordinator") {
      if (c.req.raw.body && !c.req.raw.bodyUsed) c.header("Connection", "close");
      return c.html(<Forbidden c={c} />, 403);
    }
    await next();
  });

  const page = (c: AppContext, body: Child, status: 200 | 400 = 200) => {
    const { locale } = staffOf(c);
    const title = t(locale, `${K}.title`);
    return c.html(
      <WorkspaceLayout c={c} title={title} active="campaigns" wide>
        <h1>{title}</h1>
        {body}
      </WorkspaceLayout>,
      status,
    );
  };

  routes.get("/", async (c) => {
    const { locale } = staffOf(c);
    const org = await currentOrg(c.var.deps);
    const year = new Date(c.var.deps.now().getTime() + 8 * 3_600_000).getUTCFullYear();
    const values: FormValues = { template: TEMPLATE_IDS[0] ?? "", year: String(year), region: org.coordinators?.regionCode ?? "", shift: "", due: {} };
    return page(
      c,
      <>
        <p>{t(locale, `${K}.intro`)}</p>
        <ChooseForm locale={locale} values={values} errors={{}} />
      </>,
    );
  });

  routes.post("/", async (c) => {
    const { locale } = staffOf(c);
    const { fields } = await readForm(c);
    const parsed = parseForm(fields, locale);
    if (!parsed.ok) return page(c, <ChooseForm locale={locale} values={parsed.values} errors={parsed.errors} />, 400);
    let preview: CampaignPreview;
    try {
      preview = await previewCampaignStart(c.var.deps, parsed.input);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "validation_failed") throw err;
      return page(
        c,
        <>
          <p class="alert" role="alert" data-testid="preview-refused">
            {t(locale, `${K}.refused`)}
          </p>
          <ChooseForm locale={locale} values={parsed.values} errors={{}} />
        </>,
        400,
      );
    }
    return page(c, <PreviewView locale={locale} preview={preview} values={parsed.values} errors={{}} formKey={newId("key")} />);
  });

  routes.post("/start", async (c) => {
    const { member, sessionId, locale } = staffOf(c);
    const { fields } = await readForm(c);
    const parsed = parseForm(fields, locale);
    const key = keySchema.safeParse(fields.key ?? "");
    if (!parsed.ok || !key.success) return page(c, <ChooseForm locale={locale} values={parsed.values} errors={parsed.ok ? {} : parsed.errors} />, 400);
    let started;
    try {
      started = await startCampaign(c.var.deps, { ...parsed.input, actor: actorOf(member, "web", sessionId), dedupeKey: `web:${key.data}` });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "validation_failed") throw err;
      return page(c, <ChooseForm locale={locale} values={parsed.values} errors={{}} />, 400);
    }
    c.header("Cache-Control", "no-store");
    return c.redirect(`/staff/campaigns/${encodeURIComponent(started.campaignId)}`, 303);
  });

  return routes;
}
