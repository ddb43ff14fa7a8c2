// Whether a browser says a request was made by another site: Sec-Fetch-Site (every current browser)
// or, failing that, an Origin naming a host that is not ours. Clients that send neither (curl,
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
  // With Referrer-Policy: no-referrer, browsers send "Origin: null" even for our own forms, so
  // Sec-Fetch-Site decides there.
  if (input.origin === undefined || input.origin === "null") return false;
  const host = hostOf(input.origin);
  return host === null || !input.allowedHosts.includes(host);
}
