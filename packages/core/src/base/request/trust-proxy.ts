import type { TrustProxy } from '../types/options.js';
import { compileCidrs } from '../util/cidr.js';

export { unmap } from '../util/cidr.js';

/**
 * Compile the trusted-proxy setting once into a predicate over the TCP peer address.
 * `true` trusts every peer (only behind a proxy you control); an array lists addresses or CIDRs.
 */
export function compileTrustProxy(setting: TrustProxy | undefined): (ip: string) => boolean {
  if (setting === undefined || setting === false) return () => false;
  if (setting === true) return () => true;
  if (typeof setting === 'function') return setting;
  if (!Array.isArray(setting))
    throw new TypeError('options.trustProxy must be a boolean, an array of addresses/CIDRs or a function');
  const matcher = compileCidrs(setting);
  if (!matcher) throw new TypeError('options.trustProxy entries must be IP addresses or CIDRs');
  return matcher;
}
