// The case behind a lead, for one staff member through a short-lived signed link from chat ("Open
// case"), on a need-to-know basis: descriptions and messages are scrubbed of the tipster's identity
// (known values and patterns), files carry neutral labels and are served with their metadata
// stripped. The identity, the original file names and the original files come only through an
// audited reveal with a stated reason (coordinators and finance). Every view, download and reveal is
// written to the event log first.
import { Hono } from "hono";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { downloadType } from "../../core/download-name";
import { EXTENSION_BY_TYPE } from "../../core/evidence";
import { regionDisplayName } from "../../core/regions";
import { scrubText } from "../../core/scrub";
import { shanghaiDateTime } from "../../core/time";
import type { Locale, ReporterIdentity } from "../../core/report-input";
import { events, leadReports, members, reportAttachments, reports, type MemberRow, type ReportRow } from "../../db/schema";
import { isLocale, t } from "../../i18n";
import { decryptText } from "../../security/cipher";
import { verifyCaseLinkToken } from "../../services/chat-actions";
import { AppError } from "../../services/errors";
import { asActor, eventRow, getLead, mayHandleLead } from "../../services/leads/leads";
import { formatBytes, readAttachmentBytes } from "../../services/intake/evidence";
import { getStatusView, revealReporterIdentity } from "../../services/intake/reports";
import { readForm } from "../body";
import { downloadHeaders } from "../download";
import type { AppContext, AppEnv } from "../context";
import { Layout } from "../public/layout";

type AttachmentRow = typeof reportAttachments.$inferSelect;

async function authorise(c: AppContext, leadId: string, token: string | undefined): Promise<{ member: MemberRow; locale: Locale }> {
  const { deps } = c.var;
  const memberId = token ? await verifyCaseLinkToken(deps, leadId, token) : null;
  const member = memberId ? await deps.db.query.members.findFirst({ where: and(eq(members.id, memberId), eq(members.active, true)) }) : undefined;
  const lead = member ? await getLead(deps, leadId) : null;
  if (!member || !lead || !mayHandleLead(member, lead)) throw new AppError("forbidden", "case link invalid or expired");
  return { member, locale: isLocale(member.locale) ? member.locale : deps.config.DEFAULT_LOCALE };
}

const mayReveal = (member: MemberRow) => member.role === "coordinator" || member.role === "finance";

async function audit(c: AppContext, member: MemberRow, leadId: string, action: string, data: Record<string, unknown> = {}) {
  await c.var.deps.db.insert(events).values(
    eventRow(asActor({ member, platform: "web" }), { occurredAt: c.var.deps.now().getTime(), entityType: "lead", entityId: leadId, action, data: JSON.stringify(data) }),
  );
}

/** The tipster's identity, only to know what to scrub; it is never rendered from here. */
async function knownIdentity(c: AppContext, report: ReportRow): Promise<ReporterIdentity | null> {
  if (!report.reporterEnc) return null;
  return JSON.parse(await decryptText(c.var.deps.keys, report.reporterEnc, `report:${report.id}:reporter`)) as ReporterIdentity;
}

