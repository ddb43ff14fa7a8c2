// Server-rendered pages for citizens: home, 举报须知, privacy, tip form, receipt (page, print, PDF),
// public proof check, status with reply and evidence upload. Pages that are the same for everyone
// (per language and text size) are rendered once and served from memory.
// Every form post that changes something answers with a redirect (Post/Redirect/Get) and carries a
// one-time token, so reload, back and double click create nothing new.
import { Hono } from "hono";
import { shanghaiDate } from "../../core/time";
import { t } from "../../i18n";
import { localiseIssues } from "../../i18n/validation";
import { normaliseReceipt } from "../../core/receipt";
import { receiptSchema } from "../../core/report-input";
import { AppError } from "../../services/errors";
import { validateEvidence, validateSubmission } from "../../services/intake/validate-submission";
import {
  addReporterEvidence,
  addReporterMessage,
  authenticateReceipt,
  statusViewWithReward,
  submitReport,
  type SubmittedReport,
} from "../../services/intake/reports";
import { findSubmission, formTokenKey, isSubmissionKeyConflict, issueFormToken, readReplay, submissionKeyStatement, type SubmissionKeyRow } from "../../services/intake/submission-keys";
import { clearSealedCookie, readSealedCookie, RECEIPT_COOKIE, setSealedCookie, STATUS_COOKIE } from "./sealed-cookie";
import { readForm, requireBodyKind } from "../body";
import type { AppContext, AppEnv } from "../context";
import { formToReportInput } from "./report-form-input";
import { HomePage } from "./home";
import { ReceiptPage } from "./receipt";
import { ReportFormPage } from "./report-form";
import { ReceiptEntryPage, StatusPage } from "./status";
import type { RewardFormState } from "./reward-section";
import { receiptSummary, type ReportRow } from "../../services/intake/receipt-summary";
import { rewardClaimBodySchema, rewardNoteSchema } from "../../core/rewards/claim-input";
import { answerRewardQuestion, requestReconsideration, submitRewardClaim } from "../../services/rewards/claims";
import { getCookie, setCookie } from "hono/cookie";
import { addWorkingDays } from "../../core/work-calendar";
import { citizenProgress, decisionOf } from "../../core/citizen-progress";
import { currentOrg } from "../../services/org/org-cache";
import { listReporterFiles } from "../../services/intake/citizen-files";
import { checkProof, isProofFileTooLarge, MAX_PROOF_JSON_BYTES, MAX_PROOF_PDF_BYTES, proofFromFile, proofFromLink, proofLinkSchema, verificationUrl } from "../../services/intake/proof-check";
import { formatBytes } from "../../services/intake/evidence";
import { recordDecisionNoticeSeen } from "../../services/leads/decision-notice";
import { countReceiptLookup } from "../../services/intake/receipt-lookups";
import { createReceiptPdfCache } from "./receipt-pdf-cache";
import type { ProofOfSubmission } from "../../security/proof";
import { NoticePage, PrivacyPage } from "./info-pages";
import { receiptDocument } from "./receipt-document";
import { VerifyPage, type Verdict } from "./verify";
import { siteFrame } from "../shared/site";
import type { PageProps } from "./layout";
import { DEFAULT_DEADLINE_POLICY } from "../../core/deadlines";
import { PDF_DOWNLOAD, downloadHeaders } from "../download";

/** The elder-friendly large-text mode (适老化): `?text=large|normal` sets it, a cookie keeps it. */
const TEXT_COOKIE = "fw_text";

function largeText(c: AppContext): boolean {
  const asked = c.req.query("text");
  if (asked === "large" || asked === "normal") return asked === "large";
  return getCookie(c, TEXT_COOKIE) === "large";
}

