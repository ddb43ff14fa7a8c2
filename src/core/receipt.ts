// Receipt codes: the tipster's only way back to a report. 20 symbols of Crockford's base32 (no I, L,
// O, U) carry 100 random bits, shown as four groups of five to read aloud or write down.

export const RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const RECEIPT_LENGTH = 20;
export const RECEIPT_ENTROPY_BITS = RECEIPT_LENGTH * 5;
/** Random bytes needed to fill RECEIPT_LENGTH symbols of 5 bits each. */
export const RECEIPT_RANDOM_BYTES = Math.ceil(RECEIPT_ENTROPY_BITS / 8);

/** Encodes random bytes as a grouped receipt code, e.g. `7KQ2M-9ABCD-EFGH0-12345`. */
export function receiptFromBytes(bytes: Uint8Array): string {
  if (bytes.length < RECEIPT_RANDOM_BYTES) throw new RangeError(`need ${RECEIPT_RANDOM_BYTES} random bytes`);
  let bits = 0;
  let acc = 0;
  let out = "";
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < RECEIPT_LENGTH) {
      bits -= 5;
      out += RECEIPT_ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return formatReceipt(out);
}

export function formatReceipt(compact: string): string {
  return compact.match(/.{1,5}/g)!.join("-");
}

/**
 * Normalises what a person typed: case, spaces and dashes do not matter, and the letters people
 * confuse with digits (O → 0, I/L → 1) are read as the digits. Returns null if it cannot be a receipt.
 */
export function normaliseReceipt(input: string): string | null {
  const compact = input
    .toUpperCase()
    .replace(/[\s\-_.]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  if (compact.length !== RECEIPT_LENGTH) return null;
  for (const ch of compact) if (!RECEIPT_ALPHABET.includes(ch)) return null;
  return compact;
}
