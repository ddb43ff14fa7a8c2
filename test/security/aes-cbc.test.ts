// The pure-JS AES-256-CBC that WeCom callbacks need: published vectors, WebCrypto agreement, bounded input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AES_CBC_MAX_BYTES, aes256CbcDecryptRaw, aes256CbcEncryptRaw, pkcs7Pad, pkcs7Unpad } from "../../src/security/aes-cbc";

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((x) => parseInt(x, 16)));
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const ok = (r: ReturnType<typeof aes256CbcEncryptRaw>) => {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`);
  return r.bytes;
};

// NIST SP 800-38A appendix F.2.5 / F.2.6, CBC-AES256.
const SP800_38A = {
  key: hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"),
  iv: hex("000102030405060708090a0b0c0d0e0f"),
  plain: hex("6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710"),
  cipher: "f58c4c04d6e5f1ba779eabfb5f7bfbd6" + "9cfc4e967edb808d679f777bc6702c7d" + "39f23369a9d9bacfa530e26304231461" + "b2eb05e2c39be9fcda6c19078c6a9d1b",
};

async function webCryptoEncrypt(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", new Uint8Array(key), { name: "AES-CBC" }, false, ["encrypt"]);
  return new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(iv) }, k, new Uint8Array(plain)));
}

describe("AES-256-CBC (pure JS)", () => {
  it("matches the FIPS-197 appendix C.3 AES-256 block vector (one block, zero IV)", () => {
    const key = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    const out = ok(aes256CbcEncryptRaw(key, new Uint8Array(16), hex("00112233445566778899aabbccddeeff")));
    expect(toHex(out)).toBe("8ea2b7ca516745bfeafc49904b496089");
    expect(toHex(ok(aes256CbcDecryptRaw(key, new Uint8Array(16), out)))).toBe("00112233445566778899aabbccddeeff");
  });

  it("matches the NIST SP 800-38A CBC-AES256 encrypt and decrypt vectors", () => {
    expect(toHex(ok(aes256CbcEncryptRaw(SP800_38A.key, SP800_38A.iv, SP800_38A.plain)))).toBe(SP800_38A.cipher);
    expect(toHex(ok(aes256CbcDecryptRaw(SP800_38A.key, SP800_38A.iv, hex(SP800_38A.cipher))))).toBe(toHex(SP800_38A.plain));
  });

  it("encrypts exactly as WebCrypto AES-CBC does for standard 16-byte PKCS#7 padding", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 200 }), async (key, iv, plain) => {
        const mine = ok(aes256CbcEncryptRaw(key, iv, pkcs7Pad(plain, 16)));
        expect(toHex(mine)).toBe(toHex(await webCryptoEncrypt(key, iv, plain)));
      }),
      { numRuns: 60 },
    );
  });

  it("round-trips WeCom's 32-byte PKCS#7 padding", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 300 }), (key, iv, plain) => {
        const padded = pkcs7Pad(plain, 32);
        expect(padded.length % 32).toBe(0);
        const back = pkcs7Unpad(ok(aes256CbcDecryptRaw(key, iv, ok(aes256CbcEncryptRaw(key, iv, padded)))), 32);
        expect(back && toHex(back)).toBe(toHex(plain));
      }),
      { numRuns: 100 },
    );
  });

  it("refuses wrong key and IV sizes, partial blocks, empty and oversized input without throwing", () => {
    const key = new Uint8Array(32);
    const iv = new Uint8Array(16);
    expect(aes256CbcEncryptRaw(new Uint8Array(16), iv, new Uint8Array(16))).toEqual({ ok: false, reason: "bad_key" });
    expect(aes256CbcDecryptRaw(key, new Uint8Array(8), new Uint8Array(16))).toEqual({ ok: false, reason: "bad_iv" });
    expect(aes256CbcDecryptRaw(key, iv, new Uint8Array(17))).toEqual({ ok: false, reason: "bad_length" });
    expect(aes256CbcDecryptRaw(key, iv, new Uint8Array(0))).toEqual({ ok: false, reason: "bad_length" });
    expect(aes256CbcDecryptRaw(key, iv, new Uint8Array(AES_CBC_MAX_BYTES + 16))).toEqual({ ok: false, reason: "too_large" });
  });

  it("refuses malformed PKCS#7 padding (zero, too long, inconsistent bytes)", () => {
    const block = (last: number, fill = last) => {
      const b = new Uint8Array(32).fill(7);
      b.fill(fill, 32 - Math.min(last || 1, 32));
      b[31] = last;
      return b;
    };
    expect(pkcs7Unpad(block(0), 32)).toBeNull();
    expect(pkcs7Unpad(block(33), 32)).toBeNull();
    expect(pkcs7Unpad(block(4, 3), 32)).toBeNull();
    expect(pkcs7Unpad(block(4)?.subarray(0, 31), 32)).toBeNull();
    expect(pkcs7Unpad(block(32), 32)?.length).toBe(0);
    // 32-byte padding is more than 16-byte AES allows: the standard check refuses it.
    expect(pkcs7Unpad(block(20), 16)).toBeNull();
    expect(pkcs7Unpad(block(20), 32)?.length).toBe(12);
  });
});
