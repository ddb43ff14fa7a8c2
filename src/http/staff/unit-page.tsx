// The unit page, for a unit's contact through the signed link in each reminder: the unit's tasks in
// active campaigns (deadline in Beijing time, whether acknowledged for the current deadline, state,
// the reason of a return), the Received and Submit forms (note or link plus documents), and the
// history with the documents to download; for a statistics table, the unit's own figures as a
// pre-filled workbook and, for each handed-in workbook, the figures that differ from the computed ones.
// Works without JavaScript; every post answers with a redirect (Post/Redirect/Get) and carries a
// one-time key, so a reload or double click acts once.
import { Hono } from "hono";
import { readForm } from "../body";
import type { Locale } from "../../core/report-input";
import { downloadType } from "../../core/download-name";
import { authoriseUnitContact, type AssignmentRow, type MemberRow, type UnitRow } from "../../services/campaigns/page-access";
import { t } from "../../i18n";
import { SUBMISSION_EXTENSIONS } from "../../services/campaigns/document-type";
import { receiveAssignment, submitAssignment, type AssignmentResult } from "../../services/campaigns/assignments";
import { openSubmissionFile, prepareSubmissionFiles, submissionDownloadStem, type SealedSubmissionFile, type SubmissionFileView } from "../../services/campaigns/submission-files";
import { unitPageView } from "../../services/campaigns/unit-view";
import { decryptText } from "../../security/cipher";
import type { ServiceDeps } from "../../services/deps";
import { AppError } from "../../services/errors";
import type { AppContext, AppEnv } from "../context";
import { downloadHeaders, XLSX_DOWNLOAD } from "../download";
import { preparedStatisticsWorkbook, type PreparedWorkbook } from "../../services/statistics/deliverable-figures";
import { pageLocale, RefusalPage, sendPage, StaffLayout } from "./staff-layout";
import { History, NOTE_MAX_CHARS, stateLabel, Task, type FormErrors } from "./unit-page-markup";

interface Viewer {
  member: MemberRow;
  unit: UnitRow;
  locale: Locale;
  token: string;
}

/** The contact the link was issued to, if it is still an active contact of this unit; else null. */
async function authoriseContact(c: AppContext, unitId: string): Promise<Viewer | null> {
  const token = c.req.query("t");
  const found = await authoriseUnitContact(c.var.deps, unitId, token);
  if (!found) return null;
  return { ...found, locale: pageLocale(c, found.member.locale), token: token! };
}

function refuse(c: AppContext) {
  // Nobody known: the language the browser asks for (or ?lang=).
  const locale = c.var.locale;
  // A post refused unread: close the connection rather than leave its body in it.
  if (c.req.raw.body && !c.req.raw.bodyUsed) c.header("Connection", "close");
  return sendPage(c, <RefusalPage c={c} locale={locale} title={t(locale, "unit_page.invalid_link_title")} message={t(locale, "unit_page.invalid_link")} />, 403);
}

/** Encryption contexts of the submission's texts (written by submitAssignment / reviewSubmission). */
export const submissionNoteContext = (submissionId: string) => `submission:${submissionId}:note`;
export const submissionReviewReasonContext = (submissionId: string) => `submission:${submissionId}:review`;

async function openText(deps: ServiceDeps, sealed: string | null, context: string): Promise<string | null> {
  if (!sealed) return null;
  return decryptText(deps.keys, sealed, context);
}

export async function submissionFileResponse(c: AppContext, opened: { assignment: AssignmentRow; file: SubmissionFileView; bytes: Uint8Array }, reader: MemberRow) {
  const name = await submissionDownloadStem(c.var.deps, opened.assignment, pageLocale(c, reader.locale));
  return c.body(opened.bytes as Uint8Array<ArrayBuffer>, 200, downloadHeaders(name, downloadType(opened.file.mediaType, SUBMISSION_EXTENSIONS)));
}

