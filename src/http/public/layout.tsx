// The page frame: the issuing authority's masthead, navigation, language and text-size switches, and
// the footer with hotline, hours, legal basis and filing lines. Standards mode (<!DOCTYPE html>) on
// every page. Works without JavaScript; the script only enhances (region lists, copy, warnings).
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { Locale } from "../../core/report-input";
import { t } from "../../i18n";
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

/** A neutral emblem (not a state emblem) for installations that configure none. */
function BuiltInEmblem() {
  return (
    <svg class="emblem" viewBox="0 0 48 48" width="44" height="44" aria-hidden="true" focusable="false">
      <circle cx="24" cy="24" r="22" fill="#b4232a" />
      <circle cx="24" cy="24" r="18.5" fill="none" stroke="#fff" stroke-width="1.5" />
      <path d="M24 10 35 14v9c0 7-4.6 12.3-11 15-6.4-2.7-11-8-11-15v-9z" fill="#fff" />
      <path d="M21.5 17h5v5h5v5h-5v5h-5v-5h-5v-5h5z" fill="#b4232a" />
    </svg>
  );
}

export function Emblem(props: { site: SiteFrame }) {
  return props.site.emblemUrl ? <img class="emblem" src={props.site.emblemUrl} alt="" width="44" height="44" /> : <BuiltInEmblem />;
}

export function Layout(props: PageProps & { title: string; children: Child }) {
  const { locale } = props;
  const site = props.site ?? DEMO_FRAME;
  const other: Locale = locale === "zh-CN" ? "en" : "zh-CN";
  const authority = site.authority[locale];
  const textSwitch = `${localHref(locale, props.path)}&text=${props.largeText ? "normal" : "large"}`;
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang={locale} class={props.largeText ? "large" : undefined}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="no-referrer" />
          <title>{`${props.title} · ${authority}`}</title>
          <link rel="stylesheet" href="/assets/app.css" />
          <script src="/assets/app.js" defer></script>
        </head>
        <body>
          <a class="skip" href="#main">
            {t(locale, "app.skip")}
          </a>
          <header class="top">
            <a class="brand" href={localHref(locale, "/")}>
              <Emblem site={site} />
              <span class="brand-text">
                <span class="authority" data-testid="authority">
                  {authority}
                </span>
                <span class="service">{t(locale, "app.name")}</span>
              </span>
            </a>
            <div class="tools">
              <a href={localHref(other, props.path)} hreflang={other} lang={other} data-testid="lang-switch" data-keep-page>
                {t(locale, "app.switch_to")}
              </a>
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
          </header>
          <main id="main">{props.children}</main>
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
        </body>
      </html>
    </>
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
