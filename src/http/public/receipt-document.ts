// The 受理回执 (acknowledgement of receipt) as plain data: the same rows feed the receipt page, its
// printed form and the PDF, so they never disagree. It names the report, the time, what was submitted
// in categories only (no names, no free text: a receipt found on a phone must not say whom an insider
// reported), the authority and the verification address. It never carries the receipt code.
import { shanghaiDate, shanghaiDateTime } from "../../core/time";
import { regionDisplayName } from "../../core/regions";
import type { Locale } from "../../core/report-input";
import { t, tn } from "../../i18n";
import type { ProofOfSubmission } from "../../security/proof";
import type { SiteFrame } from "../shared/site";

export interface ReceiptSummary {
  subject: string;
  violationType: string;
  regionCode: string;
  occurredFrom: string;
  occurredTo: string | null;
  attachmentCount: number;
  anonymous: boolean;
}

export interface ReceiptDocument {
  locale: Locale;
  title: string;
  authority: string;
  rows: { label: string; value: string; mono?: boolean }[];
  notes: string[];
  verifyUrl: string;
  verifyCaption: string;
  footer: string;
  proof: ProofOfSubmission;
}

export function receiptDocument(input: {
  locale: Locale;
  site: SiteFrame;
  proof: ProofOfSubmission;
  summary: ReceiptSummary;
  decisionBy: Date;
  /** The working-day figures behind the notes (the leads' deadline policy). */
  days: { accept: number; notify: number };
  verifyUrl: string;
}): ReceiptDocument {
  const { locale, site, proof, summary } = input;
  const period = summary.occurredTo && summary.occurredTo !== summary.occurredFrom ? `${summary.occurredFrom} – ${summary.occurredTo}` : summary.occurredFrom;
  return {
    locale,
    title: t(locale, "receipt.doc_title"),
    authority: site.authority[locale],
    rows: [
      { label: t(locale, "receipt.report_id"), value: proof.reportId },
      { label: t(locale, "receipt.submitted_at"), value: `${shanghaiDateTime(new Date(proof.submittedAt))} (UTC+8)` },
      { label: t(locale, "receipt.doc_category"), value: `${t(locale, `taxonomy.subject.${summary.subject}`)} · ${t(locale, `taxonomy.type.${summary.violationType}`)}` },
      { label: t(locale, "receipt.doc_region"), value: regionDisplayName(summary.regionCode, locale) },
      { label: t(locale, "receipt.doc_period"), value: period },
      { label: t(locale, "receipt.doc_evidence"), value: tn(locale, "citizen.files", summary.attachmentCount) },
      { label: t(locale, "receipt.doc_identity"), value: t(locale, summary.anonymous ? "form.anonymous" : "form.real_name") },
      { label: t(locale, "receipt.doc_issuer"), value: site.authority[locale] },
      { label: t(locale, "receipt.content_hash"), value: proof.contentHash, mono: true },
    ],
    notes: [
      t(locale, "receipt.doc_next", { date: shanghaiDate(input.decisionBy), days: input.days.accept }),
      t(locale, summary.anonymous ? "receipt.doc_next_anonymous" : "receipt.doc_next_real_name", { notify: input.days.notify }),
      t(locale, "receipt.doc_private"),
    ],
    verifyUrl: input.verifyUrl,
    verifyCaption: t(locale, "receipt.doc_verify"),
    footer: t(locale, "receipt.doc_footer", { hotline: site.hotline }),
    proof,
  };
}
