// The receipt just issued (sealed cookie): the 受理回执 page, "I have saved it", the PDF; and the public
// proof check (/verify) from the QR code or an uploaded proof file.
import { Hono } from "hono";
import { t } from "../../i18n";
import { AppError } from "../../services/errors";
import type { SubmittedReport } from "../../services/intake/reports";
import { readSealedCookie, RECEIPT_COOKIE } from "./sealed-cookie";
import { readForm, requireBodyKind } from "../body";
import type { AppContext, AppEnv } from "../context";
import { ReceiptPage } from "./receipt";
import { ReceiptEntryPage } from "./status";
import { receiptSummary } from "../../services/intake/receipt-summary";
import { addWorkingDays } from "../../core/work-calendar";
import { currentOrg } from "../../services/org/org-cache";
import { checkProof, isProofFileTooLarge, MAX_PROOF_JSON_BYTES, MAX_PROOF_PDF_BYTES, proofFromFile, proofFromLink, proofLinkSchema, verificationUrl } from "../../services/intake/proof-check";
import { formatBytes } from "../../services/intake/evidence";
import { countReceiptLookup } from "../../services/intake/receipt-lookups";
import { createReceiptPdfCache } from "./receipt-pdf-cache";
import type { ProofOfSubmission } from "../../security/proof";
import { receiptDocument } from "./receipt-document";
import { VerifyPage, type Verdict } from "./verify";
import { siteFrame } from "../shared/site";
import { PDF_DOWNLOAD, downloadHeaders } from "../download";
import { createStaticPageCache, pageBase, receiptErrorPage } from "./page-kit";

