// One unit's task on the workspace board (/staff/campaigns/:id/assignments/:aid), for coordinators: its
// state, deadline and latest documents, and the chat's actions on it — nudge the unit, extend its
// deadline, accept or return its submission — through the same use cases (platform web, the session as
// reference, each form's key as dedupe key). Also the workspace's refusal page and flash notice.
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import type { Locale } from "../../../core/report-input";
import { t } from "../../../i18n";
import { extendDeadline, getAssignmentContext, isCoordinator, reviewSubmission, type AssignmentContext } from "../../../services/campaigns/assignments";
import { boardRow } from "../../../services/campaigns/board-data";
import { latestFilesByAssignment } from "../../../services/campaigns/board-view";
import { nudgeDeliverable } from "../../../services/campaigns/nudges";
import { readNotAcknowledgedText } from "../../../services/read-receipts/reader-text";
import { readersOf } from "../../../services/read-receipts/readers";
import type { AppContext, AppEnv } from "../../context";
import { readForm } from "../../body";
import { sendPage } from "../staff-layout";
import { at, statusLabel, titleOf } from "../board-markup";
import { assignmentFlash, dedupeKeyOf, dueFieldSchema, flashQuery, flashText, formKeySchema, isRefusal, newFormKey, nudgeFlash, reasonSchema, readFlash, type Flash } from "./campaign-forms";
import { staffOf } from "./session";
import { WorkspaceLayout, type WorkspaceSection } from "./workspace-layout";

/** Campaign ids as made by newId("cmp"): `/campaigns/new` and other words are not campaigns. */
export const CAMPAIGN_ID = ":campaignId{cmp_[A-Za-z0-9_-]{1,60}}";

/** 403 (a member who may not) or 404 (nothing there), with words; other sections name themselves and their way back. */
export function refuseInWorkspace(c: AppContext, status: 403 | 404 | 422, message: string, section: { active: WorkspaceSection; back: { href: string; label: string } } | null = null) {
  const { locale } = staffOf(c);
  const title = t(locale, status === 403 ? "workspace.campaigns.forbidden_title" : status === 404 ? "workspace.campaigns.not_found_title" : "workspace.cannot_do_title");
  if (c.req.raw.body && !c.req.raw.bodyUsed) c.header("Connection", "close");
  return sendPage(
    c,
    <WorkspaceLayout c={c} title={title} active={section?.active ?? "campaigns"}>
      <h1>{title}</h1>
      <p class="alert" role="alert" data-testid="refusal">
        {message}
      </p>
      <p>
        <a href={section?.back.href ?? "/staff/campaigns"}>{section?.back.label ?? t(locale, "workspace.campaigns.back_to_list")}</a>
      </p>
    </WorkspaceLayout>,
    status,
  );
}

/** The board and its actions are the coordinators' (as the signed board link and the chat commands). */
export function refuseNonCoordinator(c: AppContext) {
  const { member, locale } = staffOf(c);
  return isCoordinator(member) ? null : refuseInWorkspace(c, 403, t(locale, "workspace.campaigns.coordinators_only"));
}

/** What a post did (or why not), shown once on the page it redirected to; a validation error on the page itself. */
export function FlashNotice(props: { c: AppContext; error?: string | undefined }) {
  const { locale } = staffOf(props.c);
  if (props.error)
    return (
      <p class="alert" role="alert" data-testid="flash" data-flash="invalid">
        {props.error}
      </p>
    );
  const flash = readFlash(props.c.req.query());
  if (!flash) return null;
  const text = flashText(locale, flash, props.c.var.deps.config.CAMPAIGN_NUDGE_COOLDOWN_HOURS ?? 4);
  return isRefusal(flash) ? (
    <p class="alert" role="alert" data-testid="flash" data-flash={flash.code}>
      {text}
    </p>
  ) : (
    <p class="notice" role="status" data-testid="flash" data-flash={flash.code}>
      {text}
    </p>
  );
}

