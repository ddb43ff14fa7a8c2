// AES-256-GCM encryption of personal data at rest. Text fields become
// `v1.<keyId>.<iv>.<ciphertext>` (base64url); binary chunks are `iv || ciphertext`. Each value is
// bound to its place (report id and field) through the additional data, so a ciphertext copied
// into another row does not decrypt.
import { fromBase64, toBase64Url, utf8 } from "./encoding";
import type { KeyRing } from "./keys";

const IV_BYTES = 12;

export class DecryptionError extends Error {
  override name = "DecryptionError";
}

function keyFor(keys: KeyRing, id: string): CryptoKey {
  const key = keys.encryptionKeys.get(id);
  if (!key) throw new DecryptionError(`encryption key "${id}" is not configured (ENCRYPTION_KEYS)`);
  return key;
}

/** AES-GCM with the key ring's synchronous primitives when it has them (Node), WebCrypto otherwise. */
async function seal(keys: KeyRing, keyId: string, iv: Uint8Array<ArrayBuffer>, context: string, data: Uint8Array): Promise<Uint8Array> {
  const key = keyFor(keys, keyId);
  const additionalData = utf8.encode(context);
  if (keys.sync) return keys.sync.aesGcmSeal(keyId, iv, additionalData, data);
  return new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, key, data as BufferSource));
}

async function open(keys: KeyRing, keyId: string, iv: Uint8Array, context: string, sealed: Uint8Array): Promise<Uint8Array> {
  const key = keyFor(keys, keyId);
  const additionalData = utf8.encode(context);
  if (keys.sync) return keys.sync.aesGcmOpen(keyId, iv, additionalData, sealed);
  return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: iv as BufferSource, additionalData }, key, sealed as BufferSource));
}

export async function encryptText(keys: KeyRing, plaintext: string, context: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await seal(keys, keys.activeEncryptionKeyId, iv, context, utf8.encode(plaintext));
  return `v1.${keys.activeEncryptionKeyId}.${toBase64Url(iv)}.${toBase64Url(ct)}`;
}

export async function decryptText(keys: KeyRing, sealed: string, context: string): Promise<string> {
  const [version, keyId, iv, ct] = sealed.split(".");
  if (version !== "v1" || !keyId || !iv || !ct) throw new DecryptionError("not a v1 ciphertext");
  try {
    return utf8.decode(await open(keys, keyId, fromBase64(iv), context, fromBase64(ct)));
  } catch (err) {
    if (err instanceof DecryptionError) throw err;
    throw new DecryptionError("ciphertext does not verify (wrong key or context)");
  }
}

export async function encryptBytes(keys: KeyRing, keyId: string, data: Uint8Array, context: string): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await seal(keys, keyId, iv, context, data);
  const out = new Uint8Array(IV_BYTES + ct.length);
  out.set(iv);
  out.set(ct, IV_BYTES);
  return out;
}

export async function decryptBytes(keys: KeyRing, keyId: string, sealed: Uint8Array, context: string): Promise<Uint8Array> {
  try {
    return await open(keys, keyId, sealed.subarray(0, IV_BYTES), context, sealed.subarray(IV_BYTES));
  } catch (err) {
    if (err instanceof DecryptionError) throw err;
    throw new DecryptionError("chunk does not verify (wrong key or context)");
  }
}

/** Keyed hash for lookups (receipts) and short-lived pseudonyms (client addresses). */
export async function keyedHash(keys: KeyRing, purpose: string, value: string): Promise<string> {
  const data = utf8.encode(`${purpose}\u0000${value}`);
  if (keys.sync) return toBase64Url(keys.sync.hmac("hash", data));
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", keys.hashKey, data)));
}
