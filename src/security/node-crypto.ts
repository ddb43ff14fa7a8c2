// Node-only: the key ring's primitives as synchronous node:crypto calls (injected by src/node.ts through
// importKeyRing's `syncCrypto`). WebCrypto on Node dispatches every call as a promise through a job
// queue, about a tenth of a tip's CPU; these produce byte-for-byte the formats WebCrypto produces, so
// a Worker reads what Node wrote and the reverse (test/security/crypto-interchange.test.ts).
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createSecretKey, sign, type KeyObject } from "node:crypto";
import type { RawKeys, SyncCrypto } from "./keys";

const TAG_BYTES = 16;

export function nodeSyncCrypto(raw: RawKeys): SyncCrypto {
  const aes = new Map<string, KeyObject>([...raw.encryption].map(([id, bytes]) => [id, createSecretKey(bytes)]));
  const macKeys = { hash: createSecretKey(raw.hash), logChain: createSecretKey(raw.logChain) };
  const signing = createPrivateKey({ key: Buffer.from(raw.signingPkcs8), format: "der", type: "pkcs8" });
  const aesKey = (id: string) => {
    const key = aes.get(id);
    if (!key) throw new Error(`encryption key "${id}" is not configured`);
    return key;
  };
  return {
    aesGcmSeal(keyId, iv, additionalData, plaintext) {
      const cipher = createCipheriv("aes-256-gcm", aesKey(keyId), iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData);
      const head = cipher.update(plaintext);
      const tail = cipher.final();
      const tag = cipher.getAuthTag();
      const out = new Uint8Array(head.length + tail.length + TAG_BYTES);
      out.set(head);
      out.set(tail, head.length);
      out.set(tag, head.length + tail.length);
      return out;
    },
    aesGcmOpen(keyId, iv, additionalData, sealed) {
      if (sealed.length < TAG_BYTES) throw new Error("ciphertext too short");
      const decipher = createDecipheriv("aes-256-gcm", aesKey(keyId), iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const head = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
      const tail = decipher.final();
      return tail.length ? new Uint8Array(Buffer.concat([head, tail])) : new Uint8Array(head.buffer, head.byteOffset, head.length);
    },
    hmac(key, data) {
      const mac = createHmac("sha256", macKeys[key]).update(data).digest();
      return new Uint8Array(mac.buffer, mac.byteOffset, mac.length);
    },
    sha256(data) {
      const digest = createHash("sha256").update(data).digest();
      return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
    },
    signEs256(data) {
      const sig = sign("sha256", data, { key: signing, dsaEncoding: "ieee-p1363" });
      return new Uint8Array(sig.buffer, sig.byteOffset, sig.length);
    },
  };
}
