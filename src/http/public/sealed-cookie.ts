// Short-lived, encrypted, HttpOnly cookies that carry what a page needs after a redirect (the
// receipt just issued, the receipt a status page was opened with), so Post/Redirect/Get works
// without the receipt ever appearing in a URL. AES-GCM with the cookie's name as associated data.
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { decryptText, encryptText } from "../../security/cipher";
import type { AppContext } from "../context";

export interface SealedCookie {
  name: string;
  path: string;
  maxAgeSeconds: number;
}

export const RECEIPT_COOKIE: SealedCookie = { name: "fw_receipt", path: "/report", maxAgeSeconds: 30 * 60 };
export const STATUS_COOKIE: SealedCookie = { name: "fw_status", path: "/status", maxAgeSeconds: 30 * 60 };

function secure(c: AppContext): boolean {
  const base = c.var.deps.config.PUBLIC_BASE_URL;
  return base ? base.startsWith("https:") : new URL(c.req.url).protocol === "https:";
}

export async function setSealedCookie(c: AppContext, cookie: SealedCookie, value: unknown): Promise<void> {
  const { deps } = c.var;
  const expiresAt = deps.now().getTime() + cookie.maxAgeSeconds * 1000;
  const sealed = await encryptText(deps.keys, JSON.stringify({ v: value, exp: expiresAt }), `cookie:${cookie.name}`);
  setCookie(c, cookie.name, sealed, { path: cookie.path, httpOnly: true, sameSite: "Strict", secure: secure(c), maxAge: cookie.maxAgeSeconds });
}

/** The cookie's value, or null when absent, expired, forged or sealed with a retired key. */
export async function readSealedCookie<T>(c: AppContext, cookie: SealedCookie): Promise<T | null> {
  const raw = getCookie(c, cookie.name);
  if (!raw) return null;
  try {
    const { v, exp } = JSON.parse(await decryptText(c.var.deps.keys, raw, `cookie:${cookie.name}`)) as { v: T; exp: number };
    return exp > c.var.deps.now().getTime() ? v : null;
  } catch {
    return null;
  }
}

export function clearSealedCookie(c: AppContext, cookie: SealedCookie): void {
  deleteCookie(c, cookie.name, { path: cookie.path, secure: secure(c) });
}
