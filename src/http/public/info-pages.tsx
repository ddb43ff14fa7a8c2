// 举报须知 (what can be reported, what happens and by when, the false-report warning) and the privacy
// notice. Static per installation and language: rendered once and served from the page cache.
import { VIOLATION_SUBJECTS, VIOLATION_TAXONOMY } from "../../core/taxonomy";
import { t } from "../../i18n";
import { Layout, type PageProps } from "./layout";
import { DEMO_FRAME, localHref } from "../shared/site";

export interface NoticeDeadlines {
  acceptWorkingDays: number;
  notifyWorkingDays: number;
  finishWorkingDays: number;
}

export function NoticePage(props: PageProps & { deadlines: NoticeDeadlines }) {
  const { locale, deadlines: d } = props;
  const site = props.site ?? DEMO_FRAME;
  const params = { accept: d.acceptWorkingDays, notify: d.notifyWorkingDays, finish: d.finishWorkingDays, hotline: site.hotline, authority: site.authority[locale] };
  return (
    <Layout {...props} title={t(locale, "notice.title")}>
      <h1>{t(locale, "notice.title")}</h1>
      <p>{t(locale, "notice.intro", params)}</p>
      <h2>{t(locale, "notice.what_title")}</h2>
      <ul>
        {VIOLATION_SUBJECTS.map((s) => (
          <li>
            <strong>{t(locale, `taxonomy.subject.${s}`)}</strong>
            {t(locale, "app.label_separator")}
            {VIOLATION_TAXONOMY[s]
              .filter((type) => type !== "other")
              .map((type) => t(locale, `taxonomy.type.${type}`))
              .join(t(locale, "app.list_separator"))}
          </li>
        ))}
      </ul>
      <p>{t(locale, "notice.not_here", params)}</p>
      <h2>{t(locale, "notice.need_title")}</h2>
      <p>{t(locale, "notice.need_text")}</p>
      <h2>{t(locale, "notice.steps_title")}</h2>
      <ol class="steps">
        <li>{t(locale, "notice.step_receipt")}</li>
        <li>{t(locale, "notice.step_decision", params)}</li>
        <li>{t(locale, "notice.step_notify", params)}</li>
        <li>{t(locale, "notice.step_handling", params)}</li>
        <li>{t(locale, "notice.step_reward")}</li>
      </ol>
      <p class="hint">{t(locale, "notice.working_days")}</p>
      <h2>{t(locale, "notice.identity_title")}</h2>
      <p>{t(locale, "notice.identity_text")}</p>
      <h2>{t(locale, "notice.false_title")}</h2>
      <p class="alert">{t(locale, "notice.false_text")}</p>
      <h2>{t(locale, "notice.contact_title")}</h2>
      <p>{t(locale, "notice.contact_text", params)}</p>
      {site.legalBasis.length ? (
        <>
          <h2>{t(locale, "notice.basis_title")}</h2>
          <ul>
            {site.legalBasis.map((l) => (
              <li>{l.url ? <a href={l.url} rel="noopener noreferrer">{locale === "zh-CN" ? l.zh : l.en}</a> : locale === "zh-CN" ? l.zh : l.en}</li>
            ))}
          </ul>
        </>
      ) : null}
      <p class="actions">
        <a class="button primary" href={localHref(locale, "/report")}>
          {t(locale, "home.start")}
        </a>
      </p>
    </Layout>
  );
}

export function PrivacyPage(props: PageProps) {
  const { locale } = props;
  const site = props.site ?? DEMO_FRAME;
  const params = { authority: site.authority[locale], hotline: site.hotline };
  const sections = ["controller", "collect", "not_collect", "protect", "who", "keep", "receipt", "rights"] as const;
  return (
    <Layout {...props} title={t(locale, "privacy.title")}>
      <h1>{t(locale, "privacy.title")}</h1>
      <p>{t(locale, "privacy.intro", params)}</p>
      {sections.map((s) => (
        <>
          <h2>{t(locale, `privacy.${s}_title`)}</h2>
          <p>{t(locale, `privacy.${s}_text`, params)}</p>
        </>
      ))}
    </Layout>
  );
}
