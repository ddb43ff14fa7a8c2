// The public tip form. Without JavaScript every list is complete (grouped by parent); with it, the
// script narrows cities, districts and violation types to the current choice.
import { LIMITS, type Locale } from "../../core/report-input";
import { listRegions, regionDisplayName } from "../../core/regions";
import { VIOLATION_SUBJECTS, VIOLATION_TAXONOMY } from "../../core/taxonomy";
import { t } from "../../i18n";
import type { FieldErrors } from "../../i18n/validation";
import { formatBytes } from "../../services/intake/evidence";
import { Field, Layout, type PageProps } from "./layout";

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

function describedBy(id: string, hint: boolean, error: string | undefined) {
  return [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
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
  const realName = v.anonymous === "false";
  const hasErrors = Object.keys(e).length > 0;
  return (
    <Layout {...props} title={t(locale, "form.title")}>
      <h1>{t(locale, "form.title")}</h1>
      <p>{t(locale, "form.intro")}</p>
      {hasErrors ? (
        <div class="alert" role="alert" data-testid="form-errors">
          <p>{t(locale, "form.errors_summary")}</p>
          {e._ ? <p>{e._}</p> : null}
        </div>
      ) : null}
      <form method="post" action={`/report?lang=${locale}`} enctype="multipart/form-data" novalidate id="report-form">
        <input type="hidden" name="lang" value={locale} />
        {/* One-time token: a reload, back-and-resubmit or double click files nothing new. */}
        <input type="hidden" name="_once" value={props.formToken} />
        <fieldset>
          <legend>{t(locale, "form.section_what")}</legend>
          <Field id="subject" label={t(locale, "form.subject")} required error={err("subject")}>
            <select id="subject" name="subject" required aria-describedby={describedBy("subject", false, err("subject"))}>
              <option value="">{t(locale, "form.choose")}</option>
              <Options
                locale={locale}
                selected={v.subject}
                items={VIOLATION_SUBJECTS.map((s) => ({ value: s, label: t(locale, `taxonomy.subject.${s}`) }))}
              />
            </select>
          </Field>
          <Field id="violationType" label={t(locale, "form.violation_type")} required error={err("violationType")}>
            <select id="violationType" name="violationType" required aria-describedby={describedBy("violationType", false, err("violationType"))}>
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
          <p class="hint">{t(locale, "form.region_hint")}</p>
          <Field id="province" label={t(locale, "form.province")} required error={err("region.provinceCode")}>
            <select id="province" name="region.provinceCode">
              <option value="">{t(locale, "form.choose")}</option>
              <Options locale={locale} selected={v["region.provinceCode"]} items={provinces.map((p) => ({ value: p.code, label: p.name }))} />
            </select>
          </Field>
          <Field id="city" label={t(locale, "form.city")} error={err("region.cityCode")}>
            <select id="city" name="region.cityCode">
              <option value="">{t(locale, "form.choose")}</option>
              {provinces.map((p) => (
                <optgroup label={p.name} data-parent={p.code}>
                  <Options
                    locale={locale}
                    selected={v["region.cityCode"]}
                    items={listRegions(p.code).map((c) => ({ value: c.code, label: c.name, parent: p.code }))}
                  />
                </optgroup>
              ))}
            </select>
          </Field>
          <Field id="district" label={t(locale, "form.district")} error={err("region.districtCode")}>
            <select id="district" name="region.districtCode">
              <option value="">{t(locale, "form.choose")}</option>
              {provinces.flatMap((p) =>
                listRegions(p.code).map((c) => (
                  <optgroup label={regionDisplayName(c.code) || c.name} data-parent={c.code}>
                    <Options
                      locale={locale}
                      selected={v["region.districtCode"]}
                      items={listRegions(c.code).map((d) => ({ value: d.code, label: d.name, parent: c.code }))}
                    />
                  </optgroup>
                )),
              )}
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
              aria-describedby={describedBy("targetName", true, err("targetName"))}
            />
          </Field>
          <Field id="targetAddress" label={t(locale, "form.target_address")} error={err("targetAddress")}>
            <input id="targetAddress" name="targetAddress" type="text" maxlength={LIMITS.targetAddress} value={v.targetAddress ?? ""} />
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t(locale, "form.section_when")}</legend>
          <div class="row">
            <Field id="occurredFrom" label={t(locale, "form.occurred_from")} required error={err("occurredFrom")}>
              <input id="occurredFrom" name="occurredFrom" type="date" required max={props.today} value={v.occurredFrom ?? ""} placeholder="2026-01-31" />
            </Field>
            <Field id="occurredTo" label={t(locale, "form.occurred_to")} error={err("occurredTo")}>
              <input id="occurredTo" name="occurredTo" type="date" max={props.today} value={v.occurredTo ?? ""} placeholder="2026-02-28" />
            </Field>
          </div>
          <Field id="amountEstimate" label={t(locale, "form.amount")} error={err("amountEstimate")}>
            <input id="amountEstimate" name="amountEstimate" type="text" inputmode="decimal" value={v.amountEstimate ?? ""} />
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
            <textarea
              id="description"
              name="description"
              rows={8}
              required
              maxlength={LIMITS.description.max}
              aria-describedby={describedBy("description", true, err("description"))}
            >
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
            <input id="evidence" name="evidence" type="file" multiple accept={ACCEPT} />
            {props.filesDropped ? <p class="hint warn">{t(locale, "form.evidence_reattach")}</p> : null}
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t(locale, "form.section_identity")}</legend>
          <div class={err("anonymous") ? "field has-error" : "field"} role="radiogroup" aria-labelledby="identity-label">
            <p id="identity-label" class="label">
              {t(locale, "form.identity")}
              <span class="req"> *</span>
            </p>
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
              <p class="error" role="alert" data-field-error="anonymous">
                {err("anonymous")}
              </p>
            ) : null}
          </div>
          <div id="identity-fields" class="identity">
            {err("reporter") ? (
              <p class="error" role="alert" data-field-error="reporter">
                {err("reporter")}
              </p>
            ) : null}
            <Field id="reporterName" label={t(locale, "form.name")} required error={err("reporter.name")}>
              <input id="reporterName" name="reporter.name" type="text" autocomplete="name" maxlength={LIMITS.reporterName} value={v["reporter.name"] ?? ""} />
            </Field>
            <Field id="reporterPhone" label={t(locale, "form.phone")} required error={err("reporter.phone")}>
              <input id="reporterPhone" name="reporter.phone" type="tel" autocomplete="tel" value={v["reporter.phone"] ?? ""} />
            </Field>
            <Field id="reporterIdNumber" label={t(locale, "form.id_number")} required error={err("reporter.idNumber")}>
              <input id="reporterIdNumber" name="reporter.idNumber" type="text" autocomplete="off" maxlength={18} value={v["reporter.idNumber"] ?? ""} />
            </Field>
            <Field id="reporterEmail" label={t(locale, "form.email")} error={err("reporter.email")}>
              <input id="reporterEmail" name="reporter.email" type="email" autocomplete="email" value={v["reporter.email"] ?? ""} />
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
        <p class="hint">{t(locale, "form.privacy_note")}</p>
        <button type="submit" class="button primary" id="submit-report">
          {t(locale, "form.submit")}
        </button>
      </form>
    </Layout>
  );
}
