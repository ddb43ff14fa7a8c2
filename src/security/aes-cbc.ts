// A small pure-JS AES-256-CBC (encrypt and decrypt, no padding of its own) for WeCom callbacks, whose
// PKCS#7 padding to 32-byte blocks WebCrypto's AES-CBC refuses; runs the same on Node and Workers.
//
// Checked against FIPS-197 appendix C.3 and NIST SP 800-38A F.2.5/F.2.6 (CBC-AES256) in
// test/security/aes-cbc.test.ts, and against WebCrypto AES-CBC by a property test. Not constant-time
// (table lookups): it only handles WeCom callback bodies whose key is server-side, where a cache-timing
// observer on the same Worker isolate is outside the threat model.

export type AesCbcResult = { ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false; reason: "bad_key" | "bad_iv" | "bad_length" | "too_large" };

/** Upper bound on one call (bytes): callers are expected to cap far lower; this bounds CPU even if they do not. */
export const AES_CBC_MAX_BYTES = 1024 * 1024;

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
(() => {
  // Build the S-box from GF(2^8) inverses (FIPS-197 §5.1.1) rather than pasting 512 literals.
  let p = 1;
  let q = 1;
  do {
    p = p ^ ((p << 1) & 0xff) ^ (p & 0x80 ? 0x1b : 0);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const x = q ^ ((q << 1) | (q >> 7)) ^ ((q << 2) | (q >> 6)) ^ ((q << 3) | (q >> 5)) ^ ((q << 4) | (q >> 4));
    SBOX[p] = (x ^ 0x63) & 0xff;
  } while (p !== 1);
  SBOX[0] = 0x63;
  for (let i = 0; i < 256; i++) INV_SBOX[SBOX[i]!] = i;
})();

const xtime = (b: number) => ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff;
function gmul(a: number, b: number): number {
  let r = 0;
  while (b) {
    if (b & 1) r ^= a;
    a = xtime(a);
    b >>= 1;
  }
  return r;
}
// Multiplication tables for MixColumns / InvMixColumns.
const MUL = [2, 3, 9, 11, 13, 14].reduce<Record<number, Uint8Array>>((acc, k) => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) t[i] = gmul(i, k);
  acc[k] = t;
  return acc;
}, {});
const M2 = MUL[2]!, M3 = MUL[3]!, M9 = MUL[9]!, M11 = MUL[11]!, M13 = MUL[13]!, M14 = MUL[14]!;

/** AES-256 key expansion (FIPS-197 §5.2): 15 round keys of 16 bytes. */
function expandKey(key: Uint8Array): Uint8Array {
  const w = new Uint8Array(240);
  w.set(key);
  let rcon = 1;
  for (let i = 32; i < 240; i += 4) {
    let t0 = w[i - 4]!, t1 = w[i - 3]!, t2 = w[i - 2]!, t3 = w[i - 1]!;
    if (i % 32 === 0) {
      const tmp = t0;
      t0 = SBOX[t1]! ^ rcon;
      t1 = SBOX[t2]!;
      t2 = SBOX[t3]!;
      t3 = SBOX[tmp]!;
      rcon = xtime(rcon);
    } else if (i % 32 === 16) {
      t0 = SBOX[t0]!;
      t1 = SBOX[t1]!;
      t2 = SBOX[t2]!;
      t3 = SBOX[t3]!;
    }
    w[i] = w[i - 32]! ^ t0;
    w[i + 1] = w[i - 31]! ^ t1;
    w[i + 2] = w[i - 30]! ^ t2;
    w[i + 3] = w[i - 29]! ^ t3;
  }
  return w;
}

// State is column-major as in FIPS-197: s[r + 4c] = byte 4c + r of the block.
function encryptBlock(w: Uint8Array, s: Uint8Array): void {
  for (let i = 0; i < 16; i++) s[i]! ^= w[i]!;
  const t = new Uint8Array(16);
  for (let round = 1; round <= 14; round++) {
    // SubBytes + ShiftRows: row r shifts left by r.
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) t[r + 4 * c] = SBOX[s[r + 4 * ((c + r) & 3)]!]!;
    if (round < 14) {
      for (let c = 0; c < 4; c++) {
        const a0 = t[4 * c]!, a1 = t[4 * c + 1]!, a2 = t[4 * c + 2]!, a3 = t[4 * c + 3]!;
        s[4 * c] = M2[a0]! ^ M3[a1]! ^ a2 ^ a3;
        s[4 * c + 1] = a0 ^ M2[a1]! ^ M3[a2]! ^ a3;
        s[4 * c + 2] = a0 ^ a1 ^ M2[a2]! ^ M3[a3]!;
        s[4 * c + 3] = M3[a0]! ^ a1 ^ a2 ^ M2[a3]!;
      }
    } else s.set(t);
    const k = round * 16;
    for (let i = 0; i < 16; i++) s[i]! ^= w[k + i]!;
  }
}

