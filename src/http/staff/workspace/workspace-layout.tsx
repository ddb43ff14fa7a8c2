// The workspace's frame around the shared page shell: the authority, the signed-in member (name, role,
// team or unit), the staff navigation with a sign-out button (a POST: works without JavaScript), and the
// language switch. Without a session (the sign-in pages) only the authority and the switch show.
import type { Child } from "hono/jsx";
import type { Locale } from "../../../core/report-input";
import { t } from "../../../i18n";
import type { AppContext } from "../../context";
import { Brand, LanguageSwitch, otherLocale, PageShell } from "../../shared/page-shell";
import { siteFrame } from "../../shared/site";
import { withParam } from "../staff-layout";

export type WorkspaceSection = "overview" | "leads" | "batches" | "campaigns" | "rewards" | "statistics" | "people";

const SECTIONS: { id: WorkspaceSection; href: string }[] = [
  { id: "overview", href: "/staff" },
  { id: "leads", href: "/staff/leads" },
  { id: "batches", href: "/staff/batches" },
  { id: "campaigns", href: "/staff/campaigns" },
  { id: "rewards", href: "/staff/rewards" },
  { id: "statistics", href: "/staff/statistics" },
  { id: "people", href: "/staff/people" },
];

/** Roles that may open a section; sections not listed are open to every member (their pages decide). */
const SECTION_ROLES: Partial<Record<WorkspaceSection, readonly string[]>> = {
  people: ["coordinator", "team_lead"],
  rewards: ["coordinator", "finance"],
  // Unit contacts have no team and no statistics (the page refuses them too).
  statistics: ["coordinator", "team_lead", "inspector", "finance"],
};

/** A member's role in words ("team lead", "组长"). */
export function roleLabel(locale: Locale, role: string): string {
  return t(locale, role === "contact" ? "campaign.role_contact" : `chat.role.${role}`);
}

/** The page's language: the signed-in member's (or the sign-in pages' request language). */
export function workspacePageLocale(c: AppContext): Locale {
  return c.var.staff?.locale ?? c.var.locale;
}

export function WorkspaceLayout(props: { c: AppContext; title: string; active?: WorkspaceSection; wide?: boolean; children: Child }) {
  const { c } = props;
  const staff = c.var.staff;
  const locale = workspacePageLocale(c);
  const site = siteFrame(c.var.deps.config);
  const header = (
    <>
      <Brand locale={locale} site={site} service={`${t(locale, "app.name")} · ${t(locale, "workspace.area")}`} />
      <div class="tools">
        {staff ? (
          <span class="who" data-testid="who">
            {staff.member.displayName} · {roleLabel(locale, staff.member.role)}
            {staff.placeName ? ` · ${staff.placeName}` : ""}
          </span>
        ) : null}
        {/* A post's answer has no address to switch on: the switch is on pages reached by GET only. */}
        {c.req.method === "GET" ? <LanguageSwitch locale={locale} href={withParam(c, "lang", otherLocale(locale))} /> : null}
      </div>
      {staff ? (
        <nav aria-label={t(locale, "workspace.nav.label")} data-testid="workspace-nav">
          {SECTIONS.filter((s) => !SECTION_ROLES[s.id] || SECTION_ROLES[s.id]!.includes(staff.member.role)).map((s) => (
            <a href={s.href} aria-current={props.active === s.id ? "page" : undefined}>
              {t(locale, `workspace.nav.${s.id}`)}
            </a>
          ))}
          <form method="post" action="/staff/signout" class="inline">
            <button class="button link" type="submit" data-testid="sign-out">
              {t(locale, "workspace.nav.sign_out")}
            </button>
          </form>
        </nav>
      ) : null}
    </>
  );
  const footer = (
    <footer>
      <p class="footer-authority">
        <strong>{site.authority[locale]}</strong>
      </p>
      <p>{t(locale, staff ? "workspace.footer_signed_in" : "workspace.footer")}</p>
    </footer>
  );
  return (
    <PageShell locale={locale} title={props.title} site={site} noindex header={header} footer={footer} {...(props.wide ? { mainClass: "wide" } : {})}>
      {props.children}
    </PageShell>
  );
}
