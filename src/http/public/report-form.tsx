// The public tip form. Only the provinces are in the page: cities and districts come on demand, from
// GET /api/v1/regions with the script, or without it from the "list cities and districts" button,
// which posts the form back to itself and gets it again with the province's lists (nothing is filed).
// Errors: one summary at the top (the only alert) linking to each field; every control with an error
// carries aria-invalid and points at its message with aria-describedby.
import { LIMITS, type Locale } from "../../core/report-input";
import { listRegions, regionDisplayName, regionName, regionPath } from "../../core/regions";
import { VIOLATION_SUBJECTS, VIOLATION_TAXONOMY } from "../../core/taxonomy";
import { t } from "../../i18n";
import type { FieldErrors } from "../../i18n/validation";
import { formatBytes } from "../../services/intake/evidence";
import { ErrorSummary, Field, fieldAria, Layout, type PageProps } from "./layout";
import { localHref } from "../shared/site";

export interface ReportFormProps extends PageProps {
  values: Record<string, string>;
  errors: FieldErrors;
  maxAttachments: number;
  maxAttachmentBytes: number;
  today: string;
  filesDropped?: boolean;
  /** One-time submission token (src/services/intake/submission-keys.ts). */
  formToken: string;
}

const ACCEPT = "image/jpeg,image/png,image/gif,image/webp,image/heic,application/pdf,.jpg,.jpeg,.png,.gif,.webp,.heic,.pdf";

/** Error keys (as validation reports them) in the order of the form, with the control each belongs to. */
const FIELD_ORDER: { key: string; id: string; label: string }[] = [
  { key: "subject", id: "subject", label: "form.subject" },
  { key: "violationType", id: "violationType", label: "form.violation_type" },
  { key: "region.provinceCode", id: "province", label: "form.province" },
  { key: "region.cityCode", id: "city", label: "form.city" },
  { key: "region.districtCode", id: "district", label: "form.district" },
  { key: "region", id: "province", label: "form.province" },
  { key: "targetName", id: "targetName", label: "form.target_name" },
  { key: "targetAddress", id: "targetAddress", label: "form.target_address" },
  { key: "occurredFrom", id: "occurredFrom", label: "form.occurred_from" },
  { key: "occurredTo", id: "occurredTo", label: "form.occurred_to" },
  { key: "amountEstimate", id: "amountEstimate", label: "form.amount" },
  { key: "description", id: "description", label: "form.description" },
  { key: "evidence", id: "evidence", label: "form.evidence" },
  { key: "anonymous", id: "anonymous-yes", label: "form.identity" },
  { key: "reporter", id: "reporterName", label: "form.identity" },
  { key: "reporter.name", id: "reporterName", label: "form.name" },
  { key: "reporter.phone", id: "reporterPhone", label: "form.phone" },
  { key: "reporter.idNumber", id: "reporterIdNumber", label: "form.id_number" },
  { key: "reporter.email", id: "reporterEmail", label: "form.email" },
];

/** The summary's entries: known fields in form order, anything else linked to the form itself. */
export function errorSummaryItems(locale: Locale, errors: FieldErrors) {
  const known = new Set(FIELD_ORDER.map((f) => f.key));
  const items = FIELD_ORDER.filter((f) => errors[f.key]).map((f) => ({ id: f.id, label: t(locale, f.label), message: errors[f.key]! }));
  for (const [key, message] of Object.entries(errors)) if (key !== "_" && !known.has(key)) items.push({ id: "report-form", label: t(locale, "form.title"), message });
  return items;
}

function Options(props: { locale: Locale; selected: string | undefined; items: { value: string; label: string; parent?: string }[] }) {
  return (
    <>
      {props.items.map((o) => (
        <option value={o.value} selected={o.value === props.selected} data-parent={o.parent}>
          {o.label}
        </option>
      ))}
    </>
  );
}