function decryptBlock(w: Uint8Array, s: Uint8Array): void {
  for (let i = 0; i < 16; i++) s[i]! ^= w[224 + i]!;
  const t = new Uint8Array(16);
  for (let round = 13; round >= 0; round--) {
    // InvShiftRows + InvSubBytes: row r shifts right by r.
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) t[r + 4 * ((c + r) & 3)] = INV_SBOX[s[r + 4 * c]!]!;
    const k = round * 16;
    for (let i = 0; i < 16; i++) t[i]! ^= w[k + i]!;
    if (round > 0) {
      for (let c = 0; c < 4; c++) {
        const a0 = t[4 * c]!, a1 = t[4 * c + 1]!, a2 = t[4 * c + 2]!, a3 = t[4 * c + 3]!;
        s[4 * c] = M14[a0]! ^ M11[a1]! ^ M13[a2]! ^ M9[a3]!;
        s[4 * c + 1] = M9[a0]! ^ M14[a1]! ^ M11[a2]! ^ M13[a3]!;
        s[4 * c + 2] = M13[a0]! ^ M9[a1]! ^ M14[a2]! ^ M11[a3]!;
        s[4 * c + 3] = M11[a0]! ^ M13[a1]! ^ M9[a2]! ^ M14[a3]!;
      }
    } else s.set(t);
  }
}

function check(key: Uint8Array, iv: Uint8Array, data: Uint8Array): AesCbcResult | null {
  if (key.length !== 32) return { ok: false, reason: "bad_key" };
  if (iv.length !== 16) return { ok: false, reason: "bad_iv" };
  if (data.length > AES_CBC_MAX_BYTES) return { ok: false, reason: "too_large" };
  if (data.length % 16 !== 0) return { ok: false, reason: "bad_length" };
  return null;
}

/** AES-256-CBC over whole blocks; the caller pads (WeCom: PKCS#7 to 32 bytes). */
export function aes256CbcEncryptRaw(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): AesCbcResult {
  const bad = check(key, iv, plain);
  if (bad) return bad;
  const w = expandKey(key);
  const out = new Uint8Array(plain.length);
  const block = new Uint8Array(16);
  let prev: Uint8Array = iv;
  for (let off = 0; off < plain.length; off += 16) {
    for (let i = 0; i < 16; i++) block[i] = plain[off + i]! ^ prev[i]!;
    encryptBlock(w, block);
    out.set(block, off);
    prev = out.subarray(off, off + 16);
  }
  return { ok: true, bytes: out };
}

/** AES-256-CBC decryption over whole blocks; padding is left for the caller to check and strip. */
export function aes256CbcDecryptRaw(key: Uint8Array, iv: Uint8Array, cipher: Uint8Array): AesCbcResult {
  const bad = check(key, iv, cipher);
  if (bad) return bad;
  if (cipher.length === 0) return { ok: false, reason: "bad_length" };
  const w = expandKey(key);
  const out = new Uint8Array(cipher.length);
  const block = new Uint8Array(16);
  for (let off = 0; off < cipher.length; off += 16) {
    block.set(cipher.subarray(off, off + 16));
    decryptBlock(w, block);
    const prev = off === 0 ? iv : cipher.subarray(off - 16, off);
    for (let i = 0; i < 16; i++) out[off + i] = block[i]! ^ prev[i]!;
  }
  return { ok: true, bytes: out };
}

/** PKCS#7 padding to a multiple of `blockSize` (16 for standard AES, 32 for WeCom). */
export function pkcs7Pad(data: Uint8Array, blockSize: number): Uint8Array<ArrayBuffer> {
  const n = blockSize - (data.length % blockSize);
  const out = new Uint8Array(data.length + n);
  out.set(data);
  out.fill(n, data.length);
  return out;
}

/** Strips PKCS#7 padding of 1..blockSize bytes, or null if it is malformed (every pad byte is checked). */
export function pkcs7Unpad(data: Uint8Array, blockSize: number): Uint8Array | null {
  if (data.length === 0 || data.length % Math.min(blockSize, 16) !== 0) return null;
  const n = data[data.length - 1]!;
  if (n < 1 || n > blockSize || n > data.length) return null;
  let diff = 0;
  for (let i = data.length - n; i < data.length; i++) diff |= data[i]! ^ n;
  return diff === 0 ? data.subarray(0, data.length - n) : null;
}
