// The reward part of the tipster's status page (举报奖励): the notice with the provisional amount, what is
// needed and the claim deadline; the claim form (real identity and payout details, sent only here);
// the reviewers' question to answer; one reconsideration after a rejection; each step's state.
import type { PayoutMethod } from "../../core/rewards/claim-input";
import { formatMoney } from "../../core/money";
import type { Locale } from "../../core/report-input";
import { shanghaiDate, shanghaiDateTime } from "../../core/time";
import { t } from "../../i18n";
import type { RewardView } from "../../services/rewards/claims";
import { computationLines, rewardPolicyName } from "../../services/rewards/reward-cards";
import { Field } from "./layout";

export interface RewardFormState {
  values?: Record<string, string>;
  errors?: Record<string, string>;
}

const describedBy = (id: string, errors: Record<string, string>, key: string, hint = false) =>
  [hint ? `${id}-hint` : "", errors[key] ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

export function RewardSection(props: { locale: Locale; reward: RewardView; methods: readonly PayoutMethod[]; form?: RewardFormState }) {
  const { locale, reward } = props;
  const values = props.form?.values ?? {};
  const errors = props.form?.errors ?? {};
  const input = (id: string, name: string, key: string, extra: Record<string, unknown> = {}, hint = false) => (
    <input id={id} name={name} value={values[name] ?? ""} aria-invalid={errors[key] ? "true" : undefined} aria-describedby={describedBy(id, errors, key, hint)} {...extra} />
  );
  const deadline = shanghaiDateTime(new Date(reward.deadline));
  return (
    <section id="reward" data-testid="reward" data-status={reward.status}>
      <h2>{t(locale, "reward.page.title")}</h2>
      <p data-testid="reward-state">{t(locale, `reward.status.${reward.status}`)}</p>
      <dl class="summary">
        <dt>{t(locale, "reward.field.amount")}</dt>
        <dd data-testid="reward-amount">
          {formatMoney(reward.amountFen, locale)}
          {reward.status === "eligible" || reward.status === "claimed" ? ` (${t(locale, "reward.page.provisional")})` : ""}
        </dd>
        {reward.status === "paid" && reward.paidAt ? (
          <>
            <dt>{t(locale, "citizen.reward_paid_on")}</dt>
            <dd data-testid="reward-paid-on">
              <time datetime={reward.paidAt}>{shanghaiDate(new Date(reward.paidAt))}</time>
            </dd>
          </>
        ) : null}
        <dt>{t(locale, "reward.field.policy")}</dt>
        <dd>{rewardPolicyName(reward.policy.id, locale)}</dd>
        {reward.status === "eligible" ? (
          <>
            <dt>{t(locale, "reward.field.deadline")}</dt>
            <dd data-testid="reward-deadline">{deadline}</dd>
          </>
        ) : null}
      </dl>
      <details>
        <summary>{t(locale, "reward.page.how_computed")}</summary>
        <ul>
          {computationLines(reward.steps, locale).map((line) => (
            <li>{line}</li>
          ))}
        </ul>
      </details>

      {reward.status === "eligible" ? (
        <>
          {reward.deadlineWarning ? (
            <p class="alert" role="alert" data-testid="reward-deadline-warning">
              {t(locale, "reward.page.deadline_warning", { deadline })}
            </p>
          ) : null}
          <p>{t(locale, "reward.page.eligible_text", { deadline })}</p>
          <p class="hint">{t(locale, "reward.page.identity_note")}</p>
          <form method="post" action={`/status/reward/claim?lang=${locale}`} id="reward-claim-form" novalidate>
            <input type="hidden" name="lang" value={locale} />
            <fieldset>
              <legend>{t(locale, "reward.page.identity")}</legend>
              <Field id="claim-name" label={t(locale, "form.name")} required error={errors["identity.name"]}>
                {input("claim-name", "name", "identity.name", { type: "text", required: true, maxlength: 50, autocomplete: "name" })}
              </Field>
              <Field id="claim-id-number" label={t(locale, "form.id_number")} required error={errors["identity.idNumber"]}>
                {input("claim-id-number", "idNumber", "identity.idNumber", { type: "text", required: true, maxlength: 18, autocomplete: "off", spellcheck: false })}
              </Field>
              <Field id="claim-phone" label={t(locale, "form.phone")} required error={errors["identity.phone"]}>
                {input("claim-phone", "phone", "identity.phone", { required: true, type: "tel", maxlength: 20, autocomplete: "tel" })}
              </Field>
            </fieldset>
            <fieldset>
              <legend>{t(locale, "reward.page.payout")}</legend>
              <Field id="claim-method" label={t(locale, "reward.field.payout")} required error={errors["payout.method"]}>
                <select id="claim-method" name="method" aria-invalid={errors["payout.method"] ? "true" : undefined} aria-describedby={describedBy("claim-method", errors, "payout.method")}>
                  {props.methods.map((m) => (
                    <option value={m} selected={(values.method ?? props.methods[0]) === m}>
                      {t(locale, `reward.payout.${m}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id="claim-account" label={t(locale, "reward.page.account")} required hint={t(locale, "reward.page.account_hint")} error={errors["payout.account"]}>
                {input("claim-account", "account", "payout.account", { type: "text", required: true, maxlength: 64, autocomplete: "off", inputmode: "text" }, true)}
              </Field>
              <Field id="claim-bank" label={t(locale, "reward.page.bank_name")} hint={t(locale, "reward.page.bank_name_hint")} error={errors["payout.bankName"]}>
                {input("claim-bank", "bankName", "payout.bankName", { type: "text", maxlength: 100, autocomplete: "off" }, true)}
              </Field>
            </fieldset>
            <button type="submit" class="button primary" id="claim-reward">
              {t(locale, "reward.page.claim")}
            </button>
          </form>
        </>
      ) : null}

      {reward.status === "question" && reward.question ? (
        <>
          <p class="notice" data-testid="reward-question">
            {t(locale, "reward.page.question")}: {reward.question}
          </p>
          <form method="post" action={`/status/reward/answer?lang=${locale}`} id="reward-answer-form">
            <input type="hidden" name="lang" value={locale} />
            <Field id="reward-answer" label={t(locale, "reward.page.answer")} required error={errors.text}>
              <textarea id="reward-answer" name="text" rows={3} required maxlength={2000} aria-invalid={errors.text ? "true" : undefined} aria-describedby={errors.text ? "reward-answer-error" : undefined}>
                {values.text ?? ""}
              </textarea>
            </Field>
            <button type="submit" class="button primary" id="answer-reward">
              {t(locale, "status.send")}
            </button>
          </form>
        </>
      ) : null}

      {reward.status === "rejected" ? (
        <>
          {reward.notes
            .filter((n) => n.kind === "reject_reason")
            .slice(-1)
            .map((n) => (
              <p data-testid="reward-reject-reason">
                {t(locale, "reward.page.reject_reason")}: {n.body}
              </p>
            ))}
          {reward.reconsiderationUntil ? (
            <form method="post" action={`/status/reward/reconsider?lang=${locale}`} id="reward-reconsider-form">
              <input type="hidden" name="lang" value={locale} />
              <Field id="reward-reconsider" label={t(locale, "reward.page.reconsider")} required hint={t(locale, "reward.page.reconsider_hint", { until: shanghaiDateTime(new Date(reward.reconsiderationUntil)) })} error={errors.text}>
                <textarea id="reward-reconsider" name="text" rows={3} required maxlength={2000} aria-invalid={errors.text ? "true" : undefined} aria-describedby={errors.text ? "reward-reconsider-hint reward-reconsider-error" : "reward-reconsider-hint"}>
                  {values.text ?? ""}
                </textarea>
              </Field>
              <button type="submit" class="button" id="reconsider-reward">
                {t(locale, "reward.page.reconsider_submit")}
              </button>
            </form>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