const FLASH = new Map([
  ["received", "unit_page.done_received"],
  ["submitted", "unit_page.done_submitted"],
  ["already", "unit_page.already"],
  ["changed", "unit_page.changed_meanwhile"],
]);

export async function renderUnitPage(c: AppContext, viewer: Viewer, errors: FormErrors | null = null, status: 200 | 400 | 409 | 413 = 200, notice: string | null = null) {
  const { deps } = c.var;
  const { locale, unit } = viewer;
  const view = await unitPageView(deps, unit);
  const allSubmissions = view.assignments.flatMap((v) => v.submissions);
  const notes = new Map(await Promise.all(allSubmissions.map(async (s) => [s.id, await openText(deps, s.noteEnc, submissionNoteContext(s.id))] as const)));
  const reasons = new Map(await Promise.all(allSubmissions.filter((s) => s.status === "returned").map(async (s) => [s.id, await openText(deps, s.reviewReasonEnc, submissionReviewReasonContext(s.id))] as const)));
  const q = `t=${encodeURIComponent(viewer.token)}`;
  const flashKey = FLASH.get(c.req.query("done") ?? "");
  const title = t(locale, "unit_page.heading", { unit: unit.name });
  const now = deps.now().getTime();
  const limits = { maxCount: deps.config.MAX_SUBMISSION_FILES, maxBytes: deps.config.MAX_SUBMISSION_FILE_BYTES };
  return sendPage(
    c,
    <StaffLayout c={c} locale={locale} title={title}>
      <h1>{title}</h1>
      {notice ? (
        <p class="alert" role="alert" data-testid="notice">
          {notice}
        </p>
      ) : flashKey ? (
        <p class="notice" role="status" data-testid="notice">
          {t(locale, flashKey)}
        </p>
      ) : null}
      <p class="hint">{t(locale, "unit_page.intro")}</p>
      <h2>{t(locale, "unit_page.open_heading")}</h2>
      {view.assignments.length ? (
        view.assignments.map((v) => <Task locale={locale} view={v} q={q} unitId={unit.id} now={now} notes={notes} reasons={reasons} names={view.names} errors={errors} limits={limits} />)
      ) : (
        <p>{t(locale, "unit_page.none_open")}</p>
      )}
      <h2>{t(locale, "unit_page.history")}</h2>
      <History locale={locale} view={view} />
    </StaffLayout>,
    status,
  );
}

