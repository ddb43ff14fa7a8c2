// A lead's files and tipster identity in the workspace, through the case page's use cases: the
// metadata-stripped copy for anyone who may handle the lead; the identity, the original names and
// the original files only for coordinators and finance, with a reason, each logged (with the session)
// before anything is read.
import { Hono } from "hono";
import { t } from "../../../i18n";
import { findCaseAttachment } from "../../../services/cases/case-access";
import { downloadStrippedCaseFile, releaseOriginalCaseFile, requireRevealRight, revealCaseIdentity } from "../../../services/cases/case-files";
import { authoriseLeadForMember } from "../../../services/cases/lead-view";
import type { AppContext, AppEnv } from "../../context";
import { evidenceLabel, fileResponse, readReason, RevealedIdentity } from "../case";
import { orRefusal } from "./lead-page";
import { staffOf } from "./session";
import { WorkspaceLayout } from "./workspace-layout";

const access = (c: AppContext, attempted: string) => {
  const { member, sessionId } = staffOf(c);
  return authoriseLeadForMember(c.var.deps, { member, leadId: c.req.param("leadId")!, sessionId, attempted });
};

export function createLeadFileRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/:leadId/attachments/:attachmentId", (c) =>
    orRefusal(c, async () => {
      const a = await access(c, "download");
      return fileResponse(c, staffOf(c).locale, await downloadStrippedCaseFile(c.var.deps, a, c.req.param("attachmentId")));
    }),
  );

  routes.post("/:leadId/attachments/:attachmentId/original", (c) =>
    orRefusal(c, async () => {
      const a = await access(c, "download_original");
      requireRevealRight(a, "originals");
      const attachment = await findCaseAttachment(c.var.deps, a.lead.id, c.req.param("attachmentId"));
      const reason = await readReason(c);
      return fileResponse(c, staffOf(c).locale, await releaseOriginalCaseFile(c.var.deps, a, attachment, reason));
    }),
  );

  routes.post("/:leadId/identity/:reportId", (c) =>
    orRefusal(c, async () => {
      const { locale } = staffOf(c);
      const a = await access(c, "reveal_identity");
      requireRevealRight(a, "identity");
      const reason = await readReason(c);
      const revealed = await revealCaseIdentity(c.var.deps, a, c.req.param("reportId"), reason);
      const identity = revealed.identity;
      const base = `/staff/leads/${encodeURIComponent(a.lead.id)}`;
      const title = t(locale, "case.identity");
      return c.html(
        <WorkspaceLayout c={c} title={title} active="leads">
          <p>
            <a href={base}>{t(locale, "workspace.leads.back_to_lead", { id: a.lead.id })}</a>
          </p>
          <h1>{title}</h1>
          <RevealedIdentity locale={locale} identity={identity} />
          {revealed.files.length ? (
            <>
              <h2>{t(locale, "case.originals")}</h2>
              <ul data-testid="originals">
                {revealed.files.map((f, i) => (
                  <li>
                    <form method="post" action={`${base}/attachments/${encodeURIComponent(f.attachment.id)}/original`}>
                      <input type="hidden" name="reason" value={reason} />
                      {evidenceLabel(locale, i + 1, f.attachment)}: {f.name}{" "}
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
        </WorkspaceLayout>,
      );
    }),
  );

  return routes;
}
