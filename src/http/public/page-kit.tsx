// What every citizen page route shares: the page base (language, framing, large text, the path the
// switches return to), the receipt-form error page, the per-process cache of pages that are the same
// for everyone, and the frame middleware (text-size cookie, no-store) mounted before the page routes.
import { Hono } from "hono";
import { shanghaiDate } from "../../core/time";
import { t } from "../../i18n";
import { AppError } from "../../services/errors";
import type { AppContext, AppEnv } from "../context";
import { ReceiptEntryPage } from "./status";
import { getCookie, setCookie } from "hono/cookie";
import { siteFrame } from "../shared/site";
import type { PageProps } from "./layout";

/** The elder-friendly large-text mode (适老化): `?text=large|normal` sets it, a cookie keeps it. */
export const TEXT_COOKIE = "fw_text";

export function largeText(c: AppContext): boolean {
  const asked = c.req.query("text");
  if (asked === "large" || asked === "normal") return asked === "large";
  return getCookie(c, TEXT_COOKIE) === "large";
}

/** The page's own address without the switches' parameters: where the switches link back to. */
export function selfPath(c: AppContext): string {
  const url = new URL(c.req.url);
  url.searchParams.delete("lang");
  url.searchParams.delete("text");
  const query = url.searchParams.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

/** What every page gets: language, framing, text size and the path its switches return to. */
export function pageBase(c: AppContext, path: string = selfPath(c)): PageProps {
  return { locale: c.var.locale, path, site: siteFrame(c.var.deps.config), largeText: largeText(c) };
}

export function formProps(c: AppContext, values: Record<string, string>, errors: Record<string, string>, filesDropped = false) {
  const { deps } = c.var;
  return {
    ...pageBase(c, "/report"),
    values,
    errors,
    filesDropped,
    maxAttachments: deps.config.MAX_ATTACHMENTS,
    maxAttachmentBytes: deps.config.MAX_ATTACHMENT_BYTES,
    today: shanghaiDate(deps.now()),
  };
}

/** Receipt-gated pages answer not-found and throttling on the receipt form itself. */
export function receiptErrorPage(c: AppContext, err: unknown, receipt: string) {
  const { locale } = c.var;
  if (err instanceof AppError && err.code === "not_found")
    return c.html(<ReceiptEntryPage {...pageBase(c, "/status")} error={t(locale, "status.not_found")} receipt={receipt} />, 404);
  if (err instanceof AppError && err.code === "rate_limited") {
    c.header("Retry-After", String(err.options.retryAfterSeconds ?? 60));
    const minutes = Math.max(1, Math.ceil((err.options.retryAfterSeconds ?? 60) / 60));
    return c.html(<ReceiptEntryPage {...pageBase(c, "/status")} error={t(locale, "status.throttled", { minutes })} />, 429);
  }
  if (err instanceof AppError && err.code === "validation_failed")
    return c.html(<ReceiptEntryPage {...pageBase(c, "/status")} error={Object.values(err.options.fields ?? {})[0] ?? t(locale, "errors.validation_failed")} receipt={receipt} />, 400);
  throw err;
}

/** The text-size cookie and no-store on every citizen page; mounted once, before the page route modules. */
export function createPublicPageFrame() {
  const pages = new Hono<AppEnv>();
  pages.use("*", async (c, next) => {
    // Cross-site posts are refused app-wide (src/http/app.tsx) before they get here.
    const text = c.req.query("text");
    if (text === "large" || text === "normal") setCookie(c, TEXT_COOKIE, text, { path: "/", maxAge: 365 * 86400, sameSite: "Lax", httpOnly: true });
    await next();
    // Pages can show a receipt or a conversation: never cache them, never leak the URL onwards.
    c.header("Cache-Control", "no-store");
  });
  return pages;
}

/** Pages that are the same for everyone in a language and text size: rendered once per process. */
export function createStaticPageCache() {
  const staticPages = new Map<string, string>();
  const cachedPage = async (c: AppContext, name: string, render: () => unknown) => {
    const key = `${name}|${c.var.locale}|${largeText(c) ? "large" : "normal"}`;
    let html = staticPages.get(key);
    if (html === undefined) {
      html = String(await (render() as { toString(): string | Promise<string> }).toString());
      staticPages.set(key, html);
    }
    return c.html(html);
  };
  return cachedPage;
}
