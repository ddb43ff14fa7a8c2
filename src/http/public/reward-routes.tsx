// The reward steps from the status page: claim, answer a question, ask for reconsideration (PRG).
import { Hono } from "hono";
import { shanghaiDate } from "../../core/time";
import { t } from "../../i18n";
import { localiseIssues } from "../../i18n/validation";
import { AppError } from "../../services/errors";
import { readForm, requireBodyKind } from "../body";
import type { AppContext, AppEnv } from "../context";
import { type ReportRow } from "../../services/intake/receipt-summary";
import { rewardClaimBodySchema, rewardNoteSchema } from "../../core/rewards/claim-input";
import { answerRewardQuestion, requestReconsideration, submitRewardClaim } from "../../services/rewards/claims";
import { receiptErrorPage } from "./page-kit";
import { renderStatus, sessionEnded, sessionReceipt, statusView, withReport } from "./status-session";

export function createRewardRoutes() {
  const routes = new Hono<AppEnv>();
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

  routes.post("/status/reward/claim", (c) =>
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
  routes.post("/status/reward/answer", (c) => rewardStep(c, async (report, f) => void (await answerRewardQuestion(c.var.deps, report, rewardText(c, f), "web")), "reward_answered", (f) => ({ text: f.text ?? "" })));
  routes.post("/status/reward/reconsider", (c) =>
    rewardStep(c, async (report, f) => void (await requestReconsideration(c.var.deps, report, rewardText(c, f), "web")), "reward_reconsider", (f) => ({ text: f.text ?? "" })),
  );

  return routes;
}
