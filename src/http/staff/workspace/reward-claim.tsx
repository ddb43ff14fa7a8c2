// One reward claim (/staff/rewards/<claim-id>): its computation (verified amount, policy, bands, floor or
// cap), its steps and notes, and the reviewers' actions — approve, reject with a reason, ask the
// claimant, pay with a reference, exclude, add a later tip — through the same use cases as chat
// (review-actions.ts), actor platform `web` with the session as reference. Each form carries the claim
// version it was rendered at and a one-time key, so a form sent twice takes effect once. Finance's view
// of the claimant is a POST with a reason (logged before anything is shown), answered in the page only.
import { Hono } from "hono";
import { z } from "zod";
import { EXCLUSION_REASONS, type RewardStatus } from "../../../core/rewards/claims";
import { formatYuan } from "../../../core/rewards/compute";
import type { Locale } from "../../../core/report-input";
import { shanghaiDateTime } from "../../../core/time";
import { computationLines, rewardPolicyName } from "../../../services/rewards/reward-cards";
import { t } from "../../../i18n";
import { RewardRefused, type ReviewAction } from "../../../services/rewards/claim-steps";
import { addRewardTip, reviewRewardClaim, viewRewardClaimant } from "../../../services/rewards/review-actions";
import { rewardClaimPage, type RewardClaimPage } from "../../../services/rewards/review-queue";
import { AppError, codeToStatus } from "../../../services/errors";
import { readForm } from "../../body";
import type { AppContext, AppEnv } from "../../context";
import { staffOf } from "./session";
import { WorkspaceLayout } from "./workspace-layout";
import { formKeySchema, newFormKey } from "./form-key";

/** An amount of fen the way each language writes money: "1,234.56 元" / "CNY 1,234.56". */
export const yuanText = (fen: number, locale: Locale) => (locale === "en" ? `CNY ${formatYuan(fen)}` : `${formatYuan(fen)} 元`);

export const whenText = (ms: number) => shanghaiDateTime(new Date(ms));

const claimIdSchema = z.string().regex(/^rwd_[A-Za-z0-9]{1,40}$/);
const keySchema = formKeySchema;
const textSchema = z.string().trim().min(1).max(2000);

const stepForm = z.discriminatedUnion("action", [
  z.object({ action: z.literal("approve"), key: keySchema, version: z.coerce.number().int().min(1) }),
  z.object({ action: z.enum(["reject", "ask", "pay"]), key: keySchema, version: z.coerce.number().int().min(1), text: textSchema }),
  z.object({ action: z.literal("exclude"), key: keySchema, version: z.coerce.number().int().min(1), text: textSchema, code: z.enum(EXCLUSION_REASONS) }),
]);
const addTipForm = z.object({ key: keySchema, tip: z.coerce.number().int().min(1).max(100_000), text: textSchema });
const claimantForm = z.object({ reason: z.string().trim().min(1).max(500) });

/** A fresh one-time key for a form (the dedupe key of what it does). */

/** Which step forms a claim in this status offers (as the chat card's buttons, plus exclusion). */
function offeredActions(status: RewardStatus, role: string): ReviewAction[] {
  const coordinator = role === "coordinator";
  switch (status) {
    case "claimed":
    case "reconsideration":
      return coordinator ? ["approve", "reject", "ask", "exclude"] : ["approve", "reject", "ask"];
    case "coordinator_approved":
      return ["approve", "reject", "ask"];
    case "approved":
      return ["pay"];
    case "eligible":
    case "question":
      return coordinator ? (status === "question" ? ["reject", "exclude"] : ["exclude"]) : status === "question" ? ["reject"] : [];
    default:
      return [];
  }
}

/** A refusal in words: what is missing and who can take the step. */
function refusalText(locale: Locale, err: AppError, action: string, page: RewardClaimPage | null): string {
  const status = page?.claim.status ?? "";
  const statusText = status ? t(locale, `reward.status.${status}`) : "";
  if (err instanceof RewardRefused) {
    const r = err.refusal;
    if (action === "approve" && (r === "same_approver" || (r === "role_not_allowed" && page?.firstApprover))) return t(locale, "workspace.rewards.refused.second_same_person");
    if (r === "same_chat_account") return t(locale, "workspace.rewards.refused.same_chat_account");
    if (r === "role_not_allowed") {
      if (action === "approve") return t(locale, status === "coordinator_approved" ? "workspace.rewards.refused.second_is_finance" : "workspace.rewards.refused.first_is_coordinator");
      if (action === "pay") return t(locale, "workspace.rewards.refused.pay_is_finance");
      if (action === "exclude" || action === "add_tip") return t(locale, "workspace.rewards.refused.coordinator_only");
      if (action === "view_claimant") return t(locale, "workspace.rewards.refused.claimant_finance_only");
      return t(locale, "workspace.rewards.forbidden");
    }
    if (r === "not_allowed_now") return t(locale, "workspace.rewards.refused.not_now", { status: statusText });
  }
  if (err.options.messageKey === "errors.reward_changed_meanwhile") return t(locale, "workspace.rewards.refused.changed", { status: statusText });
  return t(locale, err.options.messageKey ?? `errors.${err.code}`, err.options.params);
}