/** A one-button form (with its key and optional fields before the button). */
export function ActionForm(props: { action: string; label: string; testid: string; children?: Child; inline?: boolean }) {
  return (
    <form method="post" action={props.action} class={props.inline ? "inline" : undefined} data-testid={props.testid}>
      <input type="hidden" name="key" value={newFormKey()} />
      {props.children}
      <button class="button" type="submit">
        {props.label}
      </button>
    </form>
  );
}

export const campaignPath = (campaignId: string) => `/staff/campaigns/${encodeURIComponent(campaignId)}`;
export const assignmentPath = (campaignId: string, assignmentId: string) => `${campaignPath(campaignId)}/assignments/${encodeURIComponent(assignmentId)}`;

/** Date and reason fields (move and extend), labelled for this form. */
export function DueAndReason(props: { locale: Locale; id: string }) {
  return (
    <>
      <label for={`${props.id}-due`}>{t(props.locale, "workspace.campaigns.new_deadline")}</label>
      <input id={`${props.id}-due`} name="due" type="date" required aria-describedby={`${props.id}-due-hint`} />
      <span class="hint" id={`${props.id}-due-hint`}>
        {t(props.locale, "workspace.campaigns.deadline_hint")}
      </span>
      <label for={`${props.id}-reason`}>{t(props.locale, "workspace.campaigns.reason")}</label>
      <input id={`${props.id}-reason`} name="reason" type="text" required maxlength={1000} />
    </>
  );
}

async function renderAssignment(c: AppContext, ctx: AssignmentContext, error?: string) {
  const { locale } = staffOf(c);
  const { deps } = c.var;
  const { assignment: a, unit, deliverable, campaign } = ctx;
  const row = boardRow(a, unit, deps.now().getTime(), (await readersOf(deps, "assignment", [a.id])).get(a.id));
  const files = (await latestFilesByAssignment(deps, [a.id])).get(a.id) ?? [];
  const base = assignmentPath(campaign.id, a.id);
  const title = `${unit.name} · ${titleOf(locale, deliverable)}${a.period ? ` ${a.period}` : ""}`;
  const waiting = a.state === "open" || a.state === "returned";
  return sendPage(
    c,
    <WorkspaceLayout c={c} title={title} active="campaigns">
      <p>
        <a href={campaignPath(campaign.id)}>{t(locale, "workspace.campaigns.back_to_board", { campaign: campaign.name })}</a>
      </p>
      <h1>{title}</h1>
      <FlashNotice c={c} error={error} />
      <dl class="summary" data-testid="assignment" data-state={a.state}>
        <dt>{t(locale, "board.status")}</dt>
        <dd>{statusLabel(locale, row.status)}</dd>
        <dt>{t(locale, "workspace.campaigns.deadline")}</dt>
        <dd>{at(a.dueAt)}</dd>
        <dt>{t(locale, "workspace.campaigns.acknowledged")}</dt>
        <dd>{row.acknowledged ? at(a.receivedAt) || t(locale, "workspace.campaigns.yes") : t(locale, "workspace.campaigns.no")}</dd>
        {row.readNotAcknowledged.length ? (
          <>
            <dt>{t(locale, "reads.column")}</dt>
            <dd data-testid="assignment-read-not-acknowledged">{readNotAcknowledgedText(locale, row.readNotAcknowledged, 20)}</dd>
          </>
        ) : null}
        <dt>{t(locale, "workspace.campaigns.submitted_at")}</dt>
        <dd>{at(a.submittedAt) || "—"}</dd>
        <dt>{t(locale, "workspace.campaigns.documents")}</dt>
        <dd>
          {files.length
            ? files.map((f, i) => (
                <>
                  {i ? " · " : ""}
                  <a href={`${campaignPath(campaign.id)}/files/${encodeURIComponent(f.id)}`} data-file={f.id}>
                    {t(locale, "workspace.campaigns.document_n", { n: i + 1 })}
                  </a>
                </>
              ))
            : "—"}
        </dd>
      </dl>
      <h2>{t(locale, "workspace.campaigns.actions")}</h2>
      {a.state === "submitted" ? (
        <>
          <ActionForm action={`${base}/accept`} label={t(locale, "workspace.campaigns.accept")} testid="accept-form" />
          <ActionForm action={`${base}/return`} label={t(locale, "workspace.campaigns.return")} testid="return-form">
            <label for="return-reason">{t(locale, "workspace.campaigns.return_reason")}</label>
            <input id="return-reason" name="reason" type="text" required maxlength={1000} />
          </ActionForm>
        </>
      ) : null}
      {waiting ? <ActionForm action={`${base}/nudge`} label={t(locale, "workspace.campaigns.nudge_unit", { unit: unit.name })} testid="nudge-form" /> : null}
      {a.state !== "accepted" ? (
        <ActionForm action={`${base}/extend`} label={t(locale, "workspace.campaigns.extend")} testid="extend-form">
          <DueAndReason locale={locale} id="extend" />
        </ActionForm>
      ) : (
        <p>{t(locale, "campaign.refusal.already_accepted")}</p>
      )}
    </WorkspaceLayout>,
    error ? 400 : 200,
  );
}

