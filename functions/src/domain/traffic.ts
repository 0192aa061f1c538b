import { isIPv4, isIPv6 } from "node:net";

/**
 * Where traffic comes from and goes to, in the units the limits count: a source (one IPv4
 * address, or one IPv6 /64), and a range of numbers (a prefix).
 */

/**
 * The key the per-source cap counts under. An IPv6 subscriber usually holds a whole /64 and can
 * pick any address in it, so the cap applies to the /64; IPv4 stays per address (an IPv4-mapped
 * IPv6 address counts as the IPv4 address it maps). Not an address: counted as it is.
 */
export function sourceKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (!isIPv6(ip)) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  // An embedded IPv4 tail (::1.2.3.4) fills the last two groups, never the first four.
  const missing = 8 - left.length - right.length - (right.at(-1)?.includes(".") ? 1 : 0);
  const groups = ip.includes("::") ? [...left, ...Array<string>(missing).fill("0"), ...right] : left;
  const network = groups.slice(0, 4).map((group) => Number.parseInt(group, 16).toString(16));
  return `${network.join(":")}::/64`;
}

/**
 * The range a number belongs to: `+` and the country calling code, then the first `digits`
 * national digits (+447400123456 with 6 is `+44740012`). Numbers shorter than that are their own
 * range.
 */
export function numberRange(e164: string, callingCode: string, digits: number): string {
  return e164.slice(0, 1 + callingCode.length + digits);
}