interface PageState {
  /** A refusal or validation message above the forms. */
  alert?: string;
  /** A step just taken (after the 303). */
  done?: string;
  /** Finance's audited view, shown only in the answer to its POST. */
  claimant?: Awaited<ReturnType<typeof viewRewardClaimant>>;
}

function Summary(props: { locale: Locale; p: RewardClaimPage }) {
  const { locale, p } = props;
  const c = p.claim;
  const row = (label: string, value: unknown, testId?: string) => (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </>
  );
  return (
    <dl class="summary" data-testid="claim-summary">
      {row(t(locale, "reward.field.status"), t(locale, `reward.status.${c.status}`), "claim-status")}
      {row(
        t(locale, "reward.field.lead"),
        <>
          <a href={`/staff/leads/${c.leadId}`}>{c.leadId}</a>
          {p.lead?.outcome ? ` · ${t(locale, `report_outcome.${p.lead.outcome}`)}` : ""}
        </>,
      )}
      {row(t(locale, "reward.field.verified"), yuanText(c.verifiedAmountFen, locale))}
      {row(t(locale, "reward.field.policy"), rewardPolicyName(c.policyId, locale))}
      {row(t(locale, "reward.field.amount"), yuanText(c.amountFen, locale), "claim-amount")}
      {row(t(locale, "reward.field.deadline"), whenText(c.claimDeadline))}
      {c.insider ? row(t(locale, "reward.field.insider"), t(locale, "reward.yes")) : null}
      {c.payoutMethod ? row(t(locale, "reward.field.payout"), t(locale, `reward.payout.${c.payoutMethod}`)) : null}
      {c.exclusionReason ? row(t(locale, "workspace.rewards.exclusion"), t(locale, `reward.exclusion.${c.exclusionReason}`)) : null}
    </dl>
  );
}

/** The steps so far, each with who took it (by name) and when. */
function Steps(props: { locale: Locale; p: RewardClaimPage }) {
  const { locale, p } = props;
  const c = p.claim;
  const items: { at: number; text: string }[] = [{ at: c.noticeAt, text: t(locale, p.names.addedBy ? "workspace.rewards.step_added" : "workspace.rewards.step_eligible", { name: p.names.addedBy ?? "" }) }];
  if (c.claimedAt) items.push({ at: c.claimedAt, text: t(locale, "workspace.rewards.step_claimed") });
  if (c.coordinatorApprovedAt) items.push({ at: c.coordinatorApprovedAt, text: t(locale, "workspace.rewards.step_first_approval", { name: p.names.coordinatorApproval ?? "—" }) });
  if (c.financeApprovedAt) items.push({ at: c.financeApprovedAt, text: t(locale, "workspace.rewards.step_second_approval", { name: p.names.financeApproval ?? "—" }) });
  if (c.paidAt) items.push({ at: c.paidAt, text: t(locale, "workspace.rewards.step_paid", { name: p.names.paidBy ?? "—" }) });
  for (const n of p.notes)
    items.push({ at: n.at, text: `${t(locale, `workspace.rewards.note.${n.kind}`)} (${n.authorName ?? t(locale, "workspace.rewards.claimant")}): ${n.body}` });
  items.sort((a, b) => a.at - b.at);
  return (
    <ol class="timeline" data-testid="claim-steps">
      {items.map((i) => (
        <li>
          <time>{whenText(i.at)}</time> {i.text}
        </li>
      ))}
    </ol>
  );
}

function StepForm(props: { locale: Locale; p: RewardClaimPage; action: ReviewAction }) {
  const { locale, p, action } = props;
  const id = (name: string) => `${action}-${name}`;
  const second = action === "approve" && p.claim.status === "coordinator_approved";
  return (
    <form method="post" action={`/staff/rewards/${p.claim.id}`} class="action" data-testid={`form-${action}`}>
      <input type="hidden" name="action" value={action} />
      <input type="hidden" name="version" value={String(p.claim.version)} />
      <input type="hidden" name="key" value={newFormKey()} />
      {action === "exclude" ? (
        <>
          <label for={id("code")}>{t(locale, "workspace.rewards.exclusion")}</label>
          <select id={id("code")} name="code" required>
            {EXCLUSION_REASONS.map((r) => (
              <option value={r}>{t(locale, `reward.exclusion.${r}`)}</option>
            ))}
          </select>
        </>
      ) : null}
      {action !== "approve" ? (
        <>
          <label for={id("text")}>{t(locale, `workspace.rewards.text_${action}`)}</label>
          <textarea id={id("text")} name="text" required maxlength={2000} rows={2}></textarea>
        </>
      ) : null}
      <button class={`button${action === "approve" || action === "pay" ? " primary" : ""}`} type="submit">
        {t(locale, second ? "workspace.rewards.do_second_approve" : `workspace.rewards.do_${action}`)}
      </button>
    </form>
  );
}

