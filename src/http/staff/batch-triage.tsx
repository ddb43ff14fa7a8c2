// The triage page of a screening batch, for one member through a short-lived signed link from chat
// ("Open triage page"): the batch's leads they may see, filtered and paged without JavaScript, bulk
// actions by form post (one-time token bound to batch and member; cross-site posts are refused
// app-wide), and the feedback file for coordinators and team leads. Every view and download is logged.
// The same routes serve the workspace's batches section (`createTriageRoutes` with its own `TriageSite`).
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import type { Locale } from "../../core/report-input";
import { recordBatchTriageView, type MemberRow } from "../../services/leads/batch-triage-views";
import { t } from "../../i18n";
import { caseLinkToken, CASE_LINK_MINUTES } from "../../services/chat-actions";
import { AppError } from "../../services/errors";
import { batchFeedbackRows, feedbackCsv, feedbackXlsx } from "../../services/leads/batch-feedback";
import {
  assignableMembers,
  authoriseBatchTriage,
  batchRules,
  BULK_ACTIONS,
  BULK_MAX_LEADS,
  issueBulkFormToken,
  listBatchLeads,
  logFeedbackDownload,
  mayDownloadFeedback,
  parseTriageFilters,
  runBulkAction,
  teamLeadIdsOfBatch,
  verifyBulkFormToken,
  type BatchRow,
  type BulkAction,
} from "../../services/leads/batch-triage";
import { orgSnapshot } from "../../services/org/org-cache";
import type { ServiceDeps } from "../../services/deps";
import { CSV_DOWNLOAD, XLSX_DOWNLOAD, downloadHeaders } from "../download";
import type { AppContext, AppEnv } from "../context";
import { pageLocale, sendPage, StaffLayout } from "./staff-layout";
import { mayOpenCase, query, ResultBody, resultTitle, TriageBody, triageTitle } from "./batch-triage-markup";

/** How one room serves the triage routes: who the member is, where the pages live, and their frame. */
export interface TriageSite {
  /** The batch and member, or the refusal to answer. */
  authorise(c: AppContext, batchId: string): Promise<{ batch: BatchRow; member: MemberRow } | Response>;
  locale(c: AppContext, member: MemberRow): Locale;
  /** The triage page's path. */
  base(batchId: string): string;
  /** What each link and form carries to stay authorised (the signed link's token). */
  auth(c: AppContext): Record<string, string>;
  /** Whether links keep the language (the signed page does). */
  keepLang: boolean;
  /** The page around the triage markup (the back link, on a result page). */
  frame(props: { c: AppContext; locale: Locale; title: string; back?: string; children: Child }): Child;
  /** The reference of what a member does here (the workspace session), for the events. */
  platformRef(c: AppContext): string | null;
  /** The link to a lead the member may open, from this room. */
  leadLink(deps: ServiceDeps, leadId: string, member: MemberRow, expiresAt: number): Promise<string>;
}

const signedSite: TriageSite = {
  authorise: async (c, batchId) => authoriseBatchTriage(c.var.deps, batchId, c.req.query("t") ?? ""),
  locale: (c, member) => pageLocale(c, member.locale),
  base: (batchId) => `/batches/${encodeURIComponent(batchId)}`,
  auth: (c) => ({ t: c.req.query("t") ?? "" }),
  keepLang: true,
  platformRef: () => null,
  frame: ({ c, locale, title, back, children }) => (
    <StaffLayout c={c} locale={locale} title={title} script {...(back ? { nav: [{ href: back, label: t(locale, "batch.back") }] } : {})}>
      {children}
    </StaffLayout>
  ),
  leadLink: async (deps, leadId, member, expiresAt) => `/cases/${encodeURIComponent(leadId)}?t=${encodeURIComponent(await caseLinkToken(deps, leadId, member.id, expiresAt))}`,
};

export function createBatchTriageRoutes() {
  return createTriageRoutes(signedSite);
}

