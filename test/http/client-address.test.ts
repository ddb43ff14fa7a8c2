// Client addresses for rate limits: the proxy-appended X-Forwarded-For entry (not the client's own),
// IPv6 per /64, IPv4-mapped IPv6 as IPv4, and a failed-receipt throttle that counts atomically.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rateLimitSubject, resolveClientAddress } from "../../src/core/client-address";
import { startNodeServer, type RunningServer } from "../../src/node";
import { nodeServerEnv } from "../support/node-server";
import { createTestContext, type TestContext } from "../support/context";
import { jsonPost } from "../support/fixtures";

describe("resolveClientAddress", () => {
  const socketAddress = "10.0.0.5";
  it("takes the entry the trusted proxy appended, never the client's left-most one", () => {
    expect(resolveClientAddress({ socketAddress, forwardedFor: "6.6.6.6, 198.51.100.4", trustProxy: true, trustedHops: 1 })).toBe("198.51.100.4");
    expect(resolveClientAddress({ socketAddress, forwardedFor: "6.6.6.6, 198.51.100.4, 10.0.0.9", trustProxy: true, trustedHops: 2 })).toBe("198.51.100.4");
  });
  it("uses the left-most entry when there are fewer entries than trusted hops", () => {
    expect(resolveClientAddress({ socketAddress, forwardedFor: "198.51.100.4", trustProxy: true, trustedHops: 3 })).toBe("198.51.100.4");
  });
  it("ignores the header without TRUST_PROXY, and falls back to the socket for garbage", () => {
    expect(resolveClientAddress({ socketAddress, forwardedFor: "198.51.100.4", trustProxy: false, trustedHops: 1 })).toBe(socketAddress);
    expect(resolveClientAddress({ socketAddress, forwardedFor: "1.1.1.1, not-an-ip", trustProxy: true, trustedHops: 1 })).toBe(socketAddress);
    expect(resolveClientAddress({ socketAddress, forwardedFor: " , ", trustProxy: true, trustedHops: 1 })).toBe(socketAddress);
  });
  it("accepts bracketed IPv6 with a port and IPv4 with a port", () => {
    expect(resolveClientAddress({ socketAddress, forwardedFor: "[2001:db8::1]:443", trustProxy: true, trustedHops: 1 })).toBe("2001:db8::1");
    expect(resolveClientAddress({ socketAddress, forwardedFor: "198.51.100.4:5555", trustProxy: true, trustedHops: 1 })).toBe("198.51.100.4");
  });
});

describe("rateLimitSubject", () => {
  it("keys IPv6 per /64 and IPv4-mapped IPv6 as the IPv4 address", () => {
    expect(rateLimitSubject("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe(rateLimitSubject("2001:db8:1:2::1"));
    expect(rateLimitSubject("2001:DB8:1:2::1")).toBe(rateLimitSubject("2001:db8:1:2::1"));
    expect(rateLimitSubject("2001:db8:1:3::1")).not.toBe(rateLimitSubject("2001:db8:1:2::1"));
    expect(rateLimitSubject("::ffff:198.51.100.4")).toBe("198.51.100.4");
    expect(rateLimitSubject("::ffff:c633:6404")).toBe("198.51.100.4");
    expect(rateLimitSubject("198.51.100.4")).not.toBe(rateLimitSubject("198.51.100.5"));
    expect(rateLimitSubject(undefined)).toBe("unknown");
  });
});

describe("failed-receipt throttle", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ RECEIPT_FAILURES_PER_WINDOW: "5", RECEIPT_LOOKUP_MIN_MS: "50" });
  });
  afterAll(() => ctx.close());
  const guess = (i: number, client: string) =>
    ctx.app.request("/api/v1/reports/status", jsonPost({ receipt: `DDDDD-DDDDD-DDDDD-D${String(i).padStart(4, "0").replace(/0/g, "A").replace(/1/g, "B")}` }, { "x-test-client": client }));

  it("lets at most the limit of 60 parallel wrong guesses through", async () => {
    const statuses = (await Promise.all(Array.from({ length: 60 }, (_, i) => guess(i, "198.51.100.77")))).map((r) => r.status);
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(55);
    expect(statuses.every((s) => s === 404 || s === 429)).toBe(true);
  });

  it("counts every address of one IPv6 /64 as one client", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await guess(i, `2001:db8:77:1::${(i + 1).toString(16)}`)).status);
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect((await guess(9, "2001:db8:77:2::1")).status).toBe(404);
  });
});

describe("behind a proxy (TRUST_PROXY=true, real Node server)", () => {
  const dir = mkdtempSync(join(tmpdir(), "fundwatch-xff-"));
  let server: RunningServer;
  beforeAll(async () => {
    server = await startNodeServer(nodeServerEnv(dir, {
      RECEIPT_FAILURES_PER_WINDOW: "3",
      TRUST_PROXY: "true",
    }));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("cannot be bypassed by forging the left-most X-Forwarded-For entry", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${server.url}/api/v1/reports/status`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `192.0.2.${i + 1}, 198.51.100.200` },
        body: JSON.stringify({ receipt: `EEEEE-EEEEE-EEEEE-EEEE${"ABCDEF"[i]}` }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([404, 404, 404, 429, 429, 429]);
    const other = await fetch(`${server.url}/api/v1/reports/status`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.201" },
      body: JSON.stringify({ receipt: "EEEEE-EEEEE-EEEEE-EEEEG" }),
    });
    expect(other.status).toBe(404);
  });
});
