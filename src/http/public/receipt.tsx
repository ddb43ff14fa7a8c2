// Shown after a successful submission: the receipt code (copy button, "have you saved it?" before
// leaving, a warning on navigating away with the script), and the 受理回执 — readable, printable,
// as a PDF — with the QR code of its public verification address. The code is never in the 回执.
import { t } from "../../i18n";
import { toBase64Url, utf8 } from "../../security/encoding";
import type { SubmittedReport } from "../../services/intake/reports";
import { fieldAria, Layout, type PageProps } from "./layout";
import { OfficialReceipt } from "./official-receipt";
import type { ReceiptDocument } from "./receipt-document";
import { localHref } from "../shared/site";

export function ReceiptPage(props: PageProps & { submitted: SubmittedReport; doc: ReceiptDocument; savedError?: string | undefined }) {
  const { locale, submitted } = props;
  const proofJson = JSON.stringify(submitted.proof, null, 2);
  // A data: URL downloads without JavaScript and without a server route that would need the receipt.
  const proofHref = `data:application/json;base64,${toBase64Url(utf8.encode(proofJson)).replace(/-/g, "+").replace(/_/g, "/")}`;
  return (
    <Layout {...props} title={t(locale, "receipt.title")}>
      <div data-receipt-page>
        <h1>{t(locale, "receipt.title")}</h1>
        <p>{t(locale, "receipt.lead_authority", { authority: props.doc.authority })}</p>
        <section class="receipt" aria-labelledby="code-title">
          <h2 id="code-title">{t(locale, "receipt.code_label")}</h2>
          <p class="code" id="receipt-code" data-testid="receipt-code" aria-label={submitted.receipt.split("").join(" ")}>
            {submitted.receipt}
          </p>
          <p class="actions noprint">
            <button type="button" class="button" data-copy="receipt-code" hidden>
              {t(locale, "receipt.copy")}
            </button>
            <span class="copy-status" id="receipt-code-copied" role="status" hidden>
              {t(locale, "receipt.copied")}
            </span>
          </p>
          <p class="warn">{t(locale, "receipt.code_warning")}</p>
          <form method="post" action={localHref(locale, "/report/receipt/done")} class="noprint" id="saved-form" novalidate>
            <div class={props.savedError ? "field has-error" : "field"}>
              <label class="choice">
                <input type="checkbox" name="saved" value="yes" id="saved" required {...fieldAria("saved", false, props.savedError)} />
                <span>{t(locale, "receipt.saved_confirm")}</span>
              </label>
              {props.savedError ? (
                <p class="error" id="saved-error" role="alert" data-field-error="saved">
                  {props.savedError}
                </p>
              ) : null}
            </div>
            <button type="submit" class="button primary" id="go-status">
              {t(locale, "receipt.go_status")}
            </button>
          </form>
        </section>

        <OfficialReceipt doc={props.doc} locale={locale} {...(props.site ? { site: props.site } : {})} />

        <section class="proof noprint" aria-labelledby="proof-title">
          <h2 id="proof-title">{t(locale, "receipt.proof_title")}</h2>
          <p>{t(locale, "receipt.proof_text_person")}</p>
          <p class="actions">
            <a class="button primary" href={localHref(locale, "/report/receipt.pdf")} data-keep-page data-testid="download-pdf">
              {t(locale, "receipt.download_pdf")}
            </a>
            <button type="button" class="button" data-action="print" hidden>
              {t(locale, "receipt.print")}
            </button>
            <a class="button" href={proofHref} download={`fundwatch-proof-${submitted.reportId}.json`} data-keep-page data-testid="download-proof">
              {t(locale, "receipt.download_proof")}
            </a>
          </p>
          <details>
            <summary>{t(locale, "receipt.technical")}</summary>
            <dl>
              <dt>{t(locale, "receipt.signature")}</dt>
              <dd class="mono small">
                {submitted.proof.algorithm} · {submitted.proof.keyId} · {submitted.proof.signature}
              </dd>
            </dl>
          </details>
        </section>
        <p>{t(locale, "receipt.next")}</p>
      </div>
    </Layout>
  );
}
