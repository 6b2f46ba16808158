import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export interface WebhookTargetPolicy {
  /** hosts (names or addresses) allowed even when they are private, loopback or link-local */
  allowedHosts: string[];
  /** whether public addresses may be targets at all (off in tests: deliveries stay on loopback) */
  allowPublic: boolean;
}

export type Resolve = (host: string) => Promise<string[]>;

/** Loopback, private, link-local, shared, unspecified and multicast ranges: never a webhook by default. */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address: treat as unsafe
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return INTERNAL.check(mapped[1]!, 'ipv4');
    return INTERNAL.check(address, 'ipv6');
  }
  return INTERNAL.check(address, 'ipv4');
}

const systemResolve: Resolve = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * Why a webhook URL may not be used, or null when it may: http(s) only; the host (every address it
 * resolves to) must be public unless it is in the allow-list, so monitors cannot be aimed at the
 * platform's own network (cloud metadata at 169.254.169.254, databases, admin ports).
 * Checked when a monitor is saved and again before each delivery (the name may resolve elsewhere by then).
 */
export async function webhookTargetProblem(url: string, policy: WebhookTargetPolicy, resolve: Resolve = systemResolve): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `webhookUrl is not a URL: "${url}"`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `webhookUrl must be an http or https URL, got "${parsed.protocol}"`;
  if (parsed.username || parsed.password) return 'webhookUrl must not carry credentials';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (policy.allowedHosts.includes(host)) return null;
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch (error) {
    return `webhookUrl host "${host}" does not resolve (${error instanceof Error ? error.message : String(error)})`;
  }
  if (addresses.length === 0) return `webhookUrl host "${host}" does not resolve`;
  const internal = addresses.find(isInternalAddress);
  if (internal) return `webhookUrl host "${host}" is a private, loopback or link-local address (${internal}); allow it in WEBHOOK_ALLOWED_HOSTS if it is meant`;
  if (!policy.allowPublic) return `webhookUrl host "${host}" is public and public webhook targets are turned off (WEBHOOK_PUBLIC_TARGETS=off)`;
  return null;
}
