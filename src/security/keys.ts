// Key material, imported once at start-up into WebCrypto keys (works on Node 20 and Workers).
//
// - encryption: AES-256-GCM keys by id; the first encrypts, all decrypt (rotation keeps old ids).
// - hashing: one HMAC-SHA256 key for receipt hashes and short-lived client-address hashes.
// - signing: an ECDSA P-256 key that signs proofs of submission; its public half is published.
import { fromBase64, randomBytes, toBase64Url } from "./encoding";

export interface KeyRing {
  activeEncryptionKeyId: string;
  encryptionKeys: ReadonlyMap<string, CryptoKey>;
  hashKey: CryptoKey;
  signingKeyId: string;
  signingKey: CryptoKey;
  signingPublicJwk: JsonWebKey;
  /** HMAC key of the tamper-evident event chain (LOG_CHAIN_KEY, or derived from HASH_KEY). */
  logChainKey: CryptoKey;
  /** Short keyed fingerprints of the keys stored data depends on (see key-fingerprint.ts); never key material. */
  fingerprints: KeyFingerprints;
  /**
   * Synchronous primitives over the same keys, where the runtime has them (Node: node-crypto.ts,
   * injected by src/node.ts). Without it (Workers) everything goes through WebCrypto; both write the
   * same formats, so either reads what the other wrote.
   */
  sync?: SyncCrypto;
}

/** The key ring's operations as plain synchronous calls: no WebCrypto promise and thread-pool hop per use. */
export interface SyncCrypto {
  /** AES-256-GCM under encryption key `keyId`: ciphertext followed by the 16-byte tag, as WebCrypto returns it. */
  aesGcmSeal(keyId: string, iv: Uint8Array, additionalData: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** The inverse; throws when the tag does not verify. */
  aesGcmOpen(keyId: string, iv: Uint8Array, additionalData: Uint8Array, sealed: Uint8Array): Uint8Array;
  /** HMAC-SHA-256 under HASH_KEY ("hash") or the event chain's key ("logChain"). */
  hmac(key: "hash" | "logChain", data: Uint8Array): Uint8Array;
  /** ECDSA P-256 / SHA-256 under SIGNING_KEY, r‖s (IEEE P1363, 64 bytes) as WebCrypto returns it. */
  signEs256(data: Uint8Array): Uint8Array;
  /** SHA-256 (keyless; here because it is the same runtime's synchronous crypto). */
  sha256(data: Uint8Array): Uint8Array;
}

/** The raw key bytes a SyncCrypto is built from (kept only inside it). */
export interface RawKeys {
  encryption: ReadonlyMap<string, Uint8Array>;
  hash: Uint8Array;
  logChain: Uint8Array;
  signingPkcs8: Uint8Array;
}

export interface KeyRingOptions {
  /** Builds the synchronous primitives (Node); left out on runtimes that only have WebCrypto. */
  syncCrypto?: (raw: RawKeys) => SyncCrypto;
}

export interface KeyFingerprints {
  /** By encryption key id. */
  encryption: Record<string, string>;
  hash: string;
  logChain: string;
}

const FINGERPRINT_LABEL = new TextEncoder().encode("fundwatch/key-fingerprint/v1");

/**
 * HMAC-SHA256(key, constant), first 16 hex digits: equal keys give equal fingerprints; a fingerprint
 * tells nothing about the key (HMAC is a PRF), and 64 bits are ample to tell two random keys apart.
 */
async function fingerprintOf(raw: Uint8Array): Promise<string> {
  const k = await crypto.subtle.importKey("raw", raw as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, FINGERPRINT_LABEL));
  return Array.from(mac.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface KeyMaterial {
  /** "id:base64,id2:base64" — 32-byte keys, first one active. */
  encryptionKeys: string;
  /** base64 of at least 32 random bytes. */
  hashKey: string;
  /** base64 PKCS#8 of an ECDSA P-256 private key. */
  signingKey: string;
  /**
   * base64 of at least 32 random bytes: keys the event log's hash chain. Optional: without it a
   * subkey is derived from HASH_KEY (set it separately so whoever holds one cannot forge the other).
   */
  logChainKey?: string;
}

export class KeyConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "KeyConfigError";
  }
}

