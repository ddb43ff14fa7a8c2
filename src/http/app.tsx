// createApp(deps): the one Hono application both runtimes serve — the public room (citizen pages and
// the JSON API, src/http/public), the staff room (src/http/staff), webhooks and health.
// It knows nothing about Node or Workers; src/node.ts and src/worker.ts pass the dependencies in.
import { Hono } from "hono";
import { compress } from "hono/compress";
import { getCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { maxBodyBytes, maxSubmissionBodyBytes } from "../config";
import { newId } from "../core/ids";
import { rateLimitSubject } from "../core/client-address";
import { isDatabaseReachable } from "../db/client";
import { isLocale, negotiateLocale, t } from "../i18n";
import { AppError, codeToStatus } from "../services/errors";
import { isBusyError } from "../db/retry";
import { createApiRoutes } from "./public/api/routes";
import { limitRequestBody, UploadBudget } from "./body";
import { isCrossSiteRequest } from "./same-origin";
import { APP_CSS, APP_JS } from "./assets";
import type { AppContext, AppDeps, AppEnv } from "./context";
import { ErrorPage, NotFoundPage } from "./public/home";
import { createPublicPageFrame } from "./public/page-kit";
import { createInfoRoutes } from "./public/info-routes";
import { createReportRoutes } from "./public/report-routes";
import { createReceiptRoutes } from "./public/receipt-routes";
import { createStatusRoutes } from "./public/status-routes";
import { createRewardRoutes } from "./public/reward-routes";
import { createWebhookRoutes } from "./webhooks";
import { createCaseRoutes } from "./staff/case";
import { createBatchTriageRoutes } from "./staff/batch-triage";
import { siteFrame } from "./shared/site";
import { createUnitPageRoutes } from "./staff/unit-page";
import { createBoardRoutes } from "./staff/board-page";
import { createWorkspaceRoutes } from "./staff/workspace/routes";

export type { AppDeps } from "./context";

/** JSON bodies never need more than this; only multipart uploads get the large limit. */
const MAX_JSON_BYTES = 256 * 1024;

const wantsJson = (c: AppContext) => c.req.path.startsWith("/api/") || c.req.path.startsWith("/webhooks/") || c.req.path === "/healthz";

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException && err.status === 413) return new AppError("payload_too_large", "body too large", { cause: err });
  // The database stayed busy past the retry budget: nothing was stored, and trying again soon works.
  if (isBusyError(err)) return new AppError("unavailable", "database busy", { cause: err, retryAfterSeconds: 2 });
  return new AppError("internal", "unexpected error", { cause: err });
}

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const uploadLimit = maxBodyBytes(deps.config);
  // Unit pages take campaign documents (larger and more of them than a tip's evidence).
  const submissionUploadLimit = maxSubmissionBodyBytes(deps.config);

  app.use("*", async (c, next) => {
    c.set("deps", deps);
    c.set("requestId", newId("req"));
    const logFields: Record<string, unknown> = {};
    c.set("logFields", logFields);
    const asked = c.req.query("lang");
    if (isLocale(asked)) setCookie(c, "lang", asked, { path: "/", maxAge: 365 * 86400, sameSite: "Lax", httpOnly: true });
    const cookie = getCookie(c, "lang");
    c.set("locale", isLocale(asked) ? asked : isLocale(cookie) ? cookie : negotiateLocale(c.req.header("accept-language"), deps.config.DEFAULT_LOCALE));
    const started = Date.now();
    await next();
    // One line per request. Method, path and status, plus what the handler noted in logFields (ids and
    // counts): no query strings, addresses, user agents or bodies.
    deps.log.info("request", { requestId: c.var.requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Date.now() - started, ...logFields });
  });

  // The form lists every district of the country (~250 KB of HTML); gzip makes it ~40 KB on a phone.
  // Workers compress at the edge by themselves (and always see Accept-Encoding), so only Node asks.
  if (deps.compressResponses) app.use("*", compress());

  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      referrerPolicy: "no-referrer",
      crossOriginEmbedderPolicy: false,
    }),
  );

  // Same-origin everywhere: a browser that says a state-changing request comes from another site is
  // refused before its body is read, pages and API alike (a hostile page can post multipart to the API
  // without any CORS preflight). Webhooks are called by chat platforms and verified by signature.
  app.use("*", async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && c.req.method !== "OPTIONS" && !c.req.path.startsWith("/webhooks/")) {
      const allowedHosts = [new URL(c.req.url).host, ...(deps.config.PUBLIC_BASE_URL ? [new URL(deps.config.PUBLIC_BASE_URL).host] : [])];
      if (isCrossSiteRequest({ secFetchSite: c.req.header("sec-fetch-site"), origin: c.req.header("origin"), allowedHosts }))
        throw new AppError("forbidden", "cross-site request", { messageKey: "errors.cross_site" });
    }
    return next();
  });

  // JSON bodies never need more than MAX_JSON_BYTES; only multipart uploads get the large limit.
  const uploadBudget = new UploadBudget(deps.config.UPLOAD_BUFFER_BYTES);
  app.use(
    "*",
    limitRequestBody(
      (c) => ((c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/") ? (c.req.path.startsWith("/units/") ? submissionUploadLimit : uploadLimit) : MAX_JSON_BYTES),
      { budget: uploadBudget, clientSubject: (c) => rateLimitSubject(deps.clientAddress(c)), idleTimeoutMs: deps.config.BODY_IDLE_TIMEOUT_MS },
    ),
  );

  app.get("/healthz", async (c) => {
    const database = await isDatabaseReachable(deps.db);
    return c.json({ status: database ? "ok" : "unavailable", database }, database ? 200 : 503);
  });

  app.get("/assets/app.css", (c) => c.body(APP_CSS, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" }));
  app.get("/assets/app.js", (c) => c.body(APP_JS, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=3600" }));
  app.get("/robots.txt", (c) => c.text("User-agent: *\nDisallow: /status\nDisallow: /api/\n"));
  app.get("/favicon.ico", (c) => c.body(null, 204));

  app.route("/webhooks", createWebhookRoutes());
  // The staff room: pages a member opens from a signed link in chat.
  app.route("/cases", createCaseRoutes());
  app.route("/batches", createBatchTriageRoutes());
  app.route("/units", createUnitPageRoutes());
  app.route("/campaigns", createBoardRoutes());
  // The staff workspace: a member signs in with a one-time link and works on /staff.
  app.route("/staff", createWorkspaceRoutes());
  // The public room: the JSON API, then the citizen pages. The frame (text-size cookie, no-store) is
  // mounted once, before the page modules, so it runs once for every citizen page.
  app.route("/api/v1", createApiRoutes());
  app.route("/", createPublicPageFrame());
  app.route("/", createInfoRoutes());
  app.route("/", createReportRoutes());
  app.route("/", createReceiptRoutes());
  app.route("/", createStatusRoutes());
  app.route("/", createRewardRoutes());

  app.notFound((c) => {
    const locale = c.var.locale ?? deps.config.DEFAULT_LOCALE;
    if (wantsJson(c)) return c.json({ error: { code: "not_found", message: t(locale, "errors.not_found"), requestId: c.var.requestId } }, 404);
    return c.html(<NotFoundPage locale={locale} path="/" site={siteFrame(deps.config)} />, 404);
  });

  app.onError((err, c) => {
    const appError = toAppError(err);
    const locale = c.var.locale ?? deps.config.DEFAULT_LOCALE;
    const status = codeToStatus(appError.code);
    if (appError.code === "internal") {
      const cause = appError.options.cause ?? err;
      deps.log.error("unhandled error", {
        requestId: c.var.requestId,
        path: c.req.path,
        error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
        stack: cause instanceof Error ? cause.stack?.split("\n").slice(0, 6).join(" | ") : undefined,
      });
    }
    if (appError.options.retryAfterSeconds) c.header("Retry-After", String(appError.options.retryAfterSeconds));
    // A body we refused unread (too large, cross-site) would otherwise be drained or, worse, parsed as
    // the next request on a keep-alive connection: close it; the client's next request opens a new one.
    if (appError.code === "payload_too_large" || (c.req.raw.body && !c.req.raw.bodyUsed)) c.header("Connection", "close");
    const messageKey = appError.options.messageKey ?? `errors.${appError.code}`;
    const message = t(locale, messageKey, appError.options.params);
    if (wantsJson(c)) {
      const fields = appError.options.fields && Object.keys(appError.options.fields).length ? appError.options.fields : undefined;
      return c.json({ error: { code: appError.code, message, ...(fields ? { fields } : {}), ...(appError.options.details ?? {}), requestId: c.var.requestId } }, status);
    }
    return c.html(<ErrorPage locale={locale} path="/" site={siteFrame(deps.config)} message={message} />, status);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
