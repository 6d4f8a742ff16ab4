import { BlockList, isIP } from 'node:net';
import type { TrustProxy } from '../types.js';

/**
 * Compile the trusted-proxy setting once into a predicate over the TCP peer address.
 * `true` trusts every peer (only behind a proxy you control); an array lists addresses or CIDRs.
 */
export function compileTrustProxy(setting: TrustProxy | undefined): (ip: string) => boolean {
  if (setting === undefined || setting === false) return () => false;
  if (setting === true) return () => true;
  if (typeof setting === 'function') return setting;
  if (!Array.isArray(setting)) throw new TypeError('options.trustProxy must be a boolean, an array of addresses/CIDRs or a function');
  const list = new BlockList();
  for (const entry of setting) addEntry(list, entry);
  return (ip) => {
    const address = unmap(ip);
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

function addEntry(list: BlockList, entry: unknown): void {
  if (typeof entry !== 'string') throw new TypeError('options.trustProxy entries must be strings');
  const [addr, bits] = entry.split('/');
  const family = isIP(addr ?? '');
  if (family === 0) throw new TypeError(`options.trustProxy: ${JSON.stringify(entry)} is not an IP address or CIDR`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) list.addAddress(addr!, type);
  else list.addSubnet(addr!, Number(bits), type);
}

/** `::ffff:1.2.3.4` (IPv4-mapped, as Node reports dual-stack peers) → `1.2.3.4`. */
export function unmap(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}