async function claimPage(c: AppContext, claimId: string, state: PageState, status: 200 | 400 | 403 | 404 | 409 = 200) {
  const staff = staffOf(c);
  const { member, locale } = staff;
  const p = await rewardClaimPage(c.var.deps, member, claimId);
  const title = t(locale, "workspace.rewards.claim_title", { id: p.claim.id });
  const actions = offeredActions(p.claim.status as RewardStatus, member.role);
  return c.html(
    <WorkspaceLayout c={c} title={title} active="rewards">
      <p>
        <a href="/staff/rewards">{t(locale, "workspace.rewards.back")}</a>
      </p>
      <h1>{title}</h1>
      {state.done ? (
        <p class="notice" role="status" data-testid="notice">
          {state.done}
        </p>
      ) : null}
      {state.alert ? (
        <p class="alert" role="alert" data-testid="refusal">
          {state.alert}
        </p>
      ) : null}
      {p.waitingForMe ? <p class="notice" data-testid="your-step">{t(locale, "workspace.rewards.your_step")}</p> : null}
      {p.firstApprover && p.claim.status === "coordinator_approved" ? <p class="hint" data-testid="first-approver">{t(locale, "workspace.rewards.you_approved_first")}</p> : null}
      <Summary locale={locale} p={p} />
      <h2>{t(locale, "workspace.rewards.computation")}</h2>
      <ol data-testid="computation">
        {computationLines(p.steps, locale).map((line) => (
          <li>{line}</li>
        ))}
      </ol>
      {p.capApplied ? <p class="hint">{t(locale, "workspace.rewards.cap_applied")}</p> : null}
      {p.floorApplied ? <p class="hint">{t(locale, "workspace.rewards.floor_applied")}</p> : null}
      <h2>{t(locale, "workspace.rewards.steps")}</h2>
      <Steps locale={locale} p={p} />
      {actions.length ? (
        <section aria-labelledby="actions-h">
          <h2 id="actions-h">{t(locale, "workspace.rewards.actions")}</h2>
          {actions.map((a) => (
            <StepForm locale={locale} p={p} action={a} />
          ))}
        </section>
      ) : null}
      {p.otherTips.length ? (
        <section aria-labelledby="add-tip-h">
          <h2 id="add-tip-h">{t(locale, "workspace.rewards.add_tip_title")}</h2>
          <p class="hint">{t(locale, "workspace.rewards.add_tip_hint")}</p>
          <form method="post" action={`/staff/rewards/${p.claim.id}/add-tip`} data-testid="form-add-tip">
            <input type="hidden" name="key" value={newFormKey()} />
            <label for="add-tip-no">{t(locale, "workspace.rewards.add_tip_no")}</label>
            <select id="add-tip-no" name="tip" required>
              {p.otherTips.map((n) => (
                <option value={String(n)}>#{n}</option>
              ))}
            </select>
            <label for="add-tip-text">{t(locale, "workspace.rewards.text_add_tip")}</label>
            <textarea id="add-tip-text" name="text" required maxlength={2000} rows={2}></textarea>
            <button class="button" type="submit">
              {t(locale, "workspace.rewards.do_add_tip")}
            </button>
          </form>
        </section>
      ) : null}
      {member.role === "finance" && p.claimed ? (
        <section aria-labelledby="claimant-h">
          <h2 id="claimant-h">{t(locale, "workspace.rewards.claimant_title")}</h2>
          {state.claimant ? (
            <dl class="summary" data-testid="claimant">
              <dt>{t(locale, "form.name")}</dt>
              <dd>{state.claimant.identity.name}</dd>
              <dt>{t(locale, "form.id_number")}</dt>
              <dd>{state.claimant.identity.idNumber}</dd>
              <dt>{t(locale, "form.phone")}</dt>
              <dd>{state.claimant.identity.phone}</dd>
              <dt>{t(locale, "reward.field.payout")}</dt>
              <dd>
                {state.claimant.payout.method ? t(locale, `reward.payout.${state.claimant.payout.method}`) : "—"} · {state.claimant.payout.account}
                {state.claimant.payout.bankName ? ` · ${state.claimant.payout.bankName}` : ""}
              </dd>
            </dl>
          ) : (
            <form method="post" action={`/staff/rewards/${p.claim.id}/claimant`} data-testid="form-claimant">
              <p class="hint">{t(locale, "workspace.rewards.claimant_hint")}</p>
              <label for="claimant-reason">{t(locale, "workspace.rewards.claimant_reason")}</label>
              <input id="claimant-reason" name="reason" type="text" required maxlength={500} />
              <button class="button" type="submit">
                {t(locale, "workspace.rewards.do_view_claimant")}
              </button>
            </form>
          )}
        </section>
      ) : null}
    </WorkspaceLayout>,
    status,
  );
}

