// The case behind a lead, for one staff member through a short-lived signed link from chat ("Open
// case"), on a need-to-know basis: descriptions and messages are scrubbed of the tipster's identity
// (known values and patterns), files carry neutral labels and are served with their metadata
// stripped. The identity, the original file names and the original files come only through an
// audited reveal with a stated reason (coordinators and finance). Every view, download and reveal is
// written to the event log first.
import { Hono } from "hono";
import { downloadType } from "../../core/download-name";
import { EXTENSION_BY_TYPE } from "../../core/evidence";
import { formatMoney } from "../../core/money";
import { regionDisplayName } from "../../core/regions";
import { shanghaiDate, shanghaiDateTime } from "../../core/time";
import type { Locale } from "../../core/report-input";
import { t } from "../../i18n";
import { AppError } from "../../services/errors";
import { formatBytes } from "../../services/intake/evidence";
import { authoriseCaseLink, findCaseAttachment, type CaseAccess, type CaseAttachment } from "../../services/cases/case-access";
import { downloadStrippedCaseFile, releaseOriginalCaseFile, requireRevealRight, revealCaseIdentity, type CaseFile } from "../../services/cases/case-files";
import { openCase } from "../../services/cases/open-case";
import { readForm } from "../body";
import { downloadHeaders } from "../download";
import type { AppContext, AppEnv } from "../context";
import { pageLocale, StaffLayout } from "./staff-layout";

/** The member behind a valid case link, in the member's language unless the page asked for the other one. */
async function authorise(c: AppContext, leadId: string, token: string | undefined): Promise<CaseAccess & { locale: Locale }> {
  const access = await authoriseCaseLink(c.var.deps, leadId, token);
  return { ...access, locale: pageLocale(c, access.member.locale) };
}

const TYPE_LABELS: ReadonlyMap<string, string> = new Map([
  ["image/jpeg", "JPEG"],
  ["image/png", "PNG"],
  ["image/gif", "GIF"],
  ["image/webp", "WebP"],
  ["image/heic", "HEIC"],
  ["application/pdf", "PDF"],
]);

/** "证据 1（JPEG，2.1 MB）": what the file is, nothing of what it was called. */
export function evidenceLabel(locale: Locale, n: number, a: CaseAttachment): string {
  const type = TYPE_LABELS.get(a.mediaType) ?? a.mediaType;
  return t(locale, "case.evidence_label", { n, type, size: formatBytes(a.strippedSizeBytes ?? a.sizeBytes) });
}

/** The file as "证据-2.jpg" / "evidence-2.jpg": its number in the report and its detected type, never its own name. */
export function fileResponse(c: AppContext, locale: Locale, file: CaseFile) {
  const name = { stem: t(locale, "case.evidence_file_name", { n: file.number }), asciiStem: `evidence-${file.number}` };
  return c.body(file.bytes as Uint8Array<ArrayBuffer>, 200, downloadHeaders(name, downloadType(file.attachment.mediaType, EXTENSION_BY_TYPE)));
}

export async function readReason(c: AppContext): Promise<string> {
  const { fields } = await readForm(c);
  const reason = (fields.reason ?? "").trim();
  if (reason.length < 4 || reason.length > 500)
    throw new AppError("validation_failed", "a reason is required", { fields: { reason: t(c.var.locale, "case.reason_required") } });
  return reason;
}

