// Receipt entry and the tipster's view of a report: the state in words, what happens next and by when
// (statutory deadlines on the working-day calendar), the real-name acceptance notice (受理告知), own
// files, timeline, conversation, reply and evidence. Every link and form keeps the page's language.
// The receipt travels only in the POST body of the receipt form and, after it, in an encrypted
// HttpOnly cookie scoped to /status (see sealed-cookie.ts): never in a URL or in the page itself.
import { shanghaiDateTime } from "../../core/time";
import { regionDisplayName } from "../../core/regions";
import { t, tn } from "../../i18n";
import { formatMoney } from "../../core/money";
import type { StatusView } from "../../services/intake/reports";
import { Field, Layout, type PageProps } from "./layout";
import { shanghaiDate } from "../../core/time";
import type { CitizenProgress } from "../../core/citizen-progress";
import type { ReporterFile } from "../../services/intake/citizen-files";
import { formatBytes } from "../../services/intake/evidence";
import { DEMO_FRAME, localHref } from "../shared/site";
import type { PayoutMethod } from "../../core/rewards/claim-input";
import type { RewardView } from "../../services/rewards/claims";
import { RewardSection, type RewardFormState } from "./reward-section";

export function ReceiptEntryPage(props: PageProps & { error?: string | undefined; notice?: string | undefined; receipt?: string }) {
  const { locale } = props;
  return (
    <Layout {...props} title={t(locale, "status.title")}>
      <h1>{t(locale, "status.title")}</h1>
      <p>{t(locale, "status.intro")}</p>
      {props.notice ? (
        <div class="notice" role="status" data-testid="status-notice">
          {props.notice}
        </div>
      ) : null}
      {props.error ? (
        <div class="alert" role="alert" data-testid="status-error">
          {props.error}
        </div>
      ) : null}
      <form method="post" action={`/status?lang=${locale}`} id="receipt-form">
        <input type="hidden" name="lang" value={locale} />
        <Field id="receipt" label={t(locale, "status.receipt")} required hint={t(locale, "status.receipt_hint")}>
          <input
            id="receipt"
            name="receipt"
            type="text"
            required
            autocomplete="off"
            autocapitalize="characters"
            spellcheck={false}
            maxlength={64}
            value={props.receipt ?? ""}
            class="code-input"
          />
        </Field>
        <button type="submit" class="button primary" id="check-status">
          {t(locale, "status.submit")}
        </button>
      </form>
    </Layout>
  );
}

const when = (iso: string) => shanghaiDateTime(new Date(iso));

