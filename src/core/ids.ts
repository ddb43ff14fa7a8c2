// Identifiers. Report numbers are readable over the phone (FW-20261124-7KQ2M9AB); other ids carry a
// type prefix so a stray id in a log says what it is.
import { RECEIPT_ALPHABET } from "./receipt";

function randomSymbols(count: number, random: (n: number) => Uint8Array): string {
  // 256 is a multiple of 32, so `byte & 31` is unbiased.
  const bytes = random(count);
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += RECEIPT_ALPHABET[bytes[i]! & 31];
  return out;
}

// Random bytes drawn from the CSPRNG a kilobyte at a time and handed out once each: a tip makes about
// ten ids, and each getRandomValues call costs more in argument checks than in randomness.
const POOL_BYTES = 1024;
let pool = new Uint8Array(0);
let used = 0;
const cryptoRandom = (n: number): Uint8Array => {
  if (n > POOL_BYTES) return crypto.getRandomValues(new Uint8Array(n));
  if (used + n > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    used = 0;
  }
  const out = pool.subarray(used, used + n);
  used += n;
  return out;
};

/** `FW-<Shanghai date>-<8 symbols>`: 40 random bits per day keeps collisions negligible. */
export function newReportId(shanghaiDate: string, random = cryptoRandom): string {
  return `FW-${shanghaiDate.replace(/-/g, "")}-${randomSymbols(8, random)}`;
}

export function newId(prefix: string, random = cryptoRandom): string {
  return `${prefix}_${randomSymbols(16, random)}`;
}

const ID_SYMBOLS = 16;
const COUNTER_SYMBOLS = 5;

/**
 * Ids for one batch of rows that sort next to each other: a random stem of 11 symbols (55 bits) shared
 * by the batch and a 5-symbol counter (up to 32^5 ids), same shape as newId. A table's primary-key index
 * then takes the batch's rows as one run of neighbouring entries instead of one random leaf page each
 * (the campaign tick inserts thousands of outbox rows per page: random ids dirtied a leaf page per row).
 */
export function newIdRun(prefix: string, random = cryptoRandom): () => string {
  const stem = `${prefix}_${randomSymbols(ID_SYMBOLS - COUNTER_SYMBOLS, random)}`;
  let next = 0;
  return () => {
    let n = next++;
    if (n >= 32 ** COUNTER_SYMBOLS) throw new Error("newIdRun: run exhausted");
    let tail = "";
    for (let i = 0; i < COUNTER_SYMBOLS; i++, n = Math.floor(n / 32)) tail = RECEIPT_ALPHABET[n % 32]! + tail;
    return stem + tail;
  };
}