export function createUnitPageRoutes() {
  const pages = new Hono<AppEnv>();
  pages.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });

  pages.get("/:unitId", async (c) => {
    const viewer = await authoriseContact(c, c.req.param("unitId"));
    if (!viewer) return refuse(c);
    return renderUnitPage(c, viewer);
  });

  pages.get("/:unitId/files/:fileId", async (c) => {
    const viewer = await authoriseContact(c, c.req.param("unitId"));
    if (!viewer) return refuse(c);
    let opened: Awaited<ReturnType<typeof openSubmissionFile>>;
    try {
      // A contact reads only its own unit's files (checked, and the view logged, by openSubmissionFile).
      opened = await openSubmissionFile(c.var.deps, { fileId: c.req.param("fileId"), reader: { member: viewer.member, platform: "web" }, via: "unit_page" });
    } catch (err) {
      if (err instanceof AppError && (err.code === "forbidden" || err.code === "not_found")) return refuse(c);
      throw err;
    }
    return submissionFileResponse(c, opened, viewer.member);
  });

  // The unit's own figures for a statistics table, pre-filled (the use case checks the assignment is this
  // unit's and logs the download). Same signed link as the page: the contact needs no staff session.
  pages.get("/:unitId/assignments/:assignmentId/statistics.xlsx", async (c) => {
    const viewer = await authoriseContact(c, c.req.param("unitId"));
    if (!viewer) return refuse(c);
    let prepared: PreparedWorkbook;
    try {
      prepared = await preparedStatisticsWorkbook(c.var.deps, { assignmentId: c.req.param("assignmentId"), unitId: viewer.unit.id, reader: { member: viewer.member, platform: "web" }, locale: viewer.locale });
    } catch (err) {
      if (err instanceof AppError && err.code === "not_found") return refuse(c);
      throw err;
    }
    return c.body(prepared.bytes as Uint8Array<ArrayBuffer>, 200, downloadHeaders(prepared, XLSX_DOWNLOAD));
  });

  pages.post("/:unitId/assignments/:assignmentId/receive", async (c) => {
    const viewer = await authoriseContact(c, c.req.param("unitId"));
    if (!viewer) return refuse(c);
    const { fields } = await readForm(c, "files");
    const once = onceKey(fields._once);
    if (!once) return renderUnitPage(c, viewer, null, 400, t(viewer.locale, "unit_page.form_expired"));
    const assignmentId = c.req.param("assignmentId");
    const result = await receiveAssignment(c.var.deps, { assignmentId, actor: viewer.member, platform: "web", dedupeKey: `web:unit:receive:${once}` });
    return answer(c, viewer, assignmentId, result, "received");
  });

  pages.post("/:unitId/assignments/:assignmentId/submit", async (c) => {
    const { deps } = c.var;
    const viewer = await authoriseContact(c, c.req.param("unitId"));
    if (!viewer) return refuse(c);
    const { locale, member } = viewer;
    const assignmentId = c.req.param("assignmentId");
    const { fields, files } = await readForm(c, "files");
    const note = (fields.note ?? "").replace(/\r\n/g, "\n").trim();
    const fail = (errors: Record<string, string>) => renderUnitPage(c, viewer, { assignmentId, fields: errors, note }, 400);
    const once = onceKey(fields._once);
    if (!once) return fail({ _: t(locale, "unit_page.form_expired") });
    if (note.length > NOTE_MAX_CHARS) return fail({ note: t(locale, "unit_page.note_too_long", { max: NOTE_MAX_CHARS }) });
    if (!note && files.length === 0) return fail({ note: t(locale, "unit_page.need_note_or_file") });
    let sealed: SealedSubmissionFile[];
    try {
      sealed = await prepareSubmissionFiles(deps, files, locale, undefined, { assignmentId });
    } catch (err) {
      if (err instanceof AppError && err.code === "validation_failed") return fail(err.options.fields ?? {});
      throw err;
    }
    // The documents are written in the submission's own batch: a refused, repeated or lost submit stores none.
    const result = await submitAssignment(deps, { assignmentId, actor: member, platform: "web", note: note || undefined, sealedFiles: sealed, dedupeKey: `web:unit:submit:${once}` });
    return answer(c, viewer, assignmentId, result, "submitted");
  });

  return pages;
}

/** The one-time key of a form post (random, made when the page was shown); null when missing or malformed. */
function onceKey(value: string | undefined): string | null {
  return value && /^[A-Za-z0-9_-]{22}$/.test(value) ? value : null;
}

/** Post/Redirect/Get for what took effect (or had already); the page again with the reason otherwise. */
function answer(c: AppContext, viewer: Viewer, assignmentId: string, result: AssignmentResult, done: "received" | "submitted") {
  const back = (flash: string) => c.redirect(`/units/${encodeURIComponent(viewer.unit.id)}?t=${encodeURIComponent(viewer.token)}&done=${flash}#${encodeURIComponent(assignmentId)}`, 303);
  if (result.status === "done") return back(done);
  if (result.status === "duplicate") return back("already");
  switch (result.reason) {
    case "not_permitted":
    case "unknown_assignment":
      return refuse(c);
    case "already_received":
      return back("already");
    case "changed_meanwhile":
      return back("changed");
    default: {
      const state = result.assignment ? stateLabel(viewer.locale, result.assignment.state) : "?";
      return renderUnitPage(c, viewer, null, 409, t(viewer.locale, "unit_page.not_allowed_now", { state }));
    }
  }
}
