// Identifiers. Report numbers are readable over the phone (FW-20261124-7KQ2M9AB); other ids carry a
// type prefix so a stray id in a log says what it is.
import { RECEIPT_ALPHABET } from "./receipt";

function randomSymbols(count: number, random: (n: number) => Uint8Array): string {
  // 256 is a multiple of 32, so `byte & 31` is unbiased.
  return Array.from(random(count), (b) => RECEIPT_ALPHABET[b & 31]).join("");
}

const cryptoRandom = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** `FW-<Shanghai date>-<8 symbols>`: 40 random bits per day keeps collisions negligible. */
export function newReportId(shanghaiDate: string, random = cryptoRandom): string {
  return `FW-${shanghaiDate.replace(/-/g, "")}-${randomSymbols(8, random)}`;
}

export function newId(prefix: string, random = cryptoRandom): string {
  return `${prefix}_${randomSymbols(16, random)}`;
}
