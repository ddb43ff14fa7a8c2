// Which network address a request comes from, and the key a rate limit counts it under. Pure: the
// runtime entry passes in the socket address and the X-Forwarded-For header.

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** 4, 6 or 0 like node:net's isIP, without depending on Node (this also runs on Workers). */
function ipVersion(value: string): 4 | 6 | 0 {
  if (IPV4.test(value)) return 4;
  return /^[0-9a-f:.]+$/i.test(value) && value.includes(":") && expandIpv6(value) ? 6 : 0;
}

/** Strips brackets, a port and an IPv6 zone; returns null unless what remains is an IP address. */
export function parseIpAddress(raw: string): string | null {
  let value = raw.trim();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    if (end < 0) return null;
    value = value.slice(1, end);
  } else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(value)) {
    value = value.slice(0, value.lastIndexOf(":"));
  }
  value = value.replace(/%.*$/, "");
  return ipVersion(value) ? value.toLowerCase() : null;
}

/**
 * The client's address. Behind `trustedHops` proxies each appends the address it saw, so the Nth
 * entry from the right of X-Forwarded-For is the one the outermost trusted proxy wrote; everything
 * left of it came from the client and is ignored. With fewer entries than hops, every entry was
 * written by a trusted proxy and the left-most is the closest to the client.
 */
export function resolveClientAddress(input: {
  socketAddress: string | undefined;
  forwardedFor: string | undefined;
  trustProxy: boolean;
  trustedHops: number;
}): string | undefined {
  const socket = input.socketAddress ? (parseIpAddress(input.socketAddress) ?? undefined) : undefined;
  if (!input.trustProxy || !input.forwardedFor) return socket;
  const entries = input.forwardedFor.split(",").map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) return socket;
  const chosen = entries[Math.max(0, entries.length - input.trustedHops)]!;
  return parseIpAddress(chosen) ?? socket;
}

function expandIpv6(address: string): number[] | null {
  let text = address;
  // Embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) becomes two hextets.
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    if (!IPV4.test(v4[0])) return null;
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail].map((h) => parseInt(h, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * What one client is counted as: an IPv4 address as is (IPv4-mapped IPv6 included), an IPv6 address
 * by its /64, since one subscriber line or host usually owns a whole /64 and can pick any address in it.
 */
export function rateLimitSubject(address: string | undefined): string {
  if (!address) return "unknown";
  const ip = parseIpAddress(address);
  if (!ip) return `other:${address}`;
  if (ipVersion(ip) === 4) return ip;
  const groups = expandIpv6(ip);
  if (!groups) return `other:${ip}`;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}
