// The staff room's frame around the shared page shell: the authority's name (from config, as on the
// public pages), the member's language with a switch that keeps the link's token, a small staff
// navigation and a footer that reminds the link is personal. Never the citizen menu or hotline.
import type { Child } from "hono/jsx";
import type { Locale } from "../../core/report-input";
import { isLocale, t } from "../../i18n";
import type { AppContext } from "../context";
import { Brand, LanguageSwitch, otherLocale, PageShell } from "../shared/page-shell";
import { siteFrame } from "../shared/site";

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

export interface StaffLink {
  href: string;
  label: string;
}

export function StaffLayout(props: { c: AppContext; locale: Locale; title: string; wide?: boolean; script?: boolean; nav?: StaffLink[]; children: Child }) {
  const { locale, c } = props;
  const site = siteFrame(c.var.deps.config);
  const header = (
    <>
      <Brand locale={locale} site={site} service={`${t(locale, "app.name")} · ${t(locale, "staff_nav.area")}`} />
      {/* A post's answer has no address to switch on: the switch is on pages reached by GET only. */}
      <div class="tools">{c.req.method === "GET" ? <LanguageSwitch locale={locale} href={withParam(c, "lang", otherLocale(locale))} /> : null}</div>
      {props.nav?.length ? (
        <nav aria-label={t(locale, "staff_nav.label")} data-testid="staff-nav">
          {props.nav.map((l) => (
            <a href={l.href}>{l.label}</a>
          ))}
        </nav>
      ) : null}
    </>
  );
  const footer = (
    <footer>
      <p class="footer-authority">
        <strong>{site.authority[locale]}</strong>
      </p>
      <p>{t(locale, "staff_nav.personal_link")}</p>
    </footer>
  );
  return (
    <PageShell locale={locale} title={props.title} site={site} script={props.script} noindex header={header} footer={footer} {...(props.wide ? { mainClass: "wide" } : {})}>
      {props.children}
    </PageShell>
  );
}

/** Sends a staff page (the shell writes the standards-mode doctype). */
export async function sendPage(c: AppContext, page: Child, status: 200 | 400 | 403 | 404 | 409 | 413 | 422 = 200) {
  return c.html(String(await (page as { toString(): string | Promise<string> }).toString()), status);
}

/** A clear refusal page: the link is not (or no longer) good for this member. */
export function RefusalPage(props: { c: AppContext; locale: Locale; title: string; message: string }) {
  return (
    <StaffLayout c={props.c} locale={props.locale} title={props.title}>
      <h1>{props.title}</h1>
      <p class="alert" role="alert" data-testid="refusal">
        {props.message}
      </p>
    </StaffLayout>
  );
}
