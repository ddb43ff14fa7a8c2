// The status session behind a receipt: the receipt checked (and counted) on each step, kept in a sealed
// cookie, and the status page rendered with its tokens, files, progress and reward.
import { t } from "../../i18n";
import { localiseIssues } from "../../i18n/validation";
import { receiptSchema } from "../../core/report-input";
import { AppError } from "../../services/errors";
import { authenticateReceipt, statusViewWithReward } from "../../services/intake/reports";
import { issueFormToken } from "../../services/intake/submission-keys";
import { readSealedCookie, STATUS_COOKIE } from "./sealed-cookie";
import type { AppContext } from "../context";
import { ReceiptEntryPage, StatusPage } from "./status";
import type { RewardFormState } from "./reward-section";
import { citizenProgress, decisionOf } from "../../core/citizen-progress";
import { currentOrg } from "../../services/org/org-cache";
import { listReporterFiles } from "../../services/intake/citizen-files";
import { recordDecisionNoticeSeen } from "../../services/leads/decision-notice";
import { pageBase } from "./page-kit";

export async function withReport(c: AppContext, receiptRaw: string | undefined) {
  const { deps, locale } = c.var;
  const parsed = receiptSchema.safeParse(receiptRaw ?? "");
  if (!parsed.success) throw new AppError("validation_failed", "bad receipt", { fields: localiseIssues(parsed.error.issues, locale) });
  return authenticateReceipt(deps, parsed.data, deps.clientAddress(c));
}

/** The receipt the status pages were opened with (encrypted cookie), or null once it has expired. */
export const sessionReceipt = async (c: AppContext) => (await readSealedCookie<{ receipt: string }>(c, STATUS_COOKIE))?.receipt ?? null;
export const statusView = (c: AppContext, done?: string) => c.redirect(`/status/view?lang=${c.var.locale}${done ? `&done=${done}` : ""}`, 303);
export const sessionEnded = (c: AppContext) => c.html(<ReceiptEntryPage {...pageBase(c, "/status")} notice={t(c.var.locale, "status.session_ended")} />, 401);

export async function renderStatus(c: AppContext, receipt: string, extra: { notice?: string; error?: string; rewardForm?: RewardFormState } = {}, status: 200 | 400 | 409 | 429 = 200) {
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
    reward: reward
      ? {
          status: reward.status,
          amountFen: reward.amountFen,
          deadline: new Date(reward.deadline),
          paidAt: reward.paidAt ? new Date(reward.paidAt) : null,
          reconsiderationUntil: reward.reconsiderationUntil ? new Date(reward.reconsiderationUntil) : null,
        }
      : null,
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

/** A reply or upload over its quota: the status page again, saying when to try, typed text lost on purpose. */
export async function quotaReached(c: AppContext, receipt: string, err: AppError) {
  c.header("Retry-After", String(err.options.retryAfterSeconds ?? 60));
  return renderStatus(c, receipt, { error: t(c.var.locale, err.options.messageKey ?? "errors.rate_limited") }, 429);
}