/** The page's own address without the switches' parameters: where the switches link back to. */
function selfPath(c: AppContext): string {
  const url = new URL(c.req.url);
  url.searchParams.delete("lang");
  url.searchParams.delete("text");
  const query = url.searchParams.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

/** What every page gets: language, framing, text size and the path its switches return to. */
function pageBase(c: AppContext, path: string = selfPath(c)): PageProps {
  return { locale: c.var.locale, path, site: siteFrame(c.var.deps.config), largeText: largeText(c) };
}

function formProps(c: AppContext, values: Record<string, string>, errors: Record<string, string>, filesDropped = false) {
  const { deps } = c.var;
  return {
    ...pageBase(c, "/report"),
    values,
    errors,
    filesDropped,
    maxAttachments: deps.config.MAX_ATTACHMENTS,
    maxAttachmentBytes: deps.config.MAX_ATTACHMENT_BYTES,
    today: shanghaiDate(deps.now()),
  };
}

/** Receipt-gated pages answer not-found and throttling on the receipt form itself. */
function receiptErrorPage(c: AppContext, err: unknown, receipt: string) {
  const { locale } = c.var;
  if (err instanceof AppError && err.code === "not_found")
    return c.html(<ReceiptEntryPage {...pageBase(c, "/status")} error={t(locale, "status.not_found")} receipt={receipt} />, 404);
  if (err instanceof AppError && err.code === "rate_limited") {
    c.header("Retry-After", String(err.options.retryAfterSeconds ?? 60));
    const minutes = Math.max(1, Math.ceil((err.options.retryAfterSeconds ?? 60) / 60));
    return c.html(<ReceiptEntryPage {...pageBase(c, "/status")} error={t(locale, "status.throttled", { minutes })} />, 429);
  }
  if (err instanceof AppError && err.code === "validation_failed")
    return c.html(<ReceiptEntryPage {...pageBase(c, "/status")} error={Object.values(err.options.fields ?? {})[0] ?? t(locale, "errors.validation_failed")} receipt={receipt} />, 400);
  throw err;
}

export function createPageRoutes() {
  const pages = new Hono<AppEnv>();

  pages.use("*", async (c, next) => {
    // Cross-site posts are refused app-wide (src/http/app.tsx) before they get here.
    const text = c.req.query("text");
    if (text === "large" || text === "normal") setCookie(c, TEXT_COOKIE, text, { path: "/", maxAge: 365 * 86400, sameSite: "Lax", httpOnly: true });
    await next();
    // Pages can show a receipt or a conversation: never cache them, never leak the URL onwards.
    c.header("Cache-Control", "no-store");
  });

  // Pages that are the same for everyone in a language and text size: rendered once per process.
  const staticPages = new Map<string, string>();
  const cachedPage = async (c: AppContext, name: string, render: () => unknown) => {
    const key = `${name}|${c.var.locale}|${largeText(c) ? "large" : "normal"}`;
    let html = staticPages.get(key);
    if (html === undefined) {
      html = String(await (render() as { toString(): string | Promise<string> }).toString());
      staticPages.set(key, html);
    }
    return c.html(html);
  };

  pages.get("/", (c) => cachedPage(c, "home", () => <HomePage {...pageBase(c, "/")} />));
  pages.get("/notice", (c) => {
    const { config } = c.var.deps;
    const deadlines = { acceptWorkingDays: config.LEAD_ACCEPT_WORKING_DAYS, notifyWorkingDays: DEFAULT_DEADLINE_POLICY.notifyOpenedWorkingDays, finishWorkingDays: config.LEAD_FINISH_WORKING_DAYS };
    return cachedPage(c, "notice", () => <NoticePage {...pageBase(c, "/notice")} deadlines={deadlines} />);
  });
  pages.get("/privacy", (c) => cachedPage(c, "privacy", () => <PrivacyPage {...pageBase(c, "/privacy")} />));

  // The blank form is the same for everyone on a given day and locale: rendered once, then served
  // from memory (only today's entries are kept) with each visitor's own one-time token put in.
  const blankForms = new Map<string, string>();
  const TOKEN_SLOT = "__FW_FORM_TOKEN__";
  pages.get("/report", async (c) => {
    const props = formProps(c, {}, {});
    const key = `${props.today}|${props.locale}|${props.largeText ? "large" : "normal"}|${props.maxAttachments}|${props.maxAttachmentBytes}`;
    let html = blankForms.get(key);
    if (html === undefined) {
      for (const k of blankForms.keys()) if (!k.startsWith(`${props.today}|`)) blankForms.delete(k);
      html = String(await (<ReportFormPage {...props} formToken={TOKEN_SLOT} />).toString());
      blankForms.set(key, html);
    }
    return c.html(html.replace(TOKEN_SLOT, await issueFormToken(c.var.deps, "web-report")));
  });

  // Post/Redirect/Get: the receipt page is reached by a redirect, so reload and back re-show it and
  // never post again; the one-time token makes a double click or a resubmitted form a repeat.
  pages.post("/report", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["multipart", "form"]);
    const form = await readForm(c);
    const values = { ...form.fields };
    delete values._once;
    delete values._region;
    // Without the script: "list cities and districts" posts the form back for the province's lists;
    // nothing is checked or filed, and the same one-time token stays in the form.
    if (form.fields._region) return c.html(<ReportFormPage {...formProps(c, values, {}, form.files.length > 0)} formToken={form.fields._once ?? (await issueFormToken(deps, "web-report"))} />);
    // A type chosen without its subject (possible without JavaScript) implies the subject; show it.
    if (!values.subject && values.violationType?.includes(":")) values.subject = values.violationType.split(":")[0]!;
    const key = await formTokenKey(deps, "web-report", form.fields._once);
    if (!key)
      return c.html(<ReportFormPage {...formProps(c, values, { _: t(locale, "form.expired") }, form.files.length > 0)} formToken={await issueFormToken(deps, "web-report")} />, 400);
    // No look-up first (a tip stays two round trips): a repeat fails on its key in the write batch
    // and is answered below with the receipt the first copy produced.
    let submitted: SubmittedReport;
    try {
      const valid = await validateSubmission(deps, formToReportInput(form.fields), form.files, locale);
      // Counted in submitReport's own write batch (no round trip of its own).
      submitted = await submitReport(deps, {
        report: valid.report,
        files: valid.files,
        channel: "web",
        locale,
        throttle: true,
        clientAddress: deps.clientAddress(c),
        once: (r) => submissionKeyStatement(deps, key, { reportId: r.reportId, replay: r }),
      });
    } catch (err) {
      if (isSubmissionKeyConflict(err)) {
        const row = await findSubmission(deps, key);
        if (row) return replayReceipt(c, row);
      }
      // Nothing was stored, so the same token stays good for the corrected form.
      if (err instanceof AppError && err.code === "validation_failed")
        return c.html(<ReportFormPage {...formProps(c, values, err.options.fields ?? {}, form.files.length > 0)} formToken={form.fields._once!} />, 400);
      throw err;
    }
    await setSealedCookie(c, RECEIPT_COOKIE, submitted);
    return c.redirect(`/report/receipt?lang=${locale}`, 303);
  });

  /** A repeat of a submission: show the receipt it already produced (the first answer may have been lost). */
  async function replayReceipt(c: AppContext, row: SubmissionKeyRow) {
    const submitted = await readReplay<SubmittedReport>(c.var.deps, row);
    if (submitted) await setSealedCookie(c, RECEIPT_COOKIE, submitted);
    return c.redirect(`/report/receipt?lang=${c.var.locale}`, 303);
  }

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

  async function showReceipt(c: AppContext, savedError?: string) {
    const { locale } = c.var;
    let submitted: SubmittedReport | null;
    try {
      submitted = await cookieReceipt(c);
    } catch (err) {
      return receiptErrorPage(c, err, "");
    }
    const doc = submitted ? await receiptDoc(c, submitted) : null;
    if (!submitted || !doc) return c.html(<ReceiptEntryPage {...pageBase(c, "/status")} notice={t(locale, "receipt.gone")} />, 404);
    return c.html(<ReceiptPage {...pageBase(c, "/report/receipt")} submitted={submitted} doc={doc} savedError={savedError} />, savedError ? 400 : 200);
  }

  // The language and text-size switches come back here: the receipt lives in the sealed cookie
  // (path /report), so switching keeps it.
  pages.get("/report/receipt", (c) => showReceipt(c));

  /** "I have saved it": the only way on from the receipt page (the script also warns on leaving). */
  pages.post("/report/receipt/done", async (c) => {
    requireBodyKind(c, ["multipart", "form"]);
    const { fields } = await readForm(c);
    if (fields.saved !== "yes") return showReceipt(c, t(c.var.locale, "receipt.saved_required"));
    return c.redirect(`/status?lang=${c.var.locale}`, 303);
  });

  // The PDF needs the CJK font, which only the Node entry provides; elsewhere the printable page is the 回执.
  // Rendered once per report and language (receipt-pdf-cache.ts), for as long as a receipt cookie lives.
  const pdfCache = createReceiptPdfCache({ ttlMs: RECEIPT_COOKIE.maxAgeSeconds * 1000, now: () => Date.now() });
  pages.get("/report/receipt.pdf", async (c) => {
    const { deps, locale } = c.var;
    let submitted: SubmittedReport | null;
    try {
      submitted = await cookieReceipt(c);
    } catch (err) {
      return receiptErrorPage(c, err, "");
    }
    const doc = submitted ? await receiptDoc(c, submitted) : null;
    if (!submitted || !doc) return c.html(<ReceiptEntryPage {...pageBase(c, "/status")} notice={t(locale, "receipt.gone")} />, 404);
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

  pages.get("/verify", async (c) => {
    const query = c.req.query();
    if (!query.id && !query.s) return cachedPage(c, "verify", () => <VerifyPage {...pageBase(c, "/verify")} />);
    // From the QR code: the short form, completed from the record.
    const link = proofLinkSchema.safeParse(query);
    const proof = link.success ? await proofFromLink(c.var.deps, link.data) : null;
    return c.html(<VerifyPage {...pageBase(c)} verdict={await verdictOf(c, proof, !link.success || proof === null)} />);
  });

  pages.post("/verify", async (c) => {
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

  pages.get("/status", (c) => cachedPage(c, "status", () => <ReceiptEntryPage {...pageBase(c, "/status")} />));

  async function withReport(c: AppContext, receiptRaw: string | undefined) {
    const { deps, locale } = c.var;
    const parsed = receiptSchema.safeParse(receiptRaw ?? "");
    if (!parsed.success) throw new AppError("validation_failed", "bad receipt", { fields: localiseIssues(parsed.error.issues, locale) });
    return authenticateReceipt(deps, parsed.data, deps.clientAddress(c));
  }

  /** The receipt the status pages were opened with (encrypted cookie), or null once it has expired. */
  const sessionReceipt = async (c: AppContext) => (await readSealedCookie<{ receipt: string }>(c, STATUS_COOKIE))?.receipt ?? null;
  const statusView = (c: AppContext, done?: string) => c.redirect(`/status/view?lang=${c.var.locale}${done ? `&done=${done}` : ""}`, 303);
  const sessionEnded = (c: AppContext) => c.html(<ReceiptEntryPage {...pageBase(c, "/status")} notice={t(c.var.locale, "status.session_ended")} />, 401);

  async function renderStatus(c: AppContext, receipt: string, extra: { notice?: string; error?: string; rewardForm?: RewardFormState } = {}, status: 200 | 400 | 409 | 429 = 200) {
    const { deps } = c.var;
    const report = await withReport(c, receipt);
    const [{ view, reward }, replyToken, evidenceToken, files, org] = await Promise.all([
      statusViewWithReward(deps, report),
      issueFormToken(deps, "web-reply"),
      issueFormToken(deps, "web-evidence"),
      listReporterFiles(deps, report.id),
      currentOrg(deps),
    ]);
    const progress = citizenProgress({
      status: view.report.status,
      anonymous: view.report.anonymous,
      submittedAt: new Date(view.report.submittedAt),
      decision: decisionOf(view.timeline),
      now: deps.now(),
      cal: org.policy.calendar,
      policy: org.policy.deadlines,
    });
    // The real-name reporter has now been shown the decision: the leads' notice deadline is met.
    if (progress.notice) await recordDecisionNoticeSeen(deps, report.id);
    return c.html(
      <StatusPage
        {...pageBase(c, "/status/view")}
        progress={progress}
        files={files}
        view={view}
        reward={reward}
        payoutMethods={deps.config.REWARD_PAYOUT_METHODS}
        maxAttachments={deps.config.MAX_ATTACHMENTS}
        replyToken={replyToken}
        evidenceToken={evidenceToken}
        {...extra}
      />,
      status,
    );
  }

  /** A reward step from the status page: PRG on success; the page again with the error (and typed values, minus nothing secret-free to lose) otherwise. */
  async function rewardStep(c: AppContext, run: (report: ReportRow, fields: Record<string, string>) => Promise<void>, done: string, keepValues: (fields: Record<string, string>) => Record<string, string>) {
    const { locale } = c.var;
    requireBodyKind(c, ["multipart", "form"]);
    const { fields } = await readForm(c);
    const receipt = await sessionReceipt(c);
    if (!receipt) return sessionEnded(c);
    try {
      const report = await withReport(c, receipt);
      try {
        await run(report, fields);
      } catch (err) {
        if (err instanceof AppError && err.code === "validation_failed")
          return await renderStatus(c, receipt, { error: t(locale, "errors.validation_failed"), rewardForm: { values: keepValues(fields), errors: err.options.fields ?? {} } }, 400);
        if (err instanceof AppError && (err.code === "conflict" || err.code === "forbidden" || err.code === "not_found"))
          return await renderStatus(c, receipt, { error: t(locale, err.options.messageKey ?? `errors.${err.code}`) }, 409);
        throw err;
      }
      return statusView(c, done);
    } catch (err) {
      return receiptErrorPage(c, err, "");
    }
  }

  pages.post("/status/reward/claim", (c) =>
    rewardStep(
      c,
      async (report, f) => {
        const { deps, locale } = c.var;
        const parsed = rewardClaimBodySchema(shanghaiDate(deps.now()), deps.config.REWARD_PAYOUT_METHODS).safeParse({
          identity: { name: f.name ?? "", idNumber: f.idNumber ?? "", phone: f.phone ?? "" },
          payout: { method: f.method ?? "", account: f.account ?? "", ...(f.bankName ? { bankName: f.bankName } : {}) },
        });
        if (!parsed.success) throw new AppError("validation_failed", "invalid claim", { fields: localiseIssues(parsed.error.issues, locale) });
        const input = parsed.data;
        await submitRewardClaim(deps, report, { identity: input.identity, payout: input.payout }, "web");
      },
      "reward_claimed",
      // The ID number and account are not echoed back into the page; name, phone and bank are.
      (f) => ({ name: f.name ?? "", phone: f.phone ?? "", method: f.method ?? "", bankName: f.bankName ?? "" }),
    ),
  );

  const rewardText = (c: AppContext, f: Record<string, string>) => {
    const parsed = rewardNoteSchema.safeParse(f.text ?? "");
    if (!parsed.success) throw new AppError("validation_failed", "invalid text", { fields: { text: localiseIssues(parsed.error.issues, c.var.locale)._ ?? t(c.var.locale, "validation.required") } });
    return parsed.data;
  };
  pages.post("/status/reward/answer", (c) => rewardStep(c, async (report, f) => void (await answerRewardQuestion(c.var.deps, report, rewardText(c, f), "web")), "reward_answered", (f) => ({ text: f.text ?? "" })));
  pages.post("/status/reward/reconsider", (c) =>
    rewardStep(c, async (report, f) => void (await requestReconsideration(c.var.deps, report, rewardText(c, f), "web")), "reward_reconsider", (f) => ({ text: f.text ?? "" })),
  );

  /** A reply or upload over its quota: the status page again, saying when to try, typed text lost on purpose. */
  async function quotaReached(c: AppContext, receipt: string, err: AppError) {
    c.header("Retry-After", String(err.options.retryAfterSeconds ?? 60));
    return renderStatus(c, receipt, { error: t(c.var.locale, err.options.messageKey ?? "errors.rate_limited") }, 429);
  }

  pages.post("/status", async (c) => {
    requireBodyKind(c, ["multipart", "form"]);
    const { fields } = await readForm(c);
    const receipt = fields.receipt ?? "";
    try {
      await withReport(c, receipt);
    } catch (err) {
      return receiptErrorPage(c, err, receipt);
    }
    await setSealedCookie(c, STATUS_COOKIE, { receipt: normaliseReceipt(receipt) ?? receipt });
    return statusView(c);
  });

  pages.get("/status/view", async (c) => {
    const { locale } = c.var;
    const receipt = await sessionReceipt(c);
    if (!receipt) return sessionEnded(c);
    const done = c.req.query("done");
    const count = Number(c.req.query("n") ?? "0");
    const rewardNotices: Record<string, string> = { reward_claimed: "reward.page.claimed_notice", reward_answered: "reward.page.answered_notice", reward_reconsider: "reward.page.reconsider_notice" };
    const notice =
      done === "sent"
        ? t(locale, "status.sent")
        : done === "evidence"
          ? t(locale, "status.evidence_added", { count: Number.isInteger(count) && count > 0 ? count : 1 })
          : done && rewardNotices[done]
            ? t(locale, rewardNotices[done]!)
            : undefined;
    try {
      // Each view keeps the session alive for another half hour.
      await setSealedCookie(c, STATUS_COOKIE, { receipt });
      return await renderStatus(c, receipt, notice ? { notice } : {});
    } catch (err) {
      return receiptErrorPage(c, err, "");
    }
  });

  pages.post("/status/leave", (c) => {
    clearSealedCookie(c, STATUS_COOKIE);
    return c.redirect(`/status?lang=${c.var.locale}`, 303);
  });

  pages.post("/status/reply", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["multipart", "form"]);
    const { fields } = await readForm(c);
    const receipt = await sessionReceipt(c);
    if (!receipt) return sessionEnded(c);
    try {
      const report = await withReport(c, receipt);
      const key = await formTokenKey(deps, "web-reply", fields._once, report.id);
      if (!key) return await renderStatus(c, receipt, { error: t(locale, "form.expired") }, 400);
      if (await findSubmission(deps, key)) return statusView(c, "sent");
      const body = (fields.body ?? "").trim();
      if (!body) return await renderStatus(c, receipt, { error: t(locale, "validation.required") }, 400);
      if (body.length > 3000) return await renderStatus(c, receipt, { error: t(locale, "validation.too_long", { max: 3000 }) }, 400);
      try {
        await addReporterMessage(deps, report, {
          clientAddress: deps.clientAddress(c),
          body,
          inReplyTo: fields.inReplyTo || undefined,
          channel: "web",
          once: (r) => submissionKeyStatement(deps, key, { reportId: report.id, resultRef: r.messageId }),
        });
      } catch (err) {
        if (isSubmissionKeyConflict(err)) return statusView(c, "sent");
        if (err instanceof AppError && err.code === "report_closed") return await renderStatus(c, receipt, { error: t(locale, "errors.report_closed") }, 409);
        if (err instanceof AppError && err.code === "rate_limited") return await quotaReached(c, receipt, err);
        throw err;
      }
      return statusView(c, "sent");
    } catch (err) {
      return receiptErrorPage(c, err, "");
    }
  });

  pages.post("/status/evidence", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["multipart"]);
    const form = await readForm(c);
    const receipt = await sessionReceipt(c);
    if (!receipt) return sessionEnded(c);
    try {
      const report = await withReport(c, receipt);
      const key = await formTokenKey(deps, "web-evidence", form.fields._once, report.id);
      if (!key) return await renderStatus(c, receipt, { error: t(locale, "form.expired") }, 400);
      const earlier = await findSubmission(deps, key);
      if (earlier) return c.redirect(`/status/view?lang=${locale}&done=evidence&n=${(earlier.resultRef ?? "").split(",").length}`, 303);
      if (form.files.length === 0) return await renderStatus(c, receipt, { error: t(locale, "validation.required") }, 400);
      let files;
      try {
        files = await validateEvidence(deps, form.files, locale);
        await addReporterEvidence(deps, report, {
          clientAddress: deps.clientAddress(c),
          files,
          channel: "web",
          once: (r) => submissionKeyStatement(deps, key, { reportId: report.id, resultRef: r.attachments.map((a) => a.id).join(",") }),
        });
      } catch (err) {
        if (isSubmissionKeyConflict(err)) return statusView(c, "evidence");
        if (err instanceof AppError && err.code === "rate_limited") return await quotaReached(c, receipt, err);
        if (err instanceof AppError && err.code === "validation_failed")
          return await renderStatus(c, receipt, { error: Object.values(err.options.fields ?? {})[0] ?? t(locale, "errors.validation_failed") }, 400);
        if (err instanceof AppError && err.code === "report_closed") return await renderStatus(c, receipt, { error: t(locale, "errors.report_closed") }, 409);
        throw err;
      }
      return c.redirect(`/status/view?lang=${locale}&done=evidence&n=${files.length}`, 303);
    } catch (err) {
      return receiptErrorPage(c, err, "");
    }
  });

  return pages;
}
