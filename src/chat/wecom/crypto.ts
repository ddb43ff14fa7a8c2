// WeCom (企业微信) callback crypto: msg_signature, AES-256-CBC with 32-byte PKCS#7 padding, URL check, replies.
//
// Source: WeCom "加解密方案说明" https://developer.work.weixin.qq.com/document/path/90968 and the official
// WXBizMsgCrypt samples ("加解密库", e.g. Sample.php / Sample.py). Scheme, as published:
//   AESKey = Base64_Decode(EncodingAESKey + "=")   (43 chars → 32 bytes), IV = AESKey[0..16)
//   plain  = random(16) + msg_len (4 bytes, network order) + msg + ReceiveId (the CorpID for a self-built app)
//   cipher = AES-256-CBC(plain padded PKCS#7 to a multiple of 32), base64
//   msg_signature = hex SHA-1 of sort([token, timestamp, nonce, msg_encrypt]).join("")
// Test vector from the official sample (Sample.php): token "QDG6eK", EncodingAESKey
// "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", CorpID "wx5823bf96d3bd56c7", GET with
// msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3, timestamp=1409659589, nonce=263014780,
// echostr=P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==
// (test/chat/wecom-crypto.test.ts checks it).
import { aes256CbcDecryptRaw, aes256CbcEncryptRaw, pkcs7Pad, pkcs7Unpad } from "../../security/aes-cbc";
import { constantTimeEqual, randomBytes, toHex, utf8 } from "../../security/encoding";
import { readWecomXml, WECOM_XML_MAX_BYTES, xmlEscapeCdata } from "./xml";

export { readWecomXml, readWecomMessage, WECOM_XML_MAX_BYTES, type WecomMessage, type WecomXmlResult } from "./xml";

export type WecomFailure =
  | "bad_aes_key"
  | "bad_signature"
  | "missing_parameter"
  | "too_large"
  | "bad_base64"
  | "bad_ciphertext"
  | "bad_padding"
  | "bad_length"
  | "wrong_receiver"
  | "bad_utf8"
  | "stale_timestamp"
  | "bad_xml";
export type WecomResult<T> = { ok: true; value: T } | { ok: false; reason: WecomFailure };

/** Ciphertext ceiling (base64 chars): the XML envelope is capped at 64 KB, so a longer Encrypt is never legitimate. */
export const WECOM_MAX_ENCRYPTED_CHARS = WECOM_XML_MAX_BYTES;
/** The padding block size WeCom uses (not AES's 16): the reason for the pure-JS cipher. */
export const WECOM_PAD_BLOCK = 32;
const SIGNATURE_PART_MAX = 512;

const fail = <T>(reason: WecomFailure): WecomResult<T> => ({ ok: false, reason });

export interface WecomKeys {
  token: string;
  encodingAesKey: string;
  /** ReceiveId: the CorpID for a self-built app's callbacks. */
  corpId: string;
}

/** AESKey from the 43-character EncodingAESKey (letters and digits only, per the admin console). */
export function wecomAesKey(encodingAesKey: string): Uint8Array | null {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) return null;
  const bytes = strictBase64(encodingAesKey + "=", 64);
  return bytes && bytes.length === 32 ? bytes : null;
}

