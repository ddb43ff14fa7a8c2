// Server-rendered pages for citizens: home, tip form, receipt, status with reply and evidence upload.
import { Hono } from "hono";
import { shanghaiDate } from "../../core/time";
import { t } from "../../i18n";
import { localiseIssues } from "../../i18n/validation";
import { receiptSchema } from "../../core/report-input";
import { AppError } from "../../services/errors";
import { validateEvidence, validateSubmission } from "../../services/intake/validate-submission";
import {
  addReporterEvidence,
  addReporterMessage,
  authenticateReceipt,
  getStatusView,
  submitReport,
} from "../../services/intake/reports";
import { readForm, requireBodyKind } from "../body";
import type { AppContext, AppEnv } from "../context";
import { formToReportInput } from "../report-form";
import { HomePage } from "./home";
import { ReceiptPage } from "./receipt";
import { ReportFormPage } from "./report-form";
import { ReceiptEntryPage, StatusPage } from "./status";

function formProps(c: AppContext, values: Record<string, string>, errors: Record<string, string>, filesDropped = false) {
  const { deps, locale } = c.var;
  return {
    locale,
    path: "/report",
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
    return c.html(<ReceiptEntryPage locale={locale} path="/status" error={t(locale, "status.not_found")} receipt={receipt} />, 404);
  if (err instanceof AppError && err.code === "rate_limited") {
    c.header("Retry-After", String(err.options.retryAfterSeconds ?? 60));
    const minutes = Math.max(1, Math.ceil((err.options.retryAfterSeconds ?? 60) / 60));
    return c.html(<ReceiptEntryPage locale={locale} path="/status" error={t(locale, "status.throttled", { minutes })} />, 429);
  }
  if (err instanceof AppError && err.code === "validation_failed")
    return c.html(<ReceiptEntryPage locale={locale} path="/status" error={Object.values(err.options.fields ?? {})[0] ?? t(locale, "errors.validation_failed")} receipt={receipt} />, 400);
  throw err;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

export function createPageRoutes() {
  const pages = new Hono<AppEnv>();

  pages.use("*", async (c, next) => {
    // Forms are posted only from our own pages: a browser that says the request comes from another
    // site (Sec-Fetch-Site, or an Origin of another host) is refused. Clients that send neither
    // (curl, scripts) are not browsers and cannot be tricked into posting.
    if (c.req.method === "POST") {
      const site = c.req.header("sec-fetch-site");
      const origin = c.req.header("origin");
      // With Referrer-Policy: no-referrer, browsers send "Origin: null" even for our own forms, so
      // Sec-Fetch-Site decides there.
      const crossSite = site === "cross-site" || (origin !== undefined && origin !== "null" && hostOf(origin) !== new URL(c.req.url).host);
      if (crossSite) throw new AppError("forbidden", "cross-site form post");
    }
    await next();
    // Pages can show a receipt or a conversation: never cache them, never leak the URL onwards.
    c.header("Cache-Control", "no-store");
  });

  pages.get("/", (c) => c.html(<HomePage locale={c.var.locale} path="/" />));

  // The blank form is the same for everyone on a given day and locale: rendered once, then served
  // from memory (only today's entries are kept).
  const blankForms = new Map<string, string>();
  pages.get("/report", async (c) => {
    const props = formProps(c, {}, {});
    const key = `${props.today}|${props.locale}|${props.maxAttachments}|${props.maxAttachmentBytes}`;
    let html = blankForms.get(key);
    if (html === undefined) {
      for (const k of blankForms.keys()) if (!k.startsWith(`${props.today}|`)) blankForms.delete(k);
      html = String(await (<ReportFormPage {...props} />).toString());
      blankForms.set(key, html);
    }
    return c.html(html);
  });

  pages.post("/report", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["multipart", "form"]);
    const form = await readForm(c);
    const values = { ...form.fields };
    // A type chosen without its subject (possible without JavaScript) implies the subject; show it.
    if (!values.subject && values.violationType?.includes(":")) values.subject = values.violationType.split(":")[0]!;
    try {
      const valid = await validateSubmission(deps, formToReportInput(form.fields), form.files, locale);
      // Counted in submitReport's own read batch (one round trip less per tip).
      const submitted = await submitReport(deps, { report: valid.report, files: valid.files, channel: "web", locale, throttle: true, clientAddress: deps.clientAddress(c) });
      return c.html(<ReceiptPage locale={locale} path="/status" submitted={submitted} />);
    } catch (err) {
      if (err instanceof AppError && err.code === "validation_failed")
        return c.html(<ReportFormPage {...formProps(c, values, err.options.fields ?? {}, form.files.length > 0)} />, 400);
      throw err;
    }
  });

  pages.get("/status", (c) => c.html(<ReceiptEntryPage locale={c.var.locale} path="/status" />));

  async function withReport(c: AppContext, receiptRaw: string | undefined) {
    const { deps, locale } = c.var;
    const parsed = receiptSchema.safeParse(receiptRaw ?? "");
    if (!parsed.success) throw new AppError("validation_failed", "bad receipt", { fields: localiseIssues(parsed.error.issues, locale) });
    return authenticateReceipt(deps, parsed.data, deps.clientAddress(c));
  }

  async function renderStatus(c: AppContext, receipt: string, extra: { notice?: string; error?: string } = {}, status: 200 | 400 | 409 = 200) {
    const { deps, locale } = c.var;
    const report = await withReport(c, receipt);
    const view = await getStatusView(deps, report);
    return c.html(<StatusPage locale={locale} path="/status" view={view} receipt={receipt} maxAttachments={deps.config.MAX_ATTACHMENTS} {...extra} />, status);
  }

  pages.post("/status", async (c) => {
    requireBodyKind(c, ["multipart", "form"]);
    const { fields } = await readForm(c);
    const receipt = fields.receipt ?? "";
    try {
      return await renderStatus(c, receipt);
    } catch (err) {
      return receiptErrorPage(c, err, receipt);
    }
  });

  pages.post("/status/reply", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["multipart", "form"]);
    const { fields } = await readForm(c);
    const receipt = fields.receipt ?? "";
    try {
      const report = await withReport(c, receipt);
      const body = (fields.body ?? "").trim();
      if (!body) return await renderStatus(c, receipt, { error: t(locale, "validation.required") }, 400);
      if (body.length > 3000) return await renderStatus(c, receipt, { error: t(locale, "validation.too_long", { max: 3000 }) }, 400);
      try {
        await addReporterMessage(deps, report, { body, inReplyTo: fields.inReplyTo || undefined, channel: "web" });
      } catch (err) {
        if (err instanceof AppError && err.code === "report_closed") return await renderStatus(c, receipt, { error: t(locale, "errors.report_closed") }, 409);
        throw err;
      }
      return await renderStatus(c, receipt, { notice: t(locale, "status.sent") });
    } catch (err) {
      return receiptErrorPage(c, err, receipt);
    }
  });

  pages.post("/status/evidence", async (c) => {
    const { deps, locale } = c.var;
    requireBodyKind(c, ["multipart"]);
    const form = await readForm(c);
    const receipt = form.fields.receipt ?? "";
    try {
      const report = await withReport(c, receipt);
      if (form.files.length === 0) return await renderStatus(c, receipt, { error: t(locale, "validation.required") }, 400);
      let files;
      try {
        files = await validateEvidence(deps, form.files, locale);
        await addReporterEvidence(deps, report, { files, channel: "web" });
      } catch (err) {
        if (err instanceof AppError && err.code === "validation_failed")
          return await renderStatus(c, receipt, { error: Object.values(err.options.fields ?? {})[0] ?? t(locale, "errors.validation_failed") }, 400);
        if (err instanceof AppError && err.code === "report_closed") return await renderStatus(c, receipt, { error: t(locale, "errors.report_closed") }, 409);
        throw err;
      }
      return await renderStatus(c, receipt, { notice: t(locale, "status.evidence_added", { count: files.length }) });
    } catch (err) {
      return receiptErrorPage(c, err, receipt);
    }
  });

  return pages;
}
