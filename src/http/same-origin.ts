// Whether a browser says a request was made by another site: Sec-Fetch-Site (every current browser)
// or, failing that, an Origin naming a host that is not ours (or "null", an opaque origin). Clients that send neither (curl,
// scripts, server-to-server integrations) are not browsers and cannot be made to post on a victim's
// behalf, so they pass.

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

export function isCrossSiteRequest(input: { secFetchSite: string | undefined; origin: string | undefined; allowedHosts: string[] }): boolean {
  const site = input.secFetchSite?.trim().toLowerCase();
  // "same-site" is a sibling subdomain: another origin, possibly someone else's, so refused too.
  if (site === "cross-site" || site === "same-site") return true;
  if (input.origin === undefined) return false;
  // With Referrer-Policy: no-referrer, browsers send "Origin: null" even for our own forms, together
  // with Sec-Fetch-Site: same-origin. Without that vouching, "null" is an opaque origin (a sandboxed
  // frame, a data: or file: page, an old browser posting from elsewhere): it cannot be shown to be us.
  if (input.origin === "null") return site !== "same-origin" && site !== "none";
  const host = hostOf(input.origin);
  return host === null || !input.allowedHosts.includes(host);
}
