// The status pages behind a receipt: the receipt form, the session (sealed cookie), the status view,
// reply and evidence upload. Reward steps are in reward-routes.tsx.
import { Hono } from "hono";
import { t, tn } from "../../i18n";
import { normaliseReceipt } from "../../core/receipt";
import { AppError } from "../../services/errors";
import { validateEvidence } from "../../services/intake/validate-submission";
import { addReporterEvidence, addReporterMessage } from "../../services/intake/reports";
import { findSubmission, formTokenKey, isSubmissionKeyConflict, submissionKeyStatement } from "../../services/intake/submission-keys";
import { clearSealedCookie, setSealedCookie, STATUS_COOKIE } from "./sealed-cookie";
import { readForm, requireBodyKind } from "../body";
import type { AppEnv } from "../context";
import { ReceiptEntryPage } from "./status";
import { createStaticPageCache, pageBase, receiptErrorPage } from "./page-kit";
import { quotaReached, renderStatus, sessionEnded, sessionReceipt, statusView, withReport } from "./status-session";

export function createStatusRoutes() {
  const routes = new Hono<AppEnv>();
  const cachedPage = createStaticPageCache();
  routes.get("/status", (c) => cachedPage(c, "status", () => <ReceiptEntryPage {...pageBase(c, "/status")} />));

  routes.post("/status", async (c) => {
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

  routes.get("/status/view", async (c) => {
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
          ? tn(locale, "citizen.evidence_added", Number.isInteger(count) && count > 0 ? count : 1)
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

  routes.post("/status/leave", (c) => {
    clearSealedCookie(c, STATUS_COOKIE);
    return c.redirect(`/status?lang=${c.var.locale}`, 303);
  });

  routes.post("/status/reply", async (c) => {
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

  routes.post("/status/evidence", async (c) => {
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


  return routes;
}