export function createCaseRoutes() {
  const cases = new Hono<AppEnv>();
  cases.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });

  cases.get("/:leadId", async (c) => {
    const leadId = c.req.param("leadId");
    const token = c.req.query("t");
    const { member, lead, reports: details, canReveal } = await openCase(c.var.deps, { leadId, token });
    const locale = pageLocale(c, member.locale);
    const q = `t=${encodeURIComponent(token!)}`;
    const title = t(locale, "chat.card_title", { id: lead.id, type: t(locale, `taxonomy.type.${lead.violationType}`) });
    return c.html(
      <StaffLayout c={c} locale={locale} title={title} script>
        <h1>{title}</h1>
        <dl class="summary">
          <dt>{t(locale, "chat.state")}</dt>
          <dd data-testid="lead-state">{t(locale, `chat.lead_state.${lead.state}`)}</dd>
          <dt>{t(locale, "chat.region")}</dt>
          <dd>{regionDisplayName(lead.regionCode, locale)}</dd>
          <dt>{t(locale, "chat.target")}</dt>
          <dd>{lead.targetName}</dd>
          <dt>{t(locale, "chat.corroboration")}</dt>
          <dd>{lead.corroborationCount}</dd>
          <dt>{t(locale, "citizen.case.outcome")}</dt>
          <dd data-testid="lead-outcome">{lead.outcome ? t(locale, `report_outcome.${lead.outcome}`) : t(locale, "citizen.case.none_yet")}</dd>
          {lead.amountEstimateFen !== null ? (
            <>
              <dt>{t(locale, "citizen.case.amount_estimate")}</dt>
              <dd data-testid="amount-estimate">{formatMoney(lead.amountEstimateFen, locale)}</dd>
            </>
          ) : null}
          {lead.substantiatedAmountFen !== null ? (
            <>
              <dt>{t(locale, "citizen.case.amount_substantiated")}</dt>
              <dd data-testid="amount-substantiated">{formatMoney(lead.substantiatedAmountFen, locale)}</dd>
            </>
          ) : null}
        </dl>
        <p class="hint">{t(locale, "case.need_to_know")}</p>
        {details.map((d) => (
          <section class="report" data-report={d.report.id} data-tip={d.tipNo}>
            <h2>{t(locale, "citizen.case.tip_title", { n: d.tipNo, id: d.report.id })}</h2>
            <p class="hint">{shanghaiDateTime(new Date(d.report.createdAt))}</p>
            {d.reward ? (
              <p data-testid="tip-reward">
                {t(locale, "citizen.case.reward_value", { amount: formatMoney(d.reward.amountFen, locale), status: t(locale, `reward.status.${d.reward.status}`) })}
                {d.reward.paidAt !== null ? ` · ${shanghaiDate(new Date(d.reward.paidAt))}` : ""}
              </p>
            ) : null}
            <p class="body" style="white-space:pre-wrap">{d.description}</p>
            {d.attachments.length ? (
              <ul class="evidence">
                {d.attachments.map((a, i) => (
                  <li data-attachment={a.id}>
                    {a.strippedChunkCount !== null ? (
                      <a href={`/cases/${leadId}/attachments/${a.id}?${q}`}>{evidenceLabel(locale, i + 1, a)}</a>
                    ) : (
                      <>
                        {evidenceLabel(locale, i + 1, a)} <span class="hint">{t(locale, "case.original_only")}</span>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            ) : null}
            <ul class="messages">
              {d.messages.map((m) => (
                <li class={`message from-${m.from}`} data-from={m.from}>
                  {/* The tipster's own page says "you"; here the tipster is named by the tip's number. */}
                  <p class="meta">
                    {m.from === "investigator" ? t(locale, "status.from_investigator") : t(locale, "citizen.case.from_tipster", { n: d.tipNo })} · <time datetime={m.at}>{shanghaiDateTime(new Date(m.at))}</time>
                  </p>
                  <p class="body">{m.body}</p>
                </li>
              ))}
            </ul>
            {canReveal ? (
              <form method="post" action={`/cases/${leadId}/identity/${d.report.id}?${q}`}>
                <label for={`reason-${d.report.id}`}>{t(locale, "case.reveal_reason")}</label>
                <input id={`reason-${d.report.id}`} name="reason" type="text" required minlength={4} maxlength={500} />
                <button class="button" type="submit">
                  {t(locale, d.report.isAnonymous ? "case.reveal_originals" : "case.reveal")}
                </button>
              </form>
            ) : (
              <p class="hint">{t(locale, "case.identity_restricted")}</p>
            )}
          </section>
        ))}
      </StaffLayout>,
    );
  });

  // The stripped copy, for anyone who may handle the lead.
  cases.get("/:leadId/attachments/:attachmentId", async (c) => {
    const { locale, ...access } = await authorise(c, c.req.param("leadId"), c.req.query("t"));
    return fileResponse(c, locale, await downloadStrippedCaseFile(c.var.deps, access, c.req.param("attachmentId")));
  });

  // The original file, byte for byte: coordinators and finance only, with a logged reason.
  cases.post("/:leadId/attachments/:attachmentId/original", async (c) => {
    const { deps } = c.var;
    const { locale, ...access } = await authorise(c, c.req.param("leadId"), c.req.query("t"));
    requireRevealRight(access, "originals");
    const attachment = await findCaseAttachment(deps, access.lead.id, c.req.param("attachmentId"));
    const reason = await readReason(c);
    return fileResponse(c, locale, await releaseOriginalCaseFile(deps, access, attachment, reason));
  });

  cases.post("/:leadId/identity/:reportId", async (c) => {
    const { deps } = c.var;
    const leadId = c.req.param("leadId");
    const token = c.req.query("t");
    const { locale, ...access } = await authorise(c, leadId, token);
    requireRevealRight(access, "identity");
    const reason = await readReason(c);
    const revealed = await revealCaseIdentity(deps, access, c.req.param("reportId"), reason);
    const identity = revealed.identity;
    const files = revealed.files.map((f, i) => ({ a: f.attachment, label: evidenceLabel(locale, i + 1, f.attachment), name: f.name }));
    const q = `t=${encodeURIComponent(token!)}`;
    return c.html(
      <StaffLayout c={c} locale={locale} title={t(locale, "case.identity")} script>
        <h1>{t(locale, "case.identity")}</h1>
        <RevealedIdentity locale={locale} identity={identity} />
        {files.length ? (
          <>
            <h2>{t(locale, "case.originals")}</h2>
            <ul data-testid="originals">
              {files.map((f) => (
                <li>
                  <form method="post" action={`/cases/${leadId}/attachments/${f.a.id}/original?${q}`}>
                    <input type="hidden" name="reason" value={reason} />
                    {f.label}: {f.name}{" "}
                    <button class="button" type="submit">
                      {t(locale, "case.download_original")}
                    </button>
                  </form>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p class="hint">{t(locale, "case.identity_logged")}</p>
      </StaffLayout>,
    );
  });

  return cases;
}

/** The tipster's identity as a logged reveal shows it (case page and workspace lead page), or "anonymous". */
export function RevealedIdentity(props: { locale: Locale; identity: { name: string; phone: string; idNumber: string; email?: string | null | undefined } | null }) {
  const { locale, identity } = props;
  if (!identity) return <p>{t(locale, "case.anonymous")}</p>;
  return (
    <dl data-testid="identity">
      <dt>{t(locale, "form.name")}</dt>
      <dd>{identity.name}</dd>
      <dt>{t(locale, "form.phone")}</dt>
      <dd>{identity.phone}</dd>
      <dt>{t(locale, "form.id_number")}</dt>
      <dd>{identity.idNumber}</dd>
      {identity.email ? (
        <>
          <dt>{t(locale, "form.email")}</dt>
          <dd>{identity.email}</dd>
        </>
      ) : null}
    </dl>
  );
}
