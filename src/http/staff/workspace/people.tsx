// People (/staff/people): the members a coordinator (everyone) or team lead (their team) may see, 100 a
// page by keyset, with role, team or unit, chat enrolment, a waiting invite and last activity; a
// coordinator invites (the one-time code is shown to them once, here) and deactivates (after a
// confirmation) through the same use cases as chat. Every form carries a hidden `key`, so a form
// submitted twice takes effect once. Others get 403 in words.
import { Hono } from "hono";
import { z } from "zod";
import { shanghaiDateTime } from "../../../core/time";
import { t } from "../../../i18n";
import { findMember } from "../../../services/org/member-lookups";
import { AppError } from "../../../services/errors";
import { deactivateBlock, inScope, listPeople, MEMBER_ID_PATTERN, peopleScopeOf, type PeoplePage, type PersonRow } from "../../../services/workspace/people";
import { deactivateFromWorkspace, inviteFromWorkspace, type PeopleActionResult } from "../../../services/workspace/people-actions";
import { readForm } from "../../body";
import type { AppContext, AppEnv } from "../../context";
import { staffOf } from "./session";
import { roleLabel, WorkspaceLayout } from "./workspace-layout";
import { formKeySchema, newFormKey } from "./form-key";

const actionForm = z.object({
  key: formKeySchema,
  member: z.string().regex(MEMBER_ID_PATTERN),
  confirm: z.literal("yes").optional(),
});

/** A fresh key for the forms of one rendered page (the dedupe key of what they do). */

type Notice = { kind: "status" | "alert"; text: string };

async function send(c: AppContext, page: unknown, status: 200 | 400 | 403 | 404 | 409 = 200) {
  return c.html(String(await (page as { toString(): string | Promise<string> }).toString()), status);
}

function EnrolmentCell(props: { c: AppContext; person: PersonRow }) {
  const { locale } = staffOf(props.c);
  const p = props.person;
  const parts = [...p.enrolledOn];
  if (p.invitePending) parts.push(t(locale, "workspace.people.invite_pending"));
  return <td>{parts.length ? parts.join(" · ") : t(locale, "workspace.people.not_enrolled")}</td>;
}

/** Why an action is not on offer, in words; nothing for the obvious (already enrolled, already deactivated). */
function blockWords(c: AppContext, person: PersonRow): string | null {
  const { locale } = staffOf(c);
  if (person.invite === "operator_only" || person.deactivate === "operator_only") return t(locale, "workspace.people.operator_only");
  if (person.deactivate === "self") return t(locale, "workspace.people.self");
  return null;
}

function ActionsCell(props: { c: AppContext; person: PersonRow; formKey: string }) {
  const { c, person: p } = props;
  const { locale } = staffOf(c);
  const form = (action: "invite" | "deactivate") => (
    <form method="post" action={`/staff/people/${action}`} class="inline">
      <input type="hidden" name="key" value={props.formKey} />
      <input type="hidden" name="member" value={p.id} />
      <button class="button" type="submit" aria-label={t(locale, `workspace.people.${action}_named`, { name: p.name })}>
        {t(locale, `workspace.people.${action}`)}
      </button>
    </form>
  );
  const words = blockWords(c, p);
  const items = [...(p.invite === null ? [form("invite")] : []), ...(p.deactivate === null ? [form("deactivate")] : []), ...(words ? [<span class="hint">{words}</span>] : [])];
  return <td>{items.length ? items.map((item, i) => (i ? [" ", item] : item)) : "—"}</td>;
}