export function createAssignmentRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  /** The assignment, if it is one of this campaign's (else a 404 in words). */
  async function load(c: AppContext): Promise<AssignmentContext | Response> {
    const ctx = await getAssignmentContext(c.var.deps, c.req.param("assignmentId") ?? "");
    if (!ctx || ctx.campaign.id !== c.req.param("campaignId")) return refuseInWorkspace(c, 404, t(staffOf(c).locale, "campaign.reply.unknown_assignment"));
    return ctx;
  }

  routes.get(`/${CAMPAIGN_ID}/assignments/:assignmentId`, async (c) => {
    const refused = refuseNonCoordinator(c);
    if (refused) return refused;
    const ctx = await load(c);
    return ctx instanceof Response ? ctx : renderAssignment(c, ctx);
  });

  routes.post(`/${CAMPAIGN_ID}/assignments/:assignmentId/:action{nudge|extend|accept|return}`, async (c) => {
    const refused = refuseNonCoordinator(c);
    if (refused) return refused;
    const { member, sessionId, locale } = staffOf(c);
    const ctx = await load(c);
    if (ctx instanceof Response) return ctx;
    const { fields } = await readForm(c);
    const key = formKeySchema.safeParse(fields.key);
    if (!key.success) return renderAssignment(c, ctx, t(locale, "workspace.campaigns.form_expired"));
    const action = c.req.param("action") as "nudge" | "extend" | "accept" | "return";
    const actor = { actor: member, platform: "web" as const, platformRef: sessionId, dedupeKey: dedupeKeyOf(action, key.data) };
    // A nudge from the board's cell goes back to the board; everything else to this page.
    const page = fields.back === "board" ? campaignPath(ctx.campaign.id) : assignmentPath(ctx.campaign.id, ctx.assignment.id);
    const back = (f: Flash) => c.redirect(`${page}?${flashQuery(f)}`, 303);
    if (action === "nudge") return back(nudgeFlash(await nudgeDeliverable(c.var.deps, { ...actor, deliverableId: ctx.deliverable.id, unitId: ctx.unit.id })));
    if (action === "accept") return back(assignmentFlash(await reviewSubmission(c.var.deps, { ...actor, assignmentId: ctx.assignment.id, decision: "accept" }), "accepted"));
    const reason = reasonSchema.safeParse(fields.reason ?? "");
    if (!reason.success) return renderAssignment(c, ctx, t(locale, "campaign.refusal.reason_required"));
    if (action === "return") return back(assignmentFlash(await reviewSubmission(c.var.deps, { ...actor, assignmentId: ctx.assignment.id, decision: "return", reason: reason.data }), "returned"));
    const due = dueFieldSchema.safeParse(fields.due ?? "");
    if (!due.success) return renderAssignment(c, ctx, t(locale, "campaign.refusal.invalid_deadline"));
    return back(assignmentFlash(await extendDeadline(c.var.deps, { ...actor, assignmentId: ctx.assignment.id, dueAt: due.data, reason: reason.data }), "extended"));
  });

  return routes;
}