export function StatusPage(
  props: PageProps & {
    view: StatusView;
    notice?: string | undefined;
    error?: string | undefined;
    maxAttachments: number;
    replyToken: string;
    evidenceToken: string;
    reward?: RewardView | null;
    payoutMethods?: readonly PayoutMethod[];
    rewardForm?: RewardFormState;
    progress?: CitizenProgress;
    files?: ReporterFile[];
  },
) {
  const { locale, view } = props;
  const site = props.site ?? DEMO_FRAME;
  const day = (d: Date) => shanghaiDate(d);
  const r = view.report;
  const lastQuestion = [...view.messages].reverse().find((m) => m.from === "investigator");
  return (
    <Layout {...props} title={t(locale, "status.report", { id: r.id })}>
      <h1>{t(locale, "status.report", { id: r.id })}</h1>
      {props.notice ? (
        <div class="notice" role="status" data-testid="status-notice">
          {props.notice}
        </div>
      ) : null}
      {props.error ? (
        <div class="alert" role="alert" data-testid="status-error">
          {props.error}
        </div>
      ) : null}
      <dl class="summary">
        <dt>{t(locale, "status.current")}</dt>
        <dd data-testid="report-status" data-status={r.status}>
          {t(locale, `report_status.${r.status}`)}
        </dd>
        {r.outcome ? (
          <>
            <dt>{t(locale, "status.outcome")}</dt>
            <dd data-testid="report-outcome">{t(locale, `report_outcome.${r.outcome}`)}</dd>
          </>
        ) : null}
        <dt>{t(locale, "form.violation_type")}</dt>
        <dd>
          {t(locale, `taxonomy.subject.${r.subject}`)} · {t(locale, `taxonomy.type.${r.violationType}`)}
        </dd>
        <dt>{t(locale, "form.target_name")}</dt>
        <dd>
          {r.targetName} · {regionDisplayName(r.regionCode, locale)}
        </dd>
        <dt data-testid="attachment-count">{tn(locale, "citizen.evidence_submitted", r.attachmentCount)}</dt>
        <dd>{t(locale, "status.submitted", { time: when(r.submittedAt) })}</dd>
      </dl>

      <p class="state-words" data-testid="state-words">
        {t(locale, `status.state_text.${r.status}`)}
      </p>

      {props.progress ? <NextStepBox locale={locale} progress={props.progress} hotline={site.hotline} /> : null}

      {props.progress?.notice ? (
        <section class="notice official-notice" data-testid="decision-notice" aria-labelledby="decision-notice-title">
          <h2 id="decision-notice-title">{t(locale, `status.notice_title_${props.progress.notice.decision}`)}</h2>
          <p>
            {t(locale, `status.notice_text_${props.progress.notice.decision}`, {
              authority: site.authority[locale],
              id: r.id,
              submitted: when(r.submittedAt),
              decided: day(props.progress.notice.decidedAt),
            })}
          </p>
          <p class="hint">{t(locale, "status.notice_issued", { date: day(props.progress.notice.decidedAt), due: day(props.progress.notice.dueBy), hotline: site.hotline })}</p>
        </section>
      ) : null}

      {props.files ? (
        <section aria-labelledby="files-title">
          <h2 id="files-title">{t(locale, "status.files_title")}</h2>
          {props.files.length === 0 ? (
            <p class="hint">{t(locale, "status.files_none")}</p>
          ) : (
            <ul class="files" data-testid="own-files">
              {props.files.map((f) => (
                <li>
                  {f.name} <span class="hint">· {formatBytes(f.sizeBytes)} · {when(f.at)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}

      {props.reward ? <RewardSection locale={locale} reward={props.reward} methods={props.payoutMethods ?? ["bank"]} {...(props.rewardForm ? { form: props.rewardForm } : {})} /> : null}

      <section>
        <h2>{t(locale, "status.timeline")}</h2>
        <ol class="timeline" data-testid="timeline">
          {view.timeline.map((e) => (
            <li data-kind={e.kind}>
              <time datetime={e.at}>{when(e.at)}</time>{" "}
              {t(locale, `timeline.${e.kind}`, { status: e.status ? t(locale, `report_status.${e.status}`) : "" })}
              {e.outcome ? ` — ${t(locale, `report_outcome.${e.outcome}`)}` : ""}
            </li>
          ))}
        </ol>
      </section>

      <section>
        <h2>{t(locale, "status.messages")}</h2>
        {view.messages.length === 0 ? <p class="hint">{t(locale, "status.no_messages")}</p> : null}
        <ul class="messages" data-testid="messages">
          {view.messages.map((m) => (
            <li class={`message from-${m.from}`} data-from={m.from}>
              <p class="meta">
                {t(locale, m.from === "investigator" ? "status.from_investigator" : "status.from_you")} · <time datetime={m.at}>{when(m.at)}</time>
              </p>
              <p class="body">{m.body}</p>
            </li>
          ))}
        </ul>
      </section>

      {r.open ? (
        <>
          <section>
            <h2>{t(locale, "status.reply")}</h2>
            <form method="post" action={`/status/reply?lang=${locale}`} enctype="multipart/form-data" id="reply-form">
              <input type="hidden" name="_once" value={props.replyToken} />
              <input type="hidden" name="lang" value={locale} />
              {lastQuestion ? <input type="hidden" name="inReplyTo" value={lastQuestion.id} /> : null}
              <Field id="reply-body" label={t(locale, "status.reply")} hint={t(locale, "status.reply_hint")}>
                <textarea id="reply-body" name="body" rows={4} required maxlength={3000}></textarea>
              </Field>
              <button type="submit" class="button primary" id="send-reply">
                {t(locale, "status.send")}
              </button>
            </form>
          </section>
          <section>
            <h2>{t(locale, "status.add_evidence")}</h2>
            <form method="post" action={`/status/evidence?lang=${locale}`} enctype="multipart/form-data" id="evidence-form">
              <input type="hidden" name="_once" value={props.evidenceToken} />
              <input type="hidden" name="lang" value={locale} />
              <Field id="more-evidence" label={t(locale, "form.evidence")}>
                <input id="more-evidence" name="evidence" type="file" multiple accept="image/*,application/pdf" />
              </Field>
              <button type="submit" class="button" id="upload-evidence">
                {t(locale, "status.upload")}
              </button>
            </form>
          </section>
        </>
      ) : (
        <p class="notice">{t(locale, "status.closed_note")}</p>
      )}
      <p class="noprint">
        <a href={localHref(locale, "/notice")}>{t(locale, "nav.notice")}</a> · <a href={localHref(locale, "/report")}>{t(locale, "status.new_report")}</a>
      </p>
      <form method="post" action={`/status/leave?lang=${locale}`} class="noprint">
        <button type="submit" class="button link">
          {t(locale, "status.leave")}
        </button>
      </form>
    </Layout>
  );
}

/** What the next step says: a statutory deadline, or the reward's claim, review or payment. */
function nextStepText(locale: PageProps["locale"], next: CitizenProgress["next"], hotline: string): { text: string; warn?: string } {
  switch (next.kind) {
    case "decision":
    case "handling":
      return {
        text: t(locale, `status.next_${next.kind}`, { date: shanghaiDate(next.due), days: next.workingDays }),
        ...(next.overdue ? { warn: t(locale, "status.next_overdue", { hotline }) } : {}),
      };
    case "reward_claim":
      return next.overdue
        ? { text: t(locale, "citizen.next.reward_claim_overdue", { date: shanghaiDate(next.deadline) }) }
        : { text: t(locale, "citizen.next.reward_claim", { amount: formatMoney(next.amountFen, locale), date: shanghaiDate(next.deadline) }) };
    case "reward_review":
      return { text: t(locale, `citizen.next.reward_review_${next.stage}`) };
    case "reward_question":
      return { text: t(locale, "citizen.next.reward_question") };
    case "reward_rejected":
      return { text: next.until ? t(locale, "citizen.next.reward_rejected", { date: shanghaiDate(next.until) }) : t(locale, "citizen.next.reward_rejected_final") };
    case "reward_paid":
      return {
        text: next.paidAt
          ? t(locale, "citizen.next.reward_paid", { amount: formatMoney(next.amountFen, locale), date: shanghaiDate(next.paidAt) })
          : t(locale, "citizen.next.reward_paid_undated", { amount: formatMoney(next.amountFen, locale) }),
      };
    case "closed":
      return { text: t(locale, "status.next_closed") };
  }
}

/** "What now?": the next step, its deadline, and what to do if it passes. */
function NextStepBox(props: { locale: PageProps["locale"]; progress: CitizenProgress; hotline: string }) {
  const { locale, progress } = props;
  const next = progress.next;
  const { text, warn } = nextStepText(locale, next, props.hotline);
  return (
    <section class="next-step" data-testid="next-step" data-kind={next.kind} aria-labelledby="next-step-title">
      <h2 id="next-step-title">{t(locale, "status.next_title")}</h2>
      <p>{text}</p>
      {warn ? <p class="warn">{warn}</p> : null}
      {progress.noticePromise ? <p>{t(locale, "status.notice_promise", { days: progress.noticePromise.workingDays })}</p> : null}
    </section>
  );
}
