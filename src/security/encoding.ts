// Byte/text encodings that work the same on Node and Workers (no Buffer).

export function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Accepts standard and URL-safe base64, padded or not. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const std = text.trim().replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(std + "=".repeat((4 - (std.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// One encoder and decoder for the process: both are stateless for whole-buffer calls.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const utf8 = {
  encode: (s: string) => encoder.encode(s),
  decode: (b: Uint8Array) => decoder.decode(b),
};

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = (typeof data === "string" ? utf8.encode(data) : data) as BufferSource;
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** String equality whose time does not depend on where the strings differ (secrets, signatures). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
