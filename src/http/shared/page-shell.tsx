// What every page shares, public and staff alike: the standards-mode document, its head (charset,
// viewport, no-referrer, title with the authority's name, the one stylesheet and script under the
// app's CSP), the skip link, the authority's brand and the language switch. Each room adds its own
// navigation and footer around it (public/layout.tsx, staff/staff-layout.tsx).
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { Locale } from "../../core/report-input";
import { t } from "../../i18n";
import type { SiteFrame } from "./site";

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

/** The other language of the two the site speaks. */
export const otherLocale = (locale: Locale): Locale => (locale === "zh-CN" ? "en" : "zh-CN");

/** The emblem, the authority's name and the service's name; a link home on public pages, plain text on staff pages. */
export function Brand(props: { locale: Locale; site: SiteFrame; href?: string; service: string }) {
  const inner = (
    <>
      <Emblem site={props.site} />
      <span class="brand-text">
        <span class="authority" data-testid="authority">
          {props.site.authority[props.locale]}
        </span>
        <span class="service">{props.service}</span>
      </span>
    </>
  );
  return props.href ? (
    <a class="brand" href={props.href}>
      {inner}
    </a>
  ) : (
    <span class="brand">{inner}</span>
  );
}

/** The link to the same page in the other language. */
export function LanguageSwitch(props: { locale: Locale; href: string; keepPage?: boolean }) {
  const other = otherLocale(props.locale);
  return (
    <a href={props.href} hreflang={other} lang={other} data-testid="lang-switch" data-keep-page={props.keepPage ? true : undefined}>
      {t(props.locale, "app.switch_to")}
    </a>
  );
}

export interface PageShellProps {
  locale: Locale;
  title: string;
  site: SiteFrame;
  /** Elder-friendly large text (适老化) on the public pages. */
  largeText?: boolean;
  /** The enhancing script (region lists, copy, warnings); staff campaign pages work without it. */
  script?: boolean;
  /** Staff pages sit behind personal links: search engines are asked to keep out. */
  noindex?: boolean;
  header: Child;
  mainClass?: string;
  footer?: Child;
  children: Child;
}

export function PageShell(props: PageShellProps) {
  const { locale } = props;
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang={locale} class={props.largeText ? "large" : undefined}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="no-referrer" />
          {props.noindex ? <meta name="robots" content="noindex" /> : null}
          <title>{`${props.title} · ${props.site.authority[locale]}`}</title>
          <link rel="stylesheet" href="/assets/app.css" />
          {props.script ? <script src="/assets/app.js" defer></script> : null}
        </head>
        <body>
          <a class="skip" href="#main">
            {t(locale, "app.skip")}
          </a>
          <header class="top">{props.header}</header>
          <main id="main" class={props.mainClass}>
            {props.children}
          </main>
          {props.footer ?? null}
        </body>
      </html>
    </>
  );
}
