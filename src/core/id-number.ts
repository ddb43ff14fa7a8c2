// Resident identity card numbers (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence,
// ISO 7064 MOD 11-2 check character.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = "10X98765432";

/** The check character for the first 17 digits. */
export function computeIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

export type IdNumberProblem = "format" | "birth_date" | "checksum";

/**
 * Checks an 18-character ID number; returns null when valid, otherwise what is wrong.
 * `today` (YYYY-MM-DD) bounds the birth date so a typo into the future is caught.
 */
export function checkIdNumber(value: string, today: string): IdNumberProblem | null {
  const id = value.trim().toUpperCase();
  if (!/^[1-9]\d{16}[\dX]$/.test(id)) return "format";
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  const iso = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (y < 1900 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || iso > today) return "birth_date";
  if (computeIdCheckChar(id.slice(0, 17)) !== id[17]) return "checksum";
  return null;
}
