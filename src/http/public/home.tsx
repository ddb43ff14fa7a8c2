// Landing page: what can be reported, how, rewards and privacy, with the two ways in.
import { t } from "../../i18n";
import { Layout, type PageProps } from "./layout";
import { localHref } from "../shared/site";

export function HomePage(props: PageProps) {
  const { locale } = props;
  return (
    <Layout {...props} title={t(locale, "home.title")}>
      <section class="hero">
        <h1>{t(locale, "home.title")}</h1>
        <p class="tagline">{t(locale, "app.tagline")}</p>
        <p>{t(locale, "home.intro")}</p>
        <p class="actions">
          <a class="button primary" href={localHref(locale, "/report")}>
            {t(locale, "home.start")}
          </a>
          <a class="button" href={localHref(locale, "/status")}>
            {t(locale, "home.check")}
          </a>
          <a class="button" href={localHref(locale, "/notice")}>
            {t(locale, "nav.notice")}
          </a>
        </p>
      </section>
      <section>
        <h2>{t(locale, "home.what_title")}</h2>
        <p>{t(locale, "home.what_items")}</p>
        <h2>{t(locale, "home.how_title")}</h2>
        <p>{t(locale, "home.how_items")}</p>
        <h2>{t(locale, "home.reward_title")}</h2>
        <p>{t(locale, "home.reward_text")}</p>
        <h2>{t(locale, "home.privacy_title")}</h2>
        <p>
          {t(locale, "home.privacy_text")} <a href={localHref(locale, "/privacy")}>{t(locale, "nav.privacy")}</a>
        </p>
      </section>
    </Layout>
  );
}

export function NotFoundPage(props: PageProps) {
  const { locale } = props;
  return (
    <Layout {...props} title={t(locale, "errors.page_not_found")}>
      <h1>{t(locale, "errors.page_not_found")}</h1>
      <p>{t(locale, "errors.page_not_found_text")}</p>
      <p>
        <a href={localHref(locale, "/")}>{t(locale, "errors.back_home")}</a>
      </p>
    </Layout>
  );
}

export function ErrorPage(props: PageProps & { message: string }) {
  const { locale } = props;
  return (
    <Layout {...props} title={props.message}>
      <h1>{props.message}</h1>
      <p>
        <a href={localHref(locale, "/")}>{t(locale, "errors.back_home")}</a>
      </p>
    </Layout>
  );
}
