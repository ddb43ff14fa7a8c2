// Starting a campaign from a template (/staff/campaigns/new), coordinators only: choose template, year
// and region; the POST shows the preview (units, deliverables, every reminder with its date, deadlines
// already past, units without an enrolled contact) with a form to move the dates; confirming starts
// exactly what was previewed (hidden `key`: a double submit starts one campaign) and redirects (303) to
// the campaign's board. Everything goes through the campaign use cases (preview and start).
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { z } from "zod";
import type { Locale } from "../../../core/report-input";
import { getRegion } from "../../../core/regions";
import { actorOf } from "../../../services/campaigns/assignment-context";
import { previewCampaignStart, type CampaignPreview } from "../../../services/campaigns/campaign-preview";
import { listTemplates, startCampaign, templateFile, TEMPLATE_IDS } from "../../../services/campaigns/campaigns";
import type { CampaignStartInput, DateMove } from "../../../services/campaigns/start-plan";
import { AppError } from "../../../services/errors";
import { currentOrg } from "../../../services/org/org-cache";
import { t } from "../../../i18n";
import { readForm } from "../../body";
import type { AppContext, AppEnv } from "../../context";
import { DUE_PREFIX, FieldError, PreviewView, type FormValues } from "./campaign-start-preview";
import { staffOf } from "./session";
import { WorkspaceLayout } from "./workspace-layout";
import { newId } from "../../../core/ids";
import { formKeySchema } from "./form-key";

const K = "workspace.campaign_start";
const empty = (v: unknown) => (v === "" ? undefined : v);

const baseSchema = z.object({
  template: z.string().refine((id) => TEMPLATE_IDS.includes(id)),
  year: z.coerce.number().int().min(2000).max(2100),
  region: z.string().regex(/^\d{6}$/).refine((code) => code === "000000" || getRegion(code) !== undefined),
  shift: z.preprocess(empty, z.coerce.number().int().min(-366).max(366).optional()),
});
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d));
const keySchema = formKeySchema;

type Parsed = { ok: true; input: CampaignStartInput; values: FormValues } | { ok: false; errors: Record<string, string>; values: FormValues };

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
