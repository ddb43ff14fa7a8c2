// The full case behind a lead, for one staff member through a short-lived signed link from chat
// ("Open case"). Every view, download and identity reveal is written to the event log first.
import { Hono } from "hono";
import { and, asc, eq, inArray } from "drizzle-orm";
import { regionDisplayName } from "../../core/regions";
import { shanghaiDateTime } from "../../core/time";
import type { Locale } from "../../core/report-input";
import { attachmentChunks, events, leadReports, members, reportAttachments, reports, type MemberRow } from "../../db/schema";
import { isLocale, t } from "../../i18n";
import { decryptBytes, decryptText } from "../../security/cipher";
import { verifyCaseLinkToken } from "../../services/chat-actions";
import { AppError } from "../../services/errors";
import { asActor, eventRow, getLead, mayHandleLead } from "../../services/leads/leads";
import { getStatusView, revealReporterIdentity } from "../../services/intake/reports";
import type { AppContext, AppEnv } from "../context";
import { Layout } from "./layout";

async function authorise(c: AppContext, leadId: string, token: string | undefined): Promise<{ member: MemberRow; locale: Locale }> {
  const { deps } = c.var;
  const memberId = token ? await verifyCaseLinkToken(deps, leadId, token) : null;
  const member = memberId ? await deps.db.query.members.findFirst({ where: and(eq(members.id, memberId), eq(members.active, true)) }) : undefined;
  const lead = member ? await getLead(deps, leadId) : null;
  if (!member || !lead || !mayHandleLead(member, lead)) throw new AppError("forbidden", "case link invalid or expired");
  return { member, locale: isLocale(member.locale) ? member.locale : deps.config.DEFAULT_LOCALE };
}

async function audit(c: AppContext, member: MemberRow, leadId: string, action: string, data: Record<string, unknown> = {}) {
  await c.var.deps.db.insert(events).values(
    eventRow(asActor({ member, platform: "web" }), { occurredAt: c.var.deps.now().getTime(), entityType: "lead", entityId: leadId, action, data: JSON.stringify(data) }),
  );
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
      reportRows.map(async (r) => ({
        report: r,
        description: await decryptText(deps.keys, r.descriptionEnc, `report:${r.id}:description`),
        view: await getStatusView(deps, r),
        attachments: await Promise.all(
          (await deps.db.select().from(reportAttachments).where(eq(reportAttachments.reportId, r.id))).map(async (a) => ({
            ...a,
            name: await decryptText(deps.keys, a.fileNameEnc, `attachment:${a.id}:name`),
          })),
        ),
      })),
    );
    const q = `t=${encodeURIComponent(token!)}`;
    const canReveal = member.role === "coordinator" || member.role === "finance";
    return c.html(
      <Layout locale={locale} path={`/cases/${leadId}`} title={t(locale, "chat.card_title", { id: lead.id, type: t(locale, `taxonomy.type.${lead.violationType}`) })}>
        <h1>{t(locale, "chat.card_title", { id: lead.id, type: t(locale, `taxonomy.type.${lead.violationType}`) })}</h1>
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
        {details.map((d) => (
          <section class="report" data-report={d.report.id}>
            <h2>{t(locale, "status.report", { id: d.report.id })}</h2>
            <p class="hint">{shanghaiDateTime(new Date(d.report.createdAt))}</p>
            <p class="body" style="white-space:pre-wrap">{d.description}</p>
            {d.attachments.length ? (
              <ul>
                {d.attachments.map((a) => (
                  <li>
                    <a href={`/cases/${leadId}/attachments/${a.id}?${q}`}>{a.name}</a> ({a.mediaType}, {a.sizeBytes} B)
                  </li>
                ))}
              </ul>
            ) : null}
            <ul class="messages">
              {d.view.messages.map((m) => (
                <li class={`message from-${m.from}`}>
                  <p class="meta">{t(locale, m.from === "investigator" ? "status.from_investigator" : "status.from_you")}</p>
                  <p class="body">{m.body}</p>
                </li>
              ))}
            </ul>
            {d.report.isAnonymous ? null : canReveal ? (
              <form method="post" action={`/cases/${leadId}/identity/${d.report.id}?${q}`}>
                <label for={`reason-${d.report.id}`}>{t(locale, "case.reveal_reason")}</label>
                <input id={`reason-${d.report.id}`} name="reason" type="text" required minlength={4} />
                <button class="button" type="submit">
                  {t(locale, "case.reveal")}
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

  cases.get("/:leadId/attachments/:attachmentId", async (c) => {
    const { deps } = c.var;
    const leadId = c.req.param("leadId");
    const { member } = await authorise(c, leadId, c.req.query("t"));
    const attachment = await deps.db.query.reportAttachments.findFirst({ where: eq(reportAttachments.id, c.req.param("attachmentId")) });
    const link = attachment ? await deps.db.query.leadReports.findFirst({ where: and(eq(leadReports.leadId, leadId), eq(leadReports.reportId, attachment.reportId)) }) : undefined;
    if (!attachment || !link) throw new AppError("not_found", "attachment not found");
    await audit(c, member, leadId, "lead.attachment_downloaded", { attachmentId: attachment.id });
    const chunks = await deps.db.select().from(attachmentChunks).where(eq(attachmentChunks.attachmentId, attachment.id)).orderBy(asc(attachmentChunks.seq));
    const parts = await Promise.all(chunks.map((ch) => decryptBytes(deps.keys, attachment.keyId, new Uint8Array(ch.data), `attachment:${attachment.id}:${ch.seq}`)));
    const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      body.set(p, offset);
      offset += p.length;
    }
    return c.body(body, 200, { "Content-Type": attachment.mediaType, "Content-Disposition": `attachment; filename="${attachment.id}"`, "X-Content-Type-Options": "nosniff" });
  });

  cases.post("/:leadId/identity/:reportId", async (c) => {
    const { deps } = c.var;
    const leadId = c.req.param("leadId");
    const { member, locale } = await authorise(c, leadId, c.req.query("t"));
    if (member.role !== "coordinator" && member.role !== "finance") throw new AppError("forbidden", "identity is restricted");
    const form = await c.req.parseBody();
    const reason = String(form.reason ?? "").trim();
    if (reason.length < 4) throw new AppError("validation_failed", "a reason is required");
    const reportId = c.req.param("reportId");
    const link = await deps.db.query.leadReports.findFirst({ where: and(eq(leadReports.leadId, leadId), eq(leadReports.reportId, reportId)) });
    if (!link) throw new AppError("not_found", "report not part of this lead");
    const identity = await revealReporterIdentity(deps, { reportId, actor: asActor({ member, platform: "web" }), reason });
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
          <p>—</p>
        )}
        <p class="hint">{t(locale, "case.identity_logged")}</p>
      </Layout>,
    );
  });

  return cases;
}
