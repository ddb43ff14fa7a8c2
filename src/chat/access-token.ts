// The access token of a platform API that issues short-lived tokens (Feishu tenant_access_token, DingTalk
// accessToken, WeCom gettoken), kept in memory per adapter: renewed a few minutes before it expires and
// once more when the API calls it invalid, and fetched once for every caller that needs it meanwhile, so
// a burst of sends after a restart asks for one token, not fifty. Each platform brings its own fetch
// (request shape and error mapping); the caching rules are the same everywhere.

/** A token as its issuer answered: the value and how long it lives. */
export interface IssuedToken {
  token: string;
  expiresInMs: number;
}

export interface AccessTokenCache {
  /** A token valid for at least the renewal margin (cached, or fetched now). */
  get(): Promise<string>;
  /** The API refused `stale`: a new one, unless another caller already replaced it. */
  renew(stale: string): Promise<string>;
}

/** Renew this long before the stated expiry: a call started just before expiry must still carry a valid token. */
export const TOKEN_RENEW_EARLY_MS = 5 * 60_000;

export function createAccessTokenCache(issue: () => Promise<IssuedToken>, options: { now?: () => number } = {}): AccessTokenCache {
  const now = options.now ?? Date.now;
  let cached: { token: string; renewAt: number } | null = null;
  let inFlight: Promise<string> | null = null;

  function fetchShared(): Promise<string> {
    inFlight ??= issue()
      .then(({ token, expiresInMs }) => {
        // A token with less than the margin left is used for half its life rather than refetched in a loop.
        cached = { token, renewAt: now() + Math.max(expiresInMs - TOKEN_RENEW_EARLY_MS, expiresInMs / 2) };
        return token;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  return {
    async get() {
      if (cached && now() < cached.renewAt) return cached.token;
      return fetchShared();
    },
    async renew(stale) {
      if (cached && cached.token !== stale && now() < cached.renewAt) return cached.token;
      if (cached?.token === stale) cached = null;
      return fetchShared();
    },
  };
}
