// The public check of a proof of submission: upload the PDF receipt or the JSON proof, or arrive from
// the receipt's QR code, and read "genuine, submitted at …" or "not genuine". Anyone may use it: it
// reveals nothing the proof does not already say.
import { shanghaiDateTime } from "../../core/time";
import { t, tn } from "../../i18n";
import { Field, fieldAria, Layout, type PageProps } from "./layout";
import { localHref } from "../shared/site";

export type Verdict =
  | { genuine: true; reportId: string; submittedAt: string; authority: string; attachments: number }
  | { genuine: false; reason: "signature" | "record" | "unknown_link" };

export function VerifyPage(props: PageProps & { verdict?: Verdict; fileError?: string | undefined }) {
  const { locale, verdict } = props;
  return (
    <Layout {...props} title={t(locale, "verify.title")}>
      <h1>{t(locale, "verify.title")}</h1>
      <p>{t(locale, "verify.intro")}</p>
      {verdict ? (
        verdict.genuine ? (
          <section class="verdict genuine" role="status" data-testid="verdict" data-genuine="true">
            <h2>{t(locale, "verify.genuine")}</h2>
            <p>
              {tn(locale, "citizen.verify_genuine", verdict.attachments, {
                id: verdict.reportId,
                time: `${shanghaiDateTime(new Date(verdict.submittedAt))} (UTC+8)`,
                authority: verdict.authority,
              })}
            </p>
            <p class="hint">{t(locale, "verify.genuine_note")}</p>
          </section>
        ) : (
          <section class="verdict forged" role="status" data-testid="verdict" data-genuine="false">
            <h2>{t(locale, "verify.not_genuine")}</h2>
            <p>{t(locale, `verify.reason_${verdict.reason}`)}</p>
          </section>
        )
      ) : null}
      <form method="post" action={localHref(locale, "/verify")} enctype="multipart/form-data" id="verify-form" novalidate>
        <Field id="proof-file" label={t(locale, "verify.file")} hint={t(locale, "verify.file_hint")} error={props.fileError}>
          <input id="proof-file" name="proof" type="file" accept="application/pdf,application/json,.pdf,.json" required {...fieldAria("proof-file", true, props.fileError)} />
        </Field>
        <button type="submit" class="button primary" id="verify-submit">
          {t(locale, "verify.submit")}
        </button>
      </form>
      <h2>{t(locale, "verify.how_title")}</h2>
      <p>{t(locale, "verify.how_text")}</p>
      <p>
        <a href={localHref(locale, "/status")}>{t(locale, "verify.to_status")}</a>
      </p>
    </Layout>
  );
}
