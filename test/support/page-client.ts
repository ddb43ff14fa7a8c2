// A small browser for app.request(): keeps cookies (path-scoped), follows redirects after a form
// post (303 → GET), and reads the one-time token out of a form — so page tests walk the site the way
// a person does, Post/Redirect/Get included.
import type { Hono } from "hono";

interface StoredCookie {
  value: string;
  path: string;
}

export interface PageResponse {
  status: number;
  html: string;
  /** Where the redirects ended (path + query), or the requested path. */
  url: string;
  /** Statuses of every hop, e.g. [303, 200]. */
  hops: number[];
  headers: Headers;
}

export function createPageClient(app: { request: Hono["request"] }) {
  const jar = new Map<string, StoredCookie>();

  function cookieHeader(path: string): string {
    return [...jar.entries()]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`) || c.path === "/")
      .map(([name, c]) => `${name}=${c.value}`)
      .join("; ");
  }

  function remember(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith("path="))?.slice(5) ?? "/";
      const expired = attrs.some((a) => /^max-age=0$/i.test(a)) || value === "";
      if (expired) jar.delete(name);
      else jar.set(name, { value, path });
    }
  }

  async function request(path: string, init: RequestInit = {}, hops: number[] = []): Promise<PageResponse> {
    const headers = new Headers(init.headers);
    const cookies = cookieHeader(new URL(path, "http://localhost").pathname);
    if (cookies) headers.set("cookie", cookies);
    const res = await app.request(path, { ...init, headers, redirect: "manual" });
    remember(res.headers);
    hops.push(res.status);
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location && hops.length < 5) return request(location, { method: "GET" }, hops);
    return { status: res.status, html: await res.text(), url: path, hops, headers: res.headers };
  }

  return {
    get: (path: string) => request(path),
    post: (path: string, body: FormData | URLSearchParams, headers: Record<string, string> = {}) => request(path, { method: "POST", body, headers }),
    cookies: () => new Map([...jar.entries()].map(([k, v]) => [k, v.value])),
    clear: () => jar.clear(),
  };
}

/** The one-time token of the form with that id (or the first form). */
export function formToken(html: string, formId?: string): string {
  const form = formId ? new RegExp(`<form[^>]*id="${formId}"[\\s\\S]*?</form>`).exec(html)?.[0] : html;
  const m = /name="_once" value="([^"]+)"/.exec(form ?? "");
  if (!m) throw new Error(`no one-time token in form ${formId ?? "(first)"}`);
  return m[1]!;
}
