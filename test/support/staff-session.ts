// A signed-in member's browser for workspace page tests: `signInAs` goes through the real sign-in — a
// link issued by the service (as `npm run admin -- login` does), the confirmation page (GET), its form
// (POST) — and keeps the session cookie it set; it forges nothing. Posts are form-urlencoded and say
// they come from the same origin, as a browser's form post does.
import { issueSignInLink } from "../../src/services/workspace/sign-in-links";
import type { TestContext } from "./context";
import { createPageClient, type PageResponse } from "./page-client";

export const SAME_ORIGIN = { origin: "http://localhost", "sec-fetch-site": "same-origin" } as const;

export interface StaffBrowser {
  /** GET a page (redirects followed), with the session cookie. */
  get(path: string): Promise<PageResponse>;
  /** POST a form (form-urlencoded, same origin; a 303 is followed to its page: see `hops`). */
  post(path: string, fields: Record<string, string>): Promise<PageResponse>;
  /** The session cookie as sent: `name=value`. */
  cookie: string;
  /** The cookie's name (`__Host-fw_staff`, or `fw_staff` in development). */
  cookieName: string;
  /** The Set-Cookie line the sign-in answered with. */
  setCookie: string;
}

/** The `t` of a sign-in link. */
export const tokenOfLink = (url: string) => new URL(url).searchParams.get("t")!;

/** Signs `memberId` in through a fresh link; throws unless the sign-in redirected into the workspace. */
export async function signInAs(ctx: TestContext, memberId: string): Promise<StaffBrowser> {
  const link = await issueSignInLink(ctx.deps, { memberId, via: "cli", actor: { type: "system", platform: "cli" } });
  if (link.status !== "issued") throw new Error("no sign-in link issued");
  return signInWithLink(ctx, link.url);
}

/** Opens a sign-in link as a browser would: the confirmation page, then its form. */
export async function signInWithLink(ctx: TestContext, url: string): Promise<StaffBrowser> {
  const token = tokenOfLink(url);
  const client = createPageClient(ctx.app);
  const page = await client.get(`/staff/signin?t=${encodeURIComponent(token)}`);
  if (page.status !== 200) throw new Error(`the sign-in page answered ${page.status}`);
  const res = await ctx.app.request("/staff/signin", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...SAME_ORIGIN },
    body: new URLSearchParams({ t: token }).toString(),
    redirect: "manual",
  });
  if (res.status !== 303 || res.headers.get("location") !== "/staff") throw new Error(`the sign-in answered ${res.status}: ${await res.text()}`);
  const setCookie = res.headers.getSetCookie().find((l) => l.includes("fw_staff="))!;
  const cookie = setCookie.split(";")[0]!;
  const cookieName = cookie.slice(0, cookie.indexOf("="));
  const headers = { cookie };
  const follow = async (path: string, init: RequestInit, hops: number[] = []): Promise<PageResponse> => {
    const r = await ctx.app.request(path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) }, redirect: "manual" });
    hops.push(r.status);
    const location = r.headers.get("location");
    if (r.status >= 300 && r.status < 400 && location && hops.length < 5) return follow(location, { method: "GET" }, hops);
    return { status: r.status, html: await r.text(), url: path, hops, headers: r.headers };
  };
  return {
    get: (path) => follow(path, { method: "GET" }),
    post: (path, fields) =>
      follow(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...SAME_ORIGIN }, body: new URLSearchParams(fields).toString() }),
    cookie,
    cookieName,
    setCookie,
  };
}
