// The workspace's session middleware and cookie: `requireStaffSession()` resolves the cookie's session
// (one batch: lapsed sessions end, a live one is touched, its member read, a page view logged) and sets
// `c.var.staff`; without one a page answers the sign-in help with 401. The cookie is HttpOnly and
// SameSite=Strict; outside development it is `__Host-` prefixed, Secure, Path=/.
import type { MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Locale } from "../../../core/report-input";
import { isLocale } from "../../../i18n";
import type { MemberRow } from "../../../services/org/member-lookups";
import { memberPlaceName } from "../../../services/workspace/member-place";
import { resolveStaffSession } from "../../../services/workspace/sessions";
import { SESSION_MAX_MS } from "../../../services/workspace/session-rules";
import type { AppContext, AppEnv } from "../../context";
import { signInHelpResponse } from "./sign-in-pages";

export interface StaffSession {
  member: MemberRow;
  sessionId: string;
  locale: Locale;
  /** The member's team or unit by name (header, overview); null for neither. */
  placeName?: string | null;
}

const isDevelopment = (c: AppContext) => c.var.deps.config.APP_ENV === "development";

/** `__Host-fw_staff` outside development (Secure, Path=/, no Domain: only this origin ever gets it). */
export const staffCookieName = (c: AppContext) => (isDevelopment(c) ? "fw_staff" : "__Host-fw_staff");

export function readSessionCookie(c: AppContext): string | undefined {
  return getCookie(c, staffCookieName(c));
}

export function setSessionCookie(c: AppContext, token: string): void {
  setCookie(c, staffCookieName(c), token, {
    path: "/",
    httpOnly: true,
    sameSite: "Strict",
    maxAge: Math.floor(SESSION_MAX_MS / 1000),
    ...(isDevelopment(c) ? {} : { secure: true }),
  });
}

export function clearSessionCookie(c: AppContext): void {
  deleteCookie(c, staffCookieName(c), { path: "/", httpOnly: true, sameSite: "Strict", ...(isDevelopment(c) ? {} : { secure: true }) });
}

/** The page's language: asked for (?lang=, kept in the lang cookie by the app), else the member's own. */
export function workspaceLocale(c: AppContext, member: Pick<MemberRow, "locale">): Locale {
  const asked = c.req.query("lang");
  if (isLocale(asked)) return asked;
  const chosen = getCookie(c, "lang");
  if (isLocale(chosen)) return chosen;
  return isLocale(member.locale) ? member.locale : c.var.deps.config.DEFAULT_LOCALE;
}

/**
 * Every workspace page but sign-in runs behind this. A GET is one page opened: logged as
 * `staff.page_viewed` (platform web, the session as reference) in the session's own batch.
 */
export function requireStaffSession(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = readSessionCookie(c);
    const resolved = token ? await resolveStaffSession(c.var.deps, { token, ...(c.req.method === "GET" ? { pageView: { path: c.req.path } } : {}) }) : null;
    if (!resolved) {
      // A dead cookie is dropped, so the browser stops sending it.
      if (token) clearSessionCookie(c);
      return signInHelpResponse(c, { status: 401 });
    }
    const { member, sessionId } = resolved;
    c.set("staff", { member, sessionId, locale: workspaceLocale(c, member), placeName: await memberPlaceName(c.var.deps, member) });
    await next();
    c.header("Cache-Control", "no-store");
  };
}

/** The signed-in member (only inside requireStaffSession). */
export function staffOf(c: AppContext): StaffSession {
  const staff = c.var.staff;
  if (!staff) throw new Error("workspace page mounted outside requireStaffSession()");
  return staff;
}
