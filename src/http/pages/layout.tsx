// The page frame: language switch, navigation, footer. Works without JavaScript; the script only
// narrows long select lists and toggles the identity fields.
import type { Child } from "hono/jsx";
import type { Locale } from "../../core/report-input";
import { t } from "../../i18n";

export interface PageProps {
  locale: Locale;
  /** Path the language switch links back to (GET pages only). */
  path: string;
}

export function Layout(props: PageProps & { title: string; children: Child }) {
  const { locale } = props;
  const other: Locale = locale === "zh-CN" ? "en" : "zh-CN";
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · ${t(locale, "app.short")}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <script src="/assets/app.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          {t(locale, "app.skip")}
        </a>
        <header class="top">
          <a class="brand" href="/">
            {t(locale, "app.name")}
          </a>
          <nav>
            <a href="/report">{t(locale, "nav.report")}</a>
            <a href="/status">{t(locale, "nav.status")}</a>
            <a href={`${props.path}?lang=${other}`} hreflang={other} lang={other} data-testid="lang-switch">
              {t(locale, "app.switch_to")}
            </a>
          </nav>
        </header>
        <main id="main">{props.children}</main>
        <footer>
          <p>{t(locale, "app.footer")}</p>
        </footer>
      </body>
    </html>
  );
}

/** A form field with its label, hint and error, keeping what the user typed. */
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
        <p class="error" id={`${props.id}-error`} role="alert" data-field-error={props.id}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
