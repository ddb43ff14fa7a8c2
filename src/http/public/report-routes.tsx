// The tip form: the blank form rendered once a day per language with each visitor's one-time token,
// and its post (Post/Redirect/Get to the receipt; a repeat answers with the receipt it already made).
import { Hono } from "hono";
import { t } from "../../i18n";
import { AppError } from "../../services/errors";
import { validateSubmission } from "../../services/intake/validate-submission";
import { submitReport, type SubmittedReport } from "../../services/intake/reports";
import { findSubmission, formTokenKey, isSubmissionKeyConflict, issueFormToken, readReplay, submissionKeyStatement, type SubmissionKeyRow } from "../../services/intake/submission-keys";
import { RECEIPT_COOKIE, setSealedCookie } from "./sealed-cookie";
import { readForm, requireBodyKind } from "../body";
import type { AppContext, AppEnv } from "../context";
import { formToReportInput } from "./report-form-input";
import { ReportFormPage } from "./report-form";
import { formProps } from "./page-kit";

export function createReportRoutes() {
  const routes = new Hono<AppEnv>();
  // The blank form is the same for everyone on a given day and locale: rendered once, then served
  // from memory (only today's entries are kept) with each visitor's own one-time token put in.
  const blankForms = new Map<string, string>();
  const TOKEN_SLOT = "__FW_FORM_TOKEN__";
  routes.get("/report", async (c) => {
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
  routes.post("/report", async (c) => {
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
        logFields: c.var.logFields,
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

  return routes;
}