/** Standard base64 only (WeCom never sends URL-safe): anything else is refused rather than guessed at. */
function strictBase64(text: string, maxChars: number): Uint8Array | null {
  if (text.length === 0 || text.length > maxChars || text.length % 4 !== 0) return null;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  let bin: string;
  try {
    bin = atob(text);
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** msg_signature: hex SHA-1 of the four strings sorted (byte order, as the samples' sort) and concatenated. */
export async function wecomSignature(token: string, timestamp: string, nonce: string, encrypted: string): Promise<string> {
  const joined = [token, timestamp, nonce, encrypted].sort().join("");
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-1", utf8.encode(joined))));
}

async function checkSignature(keys: WecomKeys, p: { msg_signature?: string | null; timestamp?: string | null; nonce?: string | null }, encrypted: string): Promise<WecomFailure | null> {
  const { msg_signature: sig, timestamp, nonce } = p;
  if (!sig || !timestamp || !nonce || !encrypted) return "missing_parameter";
  if (sig.length > SIGNATURE_PART_MAX || timestamp.length > SIGNATURE_PART_MAX || nonce.length > SIGNATURE_PART_MAX) return "too_large";
  if (encrypted.length > WECOM_MAX_ENCRYPTED_CHARS) return "too_large";
  const expected = await wecomSignature(keys.token, timestamp, nonce, encrypted);
  return constantTimeEqual(expected, sig.toLowerCase()) ? null : "bad_signature";
}

/** Decrypts one Encrypt value (or echostr) and checks padding, length field and ReceiveId (= CorpID). */
export function decryptWecom(keys: Pick<WecomKeys, "encodingAesKey" | "corpId">, encrypted: string): WecomResult<string> {
  if (encrypted.length > WECOM_MAX_ENCRYPTED_CHARS) return fail("too_large");
  const key = wecomAesKey(keys.encodingAesKey);
  if (!key) return fail("bad_aes_key");
  const cipher = strictBase64(encrypted, WECOM_MAX_ENCRYPTED_CHARS);
  if (!cipher) return fail("bad_base64");
  // 32-byte padding over 16-byte AES blocks: any valid ciphertext is a non-empty multiple of 32.
  if (cipher.length === 0 || cipher.length % WECOM_PAD_BLOCK !== 0) return fail("bad_ciphertext");
  const plain = aes256CbcDecryptRaw(key, key.subarray(0, 16), cipher);
  if (!plain.ok) return fail("bad_ciphertext");
  const body = pkcs7Unpad(plain.bytes, WECOM_PAD_BLOCK);
  if (!body) return fail("bad_padding");
  if (body.length < 20) return fail("bad_length");
  const msgLen = ((body[16]! << 24) | (body[17]! << 16) | (body[18]! << 8) | body[19]!) >>> 0;
  if (msgLen > body.length - 20) return fail("bad_length");
  const receiver = body.subarray(20 + msgLen);
  const corp = utf8.encode(keys.corpId);
  if (receiver.length !== corp.length || !constantTimeEqual(String.fromCharCode(...receiver), String.fromCharCode(...corp))) return fail("wrong_receiver");
  let msg: string;
  try {
    msg = new TextDecoder("utf-8", { fatal: true }).decode(body.subarray(20, 20 + msgLen));
  } catch {
    return fail("bad_utf8");
  }
  return { ok: true, value: msg };
}

/** Encrypts a reply (or a test fixture): `random16` is injectable only so tests can be deterministic. */
export function encryptWecom(keys: Pick<WecomKeys, "encodingAesKey" | "corpId">, message: string, random16: Uint8Array = randomBytes(16)): WecomResult<string> {
  const key = wecomAesKey(keys.encodingAesKey);
  if (!key) return fail("bad_aes_key");
  if (random16.length !== 16) return fail("bad_length");
  const msg = utf8.encode(message);
  const corp = utf8.encode(keys.corpId);
  // Base64 grows 4/3: keep the result under the same ceiling decryptWecom accepts.
  if ((20 + msg.length + corp.length + WECOM_PAD_BLOCK) * 4 / 3 > WECOM_MAX_ENCRYPTED_CHARS) return fail("too_large");
  const plain = new Uint8Array(20 + msg.length + corp.length);
  plain.set(random16, 0);
  new DataView(plain.buffer).setUint32(16, msg.length, false);
  plain.set(msg, 20);
  plain.set(corp, 20 + msg.length);
  const out = aes256CbcEncryptRaw(key, key.subarray(0, 16), pkcs7Pad(plain, WECOM_PAD_BLOCK));
  return out.ok ? { ok: true, value: toBase64(out.bytes) } : fail("too_large");
}

export interface WecomQuery {
  msg_signature?: string | null;
  timestamp?: string | null;
  nonce?: string | null;
}

/** Optional freshness check: WeCom's docs set no window, so callers choose one (see verifyWecomCallback). */
function staleness(timestamp: string, now?: Date, maxSkewMs?: number): WecomFailure | null {
  if (!now || maxSkewMs === undefined) return null;
  if (!/^\d{1,12}$/.test(timestamp)) return "stale_timestamp";
  return Math.abs(now.getTime() - Number(timestamp) * 1000) > maxSkewMs ? "stale_timestamp" : null;
}

/** GET URL verification: signature over the echostr, then its decryption is the response body. */
export async function verifyWecomUrl(keys: WecomKeys, q: WecomQuery & { echostr?: string | null }): Promise<WecomResult<string>> {
  const echostr = q.echostr ?? "";
  const bad = await checkSignature(keys, q, echostr);
  if (bad) return fail(bad);
  return decryptWecom(keys, echostr);
}

/**
 * POST callback: reads the envelope (bounded), checks msg_signature over its Encrypt, decrypts and checks the
 * CorpID. `now`/`maxSkewMs` optionally refuse old timestamps; replays inside the window are the caller's to
 * dedupe (WeCom retries three times on a slow answer: dedupe on MsgId, or FromUserName + CreateTime for events).
 */
export async function verifyWecomCallback(keys: WecomKeys, q: WecomQuery, rawBody: string, opts: { now?: Date; maxSkewMs?: number } = {}): Promise<WecomResult<string>> {
  if (rawBody.length > WECOM_XML_MAX_BYTES) return fail("too_large");
  const envelope = readWecomXml(rawBody);
  if (!envelope.ok) return fail(envelope.reason === "too_large" ? "too_large" : "bad_xml");
  const encrypted = envelope.fields.Encrypt ?? "";
  const bad = await checkSignature(keys, q, encrypted);
  if (bad) return fail(bad);
  const stale = staleness(q.timestamp!, opts.now, opts.maxSkewMs);
  if (stale) return fail(stale);
  return decryptWecom(keys, encrypted);
}

/** The encrypted, signed XML a passive reply carries (the samples' EncryptMsg). */
export async function encryptWecomReply(keys: WecomKeys, replyXml: string, timestamp: string, nonce: string, random16?: Uint8Array): Promise<WecomResult<string>> {
  if (!/^\d{1,12}$/.test(timestamp) || !/^[A-Za-z0-9]{1,64}$/.test(nonce)) return fail("missing_parameter");
  const enc = encryptWecom(keys, replyXml, random16);
  if (!enc.ok) return enc;
  const sig = await wecomSignature(keys.token, timestamp, nonce, enc.value);
  return {
    ok: true,
    value: `<xml><Encrypt><![CDATA[${xmlEscapeCdata(enc.value)}]]></Encrypt><MsgSignature><![CDATA[${sig}]]></MsgSignature><TimeStamp>${timestamp}</TimeStamp><Nonce><![CDATA[${nonce}]]></Nonce></xml>`,
  };
}
