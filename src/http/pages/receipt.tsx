// Shown once after a successful submission: the receipt code and the signed proof of submission.
import { shanghaiDateTime } from "../../core/time";
import { t } from "../../i18n";
import { toBase64Url, utf8 } from "../../security/encoding";
import type { SubmittedReport } from "../../services/intake/reports";
import { Layout, type PageProps } from "./layout";

export function ReceiptPage(props: PageProps & { submitted: SubmittedReport }) {
  const { locale, submitted } = props;
  const proofJson = JSON.stringify(submitted.proof, null, 2);
  // A data: URL downloads without JavaScript and without a server route that would need the receipt.
  const proofHref = `data:application/json;base64,${toBase64Url(utf8.encode(proofJson)).replace(/-/g, "+").replace(/_/g, "/")}`;
  return (
    <Layout {...props} title={t(locale, "receipt.title")}>
      <h1>{t(locale, "receipt.title")}</h1>
      <p>{t(locale, "receipt.lead")}</p>
      <section class="receipt">
        <h2>{t(locale, "receipt.code_label")}</h2>
        <p class="code" data-testid="receipt-code" aria-label={submitted.receipt.split("").join(" ")}>
          {submitted.receipt}
        </p>
        <p class="warn">{t(locale, "receipt.code_warning")}</p>
      </section>
      <section class="proof">
        <h2>{t(locale, "receipt.proof_title")}</h2>
        <dl>
          <dt>{t(locale, "receipt.report_id")}</dt>
          <dd data-testid="report-id">{submitted.reportId}</dd>
          <dt>{t(locale, "receipt.submitted_at")}</dt>
          <dd>
            <time datetime={submitted.submittedAt}>{shanghaiDateTime(new Date(submitted.submittedAt))} (UTC+8)</time>
          </dd>
          <dt>{t(locale, "receipt.content_hash")}</dt>
          <dd class="mono">{submitted.proof.contentHash}</dd>
          <dt>{t(locale, "receipt.signature")}</dt>
          <dd class="mono small">
            {submitted.proof.algorithm} · {submitted.proof.keyId} · {submitted.proof.signature}
          </dd>
        </dl>
        <p class="hint">{t(locale, "receipt.proof_text")}</p>
        <p class="actions noprint">
          <a class="button" href={proofHref} download={`fundwatch-proof-${submitted.reportId}.json`} data-testid="download-proof">
            {t(locale, "receipt.download_proof")}
          </a>
          <button type="button" class="button" data-action="print" hidden>
            {t(locale, "receipt.print")}
          </button>
        </p>
      </section>
      <p>{t(locale, "receipt.next")}</p>
      <p class="noprint">
        <a class="button primary" href="/status">
          {t(locale, "receipt.go_status")}
        </a>
      </p>
    </Layout>
  );
}
