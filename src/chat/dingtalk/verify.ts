// DingTalk inbound security: the `timestamp` and `sign` headers on robot message callbacks, checked with
// WebCrypto HMAC-SHA256 (Node 20 and Workers alike). Nothing here throws.
//
// Source: DingTalk "企业内部应用机器人 接收消息" (https://open.dingtalk.com/document/orgapp/receive-message):
// the request carries headers `timestamp` (ms) and `sign`; sign = Base64(HMAC-SHA256(key = appSecret,
// msg = timestamp + "\n" + appSecret)); "timestamp 与系统当前时间戳如果相差1小时以上，则认为是非法的请求".
// The same string-to-sign is the one DingTalk publishes for custom-robot outgoing signing
// (https://open.dingtalk.com/document/robots/customize-robot-security-settings). HTTP-mode card callbacks
// (POST /v1.0/card/callbacks/register with callbackRouteKey + apiSecret): I found no documented header names
// or signature for them in the time available, so this module does NOT claim to verify them. Headers are read
// case-insensitively; if card callbacks turn out to carry the same `timestamp`/`sign` pair this check applies
// unchanged, otherwise the card handler must verify differently (open question for the handler session).
// No published test vector was found: the tests cross-check against node:crypto's HMAC instead.
import { constantTimeEqual, utf8 } from "../../security/encoding";

/** DingTalk's own rule: more than one hour apart is an illegal request. */
export const DINGTALK_MAX_SKEW_MS = 60 * 60 * 1000;
const HEADER_MAX = 128;

export type DingtalkFailure = "missing_headers" | "bad_signature" | "stale_timestamp" | "too_large" | "no_secret";

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Base64(HMAC-SHA256(key = appSecret, msg = timestamp + "\n" + appSecret)). */
export async function dingtalkSign(timestamp: string, appSecret: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", utf8.encode(appSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(`${timestamp}\n${appSecret}`))));
}

type HeaderSource = Headers | { timestamp?: string | null; sign?: string | null } | Record<string, string | undefined>;
function header(h: HeaderSource, name: string): string | null {
  if (typeof (h as Headers).get === "function") return (h as Headers).get(name);
  const rec = h as Record<string, string | null | undefined>;
  for (const k of Object.keys(rec)) if (k.toLowerCase() === name) return rec[k] ?? null;
  return null;
}

/**
 * Verifies a robot message callback. The sign covers only the timestamp, not the body, so a
 * captured request can be replayed with another body inside the hour: handlers must dedupe on msgId /
 * outTrackId and treat the body as a claim to be checked against our own records.
 */
export async function verifyDingtalkRequest(input: { headers: HeaderSource; appSecret: string; now: Date; maxSkewMs?: number }): Promise<{ ok: true } | { ok: false; reason: DingtalkFailure }> {
  if (!input.appSecret) return { ok: false, reason: "no_secret" };
  const timestamp = header(input.headers, "timestamp");
  const sign = header(input.headers, "sign");
  if (!timestamp || !sign) return { ok: false, reason: "missing_headers" };
  if (timestamp.length > HEADER_MAX || sign.length > HEADER_MAX) return { ok: false, reason: "too_large" };
  // Milliseconds since the epoch (13 digits today).
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: "stale_timestamp" };
  const expected = await dingtalkSign(timestamp, input.appSecret);
  // Some proxies URL-encode the header value (the outgoing-robot convention): accept that form too.
  let given = sign;
  if (sign.includes("%")) {
    try {
      given = decodeURIComponent(sign);
    } catch {
      return { ok: false, reason: "bad_signature" };
    }
  }
  if (!constantTimeEqual(expected, given)) return { ok: false, reason: "bad_signature" };
  if (Math.abs(input.now.getTime() - Number(timestamp)) > (input.maxSkewMs ?? DINGTALK_MAX_SKEW_MS)) return { ok: false, reason: "stale_timestamp" };
  return { ok: true };
}

/**
 * Verifies an HTTP-mode card callback (added with the card handler). DingTalk's "事件回调" guide
 * (https://open.dingtalk.com/document/development/event-callback-card, 回调签名验证): when the callback
 * URL was registered with an apiSecret (POST /v1.0/card/callbacks/register), each request carries
 * `x-ddpaas-signature-timestamp` and `x-ddpaas-signature` = Base64(HMAC-SHA256(key = apiSecret,
 * msg = the timestamp as a decimal string)). The guide names no time window or unit; we apply the robot
 * rule (one hour) to a millisecond timestamp, or a seconds one if it has 10 digits. Like the robot sign it
 * covers no body: the handler checks the card and button ids it names against our own signatures.
 */
export async function verifyDingtalkCardCallback(input: { headers: HeaderSource; apiSecret: string; now: Date; maxSkewMs?: number }): Promise<{ ok: true; signedAtMs: number } | { ok: false; reason: DingtalkFailure }> {
  if (!input.apiSecret) return { ok: false, reason: "no_secret" };
  const timestamp = header(input.headers, "x-ddpaas-signature-timestamp");
  const sign = header(input.headers, "x-ddpaas-signature");
  if (!timestamp || !sign) return { ok: false, reason: "missing_headers" };
  if (timestamp.length > HEADER_MAX || sign.length > HEADER_MAX) return { ok: false, reason: "too_large" };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: "stale_timestamp" };
  const key = await crypto.subtle.importKey("raw", utf8.encode(input.apiSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const expected = toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(timestamp))));
  if (!constantTimeEqual(expected, sign)) return { ok: false, reason: "bad_signature" };
  const ms = timestamp.length <= 10 ? Number(timestamp) * 1000 : Number(timestamp);
  if (Math.abs(input.now.getTime() - ms) > (input.maxSkewMs ?? DINGTALK_MAX_SKEW_MS)) return { ok: false, reason: "stale_timestamp" };
  return { ok: true, signedAtMs: ms };
}
