import { BlockList, isIP } from "node:net";

// Addresses a webhook must not reach unless the configuration allows private destinations:
// loopback, RFC 1918, carrier-grade NAT, link-local (cloud metadata services live there),
// unspecified, multicast and reserved ranges, and their IPv6 counterparts.
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/** Whether an IP address is loopback, private, link-local or otherwise not a public destination. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, "ipv4");
  return blocked.check(address, "ipv6");
}

/**
 * Why a URL is refused as a webhook destination, or undefined when it is acceptable. Host names are
 * checked here only when they are literals or `localhost`; resolved addresses are checked again at
 * every connection (webhook-sender.ts), which also defeats DNS names that point inside.
 */
export function refusedDestination(url: string, allowPrivate: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "must use http or https";
  if (allowPrivate) return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return "points at this machine, which the server's configuration refuses";
  if (isNonPublicAddress(host)) return "points at a private or reserved address, which the server's configuration refuses";
  return undefined;
}