/** A refused or invalid post: the page again with the reason, nothing changed. */
async function refusedPage(c: AppContext, claimId: string, err: unknown, action: string) {
  if (!(err instanceof AppError) || err.code === "not_found") throw err;
  const staff = staffOf(c);
  const page = await rewardClaimPage(c.var.deps, staff.member, claimId).catch(() => null);
  if (!page) throw err;
  const status = codeToStatus(err.code);
  return claimPage(c, claimId, { alert: refusalText(staff.locale, err, action, page) }, status === 403 || status === 409 || status === 400 ? status : 409);
}

const invalid = () => new AppError("validation_failed", "invalid form", { messageKey: "workspace.rewards.invalid_form" });

export function createRewardClaimRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  const claimIdOf = (c: AppContext): string => {
    const parsed = claimIdSchema.safeParse(c.req.param("claimId"));
    if (!parsed.success) throw new AppError("not_found", "no such reward claim", { messageKey: "errors.reward_claim_unknown" });
    return parsed.data;
  };

  routes.get("/:claimId", async (c) => {
    const claimId = claimIdOf(c);
    const { locale } = staffOf(c);
    const done = c.req.query("done");
    const doneText = done && /^[a-z_]{1,20}$/.test(done) ? t(locale, `workspace.rewards.done.${done}`) : undefined;
    return claimPage(c, claimId, doneText && !doneText.startsWith("workspace.") ? { done: doneText } : {});
  });

  routes.post("/:claimId", async (c) => {
    const claimId = claimIdOf(c);
    const { member, sessionId } = staffOf(c);
    const { fields } = await readForm(c);
    const parsed = stepForm.safeParse(fields);
    if (!parsed.success) return refusedPage(c, claimId, invalid(), String(fields.action ?? ""));
    const form = parsed.data;
    try {
      await reviewRewardClaim(c.var.deps, {
        claimId,
        action: form.action,
        member,
        platform: "web",
        platformRef: sessionId,
        form: { version: form.version, key: form.key },
        ...("text" in form ? { text: form.text } : {}),
        ...(form.action === "exclude" ? { exclusionReason: form.code } : {}),
      });
    } catch (err) {
      return refusedPage(c, claimId, err, form.action);
    }
    return c.redirect(`/staff/rewards/${claimId}?done=${form.action}`, 303);
  });

  routes.post("/:claimId/add-tip", async (c) => {
    const claimId = claimIdOf(c);
    const { member, sessionId } = staffOf(c);
    const { fields } = await readForm(c);
    const parsed = addTipForm.safeParse(fields);
    if (!parsed.success) return refusedPage(c, claimId, invalid(), "add_tip");
    const page = await rewardClaimPage(c.var.deps, member, claimId);
    try {
      const added = await addRewardTip(c.var.deps, { leadId: page.claim.leadId, tipNo: parsed.data.tip, reason: parsed.data.text, member, platform: "web", platformRef: sessionId, dedupeKey: `web:${parsed.data.key}` });
      return c.redirect(`/staff/rewards/${added.id}?done=add_tip`, 303);
    } catch (err) {
      return refusedPage(c, claimId, err, "add_tip");
    }
  });

  routes.post("/:claimId/claimant", async (c) => {
    const claimId = claimIdOf(c);
    const { member, sessionId, locale } = staffOf(c);
    const { fields } = await readForm(c);
    const parsed = claimantForm.safeParse(fields);
    if (!parsed.success) return refusedPage(c, claimId, invalid(), "view_claimant");
    try {
      const seen = await viewRewardClaimant(c.var.deps, { claimId, member, platform: "web", platformRef: sessionId, reason: parsed.data.reason });
      return claimPage(c, claimId, seen ? { claimant: seen } : { alert: t(locale, "workspace.rewards.not_claimed") });
    } catch (err) {
      return refusedPage(c, claimId, err, "view_claimant");
    }
  });

  return routes;
}
