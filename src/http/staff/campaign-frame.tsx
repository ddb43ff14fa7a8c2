// The frame of the staff pages behind signed campaign links (unit page, board): standards-mode
// document, the member's language (a ?lang= switch keeps the link's token), no public navigation.
import type { Child } from "hono/jsx";
import type { Locale } from "../../core/report-input";
import { isLocale, t } from "../../i18n";
import type { AppContext } from "../context";

/** The member's own language unless the page was asked for in the other one (?lang=). */
export function pageLocale(c: AppContext, memberLocale: string | null | undefined): Locale {
  const asked = c.req.query("lang");
  if (isLocale(asked)) return asked;
  return isLocale(memberLocale) ? memberLocale : c.var.deps.config.DEFAULT_LOCALE;
}

/** The current URL (path + query) with one parameter changed, for links that must keep the token. */
export function withParam(c: AppContext, name: string, value: string | null): string {
  const url = new URL(c.req.url);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

export function CampaignFrame(props: { c: AppContext; locale: Locale; title: string; wide?: boolean; children: Child }) {
  const { locale, c } = props;
  const other: Locale = locale === "zh-CN" ? "en" : "zh-CN";
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        <title>{`${props.title} · ${t(locale, "app.short")}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
      </head>
      <body>
        <a class="skip" href="#main">
          {t(locale, "app.skip")}
        </a>
        <header class="top">
          <span class="brand">{t(locale, "app.name")}</span>
          <nav>
            {c.req.method === "GET" ? (
              <a href={withParam(c, "lang", other)} hreflang={other} lang={other} data-testid="lang-switch">
                {t(locale, "app.switch_to")}
              </a>
            ) : null}
          </nav>
        </header>
        <main id="main" class={props.wide ? "wide" : undefined}>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** Renders a page as a standards-mode HTML document (the doctype Hono's JSX does not write). */
export async function sendPage(c: AppContext, page: Child, status: 200 | 400 | 403 | 404 | 409 | 413 = 200) {
  const body = await (page as { toString(): string | Promise<string> }).toString();
  return c.html(`<!DOCTYPE html>${body}`, status);
}

/** A clear refusal page: the link is not (or no longer) good for this member. */
export function RefusalPage(props: { c: AppContext; locale: Locale; title: string; message: string }) {
  return (
    <CampaignFrame c={props.c} locale={props.locale} title={props.title}>
      <h1>{props.title}</h1>
      <p class="alert" role="alert" data-testid="refusal">
        {props.message}
      </p>
    </CampaignFrame>
  );
}
