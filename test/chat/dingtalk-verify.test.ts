// DingTalk inbound security: the timestamp/sign headers on robot message callbacks.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dingtalkSign, verifyDingtalkRequest } from "../../src/chat/dingtalk/verify";

const SECRET = "appsecret-Abc123_xyz";
const NOW = new Date("2026-12-07T10:00:00Z");

describe("DingTalk request verification", () => {
  it("signs as Base64(HMAC-SHA256(appSecret, timestamp + \"\\n\" + appSecret)), as node:crypto computes it", async () => {
    const t = "1700000000000";
    expect(await dingtalkSign(t, SECRET)).toBe(createHmac("sha256", SECRET).update(`${t}\n${SECRET}`).digest("base64"));
  });

  it("accepts a fresh signed request from plain headers or a Headers object (any header case)", async () => {
    const timestamp = String(NOW.getTime() - 30_000);
    const sign = await dingtalkSign(timestamp, SECRET);
    expect(await verifyDingtalkRequest({ headers: { timestamp, sign }, appSecret: SECRET, now: NOW })).toEqual({ ok: true });
    expect(await verifyDingtalkRequest({ headers: new Headers({ Timestamp: timestamp, Sign: sign }), appSecret: SECRET, now: NOW })).toEqual({ ok: true });
    expect(await verifyDingtalkRequest({ headers: { timestamp, sign: encodeURIComponent(sign) }, appSecret: SECRET, now: NOW })).toEqual({ ok: true });
  });

  it("refuses a forged sign, another app's secret and missing headers", async () => {
    const timestamp = String(NOW.getTime());
    expect(await verifyDingtalkRequest({ headers: { timestamp, sign: "AAAA" }, appSecret: SECRET, now: NOW })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyDingtalkRequest({ headers: { timestamp, sign: await dingtalkSign(timestamp, "other") }, appSecret: SECRET, now: NOW })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyDingtalkRequest({ headers: { timestamp: String(NOW.getTime() + 1), sign: await dingtalkSign(timestamp, SECRET) }, appSecret: SECRET, now: NOW })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyDingtalkRequest({ headers: { timestamp }, appSecret: SECRET, now: NOW })).toEqual({ ok: false, reason: "missing_headers" });
    expect(await verifyDingtalkRequest({ headers: { timestamp, sign: "x" }, appSecret: "", now: NOW })).toEqual({ ok: false, reason: "no_secret" });
    expect(await verifyDingtalkRequest({ headers: { timestamp, sign: "%E0%A4%A" }, appSecret: SECRET, now: NOW })).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses a replay signed more than one hour ago (or ahead), and accepts 59 minutes", async () => {
    for (const offset of [-61 * 60_000, 61 * 60_000]) {
      const timestamp = String(NOW.getTime() + offset);
      expect(await verifyDingtalkRequest({ headers: { timestamp, sign: await dingtalkSign(timestamp, SECRET) }, appSecret: SECRET, now: NOW })).toEqual({ ok: false, reason: "stale_timestamp" });
    }
    const timestamp = String(NOW.getTime() - 59 * 60_000);
    expect(await verifyDingtalkRequest({ headers: { timestamp, sign: await dingtalkSign(timestamp, SECRET) }, appSecret: SECRET, now: NOW })).toEqual({ ok: true });
  });

  it("refuses non-numeric and oversized headers before computing anything", async () => {
    expect(await verifyDingtalkRequest({ headers: { timestamp: "yesterday", sign: "x" }, appSecret: SECRET, now: NOW })).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(await verifyDingtalkRequest({ headers: { timestamp: "1".repeat(200), sign: "x" }, appSecret: SECRET, now: NOW })).toEqual({ ok: false, reason: "too_large" });
    expect(await verifyDingtalkRequest({ headers: { timestamp: "1", sign: "x".repeat(500) }, appSecret: SECRET, now: NOW })).toEqual({ ok: false, reason: "too_large" });
  });
});
