// The citizen site's frame around the shared page shell: the authority's masthead linking home, the
// citizen navigation (report, status, notice, verify), the language and text-size switches, and the
// footer with hotline, hours, legal basis and filing lines; plus the form pieces the citizen forms use.
// Works without JavaScript; the script only enhances (region lists, copy, warnings).
import type { Child } from "hono/jsx";
import type { Locale } from "../../core/report-input";
import { t } from "../../i18n";
import { Brand, LanguageSwitch, otherLocale, PageShell } from "../shared/page-shell";
import { DEMO_FRAME, localHref, type SiteFrame } from "../shared/site";

export interface PageProps {
  locale: Locale;
  /** Path (with its query, if any) the language and text-size switches link back to (GET pages only). */
  path: string;
  /** The installation's framing; staff pages may leave it out and get the demo frame. */
  site?: SiteFrame;
  /** Elder-friendly large text (适老化), chosen by a link and kept in a cookie: no script needed. */
  largeText?: boolean;
}

export function Layout(props: PageProps & { title: string; children: Child }) {
  const { locale } = props;
  const site = props.site ?? DEMO_FRAME;
  const authority = site.authority[locale];
  const textSwitch = `${localHref(locale, props.path)}&text=${props.largeText ? "normal" : "large"}`;
  const header = (
    <>
      <Brand locale={locale} site={site} href={localHref(locale, "/")} service={t(locale, "app.name")} />
      <div class="tools">
        <LanguageSwitch locale={locale} href={localHref(otherLocale(locale), props.path)} keepPage />
        <a href={textSwitch} data-testid="text-size" data-keep-page>
          {t(locale, props.largeText ? "app.text_normal" : "app.text_large")}
        </a>
      </div>
      <nav aria-label={t(locale, "nav.label")}>
        <a href={localHref(locale, "/report")}>{t(locale, "nav.report")}</a>
        <a href={localHref(locale, "/status")}>{t(locale, "nav.status")}</a>
        <a href={localHref(locale, "/notice")}>{t(locale, "nav.notice")}</a>
        <a href={localHref(locale, "/verify")}>{t(locale, "nav.verify")}</a>
      </nav>
    </>
  );
  const footer = (
    <footer>
      <p class="footer-authority">
        <strong>{authority}</strong>
      </p>
      <p>
        {t(locale, "app.hotline")}{" "}
        <a href={`tel:${site.hotline.replace(/[^0-9+]/g, "")}`} data-testid="hotline">
          {site.hotline}
        </a>{" "}
        · {site.officeHours[locale]}
      </p>
      {site.legalBasis.length ? (
        <p>
          {t(locale, "app.legal_basis")}{" "}
          {site.legalBasis.map((l, i) => (
            <>
              {i > 0 ? t(locale, "app.list_separator") : ""}
              {l.url ? (
                <a href={l.url} rel="noopener noreferrer">
                  {l[locale === "zh-CN" ? "zh" : "en"]}
                </a>
              ) : (
                l[locale === "zh-CN" ? "zh" : "en"]
              )}
            </>
          ))}
        </p>
      ) : null}
      <p class="footer-links">
        <a href={localHref(locale, "/notice")}>{t(locale, "nav.notice")}</a>
        <a href={localHref(locale, "/privacy")}>{t(locale, "nav.privacy")}</a>
        <a href={localHref(locale, "/verify")}>{t(locale, "nav.verify")}</a>
      </p>
      <p>{t(locale, "app.footer")}</p>
      {site.footerLines.map((line) => (
        <p class="filing">{line}</p>
      ))}
    </footer>
  );
  return (
    <PageShell locale={locale} title={props.title} site={site} largeText={props.largeText} script header={header} footer={footer}>
      {props.children}
    </PageShell>
  );
}

/** A form field with its label, hint and error; the control itself carries aria-invalid and aria-describedby (see fieldAria). */
export function Field(props: { id: string; label: string; required?: boolean; hint?: string; error?: string | undefined; children: Child }) {
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={props.id}>
        {props.label}
        {props.required ? <span class="req"> *</span> : null}
      </label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.children}
      {props.error ? (
        <p class="error" id={`${props.id}-error`} data-field-error={props.id}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** The ARIA attributes tying a control to its hint and error. */
export function fieldAria(id: string, hint: boolean, error: string | undefined): { "aria-describedby"?: string; "aria-invalid"?: "true" } {
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return { ...(describedBy ? { "aria-describedby": describedBy } : {}), ...(error ? { "aria-invalid": "true" as const } : {}) };
}

/**
 * The one error summary at the top of a form (the only role=alert on the page): says what went wrong
 * and links to each field, in the order of the form.
 */
export function ErrorSummary(props: { locale: Locale; title: string; items: { id: string; label: string; message: string }[]; general?: string | undefined }) {
  return (
    <div class="alert error-summary" role="alert" tabindex={-1} id="error-summary" data-testid="form-errors" aria-labelledby="error-summary-title">
      <p class="summary-title" id="error-summary-title">
        {props.title}
      </p>
      {props.general ? <p>{props.general}</p> : null}
      {props.items.length ? (
        <ul>
          {props.items.map((i) => (
            <li>
              <a href={`#${i.id}`}>
                {i.label}
                {t(props.locale, "app.label_separator")}
                {i.message}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