/** The report's files in upload order; the order gives each its neutral number. */
async function attachmentsOf(c: AppContext, reportId: string): Promise<AttachmentRow[]> {
  // Rows of one submission share created_at; rowid keeps their upload order.
  return c.var.deps.db.select().from(reportAttachments).where(eq(reportAttachments.reportId, reportId)).orderBy(asc(reportAttachments.createdAt), asc(sql`rowid`));
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
function evidenceLabel(locale: Locale, n: number, a: AttachmentRow): string {
  const type = TYPE_LABELS.get(a.mediaType) ?? a.mediaType;
  return t(locale, "case.evidence_label", { n, type, size: formatBytes(a.strippedSizeBytes ?? a.sizeBytes) });
}

async function findLeadAttachment(c: AppContext, leadId: string, attachmentId: string): Promise<AttachmentRow> {
  const { deps } = c.var;
  const attachment = await deps.db.query.reportAttachments.findFirst({ where: eq(reportAttachments.id, attachmentId) });
  const link = attachment ? await deps.db.query.leadReports.findFirst({ where: and(eq(leadReports.leadId, leadId), eq(leadReports.reportId, attachment.reportId)) }) : undefined;
  if (!attachment || !link) throw new AppError("not_found", "attachment not found");
  return attachment;
}

/** The file as "证据-2.jpg" / "evidence-2.jpg": its number in the report and its detected type, never its own name. */
async function fileResponse(c: AppContext, locale: Locale, attachment: AttachmentRow, bytes: Uint8Array) {
  // A report's files are few (per-report quotas): their order gives the number the case page shows.
  const n = (await attachmentsOf(c, attachment.reportId)).findIndex((a) => a.id === attachment.id) + 1;
  const name = { stem: t(locale, "case.evidence_file_name", { n }), asciiStem: `evidence-${n}` };
  return c.body(bytes as Uint8Array<ArrayBuffer>, 200, downloadHeaders(name, downloadType(attachment.mediaType, EXTENSION_BY_TYPE)));
}

async function readReason(c: AppContext): Promise<string> {
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
    const { deps } = c.var;
    const leadId = c.req.param("leadId");
    const token = c.req.query("t");
    const { member, locale } = await authorise(c, leadId, token);
    await audit(c, member, leadId, "lead.case_viewed");
    const lead = (await getLead(deps, leadId))!;
    const linked = await deps.db.select({ reportId: leadReports.reportId }).from(leadReports).where(eq(leadReports.leadId, leadId));
    const reportRows = linked.length ? await deps.db.select().from(reports).where(inArray(reports.id, linked.map((l) => l.reportId))).orderBy(asc(reports.createdAt)) : [];
    const details = await Promise.all(
      reportRows.map(async (r) => {
        const identity = await knownIdentity(c, r);
        const known = identity ? { names: [identity.name], phones: [identity.phone], idNumbers: [identity.idNumber], emails: identity.email ? [identity.email] : [] } : {};
        const view = await getStatusView(deps, r);
        return {
          report: r,
          description: scrubText(await decryptText(deps.keys, r.descriptionEnc, `report:${r.id}:description`), known),
          messages: view.messages.map((m) => ({ ...m, body: scrubText(m.body, known) })),
          attachments: await attachmentsOf(c, r.id),
        };
      }),
    );
    const q = `t=${encodeURIComponent(token!)}`;
    const canReveal = mayReveal(member);
    const title = t(locale, "chat.card_title", { id: lead.id, type: t(locale, `taxonomy.type.${lead.violationType}`) });
    return c.html(
      <Layout locale={locale} path={`/cases/${leadId}`} title={title}>
        <h1>{title}</h1>
        <dl class="summary">
          <dt>{t(locale, "chat.state")}</dt>
          <dd data-testid="lead-state">{t(locale, `chat.lead_state.${lead.state}`)}</dd>
          <dt>{t(locale, "chat.region")}</dt>
          <dd>{regionDisplayName(lead.regionCode)}</dd>
          <dt>{t(locale, "chat.target")}</dt>
          <dd>{lead.targetName}</dd>
          <dt>{t(locale, "chat.corroboration")}</dt>
          <dd>{lead.corroborationCount}</dd>
        </dl>
        <p class="hint">{t(locale, "case.need_to_know")}</p>
        {details.map((d) => (
          <section class="report" data-report={d.report.id}>
            <h2>{t(locale, "status.report", { id: d.report.id })}</h2>
            <p class="hint">{shanghaiDateTime(new Date(d.report.createdAt))}</p>
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
                <li class={`message from-${m.from}`}>
                  <p class="meta">{t(locale, m.from === "investigator" ? "status.from_investigator" : "status.from_you")}</p>
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
      </Layout>,
    );
  });

  // The stripped copy, for anyone who may handle the lead.
  cases.get("/:leadId/attachments/:attachmentId", async (c) => {
    const { deps } = c.var;
    const leadId = c.req.param("leadId");
    const { member, locale } = await authorise(c, leadId, c.req.query("t"));
    const attachment = await findLeadAttachment(c, leadId, c.req.param("attachmentId"));
    if (attachment.strippedChunkCount === null) throw new AppError("forbidden", "no stripped copy", { messageKey: "case.original_only" });
    await audit(c, member, leadId, "lead.attachment_downloaded", { attachmentId: attachment.id, variant: "stripped" });
    return fileResponse(c, locale, attachment, (await readAttachmentBytes(deps, attachment, "stripped"))!);
  });

  // The original file, byte for byte: coordinators and finance only, with a logged reason.
  cases.post("/:leadId/attachments/:attachmentId/original", async (c) => {
    const { deps } = c.var;
    const leadId = c.req.param("leadId");
    const { member, locale } = await authorise(c, leadId, c.req.query("t"));
    if (!mayReveal(member)) throw new AppError("forbidden", "originals are restricted");
    const attachment = await findLeadAttachment(c, leadId, c.req.param("attachmentId"));
    const reason = await readReason(c);
    await audit(c, member, leadId, "lead.attachment_original_released", { attachmentId: attachment.id, reportId: attachment.reportId, reason });
    return fileResponse(c, locale, attachment, (await readAttachmentBytes(deps, attachment, "original"))!);
  });

  cases.post("/:leadId/identity/:reportId", async (c) => {
    const { deps } = c.var;
    const leadId = c.req.param("leadId");
    const token = c.req.query("t");
    const { member, locale } = await authorise(c, leadId, token);
    if (!mayReveal(member)) throw new AppError("forbidden", "identity is restricted");
    const reason = await readReason(c);
    const reportId = c.req.param("reportId");
    const link = await deps.db.query.leadReports.findFirst({ where: and(eq(leadReports.leadId, leadId), eq(leadReports.reportId, reportId)) });
    if (!link) throw new AppError("not_found", "report not part of this lead");
    // Logged (with the reason) before anything is decrypted; the original file names are part of it.
    const identity = await revealReporterIdentity(deps, { reportId, actor: asActor({ member, platform: "web" }), reason });
    const files = await Promise.all(
      (await attachmentsOf(c, reportId)).map(async (a, i) => ({ a, label: evidenceLabel(locale, i + 1, a), name: await decryptText(deps.keys, a.fileNameEnc, `attachment:${a.id}:name`) })),
    );
    const q = `t=${encodeURIComponent(token!)}`;
    return c.html(
      <Layout locale={locale} path={`/cases/${leadId}`} title={t(locale, "case.identity")}>
        <h1>{t(locale, "case.identity")}</h1>
        {identity ? (
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
        ) : (
          <p>{t(locale, "case.anonymous")}</p>
        )}
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
      </Layout>,
    );
  });

  return cases;
}
