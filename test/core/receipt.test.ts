import { describe, expect, it } from "vitest";
import { RECEIPT_ALPHABET, RECEIPT_ENTROPY_BITS, RECEIPT_RANDOM_BYTES, normaliseReceipt, receiptFromBytes } from "../../src/core/receipt";

describe("receipt codes", () => {
  it("carry at least 80 bits of entropy in four groups of five unambiguous symbols", () => {
    expect(RECEIPT_ENTROPY_BITS).toBeGreaterThanOrEqual(80);
    const code = receiptFromBytes(crypto.getRandomValues(new Uint8Array(RECEIPT_RANDOM_BYTES)));
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$/);
    expect(RECEIPT_ALPHABET).not.toMatch(/[ILOU]/);
  });

  it("use every bit of the random input: different bytes give different codes", () => {
    const seen = new Set<string>();
    for (let bit = 0; bit < RECEIPT_ENTROPY_BITS; bit++) {
      const bytes = new Uint8Array(RECEIPT_RANDOM_BYTES);
      bytes[bit >> 3] = 0x80 >> (bit & 7);
      seen.add(receiptFromBytes(bytes));
    }
    expect(seen.size).toBe(RECEIPT_ENTROPY_BITS);
  });

  it("spread symbols evenly over many codes (no bias towards part of the alphabet)", () => {
    const counts = new Map<string, number>();
    const n = 4000;
    for (let i = 0; i < n; i++)
      for (const ch of receiptFromBytes(crypto.getRandomValues(new Uint8Array(RECEIPT_RANDOM_BYTES))).replace(/-/g, ""))
        counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (n * 20) / 32;
    for (const c of counts.values()) expect(Math.abs(c - expected) / expected).toBeLessThan(0.15);
  });

  it("accept what people type: lower case, spaces, and O/I/L read as digits", () => {
    expect(normaliseReceipt("7kq2m 9abcd efgh0 12345")).toBe("7KQ2M9ABCDEFGH012345");
    expect(normaliseReceipt("7KQ2M-9ABCD-EFGHO-I2345")).toBe("7KQ2M9ABCDEFGH012345");
    expect(normaliseReceipt("7KQ2M-9ABCD-EFGH0-1234")).toBeNull();
    expect(normaliseReceipt("7KQ2M-9ABCD-EFGH0-1234U")).toBeNull();
  });
});
