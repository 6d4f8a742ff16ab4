import { BlockList, isIP } from 'node:net';

/** A compiled list of addresses and CIDR ranges (IPv4 and IPv6). */
export type AddressMatcher = (ip: string) => boolean;

/**
 * Compile address / CIDR strings once into a matcher, with Node's `BlockList` (no hand-rolled parsing).
 * Returns `undefined` when an entry is not an address or a CIDR with a valid prefix length.
 *
 * @example
 * compileCidrs(['192.168.1.0/24', '2001:db8::/32'])?.('192.168.1.7'); // true
 */
export function compileCidrs(entries: readonly unknown[]): AddressMatcher | undefined {
  const list = new BlockList();
  for (const entry of entries) {
    if (typeof entry !== 'string') return undefined;
    const slash = entry.indexOf('/');
    const address = slash < 0 ? entry : entry.slice(0, slash);
    const family = isIP(address);
    if (family === 0) return undefined;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (slash < 0) {
      list.addAddress(address, type);
      continue;
    }
    const bits = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return undefined;
    list.addSubnet(address, Number(bits), type);
  }
  return (ip) => {
    const address = unmap(ip);
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** `::ffff:1.2.3.4` (IPv4-mapped, as Node reports dual-stack peers) → `1.2.3.4`. */
export function unmap(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}
