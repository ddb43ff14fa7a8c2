// The Workers entry (src/worker.ts) called as workerd calls it: a DATABASE_URL it cannot serve is refused at
// start in words (a WebSocket cannot outlive the request that opened it there), and libsql:/https: URLs
// go to libSQL's HTTP client.
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/worker";
import { generateKeyMaterial } from "../../src/security/keys";

const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as never;

async function start(databaseUrl: string) {
  const keys = await generateKeyMaterial("wk");
  const errors: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(" ")));
  const env = { APP_ENV: "test", DATABASE_URL: databaseUrl, ENCRYPTION_KEYS: keys.encryptionKeys, HASH_KEY: keys.hashKey, SIGNING_KEY: keys.signingKey, LOG_LEVEL: "error" };
  const res = await worker.fetch(new Request("http://worker.test/health"), env, ctx);
  spy.mockRestore();
  return { status: res.status, errors: errors.join("\n") };
}

afterEach(() => vi.restoreAllMocks());

describe("the Workers entry's database URL", () => {
  it("refuses ws:// and wss:// at start, saying what to use instead", async () => {
    for (const url of ["wss://db.example.org", "ws://127.0.0.1:8080"]) {
      const started = await start(url);
      expect(started.status).toBe(500);
      expect(started.errors).toContain("use a libsql:// or https:// URL on Workers");
    }
  });

  it("takes libsql:// and http(s):// to the HTTP client (here nothing listens: the failure is the connection's)", async () => {
    for (const url of ["libsql://127.0.0.1:9?tls=0", "http://127.0.0.1:9"]) {
      const started = await start(url);
      expect(started.status).toBe(500);
      expect(started.errors).toContain("FundWatch cannot start");
      expect(started.errors).not.toContain("use a libsql:// or https:// URL on Workers");
      expect(started.errors).not.toMatch(/URL_SCHEME_NOT_SUPPORTED|supports only/);
    }
  });
});