function PeopleList(props: { c: AppContext; page: PeoplePage; formKey: string; notice?: Notice | undefined }) {
  const { c, page } = props;
  const { locale, member } = staffOf(c);
  const title = t(locale, "workspace.people.title");
  const canAct = member.role === "coordinator";
  return (
    <WorkspaceLayout c={c} title={title} active="people" wide>
      <h1>{title}</h1>
      {props.notice ? (
        <p class={props.notice.kind === "alert" ? "alert" : "notice"} role={props.notice.kind} data-testid="people-notice">
          {props.notice.text}
        </p>
      ) : null}
      <p data-testid="people-scope">
        {page.scope.kind === "team" ? t(locale, "workspace.people.team_scope", { team: page.scope.teamName ?? "—" }) : t(locale, "workspace.people.all_scope")}
      </p>
      {page.people.length ? (
        <div class="scroll">
          <table class="grid" data-testid="people">
            <caption>{t(locale, "workspace.people.caption", { count: page.people.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t(locale, "workspace.people.name_role")}</th>
                <th scope="col">{t(locale, "workspace.people.place")}</th>
                <th scope="col">{t(locale, "workspace.people.enrolment")}</th>
                <th scope="col">{t(locale, "workspace.people.last_seen")}</th>
                {canAct ? <th scope="col">{t(locale, "workspace.people.actions")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {page.people.map((p) => (
                <tr data-person={p.name}>
                  {/* Five columns, role and state under the name: the table stays readable on a phone. */}
                  <th scope="row">
                    {p.name}
                    <br />
                    <span class="hint">
                      {roleLabel(locale, p.role)}
                      {p.active ? "" : ` · ${t(locale, "workspace.people.inactive")}`}
                    </span>
                  </th>
                  <td>{p.place ?? "—"}</td>
                  <EnrolmentCell c={c} person={p} />
                  <td>{p.lastActiveAt === null ? t(locale, "workspace.people.never") : `${shanghaiDateTime(new Date(p.lastActiveAt))}`}</td>
                  {canAct ? <ActionsCell c={c} person={p} formKey={props.formKey} /> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p data-testid="people-empty">{t(locale, "workspace.people.empty")}</p>
      )}
      <p class="hint">{t(locale, "workspace.people.last_seen_hint")}</p>
      {page.nextAfter !== null ? (
        <nav class="pages" aria-label={t(locale, "workspace.people.pages")}>
          <a href={`/staff/people?after=${encodeURIComponent(page.nextAfter)}`} rel="next" data-testid="people-next">
            {t(locale, "workspace.people.next_page")}
          </a>
        </nav>
      ) : null}
    </WorkspaceLayout>
  );
}

/** 403 in words for members who may not see the list. */
function forbiddenPage(c: AppContext) {
  const { locale } = staffOf(c);
  const title = t(locale, "workspace.people.title");
  return send(
    c,
    <WorkspaceLayout c={c} title={title} active="people">
      <h1>{title}</h1>
      <p class="alert" role="alert" data-testid="people-forbidden">
        {t(locale, "workspace.people.forbidden")}
      </p>
    </WorkspaceLayout>,
    403,
  );
}

async function renderList(c: AppContext, opts: { after?: string | undefined; notice?: Notice | undefined; status?: 200 | 400 | 403 | 404 | 409 } = {}) {
  const { member, placeName } = staffOf(c);
  const page = await listPeople(c.var.deps, { viewer: member, viewerTeamName: placeName ?? null, ...(opts.after !== undefined ? { after: opts.after } : {}) });
  return send(c, <PeopleList c={c} page={page} formKey={newFormKey()} notice={opts.notice} />, opts.status ?? 200);
}

/** A refused action in words, over the list (nothing changed). */
function refusalNotice(c: AppContext, action: "invite" | "deactivate", result: Extract<PeopleActionResult, { status: "refused" }>): { notice: Notice; status: 403 | 404 | 409 } {
  const { locale } = staffOf(c);
  const name = result.target?.displayName ?? "";
  const role = result.target ? roleLabel(locale, result.target.role) : "";
  const words = (key: string) => ({ kind: "alert" as const, text: t(locale, `workspace.people.${key}`, { name, role }) });
  switch (result.reason) {
    case "unknown_member":
      return { notice: words("unknown_member"), status: 404 };
    case "not_permitted":
      return { notice: words("refused_not_permitted"), status: 403 };
    case "operator_only":
      return { notice: words(action === "invite" ? "refused_operator_only_invite" : "refused_operator_only_deactivate"), status: 403 };
    case "self":
      return { notice: words("refused_self"), status: 403 };
    case "enrolled":
      return { notice: words("refused_enrolled"), status: 409 };
    case "inactive":
      return { notice: words("refused_inactive"), status: 409 };
  }
}

/** The posted form, or null when it is not one the page made (nothing is done then). */
async function readActionForm(c: AppContext) {
  const { fields } = await readForm(c);
  const parsed = actionForm.safeParse({ key: fields.key, member: fields.member, confirm: fields.confirm || undefined });
  return parsed.success ? parsed.data : null;
}

export function createPeopleRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  // Only coordinators and team leads: every route of the page answers 403 in words to anyone else.
  routes.use("*", async (c, next) => {
    if (!peopleScopeOf(staffOf(c).member)) return forbiddenPage(c);
    await next();
  });

  routes.get("/", async (c) => {
    const { locale, member } = staffOf(c);
    const after = c.req.query("after");
    // After a deactivation (303 here): the notice names the person, if the viewer may see them.
    const deactivatedId = c.req.query("deactivated");
    let notice: Notice | undefined;
    if (deactivatedId && MEMBER_ID_PATTERN.test(deactivatedId)) {
      const gone = await findMember(c.var.deps, deactivatedId);
      const scope = peopleScopeOf(member);
      if (gone && !gone.active && scope && inScope(scope, gone)) notice = { kind: "status", text: t(locale, "workspace.people.deactivated", { name: gone.displayName }) };
    }
    return renderList(c, { after: after !== undefined && MEMBER_ID_PATTERN.test(after) ? after : undefined, notice });
  });

  routes.post("/invite", async (c) => {
    const { locale, member, sessionId } = staffOf(c);
    const form = await readActionForm(c);
    if (!form) return renderList(c, { notice: { kind: "alert", text: t(locale, "workspace.people.form_invalid") }, status: 400 });
    const result = await inviteFromWorkspace(c.var.deps, { member, sessionId }, { targetId: form.member, key: form.key });
    if (result.status === "refused") return renderList(c, refusalNotice(c, "invite", result));
    if (result.status !== "invited") throw new AppError("internal", "unexpected invite result");
    // The code is a credential: shown here, to the inviter, and nowhere else (never in a URL). The same
    // form posted again derives the same code from its key.
    const title = t(locale, "workspace.people.code_title", { name: result.target.displayName });
    return send(
      c,
      <WorkspaceLayout c={c} title={title} active="people">
        <h1>{title}</h1>
        <p class="notice" role="status">
          {t(locale, "workspace.people.code_once", { name: result.target.displayName })}
        </p>
        <p class="receipt-code" data-testid="invite-code">
          <code>{result.code}</code>
        </p>
        <p>{t(locale, "workspace.people.code_valid", { date: shanghaiDateTime(result.expiresAt) })}</p>
        <p>{t(locale, "workspace.people.code_how", { code: result.code })}</p>
        <p>
          <a href="/staff/people">{t(locale, "workspace.people.back")}</a>
        </p>
      </WorkspaceLayout>,
    );
  });

  routes.post("/deactivate", async (c) => {
    const { locale, member, sessionId } = staffOf(c);
    const form = await readActionForm(c);
    if (!form) return renderList(c, { notice: { kind: "alert", text: t(locale, "workspace.people.form_invalid") }, status: 400 });
    const target = form.confirm === "yes" ? null : await findMember(c.var.deps, form.member);
    const scope = peopleScopeOf(member);
    // A confirmation first, for a deactivation the viewer may make (anything else is refused below, in
    // words): the same key rides on, so confirming twice still deactivates once.
    if (target && scope && inScope(scope, target) && deactivateBlock(member, target) === null) {
      const title = t(locale, "workspace.people.confirm_title", { name: target.displayName });
      return send(
        c,
        <WorkspaceLayout c={c} title={title} active="people">
          <h1>{title}</h1>
          <p>{t(locale, "workspace.people.confirm_text", { name: target.displayName })}</p>
          <form method="post" action="/staff/people/deactivate" data-testid="deactivate-confirm">
            <input type="hidden" name="key" value={form.key} />
            <input type="hidden" name="member" value={target.id} />
            <input type="hidden" name="confirm" value="yes" />
            <button class="button primary" type="submit">
              {t(locale, "workspace.people.deactivate_named", { name: target.displayName })}
            </button>{" "}
            <a href="/staff/people">{t(locale, "workspace.people.back")}</a>
          </form>
        </WorkspaceLayout>,
      );
    }
    const result = await deactivateFromWorkspace(c.var.deps, { member, sessionId }, { targetId: form.member, key: form.key });
    if (result.status === "refused") return renderList(c, refusalNotice(c, "deactivate", result));
    c.header("Cache-Control", "no-store");
    return c.redirect(`/staff/people?deactivated=${encodeURIComponent(result.target.id)}`, 303);
  });

  return routes;
}