export function ReportFormPage(props: ReportFormProps) {
  const { locale, values: v, errors: e } = props;
  const err = (name: string) => e[name];
  const provinces = listRegions(null);
  // The province the lists are for: chosen, or implied by a city or district chosen earlier.
  const chosen = v["region.districtCode"] || v["region.cityCode"] || v["region.provinceCode"] || "";
  const provinceCode = v["region.provinceCode"] || regionPath(chosen)[0]?.code || "";
  const cityCode = v["region.cityCode"] || (regionPath(chosen)[1]?.code ?? "");
  const cities = provinceCode ? listRegions(provinceCode) : [];
  const realName = v.anonymous === "false";
  const hasErrors = Object.keys(e).length > 0;
  return (
    <Layout {...props} title={t(locale, "form.title")}>
      <h1>{t(locale, "form.title")}</h1>
      <p>{t(locale, "form.intro")}</p>
      {hasErrors ? (
        <ErrorSummary locale={locale} title={t(locale, "form.errors_summary")} general={e._} items={errorSummaryItems(locale, e)} />
      ) : null}
      <form method="post" action={`/report?lang=${locale}`} enctype="multipart/form-data" novalidate id="report-form">
        <input type="hidden" name="lang" value={locale} />
        {/* One-time token: a reload, back-and-resubmit or double click files nothing new. */}
        <input type="hidden" name="_once" value={props.formToken} />
        <fieldset>
          <legend>{t(locale, "form.section_what")}</legend>
          <Field id="subject" label={t(locale, "form.subject")} required error={err("subject")}>
            <select id="subject" name="subject" required {...fieldAria("subject", false, err("subject"))}>
              <option value="">{t(locale, "form.choose")}</option>
              <Options
                locale={locale}
                selected={v.subject}
                items={VIOLATION_SUBJECTS.map((s) => ({ value: s, label: t(locale, `taxonomy.subject.${s}`) }))}
              />
            </select>
          </Field>
          <Field id="violationType" label={t(locale, "form.violation_type")} required error={err("violationType")}>
            <select id="violationType" name="violationType" required {...fieldAria("violationType", false, err("violationType"))}>
              <option value="">{t(locale, "form.choose")}</option>
              {VIOLATION_SUBJECTS.map((s) => (
                <optgroup label={t(locale, `taxonomy.subject.${s}`)} data-subject={s}>
                  {VIOLATION_TAXONOMY[s].map((type) => (
                    // The value carries the subject so "other" is distinct per group; the server splits it.
                    <option value={`${s}:${type}`} selected={v.violationType === `${s}:${type}`} data-parent={s}>
                      {t(locale, `taxonomy.type.${type}`)}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t(locale, "form.section_where")}</legend>
          <p class="hint" id="region-hint">
            {t(locale, "form.region_hint_lists")}
          </p>
          <Field id="province" label={t(locale, "form.province")} required error={err("region.provinceCode") ?? err("region")}>
            <select id="province" name="region.provinceCode" {...fieldAria("province", false, err("region.provinceCode") ?? err("region"))}>
              <option value="">{t(locale, "form.choose")}</option>
              <Options locale={locale} selected={provinceCode} items={provinces.map((p) => ({ value: p.code, label: regionName(p, locale) }))} />
            </select>
          </Field>
          {/* Without the script: post the form back to get this province's cities and districts. */}
          <p class="no-js-only">
            <button type="submit" name="_region" value="1" formnovalidate class="button" id="load-regions">
              {t(locale, "form.load_regions")}
            </button>
          </p>
          <Field id="city" label={t(locale, "form.city")} error={err("region.cityCode")}>
            <select id="city" name="region.cityCode" data-regions="city" {...fieldAria("city", false, err("region.cityCode"))}>
              <option value="">{t(locale, "form.choose")}</option>
              <Options locale={locale} selected={cityCode} items={cities.map((c) => ({ value: c.code, label: c.name, parent: provinceCode }))} />
            </select>
          </Field>
          <Field id="district" label={t(locale, "form.district")} error={err("region.districtCode")}>
            <select id="district" name="region.districtCode" data-regions="district" {...fieldAria("district", false, err("region.districtCode"))}>
              <option value="">{t(locale, "form.choose")}</option>
              {cities.map((c) => (
                <optgroup label={regionDisplayName(c.code, locale) || c.name} data-parent={c.code}>
                  <Options
                    locale={locale}
                    selected={v["region.districtCode"]}
                    items={listRegions(c.code).map((d) => ({ value: d.code, label: d.name, parent: c.code }))}
                  />
                </optgroup>
              ))}
            </select>
          </Field>
          <Field id="targetName" label={t(locale, "form.target_name")} required hint={t(locale, "form.target_name_hint")} error={err("targetName")}>
            <input
              id="targetName"
              name="targetName"
              type="text"
              required
              maxlength={LIMITS.targetName}
              value={v.targetName ?? ""}
              {...fieldAria("targetName", true, err("targetName"))}
            />
          </Field>
          <Field id="targetAddress" label={t(locale, "form.target_address")} error={err("targetAddress")}>
            <input id="targetAddress" name="targetAddress" type="text" maxlength={LIMITS.targetAddress} value={v.targetAddress ?? ""} {...fieldAria("targetAddress", false, err("targetAddress"))} />
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t(locale, "form.section_when")}</legend>
          <div class="row">
            <Field id="occurredFrom" label={t(locale, "form.occurred_from")} required error={err("occurredFrom")}>
              <input id="occurredFrom" name="occurredFrom" type="date" required max={props.today} value={v.occurredFrom ?? ""} placeholder="2026-01-31" {...fieldAria("occurredFrom", false, err("occurredFrom"))} />
            </Field>
            <Field id="occurredTo" label={t(locale, "form.occurred_to")} error={err("occurredTo")}>
              <input id="occurredTo" name="occurredTo" type="date" max={props.today} value={v.occurredTo ?? ""} placeholder="2026-02-28" {...fieldAria("occurredTo", false, err("occurredTo"))} />
            </Field>
          </div>
          <Field id="amountEstimate" label={t(locale, "form.amount")} error={err("amountEstimate")}>
            <input id="amountEstimate" name="amountEstimate" type="text" inputmode="decimal" value={v.amountEstimate ?? ""} {...fieldAria("amountEstimate", false, err("amountEstimate"))} />
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t(locale, "form.section_details")}</legend>
          <Field
            id="description"
            label={t(locale, "form.description")}
            required
            hint={t(locale, "form.description_hint", { min: LIMITS.description.min })}
            error={err("description")}
          >
            <textarea id="description" name="description" rows={8} required maxlength={LIMITS.description.max} {...fieldAria("description", true, err("description"))}>
              {v.description ?? ""}
            </textarea>
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t(locale, "form.section_evidence")}</legend>
          <Field
            id="evidence"
            label={t(locale, "form.evidence")}
            hint={t(locale, "form.evidence_hint", { count: props.maxAttachments, size: formatBytes(props.maxAttachmentBytes) })}
            error={err("evidence")}
          >
            <input id="evidence" name="evidence" type="file" multiple accept={ACCEPT} {...fieldAria("evidence", true, err("evidence"))} />
            {props.filesDropped ? <p class="hint warn">{t(locale, "form.evidence_reattach")}</p> : null}
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t(locale, "form.section_identity")}</legend>
          <fieldset class={err("anonymous") ? "choices has-error" : "choices"} {...fieldAria("anonymous", false, err("anonymous"))}>
            <legend class="label">
              {t(locale, "form.identity")}
              <span class="req"> *</span>
            </legend>
            <label class="choice">
              <input type="radio" name="anonymous" value="true" checked={v.anonymous === "true"} id="anonymous-yes" />
              <span>
                <strong>{t(locale, "form.anonymous")}</strong> — {t(locale, "form.anonymous_hint")}
              </span>
            </label>
            <label class="choice">
              <input type="radio" name="anonymous" value="false" checked={realName} id="anonymous-no" />
              <span>
                <strong>{t(locale, "form.real_name")}</strong> — {t(locale, "form.real_name_hint")}
              </span>
            </label>
            {err("anonymous") ? (
              <p class="error" id="anonymous-error" data-field-error="anonymous">
                {err("anonymous")}
              </p>
            ) : null}
          </fieldset>
          <div id="identity-fields" class="identity">
            {err("reporter") ? (
              <p class="error" id="reporter-error" data-field-error="reporter">
                {err("reporter")}
              </p>
            ) : null}
            <Field id="reporterName" label={t(locale, "form.name")} required error={err("reporter.name")}>
              <input
                id="reporterName"
                name="reporter.name"
                type="text"
                autocomplete="name"
                maxlength={LIMITS.reporterName}
                value={v["reporter.name"] ?? ""}
                {...fieldAria("reporterName", false, err("reporter.name"))}
                {...(err("reporter") && !err("reporter.name") ? { "aria-describedby": "reporter-error", "aria-invalid": "true" } : {})}
              />
            </Field>
            <Field id="reporterPhone" label={t(locale, "form.phone")} required error={err("reporter.phone")}>
              <input id="reporterPhone" name="reporter.phone" type="tel" autocomplete="tel" value={v["reporter.phone"] ?? ""} {...fieldAria("reporterPhone", false, err("reporter.phone"))} />
            </Field>
            <Field id="reporterIdNumber" label={t(locale, "form.id_number")} required error={err("reporter.idNumber")}>
              <input id="reporterIdNumber" name="reporter.idNumber" type="text" autocomplete="off" maxlength={18} value={v["reporter.idNumber"] ?? ""} {...fieldAria("reporterIdNumber", false, err("reporter.idNumber"))} />
            </Field>
            <Field id="reporterEmail" label={t(locale, "form.email")} error={err("reporter.email")}>
              <input id="reporterEmail" name="reporter.email" type="email" autocomplete="email" value={v["reporter.email"] ?? ""} {...fieldAria("reporterEmail", false, err("reporter.email"))} />
            </Field>
          </div>
          <label class="choice">
            <input type="checkbox" name="insider" value="true" checked={v.insider === "true"} id="insider" />
            <span>
              {t(locale, "form.insider")} <small>{t(locale, "form.insider_hint")}</small>
            </span>
          </label>
          <label class="choice">
            <input type="checkbox" name="wantsReward" value="true" checked={v.wantsReward === "true"} id="wantsReward" />
            <span>
              {t(locale, "form.wants_reward")} <small>{t(locale, "form.wants_reward_hint")}</small>
            </span>
          </label>
        </fieldset>
        <p class="hint">
          {t(locale, "form.privacy_note")} <a href={localHref(locale, "/notice")}>{t(locale, "nav.notice")}</a> · <a href={localHref(locale, "/privacy")}>{t(locale, "nav.privacy")}</a>
        </p>
        <button type="submit" class="button primary" id="submit-report">
          {t(locale, "form.submit")}
        </button>
      </form>
    </Layout>
  );
}