export function createReceiptRoutes() {
  const routes = new Hono<AppEnv>();
  const cachedPage = createStaticPageCache();
  /** The 受理回执 of the receipt in the cookie: the report's categories from its row, the deadline from the calendar. */
  async function receiptDoc(c: AppContext, submitted: SubmittedReport) {
    const { deps, locale } = c.var;
    const [row, org] = await Promise.all([
      receiptSummary(deps, submitted.reportId),
      currentOrg(deps),
    ]);
    if (!row) return null;
    const base = deps.config.PUBLIC_BASE_URL ?? new URL(c.req.url).origin;
    return receiptDocument({
      locale,
      site: siteFrame(deps.config),
      proof: submitted.proof,
      summary: { ...row, anonymous: row.isAnonymous, attachmentCount: submitted.proof.attachments.length },
      decisionBy: addWorkingDays(org.policy.calendar, new Date(submitted.submittedAt), org.policy.deadlines.acceptWorkingDays),
      days: { accept: org.policy.deadlines.acceptWorkingDays, notify: org.policy.deadlines.notifyOpenedWorkingDays },
      verifyUrl: verificationUrl(base, submitted.proof),
    });
  }

  /**
   * The receipt just issued (sealed cookie), counted against the receipt's rate limits like every
   * receipt lookup (throws rate_limited); null once the cookie has expired.
   */
  async function cookieReceipt(c: AppContext): Promise<SubmittedReport | null> {
    const submitted = await readSealedCookie<SubmittedReport>(c, RECEIPT_COOKIE);
    if (submitted) await countReceiptLookup(c.var.deps, c.var.deps.clientAddress(c), "cookie");
    return submitted;
  }

  /** The report the receipt cookie names and its 回执, or the page that says why there is none (one reading for the page and the PDF). */
  async function cookieReceiptDoc(c: AppContext) {
    let submitted: SubmittedReport | null;
    try {
      submitted = await cookieReceipt(c);
    } catch (err) {
      return { page: await receiptErrorPage(c, err, "") };
    }
    const doc = submitted ? await receiptDoc(c, submitted) : null;
    if (!submitted || !doc) return { page: c.html(<ReceiptEntryPage {...pageBase(c, "/status")} notice={t(c.var.locale, "receipt.gone")} />, 404) };
    return { submitted, doc };
  }

  async function showReceipt(c: AppContext, savedError?: string) {
    const found = await cookieReceiptDoc(c);
    if ("page" in found) return found.page;
    const { submitted, doc } = found;
    return c.html(<ReceiptPage {...pageBase(c, "/report/receipt")} submitted={submitted} doc={doc} savedError={savedError} />, savedError ? 400 : 200);
  }

  // The language and text-size switches come back here: the receipt lives in the sealed cookie
  // (path /report), so switching keeps it.
  routes.get("/report/receipt", (c) => showReceipt(c));

  /** "I have saved it": the only way on from the receipt page (the script also warns on leaving). */
  routes.post("/report/receipt/done", async (c) => {
    requireBodyKind(c, ["multipart", "form"]);
    const { fields } = await readForm(c);
    if (fields.saved !== "yes") return showReceipt(c, t(c.var.locale, "receipt.saved_required"));
    return c.redirect(`/status?lang=${c.var.locale}`, 303);
  });

  // The PDF needs the CJK font, which only the Node entry provides; elsewhere the printable page is the 回执.
  // Rendered once per report and language (receipt-pdf-cache.ts), for as long as a receipt cookie lives.
  const pdfCache = createReceiptPdfCache({ ttlMs: RECEIPT_COOKIE.maxAgeSeconds * 1000, now: () => Date.now() });
  routes.get("/report/receipt.pdf", async (c) => {
    const { deps, locale } = c.var;
    const found = await cookieReceiptDoc(c);
    if ("page" in found) return found.page;
    const { submitted, doc } = found;
    const render = deps.receiptPdf;
    if (!render) return c.redirect(`/report/receipt?lang=${locale}`, 303);
    const pdf = await pdfCache.get(submitted.reportId, locale, () => render(doc));
    return c.body(pdf as Uint8Array<ArrayBuffer>, 200, downloadHeaders({ stem: `receipt-${submitted.reportId}` }, PDF_DOWNLOAD));
  });

  /** The verdict on a proof; the authority named is this installation's (the key and record are its own). */
  async function verdictOf(c: AppContext, proof: ProofOfSubmission | null, unknownLink: boolean): Promise<Verdict> {
    if (!proof) return { genuine: false, reason: unknownLink ? "unknown_link" : "record" };
    const check = await checkProof(c.var.deps, proof);
    if (check.signatureValid && check.matchesRecord)
      return { genuine: true, reportId: proof.reportId, submittedAt: proof.submittedAt, authority: siteFrame(c.var.deps.config).authority[c.var.locale], attachments: proof.attachments.length };
    return { genuine: false, reason: check.signatureValid ? "record" : "signature" };
  }

  routes.get("/verify", async (c) => {
    const query = c.req.query();
    if (!query.id && !query.s) return cachedPage(c, "verify", () => <VerifyPage {...pageBase(c, "/verify")} />);
    // From the QR code: the short form, completed from the record.
    const link = proofLinkSchema.safeParse(query);
    const proof = link.success ? await proofFromLink(c.var.deps, link.data) : null;
    return c.html(<VerifyPage {...pageBase(c)} verdict={await verdictOf(c, proof, !link.success || proof === null)} />);
  });

  routes.post("/verify", async (c) => {
    const { locale } = c.var;
    requireBodyKind(c, ["multipart"]);
    // A proof is small: a PDF over MAX_PROOF_PDF_BYTES is cut off while it streams, a JSON one over
    // MAX_PROOF_JSON_BYTES refused before it is decoded (413 on the page, localised).
    const tooLarge = () =>
      c.html(<VerifyPage {...pageBase(c, "/verify")} fileError={t(locale, "verify.file_too_large", { json: formatBytes(MAX_PROOF_JSON_BYTES), pdf: formatBytes(MAX_PROOF_PDF_BYTES) })} />, 413);
    let form;
    try {
      form = await readForm(c, "proof", { maxFileBytes: MAX_PROOF_PDF_BYTES });
    } catch (err) {
      if (err instanceof AppError && err.code === "payload_too_large") {
        c.header("Connection", "close");
        return tooLarge();
      }
      throw err;
    }
    const file = form.files[0];
    if (!file) return c.html(<VerifyPage {...pageBase(c, "/verify")} fileError={t(locale, "verify.file_required")} />, 400);
    if (isProofFileTooLarge(file.bytes)) return tooLarge();
    const proof = proofFromFile(file.bytes);
    if (!proof) return c.html(<VerifyPage {...pageBase(c, "/verify")} fileError={t(locale, "verify.file_unreadable")} />, 400);
    return c.html(<VerifyPage {...pageBase(c, "/verify")} verdict={await verdictOf(c, proof, false)} />);
  });

  return routes;
}
