import { isIP } from 'node:net';
import { unmap } from '../base/util/cidr.js';
import { compileCapability, requestHost } from './compile-capability.js';
import type { Check, CheckContext, ResolvedTarget } from './context.js';

/**
 * Step 6, before the constraints: the declared target's addresses, for `ip_ranges_allowed` read as the
 * destination (draft §5.6.2; `constraints.ipRanges`, default `'destination'`). Only when a candidate
 * capability has that constraint — otherwise nothing, synchronously. An IP-literal target is its own
 * address; a host name goes to the application's `constraints.resolveTarget`, bounded by
 * `resolveTimeoutMs`. Never denies itself: it records the answer (or why there is none) on the context,
 * and the constraint decides — a second capability without the constraint may still authorize.
 */
export const resolveDestination: Check = (ctx) => {
  if (ctx.settings.policy.ipRanges !== 'destination' || !needsDestination(ctx)) return undefined;
  const parsed = requestHost(ctx);
  if (!parsed) {
    ctx.destination = { host: undefined, problem: 'no_target' };
    return undefined;
  }
  if (parsed.ip) {
    ctx.destination = { host: parsed.host, addresses: [unmap(parsed.host)] };
    return undefined;
  }
  const resolve = ctx.settings.policy.resolveTarget;
  if (!resolve) {
    ctx.destination = { host: parsed.host, problem: 'no_resolver' };
    return undefined;
  }
  return answer(ctx, parsed.host, resolve).then((resolved) => {
    ctx.destination = resolved;
    return undefined;
  });
};

function needsDestination(ctx: CheckContext): boolean {
  for (const capability of ctx.candidates ?? []) if (compileCapability(capability).needsDestination) return true;
  return false;
}

/** The resolver's answer, checked: a non-empty list of IP addresses, within the time allowed. Never rejects. */
async function answer(
  ctx: CheckContext,
  host: string,
  resolve: (host: string) => Promise<readonly string[]> | readonly string[],
): Promise<ResolvedTarget> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((settle) => {
    timer = setTimeout(() => settle('timeout'), ctx.settings.policy.resolveTimeoutMs);
    timer.unref();
  });
  try {
    const addresses: unknown = await Promise.race([Promise.resolve().then(() => resolve(host)), timeout]);
    if (addresses === 'timeout') return { host, problem: 'resolve_timeout' };
    if (!Array.isArray(addresses) || addresses.length === 0) return { host, problem: 'no_address' };
    if (!addresses.every((address) => typeof address === 'string' && isIP(address) !== 0))
      return { host, problem: 'not_an_address' };
    return { host, addresses: Object.freeze(addresses.map(unmap)) };
  } catch (error) {
    return { host, problem: 'resolve_failed', fault: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