export function parseEncryptionKeys(spec: string): { id: string; raw: Uint8Array }[] {
  const entries = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new KeyConfigError("ENCRYPTION_KEYS", "no key given; expected id:base64key[,id:base64key…]");
  const seen = new Set<string>();
  return entries.map((entry) => {
    const m = /^([A-Za-z0-9_-]{1,32}):(.+)$/.exec(entry);
    if (!m) throw new KeyConfigError("ENCRYPTION_KEYS", `"${entry.split(":")[0]}…" is not of the form id:base64key`);
    const [, id, b64] = m as unknown as [string, string, string];
    if (seen.has(id)) throw new KeyConfigError("ENCRYPTION_KEYS", `key id "${id}" appears twice`);
    seen.add(id);
    let raw: Uint8Array;
    try {
      raw = fromBase64(b64);
    } catch {
      throw new KeyConfigError("ENCRYPTION_KEYS", `key "${id}" is not valid base64`);
    }
    if (raw.length !== 32) throw new KeyConfigError("ENCRYPTION_KEYS", `key "${id}" must be 32 bytes (AES-256), got ${raw.length}`);
    return { id, raw };
  });
}

export async function importKeyRing(material: KeyMaterial, options: KeyRingOptions = {}): Promise<KeyRing> {
  const parsed = parseEncryptionKeys(material.encryptionKeys);
  const encryptionKeys = new Map<string, CryptoKey>();
  for (const { id, raw } of parsed)
    encryptionKeys.set(id, await crypto.subtle.importKey("raw", raw as BufferSource, "AES-GCM", false, ["encrypt", "decrypt"]));

  let hashRaw: Uint8Array;
  try {
    hashRaw = fromBase64(material.hashKey);
  } catch {
    throw new KeyConfigError("HASH_KEY", "is not valid base64");
  }
  if (hashRaw.length < 32) throw new KeyConfigError("HASH_KEY", `must be at least 32 bytes, got ${hashRaw.length}`);
  const hashKey = await crypto.subtle.importKey("raw", hashRaw as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

  let signingKey: CryptoKey;
  let signingPkcs8: Uint8Array;
  try {
    signingPkcs8 = fromBase64(material.signingKey);
    signingKey = await crypto.subtle.importKey("pkcs8", signingPkcs8 as BufferSource, { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
  } catch {
    throw new KeyConfigError("SIGNING_KEY", "is not a base64 PKCS#8 ECDSA P-256 private key (generate one with `npm run keys`)");
  }
  let logChainRaw: Uint8Array;
  if (material.logChainKey) {
    try {
      logChainRaw = fromBase64(material.logChainKey);
    } catch {
      throw new KeyConfigError("LOG_CHAIN_KEY", "is not valid base64");
    }
    if (logChainRaw.length < 32) throw new KeyConfigError("LOG_CHAIN_KEY", `must be at least 32 bytes, got ${logChainRaw.length}`);
  } else {
    const deriving = await crypto.subtle.importKey("raw", hashRaw as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    logChainRaw = new Uint8Array(await crypto.subtle.sign("HMAC", deriving, new TextEncoder().encode("fundwatch/event-chain/v1")));
  }
  const logChainKey = await crypto.subtle.importKey("raw", logChainRaw as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

  const { d: _private, key_ops: _ops, ...publicJwk } = (await crypto.subtle.exportKey("jwk", signingKey)) as JsonWebKey;
  const signingKeyId = await jwkThumbprint(publicJwk);

  const fingerprints: KeyFingerprints = { encryption: {}, hash: await fingerprintOf(hashRaw), logChain: await fingerprintOf(logChainRaw) };
  for (const { id, raw } of parsed) fingerprints.encryption[id] = await fingerprintOf(raw);

  return {
    fingerprints,
    activeEncryptionKeyId: parsed[0]!.id,
    encryptionKeys,
    hashKey,
    signingKeyId,
    signingKey,
    signingPublicJwk: { ...publicJwk, kid: signingKeyId, use: "sig", alg: "ES256" } as JsonWebKey,
    logChainKey,
    ...(options.syncCrypto
      ? { sync: options.syncCrypto({ encryption: new Map(parsed.map(({ id, raw }) => [id, raw])), hash: hashRaw, logChain: logChainRaw, signingPkcs8 }) }
      : {}),
  };
}

/** RFC 7638 thumbprint, shortened: identifies the signing key in proofs. */
async function jwkThumbprint(jwk: JsonWebKey): Promise<string> {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical)));
  return toBase64Url(digest).slice(0, 16);
}

/** Fresh key material, e.g. for `npm run keys` or a development installation. */
export async function generateKeyMaterial(encryptionKeyId = "k1"): Promise<KeyMaterial> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
  return {
    encryptionKeys: `${encryptionKeyId}:${b64(randomBytes(32))}`,
    hashKey: b64(randomBytes(32)),
    signingKey: b64(pkcs8),
    logChainKey: b64(randomBytes(32)),
  };
}
