// The sign-in pages' markup: how to get a sign-in link (the answer to any workspace page without a
// session), the confirmation a link opens (its button spends the link: a chat's link preview only
// fetches the page), and the refusal of a used or expired link.
import { t } from "../../../i18n";
import type { AppContext } from "../../context";
import { workspacePageLocale, WorkspaceLayout } from "./workspace-layout";

/** The three ways to a link, in words. */
function WaysToSignIn(props: { c: AppContext }) {
  const locale = workspacePageLocale(props.c);
  return (
    <ul class="plain" data-testid="sign-in-ways">
      <li>{t(locale, "workspace.signin.way_telegram")}</li>
      <li>{t(locale, "workspace.signin.way_slack")}</li>
      <li>
        {t(locale, "workspace.signin.way_operator")} <code>npm run admin -- login &lt;member-id&gt;</code>
      </li>
    </ul>
  );
}

async function send(c: AppContext, page: unknown, status: 200 | 401 | 410) {
  c.header("Cache-Control", "no-store");
  return c.html(String(await (page as { toString(): string | Promise<string> }).toString()), status);
}

/** How to sign in: every workspace page answers this (401) without a live session. */
export function signInHelpResponse(c: AppContext, opts: { status: 200 | 401; signedOut?: boolean }) {
  const locale = workspacePageLocale(c);
  const title = t(locale, "workspace.signin.help_title");
  return send(
    c,
    <WorkspaceLayout c={c} title={title}>
      <h1>{title}</h1>
      {opts.signedOut ? (
        <p class="notice" role="status" data-testid="signed-out">
          {t(locale, "workspace.signin.signed_out")}
        </p>
      ) : null}
      <p data-testid="sign-in-help">{t(locale, "workspace.signin.help_intro")}</p>
      <WaysToSignIn c={c} />
    </WorkspaceLayout>,
    opts.status,
  );
}

/** The confirmation behind a valid link: one button posts the token (in the body, never a URL) to sign in. */
export function confirmSignInResponse(c: AppContext, input: { token: string; name: string }) {
  const locale = workspacePageLocale(c);
  const title = t(locale, "workspace.signin.confirm_title");
  return send(
    c,
    <WorkspaceLayout c={c} title={title}>
      <h1>{title}</h1>
      <p>{t(locale, "workspace.signin.confirm_intro", { name: input.name })}</p>
      <form method="post" action="/staff/signin" data-testid="sign-in-form">
        <input type="hidden" name="t" value={input.token} />
        <button class="button primary" type="submit">
          {t(locale, "workspace.signin.confirm_button")}
        </button>
      </form>
      <p class="hint">{t(locale, "workspace.signin.confirm_hint")}</p>
    </WorkspaceLayout>,
    200,
  );
}

/** A used, expired or unknown link (410: it will not work again), with the ways to a new one. */
export function linkRefusedResponse(c: AppContext) {
  const locale = workspacePageLocale(c);
  const title = t(locale, "workspace.signin.refused_title");
  return send(
    c,
    <WorkspaceLayout c={c} title={title}>
      <h1>{title}</h1>
      <p class="alert" role="alert" data-testid="link-refused">
        {t(locale, "workspace.signin.refused")}
      </p>
      <WaysToSignIn c={c} />
    </WorkspaceLayout>,
    410,
  );
}