export function createTriageRoutes(site: TriageSite) {
  const batches = new Hono<AppEnv>();
  batches.use("*", async (c, next) => {
    await next();
    // Lists of leads behind a token in the URL: never cached, never sent on as a referrer (see PageShell).
    c.header("Cache-Control", "no-store");
  });

  async function renderList(c: AppContext, batchId: string, notice?: string, status: 200 | 400 = 200) {
    const { deps } = c.var;
    const found = await site.authorise(c, batchId);
    if (found instanceof Response) return found;
    const { batch, member } = found;
    const locale = site.locale(c, member);
    const q = c.req.query();
    const filters = parseTriageFilters(q);
    const cursor = (v: string | undefined) => (v && /^\d{1,9}$/.test(v) ? Number(v) : undefined);
    const before = cursor(q.before);
    const after = cursor(q.after);
    const [page, rules, people, org] = await Promise.all([
      listBatchLeads(deps, { batchId, member, filters, ...(before !== undefined ? { before } : after !== undefined ? { after } : {}) }),
      batchRules(deps, batchId),
      assignableMembers(deps, member),
      orgSnapshot(deps),
    ]);
    const expiresAt = deps.now().getTime() + CASE_LINK_MINUTES * 60_000;
    const caseLinks = new Map<string, string>();
    for (const l of page.leads) if (mayOpenCase(member, l)) caseLinks.set(l.leadId, await site.leadLink(deps, l.leadId, member, expiresAt));
    await recordBatchTriageView(deps, { batchId, member, filters, after, before, leadIds: page.leads.map((l) => l.leadId), platformRef: site.platformRef(c) });
    const names = new Map([...org.memberById.values()].map((m) => [m.id, m.displayName]));
    const title = triageTitle(locale, batch);
    return sendPage(
      c,
      site.frame({
        c,
        locale,
        title,
        children: (
          <>
            <h1>{title}</h1>
            <TriageBody
              locale={locale}
              base={site.base(batch.id)}
              auth={site.auth(c)}
              lang={site.keepLang ? locale : null}
              batch={batch}
              member={member}
              filters={filters}
              page={page}
              rules={rules}
              people={people}
              names={names}
              caseLinks={caseLinks}
              formToken={await issueBulkFormToken(deps, batchId, member.id)}
              canAssign={member.role === "coordinator" || member.role === "team_lead"}
              canDownload={mayDownloadFeedback(member)}
              {...(notice ? { notice } : {})}
            />
          </>
        ),
      }),
      status,
    );
  }

  batches.get("/:batchId", (c) => renderList(c, c.req.param("batchId")));

  batches.post("/:batchId/actions", async (c) => {
    const { deps } = c.var;
    const batchId = c.req.param("batchId");
    const found = await site.authorise(c, batchId);
    if (found instanceof Response) return found;
    const { batch, member } = found;
    const locale = site.locale(c, member);
    let body: Record<string, string | File | (string | File)[]>;
    try {
      body = await c.req.parseBody({ all: true });
    } catch (cause) {
      throw new AppError("validation_failed", "malformed form body", { cause });
    }
    const strings = (name: string) => {
      const v = body[name];
      return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");
    };
    const one = (name: string) => strings(name)[0] ?? "";
    const formNonce = await verifyBulkFormToken(deps, batchId, member.id, one("_once"));
    if (!formNonce) return renderList(c, batchId, t(locale, "form.expired"), 400);
    const action = one("action") as BulkAction;
    if (!(BULK_ACTIONS as readonly string[]).includes(action)) return renderList(c, batchId, t(locale, "batch.choose_action"), 400);
    const leadIds = strings("lead").filter((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id));
    if (leadIds.length === 0) return renderList(c, batchId, t(locale, "batch.none_selected"), 400);
    if (leadIds.length > BULK_MAX_LEADS) return renderList(c, batchId, t(locale, "batch.too_many", { max: BULK_MAX_LEADS }), 400);
    const reason = one("reason").trim().slice(0, 500);
    if (action === "decline" && reason.length < 2) return renderList(c, batchId, t(locale, "batch.reason_needed"), 400);
    const toMemberId = one("assignee");
    if (action === "assign" && !toMemberId) return renderList(c, batchId, t(locale, "batch.choose_assignee"), 400);
    const outcomes = await runBulkAction(deps, { batchId, member, action, leadIds, formNonce, platformRef: site.platformRef(c), ...(reason ? { reason } : {}), ...(toMemberId ? { toMemberId } : {}) });
    const keep = { ...site.auth(c), ...(site.keepLang ? { lang: locale } : {}) };
    const back = `${site.base(batch.id)}${Object.keys(keep).length ? `?${query(keep)}` : ""}`;
    const title = resultTitle(locale, action);
    return sendPage(
      c,
      site.frame({
        c,
        locale,
        title,
        back,
        children: (
          <>
            <h1>{title}</h1>
            <ResultBody locale={locale} back={back} outcomes={outcomes} />
          </>
        ),
      }),
    );
  });

  // One parameter for the whole segment: this router no longer matches a parameter after a literal within one.
  batches.get("/:batchId/:file{feedback\\.(?:csv|xlsx)}", async (c) => {
    const { deps } = c.var;
    const batchId = c.req.param("batchId");
    const format = c.req.param("file").endsWith(".xlsx") ? "xlsx" : "csv";
    const found = await site.authorise(c, batchId);
    if (found instanceof Response) return found;
    const { member } = found;
    if (!mayDownloadFeedback(member)) throw new AppError("forbidden", "feedback file restricted", { messageKey: "batch.feedback_restricted" });
    let rows = await batchFeedbackRows(deps, batchId);
    const scope = member.role === "coordinator" ? "all" : "team";
    if (scope === "team") {
      const mine = await teamLeadIdsOfBatch(deps, batchId, member.teamId!);
      rows = rows.filter((r) => mine.has(r.leadId));
    }
    // Logged before the file is handed out.
    await logFeedbackDownload(deps, { batchId, member, format, rows: rows.length, scope, platformRef: site.platformRef(c) });
    const name = { stem: `batch-${batchId}-feedback` };
    if (format === "xlsx") return c.body(feedbackXlsx(rows) as Uint8Array<ArrayBuffer>, 200, downloadHeaders(name, XLSX_DOWNLOAD));
    return c.body(feedbackCsv(rows), 200, downloadHeaders(name, CSV_DOWNLOAD));
  });

  return batches;
}
