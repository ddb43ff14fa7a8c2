// The token cache every mainland platform's adapter shares: one fetch for concurrent callers, renewal a
// few minutes before expiry, one renewal for a refused token however many callers saw it refused.
import { describe, expect, it } from "vitest";
import { createAccessTokenCache, TOKEN_RENEW_EARLY_MS } from "../../src/chat/access-token";

function issuer(lifetimeMs = 7200_000) {
  let issued = 0;
  let release: (() => void) | null = null;
  const state = {
    get issued() {
      return issued;
    },
    /** The next fetch waits until released (to make callers overlap). */
    hold() {
      return new Promise<void>((r) => (release = r));
    },
    release: () => release?.(),
    issue: async () => {
      issued++;
      if (release === null) await Promise.resolve();
      return { token: `t-${issued}`, expiresInMs: lifetimeMs };
    },
  };
  return state;
}

describe("access token cache", () => {
  it("fetches once for callers that need a token at the same time, then serves it from memory", async () => {
    let clock = 0;
    const source = issuer();
    const cache = createAccessTokenCache(source.issue, { now: () => clock });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get()));
    expect(new Set(tokens)).toEqual(new Set(["t-1"]));
    clock += 3600_000;
    expect(await cache.get()).toBe("t-1");
    expect(source.issued).toBe(1);
  });

  it("renews before the stated expiry, so a call started just before it still carries a valid token", async () => {
    let clock = 0;
    const source = issuer();
    const cache = createAccessTokenCache(source.issue, { now: () => clock });
    await cache.get();
    clock = 7200_000 - TOKEN_RENEW_EARLY_MS - 1;
    expect(await cache.get()).toBe("t-1");
    clock += 2;
    expect(await cache.get()).toBe("t-2");
  });

  it("a short-lived token is used for half its life rather than refetched on every call", async () => {
    let clock = 0;
    const source = issuer(60_000);
    const cache = createAccessTokenCache(source.issue, { now: () => clock });
    await cache.get();
    clock = 29_000;
    expect(await cache.get()).toBe("t-1");
    clock = 31_000;
    expect(await cache.get()).toBe("t-2");
  });

  it("a refused token is renewed once, even when several callers report it; a newer one is kept", async () => {
    const source = issuer();
    const cache = createAccessTokenCache(source.issue);
    const stale = await cache.get();
    const renewed = await Promise.all([cache.renew(stale), cache.renew(stale), cache.renew(stale)]);
    expect(new Set(renewed)).toEqual(new Set(["t-2"]));
    expect(await cache.renew(stale)).toBe("t-2");
    expect(source.issued).toBe(2);
  });

  it("a failed fetch is not cached: the next caller asks again", async () => {
    let fail = true;
    const cache = createAccessTokenCache(async () => {
      if (fail) throw new Error("token endpoint down");
      return { token: "t-ok", expiresInMs: 7200_000 };
    });
    await expect(cache.get()).rejects.toThrow("token endpoint down");
    fail = false;
    expect(await cache.get()).toBe("t-ok");
  });
});
