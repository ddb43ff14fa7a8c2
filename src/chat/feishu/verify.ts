// Feishu/Lark inbound security: X-Lark-Signature check, Encrypt Key decryption, url_verification and the
// verification token, as pure WebCrypto functions (Node 20 and Workers alike). Nothing here throws.
//
// Sources: Feishu "配置 Encrypt Key / 加密策略" and "事件订阅 安全校验"
// (https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/encrypt-key-encryption-configuration-case,
// https://open.feishu.cn/document/server-docs/event-subscription-guide/event-subscription-configure-/request-url-configuration-case)
// and card.action.trigger ("卡片回传交互", the same signature for card callbacks under the new schema):
//   key       = SHA-256(Encrypt Key) (32 bytes), body {"encrypt": base64(iv16 + AES-256-CBC/PKCS#7(json))}
//   signature = hex SHA-256( X-Lark-Request-Timestamp + X-Lark-Request-Nonce + Encrypt Key + raw body )
// Vector from the same doc page: Encrypt Key "test key", encrypt "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="
// decrypts to "hello world" (checked in test/chat/feishu-verify.test.ts).
// The official node-sdk (larksuite/node-sdk dispatcher/request-handle.ts) hashes JSON.stringify of the parsed
// body and compares with ===; we hash the raw bytes as the doc describes (re-serialising can change the bytes)
// and compare in constant time, and add the timestamp window the SDK lacks.
// Not covered: the legacy message-card request URL (schema 1.0 card callbacks) signs with SHA-1 over the
// verification token instead; FundWatch subscribes card.action.trigger on the event URL only.
import { constantTimeEqual, toHex, utf8 } from "../../security/encoding";

/** Raw bodies larger than this are refused before hashing: card presses and events are a few KB. */
export const FEISHU_MAX_BODY_BYTES = 256 * 1024;
/**
 * Five minutes either way: Feishu sends the timestamp at delivery (retries carry a new one), so a
 * legitimate request is seconds old; five minutes absorbs clock drift on a small server while keeping a
 * captured request's replay window short (replays inside it are deduped on event_id by the handler).
 */
export const FEISHU_DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;
const HEADER_MAX = 256;

export type FeishuFailure =
  | "missing_headers"
  | "bad_signature"
  | "stale_timestamp"
  | "too_large"
  | "bad_base64"
  | "bad_ciphertext"
  | "bad_utf8"
  | "bad_json"
  | "bad_token"
  | "no_encrypt_key";
export type FeishuResult<T> = { ok: true; value: T } | { ok: false; reason: FeishuFailure };
const fail = <T>(reason: FeishuFailure): FeishuResult<T> => ({ ok: false, reason });

type HeaderSource = Headers | Record<string, string | string[] | undefined> | { get(name: string): string | null };
function header(h: HeaderSource, name: string): string | null {
  if (typeof (h as Headers).get === "function") return (h as Headers).get(name);
  const rec = h as Record<string, string | string[] | undefined>;
  const lower = name.toLowerCase();
  for (const k of Object.keys(rec)) {
    if (k.toLowerCase() !== lower) continue;
    const v = rec[k];
    return Array.isArray(v) ? (v.length === 1 ? v[0]! : null) : (v ?? null);
  }
  return null;
}

function bodyBytes(rawBody: string | Uint8Array): Uint8Array {
  return typeof rawBody === "string" ? utf8.encode(rawBody) : rawBody;
}

/** hex SHA-256 of timestamp + nonce + encryptKey + body (body as its raw bytes, never re-serialised JSON). */
export async function feishuSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: string | Uint8Array): Promise<string> {
  const head = utf8.encode(timestamp + nonce + encryptKey);
  const body = bodyBytes(rawBody);
  const all = new Uint8Array(head.length + body.length);
  all.set(head);
  all.set(body, head.length);
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", all)));
}

/**
 * Checks X-Lark-Signature and the timestamp window. Run it before reading the body; the url_verification
 * challenge is the exception (Feishu may send it unsigned), which parseFeishuBody answers only after the
 * verification token matches.
 */
export async function verifyFeishuRequest(input: {
  headers: HeaderSource;
  rawBody: string | Uint8Array;
  encryptKey: string;
  now: Date;
  maxSkewMs?: number;
}): Promise<{ ok: true } | { ok: false; reason: FeishuFailure }> {
  // A string's UTF-8 form is at least as long as its length: refuse before encoding a huge one.
  if (input.rawBody.length > FEISHU_MAX_BODY_BYTES) return { ok: false, reason: "too_large" };
  const body = bodyBytes(input.rawBody);
  if (body.length > FEISHU_MAX_BODY_BYTES) return { ok: false, reason: "too_large" };
  if (!input.encryptKey) return { ok: false, reason: "no_encrypt_key" };
  const timestamp = header(input.headers, "X-Lark-Request-Timestamp");
  const nonce = header(input.headers, "X-Lark-Request-Nonce");
  const signature = header(input.headers, "X-Lark-Signature");
  if (!timestamp || !nonce || !signature) return { ok: false, reason: "missing_headers" };
  if (timestamp.length > HEADER_MAX || nonce.length > HEADER_MAX || signature.length > HEADER_MAX) return { ok: false, reason: "too_large" };
  // Seconds since the epoch; anything else cannot be a Feishu timestamp.
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "stale_timestamp" };
  const skew = Math.abs(input.now.getTime() - Number(timestamp) * 1000);
  const expected = await feishuSignature(timestamp, nonce, input.encryptKey, body);
  // Signature before staleness, so a forged request learns nothing about the window.
  if (!constantTimeEqual(expected, signature.toLowerCase())) return { ok: false, reason: "bad_signature" };
  if (skew > (input.maxSkewMs ?? FEISHU_DEFAULT_MAX_SKEW_MS)) return { ok: false, reason: "stale_timestamp" };
  return { ok: true };
}

function strictBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  try {
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** Decrypts the `encrypt` field: WebCrypto AES-CBC checks the standard 16-byte PKCS#7 padding itself. */
export async function decryptFeishuEvent(encryptKey: string, encryptBase64: string): Promise<FeishuResult<string>> {
  if (!encryptKey) return fail("no_encrypt_key");
  if (encryptBase64.length > FEISHU_MAX_BODY_BYTES) return fail("too_large");
  const data = strictBase64(encryptBase64);
  if (!data) return fail("bad_base64");
  // iv (16) + at least one block, whole blocks only.
  if (data.length < 32 || data.length % 16 !== 0) return fail("bad_ciphertext");
  const keyBytes = await crypto.subtle.digest("SHA-256", utf8.encode(encryptKey));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "AES-CBC" }, false, ["decrypt"]);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: "AES-CBC", iv: data.slice(0, 16) }, key, data.slice(16));
  } catch {
    return fail("bad_ciphertext");
  }
  try {
    return { ok: true, value: new TextDecoder("utf-8", { fatal: true }).decode(plain) };
  } catch {
    return fail("bad_utf8");
  }
}

/** The encrypted form, for tests and fake servers: base64(iv + AES-256-CBC(PKCS#7)). */
export async function encryptFeishuEvent(encryptKey: string, plaintext: string, iv: Uint8Array = crypto.getRandomValues(new Uint8Array(16))): Promise<string> {
  const keyBytes = await crypto.subtle.digest("SHA-256", utf8.encode(encryptKey));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "AES-CBC" }, false, ["encrypt"]);
  const ivCopy = new Uint8Array(iv);
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv: ivCopy }, key, utf8.encode(plaintext)));
  const all = new Uint8Array(16 + cipher.length);
  all.set(ivCopy);
  all.set(cipher, 16);
  let bin = "";
  for (let i = 0; i < all.length; i += 0x8000) bin += String.fromCharCode(...all.subarray(i, i + 0x8000));
  return btoa(bin);
}

export type FeishuBody =
  | { kind: "challenge"; challenge: string }
  /** An event or card.action.trigger callback; `schema` "2.0" has header.token/event_id, "1.0" has token/uuid. */
  | { kind: "event"; schema: "1.0" | "2.0"; eventType: string | null; eventId: string | null; body: Record<string, unknown> };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" ? v : null);

/**
 * Parses a (signature-checked) body: decrypts `{"encrypt": …}` when an Encrypt Key is set, answers
 * url_verification (plain or encrypted), and checks the verification token (schema 2.0: header.token;
 * 1.0 and the challenge: token) in constant time. With an Encrypt Key configured a plaintext body is refused.
 */
export async function parseFeishuBody(rawBody: string, cfg: { verificationToken: string; encryptKey?: string }): Promise<FeishuResult<FeishuBody>> {
  if (rawBody.length > FEISHU_MAX_BODY_BYTES) return fail("too_large");
  let outer: unknown;
  try {
    outer = JSON.parse(rawBody);
  } catch {
    return fail("bad_json");
  }
  if (!isObject(outer)) return fail("bad_json");
  let body: Record<string, unknown> = outer;
  if (cfg.encryptKey) {
    const enc = str(outer.encrypt);
    if (enc === null) return fail("bad_ciphertext");
    const plain = await decryptFeishuEvent(cfg.encryptKey, enc);
    if (!plain.ok) return plain;
    try {
      const inner: unknown = JSON.parse(plain.value);
      if (!isObject(inner)) return fail("bad_json");
      body = inner;
    } catch {
      return fail("bad_json");
    }
  } else if ("encrypt" in outer) {
    return fail("no_encrypt_key");
  }
  const header = isObject(body.header) ? body.header : null;
  const schema: "1.0" | "2.0" = body.schema === "2.0" && header ? "2.0" : "1.0";
  const token = schema === "2.0" ? str(header!.token) : str(body.token);
  if (!cfg.verificationToken || token === null || !constantTimeEqual(token, cfg.verificationToken)) return fail("bad_token");
  if (body.type === "url_verification") {
    const challenge = str(body.challenge);
    if (challenge === null || challenge.length > 1024) return fail("bad_json");
    return { ok: true, value: { kind: "challenge", challenge } };
  }
  const eventType = schema === "2.0" ? str(header!.event_type) : isObject(body.event) ? str(body.event.type) : null;
  const eventId = schema === "2.0" ? str(header!.event_id) : str(body.uuid);
  return { ok: true, value: { kind: "event", schema, eventType, eventId, body } };
}
