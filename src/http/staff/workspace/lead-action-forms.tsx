// The lead page's forms: one per step the member may take now (the chat card's buttons for the lead's
// state, and reassigning for team leads and coordinators). Every form posts to <lead>/actions with its
// own random `key`, made as the page renders: sent twice, it takes effect once.
import { measureLabel, MEASURES } from "../../../core/measures";
import type { Locale } from "../../../core/report-input";
import { t } from "../../../i18n";
import type { LeadView } from "../../../services/cases/lead-view";
import { newFormKey } from "./form-key";


function ActionForm(props: { base: string; action: string; label: string; primary?: boolean; children?: unknown }) {
  return (
    <form method="post" action={`${props.base}/actions`} class="lead-action" data-action={props.action}>
      <input type="hidden" name="action" value={props.action} />
      <input type="hidden" name="key" value={newFormKey()} />
      {props.children as never}
      <button class={props.primary ? "button primary" : "button"} type="submit">
        {props.label}
      </button>
    </form>
  );
}

function TipSelect(props: { locale: Locale; v: LeadView; id: string; optional?: boolean }) {
  const { locale, v } = props;
  if (v.tips.length <= 1 && !props.optional) return <input type="hidden" name="tip" value="1" />;
  if (v.tips.length <= 1) return null;
  return (
    <>
      <label for={props.id}>{t(locale, props.optional ? "workspace.leads.decline_which" : "workspace.leads.ask_which")}</label>
      <select id={props.id} name="tip" required={!props.optional}>
        {props.optional ? <option value="">{t(locale, "workspace.leads.decline_whole")}</option> : null}
        {v.tips.map((tip) => (
          <option value={String(tip.tipNo)}>{t(locale, "workspace.leads.tip_option", { no: tip.tipNo })}</option>
        ))}
      </select>
    </>
  );
}

export function LeadActionForms(props: { locale: Locale; v: LeadView; base: string }) {
  const { locale, v, base } = props;
  const a = v.actions;
  const id = (s: string) => `${s}-${v.lead.id}`;
  if (!Object.values(a).some(Boolean)) return <p data-testid="no-actions">{t(locale, "workspace.leads.no_actions")}</p>;
  return (
    <div class="lead-actions" data-testid="lead-actions">
      {a.acknowledge ? <ActionForm base={base} action="acknowledge" label={t(locale, "chat.btn.ack")} primary /> : null}
      {a.accept ? <ActionForm base={base} action="accept" label={t(locale, "chat.btn.accept")} primary={!a.acknowledge} /> : null}
      {a.investigate ? <ActionForm base={base} action="investigate" label={t(locale, "chat.btn.investigate")} primary /> : null}
      {a.decline ? (
        <ActionForm base={base} action="decline" label={t(locale, "chat.btn.decline")}>
          <TipSelect locale={locale} v={v} id={id("decline-tip")} optional />
          <label for={id("decline-reason")}>{t(locale, "workspace.leads.decline_reason_label")}</label>
          <textarea id={id("decline-reason")} name="reason" required maxlength={2000} rows={3} aria-describedby={id("decline-hint")}></textarea>
          <span class="hint" id={id("decline-hint")}>
            {t(locale, "workspace.leads.decline_hint")}
          </span>
        </ActionForm>
      ) : null}
      {a.conclude ? (
        <ActionForm base={base} action="conclude" label={t(locale, "workspace.leads.conclude")}>
          <label for={id("outcome")}>{t(locale, "workspace.leads.outcome")}</label>
          <select id={id("outcome")} name="outcome" required>
            {(["substantiated", "partly_substantiated", "unsubstantiated"] as const).map((o) => (
              <option value={o}>{t(locale, `report_outcome.${o}`)}</option>
            ))}
          </select>
          <label for={id("amount")}>{t(locale, "workspace.leads.amount_label")}</label>
          <input id={id("amount")} name="amount" type="text" inputmode="decimal" maxlength={40} aria-describedby={id("amount-hint")} />
          <span class="hint" id={id("amount-hint")}>
            {t(locale, "workspace.leads.amount_hint")}
          </span>
          <label for={id("recovered")}>{t(locale, "conclusion.recovered_label")}</label>
          <input id={id("recovered")} name="recovered" type="text" inputmode="decimal" maxlength={40} aria-describedby={id("figures-hint")} />
          <label for={id("fine")}>{t(locale, "conclusion.fine_label")}</label>
          <input id={id("fine")} name="fine" type="text" inputmode="decimal" maxlength={40} aria-describedby={id("figures-hint")} />
          <span class="hint" id={id("figures-hint")}>
            {t(locale, "conclusion.figures_hint")}
          </span>
          <fieldset>
            <legend>{t(locale, "conclusion.measures_label")}</legend>
            {MEASURES.map((m) => (
              <label for={id(`measure-${m}`)}>
                <input id={id(`measure-${m}`)} type="checkbox" name={`measure_${m}`} value="on" /> {measureLabel(m, locale)}
              </label>
            ))}
          </fieldset>
        </ActionForm>
      ) : null}
      {a.refer ? (
        <ActionForm base={base} action="refer" label={t(locale, "workspace.leads.refer")}>
          <label for={id("refer-to")}>{t(locale, "workspace.leads.refer_to")}</label>
          <select id={id("refer-to")} name="to" required>
            {(["referred_police", "referred_discipline", "referred_health_commission"] as const).map((o) => (
              <option value={o}>{t(locale, `report_outcome.${o}`)}</option>
            ))}
          </select>
        </ActionForm>
      ) : null}
      {a.ask ? (
        <ActionForm base={base} action="ask" label={t(locale, "chat.btn.ask")}>
          <TipSelect locale={locale} v={v} id={id("ask-tip")} />
          <label for={id("question")}>{t(locale, "workspace.leads.question_label")}</label>
          <textarea id={id("question")} name="question" required maxlength={2000} rows={3} aria-describedby={id("question-hint")}></textarea>
          <span class="hint" id={id("question-hint")}>
            {t(locale, "workspace.leads.question_hint")}
          </span>
        </ActionForm>
      ) : null}
      {a.reassign && v.reassignTargets.length ? (
        <ActionForm base={base} action="reassign" label={t(locale, "chat.btn.reassign")}>
          <label for={id("reassign-to")}>{t(locale, "workspace.leads.reassign_to")}</label>
          <select id={id("reassign-to")} name="to" required>
            {v.reassignTargets.map((m) => (
              <option value={m.id}>{`${m.name} · ${m.teamName}`}</option>
            ))}
          </select>
        </ActionForm>
      ) : null}
    </div>
  );
}
